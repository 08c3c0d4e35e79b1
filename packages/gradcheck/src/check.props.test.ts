import { Param, fromTypedArray } from '@rnnkit/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from './check.js';
import { gradientSubject } from './make-subject.js';

/**
 * A random smooth function of a matrix parameter W [m, n], a rank-3 parameter B and an
 * input x [n]:
 *   f = Σ_i c_i · tanh((W x)_i) + ½ Σ_k d_k · B_k²
 * with analytic gradients
 *   ∂f/∂W_ij = c_i (1 − t_i²) x_j,  ∂f/∂x_j = Σ_i c_i (1 − t_i²) W_ij,  ∂f/∂B_k = d_k B_k.
 */
interface Problem {
  m: number;
  n: number;
  bShape: [number, number, number];
  w: number[];
  x: number[];
  b: number[];
  c: number[];
  d: number[];
}

const unit = fc.double({ min: -1, max: 1, noNaN: true });
const problemArb: fc.Arbitrary<Problem> = fc
  .record({
    m: fc.integer({ min: 1, max: 4 }),
    n: fc.integer({ min: 1, max: 4 }),
    bShape: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
  })
  .chain(({ m, n, bShape }) => {
    const bSize = bShape[0] * bShape[1] * bShape[2];
    return fc.record({
      m: fc.constant(m),
      n: fc.constant(n),
      bShape: fc.constant(bShape),
      w: fc.array(unit, { minLength: m * n, maxLength: m * n }),
      x: fc.array(unit, { minLength: n, maxLength: n }),
      b: fc.array(unit, { minLength: bSize, maxLength: bSize }),
      c: fc.array(unit, { minLength: m, maxLength: m }),
      d: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: bSize, maxLength: bSize }),
    });
  });

type Target = 'W' | 'B' | 'input';

function build(problem: Problem, corrupt?: { target: Target; fraction: number; sign: 1 | -1 }) {
  const { m, n, c, d } = problem;
  const W = new Param('W', fromTypedArray(Float64Array.from(problem.w), [m, n]));
  const B = new Param('B', fromTypedArray(Float64Array.from(problem.b), problem.bShape));
  const x = fromTypedArray(Float64Array.from(problem.x), [n]);
  const sizes: Record<Target, number> = { W: m * n, B: B.value.size, input: n };
  const corruptIndex = corrupt ? Math.min(sizes[corrupt.target] - 1, Math.floor(corrupt.fraction * sizes[corrupt.target])) : -1;
  const subject = gradientSubject({
    params: [W, B],
    input: x,
    forward: () => {
      const t = new Float64Array(m);
      let loss = 0;
      for (let i = 0; i < m; i++) {
        let z = 0;
        for (let j = 0; j < n; j++) z += W.value.data[i * n + j]! * x.data[j]!;
        t[i] = Math.tanh(z);
        loss += c[i]! * t[i]!;
      }
      for (let k = 0; k < B.value.size; k++) loss += 0.5 * d[k]! * B.value.data[k]! ** 2;
      return { loss, cache: t };
    },
    backward: (t) => {
      const dx = new Float64Array(n);
      for (let i = 0; i < m; i++) {
        const dz = c[i]! * (1 - t[i]! ** 2);
        for (let j = 0; j < n; j++) {
          W.grad.data[i * n + j]! += dz * x.data[j]!;
          dx[j]! += dz * W.value.data[i * n + j]!;
        }
      }
      for (let k = 0; k < B.value.size; k++) B.grad.data[k]! += d[k]! * B.value.data[k]!;
      if (corrupt) {
        // An error clearly outside atol + rtol·|g| for any gradient of this size.
        const grad = corrupt.target === 'W' ? W.grad.data : corrupt.target === 'B' ? B.grad.data : dx;
        grad[corruptIndex]! += corrupt.sign * (1e-3 + 1e-2 * Math.abs(grad[corruptIndex]!));
      }
      return fromTypedArray(dx, [n]);
    },
  });
  const shapes: Record<Target, readonly number[]> = { W: [m, n], B: problem.bShape, input: [n] };
  return { subject, corruptIndex, shapes };
}

function unravel(flat: number, shape: readonly number[]): number[] {
  const index: number[] = [];
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index.unshift(flat % shape[axis]!);
    flat = Math.floor(flat / shape[axis]!);
  }
  return index;
}

describe('checkGradients on random smooth functions', () => {
  it('should pass correct gradients', () => {
    fc.assert(
      fc.property(problemArb, (problem) => {
        const report = checkGradients(build(problem).subject);
        expect(report.passed, report.format()).toBe(true);
      }),
    );
  });

  it('should fail a perturbed gradient at the perturbed element only', () => {
    fc.assert(
      fc.property(
        problemArb,
        fc.constantFrom<Target>('W', 'B', 'input'),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.constantFrom<1 | -1>(1, -1),
        (problem, target, fraction, sign) => {
          const { subject, corruptIndex, shapes } = build(problem, { target, fraction, sign });
          const report = checkGradients(subject);
          expect(report.passed).toBe(false);
          for (const entry of report.entries) {
            const name = entry.kind === 'input' ? 'input' : entry.name;
            if (name === target) {
              expect(entry.failures).toBe(1);
              expect(entry.worstIndex).toEqual(unravel(corruptIndex, shapes[target]));
            } else {
              expect(entry.passed, report.format()).toBe(true);
            }
          }
        },
      ),
    );
  });

  it('should give the same report for the same sampling seed', () => {
    fc.assert(
      fc.property(problemArb, fc.integer({ min: 1, max: 5 }), fc.integer(), (problem, sample, seed) => {
        const strip = (r: ReturnType<typeof checkGradients>) => r.entries;
        const a = checkGradients(build(problem).subject, { sample, seed });
        const b = checkGradients(build(problem).subject, { sample, seed });
        expect(strip(b)).toEqual(strip(a));
        for (const entry of a.entries) expect(entry.checked).toBe(Math.min(sample, entry.shape.reduce((p, q) => p * q, 1)));
      }),
      { numRuns: 30 },
    );
  });
});
