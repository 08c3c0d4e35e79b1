import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { shapeArb, tensorArb } from '@rnnkit/testing';
import { at, flat, indices } from './naive.test-util.js';
import { assignSelect, concat, expandDims, reshape, select, slice, split, squeeze, stack } from './shape-ops.js';
import { type Tensor, zeros } from './tensor.js';

const values = (t: Tensor): number[] => Array.from(t.data);

/** A tensor with one of its axes (given either way round: non-negative or negative). */
const tensorWithAxisArb = (options: Parameters<typeof tensorArb>[0] = {}): fc.Arbitrary<[Tensor, number]> =>
  tensorArb({ minRank: 1, ...options }).chain((x) =>
    fc.tuple(fc.constant(x), fc.integer({ min: 0, max: x.rank - 1 }).chain((a) => fc.constantFrom(a, a - x.rank))),
  );

/** Cuts `total` into a random list of non-negative sizes. */
const partitionArb = (total: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: total }), { maxLength: 3 }).map((cuts) => {
    const points = [0, ...cuts.sort((p, q) => p - q), total];
    return points.slice(1).map((p, i) => p - points[i]!);
  });

describe('reshape (property)', () => {
  it('should keep the data in row-major order for any shape of the same size', () => {
    fc.assert(
      fc.property(
        tensorArb({ maxRank: 4 }).chain((x) =>
          fc.tuple(
            fc.constant(x),
            // Some of x's lengths in a new order, then one axis holding the rest of the size
            // (given as -1 when useInfer). Lengths are ≥ 1, so the rest is an integer.
            fc.shuffledSubarray([...x.shape]).map((factors) => [...factors, x.size / factors.reduce((p, d) => p * d, 1)]),
            fc.boolean(),
          ),
        ),
        ([x, shape, useInfer]) => {
          const target = useInfer ? [...shape.slice(0, -1), -1] : shape;
          const y = reshape(x, target);
          expect(y.shape).toEqual(shape);
          expect(values(y)).toEqual(values(x));
        },
      ),
    );
  });

  it('should make squeeze undo expandDims', () => {
    fc.assert(
      fc.property(
        tensorArb({ maxRank: 3 }).chain((x) => fc.tuple(fc.constant(x), fc.integer({ min: -(x.rank + 1), max: x.rank }))),
        ([x, axis]) => {
          const expanded = expandDims(x, axis);
          expect(expanded.rank).toBe(x.rank + 1);
          expect(squeeze(expanded, axis).shape).toEqual(x.shape);
        },
      ),
    );
  });
});

describe('select and stack (property)', () => {
  it('should round-trip: select(stack(ts, axis), axis, i) = ts[i]', () => {
    fc.assert(
      fc.property(
        shapeArb({ maxRank: 3 }).chain((shape) =>
          fc.tuple(
            fc.array(tensorArb({ shape }), { minLength: 1, maxLength: 4 }),
            fc.integer({ min: -(shape.length + 1), max: shape.length }),
          ),
        ),
        ([tensors, axis]) => {
          const stacked = stack(tensors, axis);
          tensors.forEach((t, i) => {
            const back = select(stacked, axis, i);
            expect(back.shape).toEqual(t.shape);
            expect(values(back)).toEqual(values(t));
          });
        },
      ),
    );
  });

  it('should make select pick x[…, index, …] element by element', () => {
    fc.assert(
      fc.property(
        tensorWithAxisArb({ maxRank: 4 }).chain(([x, axis]) =>
          fc.tuple(fc.constant(x), fc.constant(axis), fc.integer({ min: 0, max: x.shape.at(axis)! - 1 })),
        ),
        ([x, axis, index]) => {
          const a = axis < 0 ? axis + x.rank : axis;
          const result = select(x, axis, index);
          for (const i of indices(result.shape)) {
            expect(result.data[flat(result.shape, i)]).toBe(at(x, [...i.slice(0, a), index, ...i.slice(a)]));
          }
        },
      ),
    );
  });

  it('should make assignSelect the inverse of select', () => {
    fc.assert(
      fc.property(
        tensorWithAxisArb({ maxRank: 3 }).chain(([x, axis]) =>
          fc.tuple(fc.constant(x), fc.constant(axis), fc.integer({ min: 0, max: x.shape.at(axis)! - 1 })),
        ),
        ([x, axis, index]) => {
          const copy = zeros(x.shape);
          for (let i = 0; i < x.shape.at(axis)!; i++) assignSelect(copy, axis, i, select(x, axis, i));
          expect(values(copy)).toEqual(values(x));
          expect(values(select(copy, axis, index))).toEqual(values(select(x, axis, index)));
        },
      ),
    );
  });
});

describe('concat and split (property)', () => {
  it('should round-trip: concat(split(x, sizes, axis), axis) = x', () => {
    fc.assert(
      fc.property(
        tensorWithAxisArb({ maxRank: 3, minSide: 0, maxSide: 5 }).chain(([x, axis]) =>
          fc.tuple(fc.constant(x), fc.constant(axis), partitionArb(x.shape.at(axis)!)),
        ),
        ([x, axis, sizes]) => {
          const parts = split(x, sizes, axis);
          expect(parts.map((p) => p.shape.at(axis))).toEqual(sizes);
          const back = concat(parts, axis);
          expect(back.shape).toEqual(x.shape);
          expect(values(back)).toEqual(values(x));
        },
      ),
    );
  });

  it('should round-trip: split(concat(parts, axis), sizes, axis) = parts', () => {
    fc.assert(
      fc.property(
        fc
          .record({ shape: shapeArb({ minRank: 1, maxRank: 3 }), lengths: fc.array(fc.nat(3), { minLength: 1, maxLength: 3 }), axisSeed: fc.nat() })
          .chain(({ shape, lengths, axisSeed }) => {
            const axis = axisSeed % shape.length;
            return fc.tuple(
              fc.tuple(...lengths.map((d) => tensorArb({ shape: shape.map((s, i) => (i === axis ? d : s)) }))),
              fc.constant(axis),
              fc.constant(lengths),
            );
          }),
        ([parts, axis, lengths]) => {
          const back = split(concat(parts, axis), lengths, axis);
          back.forEach((p, i) => {
            expect(p.shape).toEqual(parts[i]!.shape);
            expect(values(p)).toEqual(values(parts[i]!));
          });
        },
      ),
    );
  });

  it('should make slice read x[begin + i] element by element', () => {
    fc.assert(
      fc.property(
        tensorArb({ minRank: 1, maxRank: 3, minSide: 0, maxSide: 5 }).chain((x) =>
          fc.tuple(
            fc.constant(x),
            fc.tuple(...x.shape.map((d) => fc.integer({ min: 0, max: d }).chain((b) => fc.tuple(fc.constant(b), fc.integer({ min: 0, max: d - b }))))),
          ),
        ),
        ([x, box]) => {
          const result = slice(x, box.map(([b]) => b), box.map(([, s]) => s));
          expect(result.shape).toEqual(box.map(([, s]) => s));
          for (const i of indices(result.shape)) {
            expect(result.data[flat(result.shape, i)]).toBe(at(x, i.map((v, axis) => v + box[axis]![0])));
          }
        },
      ),
    );
  });
});
