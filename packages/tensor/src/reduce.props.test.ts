import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { tensorArb } from '@rnnkit/testing';
import { at, indices, mismatch } from './naive.test-util.js';
import { argmax, max, mean, min, norm, sum } from './reduce.js';
import type { Tensor } from './tensor.js';

/** A tensor with a random subset of its axes (in random order, some negative) and keepDims. */
const reductionArb = fc
  .record({ x: tensorArb({ dtype: 'float64', maxRank: 4, min: -5, max: 5 }), keepDims: fc.boolean() })
  .chain(({ x, keepDims }) =>
    fc.record({
      x: fc.constant(x),
      keepDims: fc.constant(keepDims),
      axes: fc.oneof(
        fc.constant(undefined),
        fc.shuffledSubarray(Array.from({ length: x.rank }, (_, i) => i)).chain((axes) =>
          fc.tuple(...axes.map((a) => fc.constantFrom(a, a - x.rank))),
        ),
      ),
    }),
  );

/**
 * The reference: group the elements by their index on the kept axes and fold each group
 * in row-major order.
 */
function naiveReduce(
  x: Tensor,
  axes: number[] | undefined,
  keepDims: boolean,
  fold: (values: number[]) => number,
): { shape: number[]; values: number[] } {
  const reduced = new Set((axes ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + x.rank : a)));
  const kept = x.shape.map((_, i) => i).filter((i) => !reduced.has(i));
  const groups = new Map<string, number[]>();
  for (const index of indices(x.shape)) {
    const key = kept.map((i) => index[i]).join(',');
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(at(x, index));
  }
  const keptShape = kept.map((i) => x.shape[i]!);
  const values = indices(keptShape).map((index) => fold(groups.get(index.join(',')) ?? []));
  const shape = keepDims ? x.shape.map((d, i) => (reduced.has(i) ? 1 : d)) : keptShape;
  return { shape, values };
}

const folds: [string, typeof sum, (v: number[]) => number, number][] = [
  ['sum', sum, (v) => v.reduce((s, x) => s + x, 0), 1e-12],
  ['mean', mean, (v) => v.reduce((s, x) => s + x, 0) / v.length, 1e-12],
  ['norm', norm, (v) => Math.sqrt(v.reduce((s, x) => s + x * x, 0)), 1e-12],
  ['max', max, (v) => Math.max(...v), 0],
  ['min', min, (v) => Math.min(...v), 0],
  ['argmax', argmax, (v) => v.indexOf(Math.max(...v)), 0],
];

describe('reductions (property)', () => {
  for (const [name, op, fold, tolerance] of folds) {
    it(`should make ${name} equal the group-and-fold reference over random axes`, () => {
      fc.assert(
        fc.property(reductionArb, ({ x, axes, keepDims }) => {
          const empty = x.size === 0;
          fc.pre(!(empty && (name === 'max' || name === 'min' || name === 'argmax')));
          const expected = naiveReduce(x, axes, keepDims, fold);
          const result = op(x, axes, keepDims);
          expect(result.shape).toEqual(expected.shape);
          expect(mismatch(result.data, expected.values, () => tolerance)).toBeNull();
        }),
        { numRuns: 60 },
      );
    });
  }

  it('should keep float32 sums as accurate as a float64 sum rounded once', () => {
    fc.assert(
      fc.property(tensorArb({ dtype: 'float32', maxRank: 2, maxSide: 50, min: -1, max: 1 }), (x) => {
        const exact = Array.from(x.data).reduce((s, v) => s + v, 0);
        expect(sum(x).item()).toBe(Math.fround(exact));
      }),
    );
  });
});
