import fc from 'fast-check';
import { describe, it } from 'vitest';
import { Param, Tensor } from '@rnnkit/tensor';
import { createOptimizer } from './optimizer.js';
import type { RunnerOptions } from './runner-options.js';
import { sgd } from './sgd.js';

// Plain SGD with learning rate 1 from zero values moves each value by exactly minus the
// gradient it was given, so the values after one step are the clipped gradients.
const gradientsArb = fc.array(
  fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 1, maxLength: 6 }),
  { minLength: 1, maxLength: 4 },
);
const boundArb = fc.double({ min: 0.01, max: 50, noNaN: true });

/** The gradients the optimizer applied after clipping, per parameter. */
function clippedGradients(gradients: readonly (readonly number[])[], options: RunnerOptions): number[][] {
  const params = gradients.map((g, k) => {
    const p = new Param(`p${k}`, new Tensor(new Float64Array(g.length), [g.length]));
    p.grad.data.set(g);
    return p;
  });
  createOptimizer(sgd, params, { ...options, learningRate: 1 }).step();
  return params.map((p) => Array.from(p.value.data, (x) => -x));
}

const norm = (values: readonly number[]): number => Math.sqrt(values.reduce((s, x) => s + x * x, 0));
const slack = 1 + 1e-12;

describe('gradient clipping (properties)', () => {
  it('should keep every coordinate within ±clipValue and leave smaller ones unchanged', () => {
    fc.assert(
      fc.property(gradientsArb, boundArb, (gradients, clipValue) => {
        const clipped = clippedGradients(gradients, { clipValue });
        return clipped.every((g, k) =>
          g.every((x, i) => {
            const original = gradients[k]![i]!;
            return Math.abs(x) <= clipValue && (Math.abs(original) <= clipValue ? x === original : Math.abs(x) === clipValue);
          }),
        );
      }),
    );
  });

  it("should bound each parameter's gradient norm by clipNorm, keeping its direction", () => {
    fc.assert(
      fc.property(gradientsArb, boundArb, (gradients, clipNorm) => {
        const clipped = clippedGradients(gradients, { clipNorm });
        return clipped.every((g, k) => {
          const original = gradients[k]!;
          const n = norm(original);
          const scale = n > clipNorm ? clipNorm / n : 1;
          return norm(g) <= clipNorm * slack && g.every((x, i) => Math.abs(x - original[i]! * scale) <= 1e-12 * (1 + Math.abs(x)));
        });
      }),
    );
  });

  it('should bound the global norm by globalClipNorm, scaling all gradients alike', () => {
    fc.assert(
      fc.property(gradientsArb, boundArb, (gradients, globalClipNorm) => {
        const clipped = clippedGradients(gradients, { globalClipNorm });
        const n = norm(gradients.flat());
        const scale = n > globalClipNorm ? globalClipNorm / n : 1;
        return (
          norm(clipped.flat()) <= globalClipNorm * slack &&
          clipped.flat().every((x, i) => Math.abs(x - gradients.flat()[i]! * scale) <= 1e-12 * (1 + Math.abs(x)))
        );
      }),
    );
  });

  it('should keep all bounds at once when all three are set', () => {
    fc.assert(
      fc.property(gradientsArb, boundArb, boundArb, boundArb, (gradients, clipValue, clipNorm, globalClipNorm) => {
        const clipped = clippedGradients(gradients, { clipValue, clipNorm, globalClipNorm });
        return (
          clipped.every((g) => g.every((x) => Math.abs(x) <= clipValue) && norm(g) <= clipNorm * slack) &&
          norm(clipped.flat()) <= globalClipNorm * slack
        );
      }),
    );
  });

  it('should leave the gradients in Param.grad unclipped', () => {
    fc.assert(
      fc.property(gradientsArb, boundArb, (gradients, clipValue) => {
        const p = new Param('w', new Tensor(new Float64Array(gradients[0]!.length), [gradients[0]!.length]));
        p.grad.data.set(gradients[0]!);
        createOptimizer(sgd, [p], { clipValue, clipNorm: clipValue, globalClipNorm: clipValue }).step();
        return Array.from(p.grad.data).every((g, i) => g === gradients[0]![i]);
      }),
    );
  });
});
