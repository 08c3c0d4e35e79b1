import fc from 'fast-check';
import { type DType, Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { type Activation, activations } from './activations.js';
import { LSTM } from './lstm.js';
import { uniform } from './test-support.js';

// The standard cell (σ gates, tanh, h = o ⊙ tanh(c)) has a one-pass backward with the
// derivatives written out. An LSTM given copies of the same activations under other names
// takes the general path (one pass per gate and activation): both must agree.
const copy = (a: Activation): Activation => ({ name: `${a.name} (copy)`, forward: a.forward, backward: a.backward });

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 4 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 5 }),
  returnSequences: fc.boolean(),
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  seed: fc.nat(),
});

function run(layer: LSTM, x: Tensor, dy: Tensor): { y: Tensor; dx: Tensor; grads: Float64Array[] } {
  const { y, cache } = layer.forward(x, { training: true });
  const dx = layer.backward(dy, cache);
  const grads = layer.params().map((p) => Float64Array.from(p.grad.data));
  return { y, dx, grads };
}

describe('LSTM standard cell: one-pass backward (property)', () => {
  it('should give the same outputs and gradients as the general path', () => {
    fc.assert(
      fc.property(caseArb, ({ batch, time, features, units, returnSequences, dtype, seed }) => {
        const standard = new LSTM({ units, returnSequences, dtype });
        const general = new LSTM({
          units,
          returnSequences,
          dtype,
          activation: copy(activations.tanh),
          recurrentActivation: copy(activations.sigmoid),
        });
        standard.build([null, time, features], new Random(seed));
        general.build([null, time, features], new Random(seed));
        const random = new Random(seed + 1);
        const x = uniform([batch, time, features], random, dtype);
        const dy = uniform(returnSequences ? [batch, time, units] : [batch, units], random, dtype);
        const a = run(standard, x, dy);
        const b = run(general, x, dy);
        expect(Array.from(a.y.data)).toEqual(Array.from(b.y.data));
        // The one-pass form multiplies in another order and keeps products in float64.
        const tolerance = dtype === 'float64' ? 1e-12 : 2e-6;
        const close = (p: ArrayLike<number>, q: ArrayLike<number>): void => {
          for (let i = 0; i < p.length; i++) expect(Math.abs(p[i]! - q[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(q[i]!)));
        };
        close(a.dx.data, b.dx.data);
        a.grads.forEach((g, i) => close(g, b.grads[i]!));
      }),
      { numRuns: 60 },
    );
  });
});
