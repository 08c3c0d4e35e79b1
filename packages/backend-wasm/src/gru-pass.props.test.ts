// The fused GRU pass of the WebAssembly backend (Keras' resetAfter cell), on one thread and
// on three, against the GRU cell's own reference steps (recurrentKernelLaws of
// @rnnkit/testing): state histories, kept values, input, initial-state and weight gradients,
// in training and inference passes, on sequences with and without step masks, over batches
// with unit and uneven tails.
import { Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { gru, gruCell } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, describeKernelLaws, passOf } from './pass-support.js';

const backends = await backendsUnderTest();

for (const [label, backend] of backends) {
  describeKernelLaws(
    label,
    passOf(backend, 'gru'),
    {
      gru: (units) => gruCell({ units }),
      'gru without bias': (units) => gruCell({ units, useBias: false }),
    },
    {
      'gru with the reset gate before': (units) => gruCell({ units, resetAfter: false }),
      'gru in float64': (units) => gruCell({ units, dtype: 'float64' }),
      'gru with hard-sigmoid gates': (units) => gruCell({ units, recurrentActivation: 'hardSigmoid' }),
    },
    60, // the other cells are declined, so fewer than half the runs compare
  );
}

describe('fused GRU pass of the WebAssembly backend in a layer', () => {
  it('should run the fused pass (not the per-step loop) for the default GRU in float32', () => {
    // The fused forward returns an incomplete run after an inference pass; the loop never does.
    const random = new Random(2);
    const layer = gru({ units: 4 });
    layer.build([null, 3, 2], random);
    const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2]);
    setBackend(backends[0]![1]);
    expect(layer.forward(x).cache.complete).toBe(false);
    expect(layer.forward(x, { training: true }).cache.complete).toBe(true);
    setBackend(jsBackend);
    expect(layer.forward(x).cache.complete).toBe(true);
  });
});
