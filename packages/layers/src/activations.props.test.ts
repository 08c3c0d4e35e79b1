import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ActivationName, activations } from './activations.js';

const valuesArb = fc.array(fc.double({ min: -6, max: 6, noNaN: true }), { minLength: 1, maxLength: 6 });

/** Values away from the kinks of relu (0) and hardSigmoid (±2.5), where f′ jumps. */
const smoothValuesArb = fc.array(
  fc.double({ min: -6, max: 6, noNaN: true }).filter((v) => Math.abs(v) > 1e-3 && Math.abs(Math.abs(v) - 2.5) > 1e-3),
  { minLength: 1, maxLength: 6 },
);

function forward(name: ActivationName, x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  activations[name].forward(x, 0, out, 0, x.length);
  return out;
}

describe('activations: laws', () => {
  for (const name of Object.keys(activations) as ActivationName[]) {
    it(`should have a backward equal to the central difference of forward: ${name}`, () => {
      fc.assert(
        fc.property(smoothValuesArb, valuesArb, (values, weights) => {
          const x = Float64Array.from(values);
          const g = Float64Array.from(values, (_, i) => weights[i % weights.length]!);
          // L(x) = Σ g ⊙ f(x); backward must turn g into ∂L/∂x.
          const loss = (v: Float64Array): number => forward(name, v).reduce((s, y, i) => s + y * g[i]!, 0);
          const y = forward(name, x);
          const grad = g.slice();
          activations[name].backward(y, 0, grad, 0, grad.length);
          const eps = 1e-6;
          x.forEach((_, i) => {
            const plus = x.slice();
            const minus = x.slice();
            plus[i]! += eps;
            minus[i]! -= eps;
            const numeric = (loss(plus) - loss(minus)) / (2 * eps);
            expect(Math.abs(grad[i]! - numeric)).toBeLessThanOrEqual(1e-7 * (1 + Math.abs(numeric)));
          });
        }),
        { numRuns: 50 },
      );
    });

    it(`should give the same result in place as into another array: ${name}`, () => {
      fc.assert(
        fc.property(valuesArb, (values) => {
          const x = Float64Array.from(values);
          const expected = forward(name, x);
          activations[name].forward(x, 0, x, 0, x.length);
          expect(Array.from(x)).toEqual(Array.from(expected));
        }),
      );
    });
  }

  it('should satisfy σ(−x) = 1 − σ(x) with values in [0, 1]', () => {
    fc.assert(
      fc.property(fc.double({ min: -800, max: 800, noNaN: true }), (v) => {
        const [pos, neg] = forward('sigmoid', Float64Array.from([v, -v]));
        expect(pos).toBeGreaterThanOrEqual(0);
        expect(pos).toBeLessThanOrEqual(1);
        expect(Math.abs(neg! - (1 - pos!))).toBeLessThanOrEqual(1e-15);
      }),
    );
  });

  it('should make softmax rows sum to 1 and ignore a constant shift, even for huge inputs', () => {
    fc.assert(
      fc.property(valuesArb, fc.double({ min: -1e4, max: 1e4, noNaN: true }), (values, shift) => {
        const y = forward('softmax', Float64Array.from(values));
        const shifted = forward('softmax', Float64Array.from(values, (v) => v + shift));
        expect(Math.abs(y.reduce((s, v) => s + v, 0) - 1)).toBeLessThanOrEqual(1e-12);
        y.forEach((v, i) => expect(Math.abs(v - shifted[i]!)).toBeLessThanOrEqual(1e-9));
      }),
    );
  });
});
