// The trace's numbers are the backward pass's: for random shapes, every built-in cell (both
// LSTM outputs, both GRU forms, SimpleRNN), either direction, sequences or the last step, and a
// user's cell made with defineCell, each step's contributions sum to the gradient the model's
// own backward computes, and ∂L/∂state at slot 0 is what reaches the initial state.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dense, RNN, Sequential, defineCell } from '@rnnkit/layers';
import { getLoss } from '@rnnkit/losses';
import { Random, Tensor } from '@rnnkit/tensor';
import { type MakeRecurrent, builtInRecurrentMakers } from './test-support.js';
import { traceSequence } from './trace.js';

// h_t = tanh(x_t·W + h_{t−1}·U): a user's cell, its backward all in backStep.
const plainCell = defineCell({
  name: 'PlainCell',
  kind: 'plain',
  defaults: {},
  states: (u) => [{ name: 'h', size: u }],
  kept: () => [],
  params: {
    kernel: { shape: (f, u) => [f, u], initializer: 'glorotUniform' },
    recurrentKernel: { shape: (_f, u) => [u, u], initializer: 'orthogonal' },
  },
  step(s, { units: n, w }) {
    const { batch, features: f, t, x } = s;
    const h = s.states[0]!;
    for (let row = t * batch; row < (t + 1) * batch; row++) {
      for (let j = 0; j < n; j++) {
        let z = 0;
        for (let k = 0; k < f; k++) z += x[row * f + k]! * w.kernel[k * n + j]!;
        for (let i = 0; i < n; i++) z += h[row * n + i]! * w.recurrentKernel[i * n + j]!;
        h[(row + batch) * n + j] = Math.tanh(z);
      }
    }
  },
  backStep(s, { units: n, w, g }) {
    const { batch, features: f, t, x, dx } = s;
    const [h, dh] = [s.states[0]!, s.dStates[0]!];
    for (let r = 0, row = t * batch; r < batch; r++, row++) {
      const dz = Array.from({ length: n }, (_, j) => dh[r * n + j]! * (1 - h[(row + batch) * n + j]! ** 2));
      for (let j = 0; j < n; j++) {
        for (let k = 0; k < f; k++) {
          g.kernel[k * n + j]! += x[row * f + k]! * dz[j]!;
          dx[row * f + k]! += w.kernel[k * n + j]! * dz[j]!;
        }
        for (let i = 0; i < n; i++) g.recurrentKernel[i * n + j]! += h[row * n + i]! * dz[j]!;
      }
      for (let i = 0; i < n; i++) dh[r * n + i] = dz.reduce((sum, d, j) => sum + d * w.recurrentKernel[i * n + j]!, 0);
    }
  },
});

const makers: readonly [string, MakeRecurrent][] = [
  ...builtInRecurrentMakers,
  ['defineCell', (o) => new RNN({ cell: plainCell.create({ units: o.units, dtype: 'float64' }), returnSequences: o.returnSequences, goBackwards: o.goBackwards })],
];

const caseArb = fc.record({
  kind: fc.integer({ min: 0, max: makers.length - 1 }),
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 5 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 3 }),
  returnSequences: fc.boolean(),
  goBackwards: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('traceSequence (property)', () => {
  it("should sum each layer's step contributions to the gradients of the model's backward, for every cell", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const [label, make] = makers[c.kind]!;
        const o = { units: c.units, returnSequences: c.returnSequences, goBackwards: c.goBackwards };
        // Two recurrent layers, so the first one's output gradient comes through the second's dx.
        const model = new Sequential({
          layers: [make({ ...o, returnSequences: true }), make(o), new Dense({ units: 2, dtype: 'float64' })],
          inputShape: [null, c.features],
          seed: c.seed,
          dtype: 'float64',
        });
        const random = new Random(c.seed);
        for (const p of model.params()) random.fillNormal(p.value.data, 0, 0.5);
        const x = new Tensor(random.fillUniform(new Float64Array(c.batch * c.time * c.features), -1, 1), [c.batch, c.time, c.features]);
        const yShape = c.returnSequences ? [c.batch, c.time, 2] : [c.batch, 2];
        const y = new Tensor(random.fillUniform(new Float64Array(yShape.reduce((a, b) => a * b)), -1, 1), yShape);
        for (const p of model.params()) p.zeroGrad();
        const { y: prediction, cache } = model.forward(x, { training: true });
        model.backward(getLoss('mse').compute(prediction, y).grad, cache);
        const trace = traceSequence(model, x, y, { loss: 'mse' });
        expect(trace.layers).toHaveLength(2);
        for (const layer of trace.layers) {
          for (const p of model.layers[layer.index]!.params()) {
            const steps = layer.stepContributions[p.name]!;
            for (let i = 0; i < p.value.size; i++) {
              let sum = 0;
              for (let t = 0; t < c.time; t++) sum += steps.data[t * p.value.size + i]!;
              expect(Math.abs(sum - p.grad.data[i]!), `${label} ${layer.name}/${p.name}[${i}]`).toBeLessThan(1e-10);
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });
});
