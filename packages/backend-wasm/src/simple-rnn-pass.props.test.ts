// The fused SimpleRNN pass of the WebAssembly backend (tanh and σ), on one thread and on
// three, against the SimpleRNN cell's own reference steps (recurrentKernelLaws of
// @rnnkit/testing): state histories, input, initial-state and weight gradients, in training
// and inference passes, over batches with unit and uneven tails.
import { Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { simpleRNN, simpleRNNCell } from '@rnnkit/layers';
import { describe, expect, it, vi } from 'vitest';
import { backendsUnderTest, describeKernelLaws, passOf } from './pass-support.js';

const backends = await backendsUnderTest();

for (const [label, backend] of backends) {
  describeKernelLaws(
    label,
    passOf(backend, 'simple-rnn'),
    {
      'simple-rnn (tanh)': (units) => simpleRNNCell({ units }),
      'simple-rnn (sigmoid)': (units) => simpleRNNCell({ units, activation: 'sigmoid' }),
      'simple-rnn without bias': (units) => simpleRNNCell({ units, useBias: false }),
    },
    {
      'simple-rnn in float64': (units) => simpleRNNCell({ units, dtype: 'float64' }),
      'simple-rnn with relu': (units) => simpleRNNCell({ units, activation: 'relu' }),
      'simple-rnn with hard-sigmoid': (units) => simpleRNNCell({ units, activation: 'hardSigmoid' }),
    },
    60, // the other cells are declined, so fewer than half the runs compare
  );
}

describe('fused SimpleRNN pass of the WebAssembly backend in a layer', () => {
  it('should run the fused pass (not the per-step loop) for a σ SimpleRNN in float32, forward and backward', () => {
    const random = new Random(2);
    const layer = simpleRNN({ units: 4, activation: 'sigmoid' });
    layer.build([null, 3, 2], random);
    const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2]);
    for (const [, backend] of backends) {
      const pass = passOf(backend, 'simple-rnn');
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
