// The fused GRU pass of the WebAssembly backend for the reset-before form (resetAfter: false,
// Keras 1's and TF.js' default), on one thread and on three, against the GRU cell's own
// reference steps (recurrentKernelLaws of @rnnkit/testing): state histories, kept values,
// input, initial-state and weight gradients, in training and inference passes, over batches
// with unit and uneven tails.
import { Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { gru, gruCell } from '@rnnkit/layers';
import { describe, expect, it, vi } from 'vitest';
import { backendsUnderTest, describeKernelLaws, passOf } from './pass-support.js';

const backends = await backendsUnderTest();

for (const [label, backend] of backends) {
  describeKernelLaws(
    label,
    passOf(backend, 'gru-reset-before'),
    {
      'gru with the reset gate before': (units) => gruCell({ units, resetAfter: false }),
      'gru with the reset gate before, without bias': (units) => gruCell({ units, resetAfter: false, useBias: false }),
    },
    {
      'gru with the reset gate after': (units) => gruCell({ units }),
      'gru with the reset gate before in float64': (units) => gruCell({ units, resetAfter: false, dtype: 'float64' }),
      'gru with the reset gate before and hard-sigmoid gates': (units) => gruCell({ units, resetAfter: false, recurrentActivation: 'hardSigmoid' }),
    },
    60, // the other cells are declined, so fewer than half the runs compare
  );
}

describe('fused reset-before GRU pass of the WebAssembly backend in a layer', () => {
  it('should run the fused pass (not the per-step loop) for a resetAfter: false GRU in float32, forward and backward', () => {
    const random = new Random(2);
    const layer = gru({ units: 4, resetAfter: false });
    layer.build([null, 3, 2], random);
    const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2]);
    for (const [, backend] of backends) {
      const pass = passOf(backend, 'gru-reset-before');
      const forward = vi.spyOn(pass, 'forward');
      const backward = vi.spyOn(pass, 'backward');
      setBackend(backend);
      // The fused forward returns an incomplete run after an inference pass; the loop never does.
      expect(layer.forward(x).cache.complete).toBe(false);
      const { y, cache } = layer.forward(x, { training: true });
      layer.backward(y, cache);
      expect([forward.mock.calls.length, backward.mock.calls.length]).toEqual([2, 1]);
      setBackend(jsBackend);
      expect(layer.forward(x).cache.complete).toBe(true);
      vi.restoreAllMocks();
    }
  });
});
