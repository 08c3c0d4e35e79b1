import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matmulPairArb, tensorArb } from '@rnnkit/testing';
import { dot, matmul, permute, tensordot, transpose } from './linalg.js';
import { at, flat, indices, mismatch, naiveBroadcastShape } from './naive.test-util.js';
import { type DType, Tensor } from './tensor.js';

const dtypeArb = fc.constantFrom<DType>('float32', 'float64');
const tolerance = (dtype: DType, scale: number): number => (dtype === 'float32' ? 1e-5 : 1e-12) * (scale + 1);

/** The matmul reference: explicit loops over the broadcast batch index, rows, columns and depth. */
function naiveMatmul(a: Tensor, b: Tensor, transposeA: boolean, transposeB: boolean): { shape: number[]; values: number[] } {
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = naiveBroadcastShape(batchA, batchB)!;
  const [m, k] = transposeA ? [a.shape.at(-1)!, a.shape.at(-2)!] : [a.shape.at(-2)!, a.shape.at(-1)!];
  const n = transposeB ? b.shape.at(-2)! : b.shape.at(-1)!;
  const values: number[] = [];
  const pick = (shape: number[], index: number[]): number[] =>
    shape.map((d, axis) => (d === 1 ? 0 : index[index.length - shape.length + axis]!));
  for (const bi of indices(batch)) {
    const ia = pick(batchA, bi);
    const ib = pick(batchB, bi);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) {
          s += at(a, [...ia, ...(transposeA ? [p, i] : [i, p])]) * at(b, [...ib, ...(transposeB ? [j, p] : [p, j])]);
        }
        values.push(s);
      }
    }
  }
  return { shape: [...batch, m, n], values };
}

const absolute = (t: Tensor): Tensor => new Tensor(t.data.map(Math.abs), t.shape);

describe('matmul (property)', () => {
  it('should equal the naive loops for every transpose flag, batch broadcasting and dtype', () => {
    fc.assert(
      fc.property(
        dtypeArb.chain((dtype) => matmulPairArb({ dtype, maxBatchRank: 2, minSide: 0, maxSide: 7, min: -2, max: 2 })),
        ({ a, b, transposeA, transposeB }) => {
          const result = matmul(a, b, { transposeA, transposeB });
          const expected = naiveMatmul(a, b, transposeA, transposeB);
          const scale = naiveMatmul(absolute(a), absolute(b), transposeA, transposeB).values;
          expect(result.shape).toEqual(expected.shape);
          expect(mismatch(result.data, expected.values, (i) => tolerance(a.dtype, scale[i]!))).toBeNull();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('should equal the naive loops for sizes that are not multiples of the 4×4 tile', () => {
    fc.assert(
      fc.property(matmulPairArb({ dtype: 'float32', minSide: 5, maxSide: 23, min: -1, max: 1 }), ({ a, b, transposeA, transposeB }) => {
        const result = matmul(a, b, { transposeA, transposeB });
        const expected = naiveMatmul(a, b, transposeA, transposeB);
        const scale = naiveMatmul(absolute(a), absolute(b), transposeA, transposeB).values;
        expect(mismatch(result.data, expected.values, (i) => tolerance('float32', scale[i]!))).toBeNull();
      }),
      { numRuns: 30 },
    );
  });

  it('should satisfy (AB)ᵀ = BᵀAᵀ', () => {
    fc.assert(
      fc.property(matmulPairArb({ dtype: 'float64', transposeA: false, transposeB: false }), ({ a, b }) => {
        const left = transpose(matmul(a, b));
        const right = matmul(transpose(b), transpose(a));
        expect(right.shape).toEqual(left.shape);
        expect(mismatch(left.data, right.data, () => 1e-12)).toBeNull();
      }),
    );
  });

  it('should give the same product through the transpose flags as through explicit transposes', () => {
    fc.assert(
      fc.property(matmulPairArb({ dtype: 'float64', maxBatchRank: 1 }), ({ a, b, transposeA, transposeB }) => {
        const swapLast = (t: Tensor): Tensor => {
          const perm = [...t.shape.keys()];
          perm.splice(-2, 2, t.rank - 1, t.rank - 2);
          return permute(t, perm);
        };
        const viaFlags = matmul(a, b, { transposeA, transposeB });
        const explicit = matmul(transposeA ? swapLast(a) : a, transposeB ? swapLast(b) : b);
        expect(mismatch(viaFlags.data, explicit.data, () => 1e-12)).toBeNull();
      }),
    );
  });
});

describe('transpose (property)', () => {
  const permutationArb = (rank: number): fc.Arbitrary<number[]> => fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank });

  it('should satisfy transpose(transpose(a)) = a', () => {
    fc.assert(
      fc.property(tensorArb({ maxRank: 4 }), (a) => {
        const back = transpose(transpose(a));
        expect(back.shape).toEqual(a.shape);
        expect(Array.from(back.data)).toEqual(Array.from(a.data));
      }),
    );
  });

  it('should undo a permutation with its inverse', () => {
    fc.assert(
      fc.property(
        tensorArb({ maxRank: 4 }).chain((a) => fc.tuple(fc.constant(a), permutationArb(a.rank))),
        ([a, perm]) => {
          const inverse = perm.map((_, i) => perm.indexOf(i));
          const back = permute(permute(a, perm), inverse);
          expect(back.shape).toEqual(a.shape);
          expect(Array.from(back.data)).toEqual(Array.from(a.data));
        },
      ),
    );
  });

  it('should put element x[j] at index i where j[perm[k]] = i[k]', () => {
    fc.assert(
      fc.property(
        tensorArb({ maxRank: 4, minSide: 0 }).chain((a) => fc.tuple(fc.constant(a), permutationArb(a.rank))),
        ([a, perm]) => {
          const result = permute(a, perm);
          expect(result.shape).toEqual(perm.map((p) => a.shape[p]));
          for (const i of indices(result.shape)) {
            const j = new Array<number>(a.rank);
            perm.forEach((p, k) => (j[p] = i[k]!));
            expect(result.data[flat(result.shape, i)]).toBe(at(a, j));
          }
        },
      ),
    );
  });
});

/**
 * Operands for tensordot: free axes of a and b, contracted lengths, and positions that
 * scatter the contracted axes among the free ones.
 */
const tensordotArb = fc
  .record({
    dtype: dtypeArb,
    freeA: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    freeB: fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
    contracted: fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 }),
  })
  .chain(({ dtype, freeA, freeB, contracted }) => {
    const rankA = freeA.length + contracted.length;
    const rankB = freeB.length + contracted.length;
    const order = (rank: number): fc.Arbitrary<number[]> => fc.shuffledSubarray([...Array(rank).keys()], { minLength: rank, maxLength: rank });
    return fc.tuple(order(rankA), order(rankB)).chain(([placeA, placeB]) => {
      // placeX[i] is the axis of X that holds logical axis i (contracted first, then free).
      const shapeA = new Array<number>(rankA);
      const shapeB = new Array<number>(rankB);
      [...contracted, ...freeA].forEach((d, i) => (shapeA[placeA[i]!] = d));
      [...contracted, ...freeB].forEach((d, i) => (shapeB[placeB[i]!] = d));
      return fc.record({
        a: tensorArb({ dtype, shape: shapeA, min: -2, max: 2 }),
        b: tensorArb({ dtype, shape: shapeB, min: -2, max: 2 }),
        axesA: fc.constant(placeA.slice(0, contracted.length)),
        axesB: fc.constant(placeB.slice(0, contracted.length)),
      });
    });
  });

function naiveTensordot(a: Tensor, b: Tensor, axesA: number[], axesB: number[]): number[] {
  const freeA = [...a.shape.keys()].filter((i) => !axesA.includes(i));
  const freeB = [...b.shape.keys()].filter((i) => !axesB.includes(i));
  const summed = axesA.map((i) => a.shape[i]!);
  const values: number[] = [];
  for (const ia of indices(freeA.map((i) => a.shape[i]!))) {
    for (const ib of indices(freeB.map((i) => b.shape[i]!))) {
      let s = 0;
      for (const ic of indices(summed)) {
        const indexA = new Array<number>(a.rank);
        const indexB = new Array<number>(b.rank);
        freeA.forEach((axis, t) => (indexA[axis] = ia[t]!));
        freeB.forEach((axis, t) => (indexB[axis] = ib[t]!));
        axesA.forEach((axis, t) => (indexA[axis] = ic[t]!));
        axesB.forEach((axis, t) => (indexB[axis] = ic[t]!));
        s += at(a, indexA) * at(b, indexB);
      }
      values.push(s);
    }
  }
  return values;
}

describe('tensordot (property)', () => {
  it('should equal the naive sum over the paired axes, wherever they sit', () => {
    fc.assert(
      fc.property(tensordotArb, ({ a, b, axesA, axesB }) => {
        const result = tensordot(a, b, [axesA, axesB]);
        const freeShape = (t: Tensor, axes: number[]): number[] => t.shape.filter((_, i) => !axes.includes(i));
        expect(result.shape).toEqual([...freeShape(a, axesA), ...freeShape(b, axesB)]);
        const scale = naiveTensordot(absolute(a), absolute(b), axesA, axesB);
        expect(mismatch(result.data, naiveTensordot(a, b, axesA, axesB), (i) => tolerance(a.dtype, scale[i]!))).toBeNull();
      }),
      { numRuns: 60 },
    );
  });

  it('should make dot of matrices equal matmul', () => {
    fc.assert(
      fc.property(matmulPairArb({ dtype: 'float64', transposeA: false, transposeB: false }), ({ a, b }) => {
        expect(mismatch(dot(a, b).data, matmul(a, b).data, () => 1e-12)).toBeNull();
      }),
    );
  });
});
