// The fused LSTM pass of the WebAssembly backend, on one thread and on three, against the
// LSTM cell's own reference steps (recurrentKernelLaws of @rnnkit/testing): state histories,
// kept values, input, initial-state and weight gradients, in training and inference passes,
// over batches with unit and uneven tails, on sequences with and without step masks.
import { Random, jsBackend } from '@rnnkit/tensor';
import { lstm, lstmCell } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, describeKernelLaws, randomTensor, relativeError, runLayer } from './pass-support.js';

const backends = await backendsUnderTest();

describeKernelLaws(
  backends,
  'lstm',
  {
    lstm: (units) => lstmCell({ units }),
    'lstm without bias': (units) => lstmCell({ units, useBias: false }),
    'lstm without unit forget bias': (units) => lstmCell({ units, unitForgetBias: false }),
  },
  {
    'lstm in float64': (units) => lstmCell({ units, dtype: 'float64' }),
    'lstm with h = o ⊙ c': (units) => lstmCell({ units, cellOutput: 'none' }),
    'lstm with hard-sigmoid gates': (units) => lstmCell({ units, recurrentActivation: 'hardSigmoid' }),
    'lstm with relu': (units) => lstmCell({ units, activation: 'relu' }),
  },
  60, // the other cells are declined, so fewer than half the runs compare
);

describe('fused LSTM pass of the WebAssembly backend on a large batch', () => {
  it('should split 64 sequences across three threads and equal the reference steps (and one thread, row by row)', () => {
    // Big enough that the pass is shared out: 64 sequences × 20 steps × 64 units.
    const random = new Random(11);
    const layer = lstm({ units: 64, returnSequences: true, returnState: true });
    layer.build([null, 20, 8], random);
    const x = randomTensor([64, 20, 8], random);
    const dy = randomTensor([64, 20, 64], random);
    const stateGrads = [randomTensor([64, 64], random), randomTensor([64, 64], random)];
    const reference = runLayer(layer, jsBackend, x, dy, stateGrads);
    const single = backends[0]![1];
    const threaded = backends[1]![1];
    const one = runLayer(layer, single, x, dy, stateGrads);
    const three = runLayer(layer, threaded, x, dy, stateGrads);
    for (const [what, got, want] of [
      ['y', three.y, reference.y],
      ['h', three.states[0]!, reference.states[0]!],
      ['c', three.states[1]!, reference.states[1]!],
      ['dx', three.dx, reference.dx],
      ...three.grads.map((g, i) => [`gradient ${i}`, g, reference.grads[i]!] as const),
    ] as const) {
      expect(relativeError(got, want), what).toBeLessThan(1e-4);
    }
    // Outputs and per-sequence gradients are computed row by row: identical bits on 1 and 3 threads.
    expect(Array.from(three.y)).toEqual(Array.from(one.y));
    expect(Array.from(three.dx)).toEqual(Array.from(one.dx));
  });
});
