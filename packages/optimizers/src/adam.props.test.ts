import fc from 'fast-check';
import { describe, it } from 'vitest';
import { Param, Tensor } from '@rnnkit/tensor';
import { adam } from './adam.js';
import { createOptimizer } from './optimizer.js';

const gradientArb = fc
  .tuple(fc.double({ min: 1e-2, max: 1e3, noNaN: true }), fc.boolean())
  .map(([size, negative]) => (negative ? -size : size));

describe('adam (properties)', () => {
  it("should make a first step of lr·sign(g) per coordinate, whatever the gradient's scale", () => {
    fc.assert(
      fc.property(
        fc.array(gradientArb, { minLength: 1, maxLength: 8 }),
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.constantFrom<'float32' | 'float64'>('float32', 'float64'),
        (gradients, learningRate, dtype) => {
          const data = dtype === 'float32' ? new Float32Array(gradients.length) : new Float64Array(gradients.length);
          const p = new Param('w', new Tensor(data, [gradients.length]));
          p.grad.data.set(gradients);
          createOptimizer(adam, [p], { learningRate }).step();
          // Bias correction makes the first step lr·g/(|g| + ε/√(1−β2)): lr·sign(g) up to
          // ε/(√(1−β2)·|g|) ≤ 1e-7/(0.0316·0.01) ≈ 3e-4 relative, plus float32 rounding.
          gradients.forEach((g, i) => {
            const expected = -learningRate * Math.sign(g);
            const actual = p.value.data[i]!;
            if (!(Math.abs(actual - expected) <= 5e-4 * learningRate)) {
              throw new Error(`g = ${g}: moved ${actual}, expected ${expected}`);
            }
          });
        },
      ),
    );
  });
});
