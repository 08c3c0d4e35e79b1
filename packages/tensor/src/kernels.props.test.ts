import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gemm } from './kernels.js';
import { mismatch, naiveGemm, naiveGemmMagnitude } from './naive.test-util.js';

type ArrayType = Float32Array | Float64Array;

interface GemmCase {
  float64: boolean;
  transposeA: boolean;
  transposeB: boolean;
  m: number;
  n: number;
  k: number;
  offsets: [number, number, number];
  beta: 0 | 1;
  seed: number;
}

/** Deterministic values in [-1, 1) from a seed (LCG), so large cases stay cheap to generate. */
function fill(array: ArrayType, seed: number): ArrayType {
  let s = seed >>> 0;
  for (let i = 0; i < array.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    array[i] = s / 2 ** 31 - 1;
  }
  return array;
}

function checkCase(c: GemmCase): void {
  const Type = c.float64 ? Float64Array : Float32Array;
  const [ao, bo, co] = c.offsets;
  const a = fill(new Type(ao + c.m * c.k + 2), c.seed);
  const b = fill(new Type(bo + c.k * c.n + 1), c.seed + 1);
  const out = fill(new Type(co + c.m * c.n + 3), c.seed + 2);
  const before = out.slice();
  const expected = naiveGemm(c.transposeA, c.transposeB, c.m, c.n, c.k, a, ao, b, bo, c.beta, out, co);
  const magnitude = naiveGemmMagnitude(c.transposeA, c.transposeB, c.m, c.n, c.k, a, ao, b, bo);
  gemm(c.transposeA, c.transposeB, c.m, c.n, c.k, a, ao, b, bo, c.beta, out, co);
  const eps = c.float64 ? 1e-13 : 1e-6;
  const problem = mismatch(out.subarray(co, co + c.m * c.n), expected, (i) => eps * (magnitude[i]! + 1));
  expect(problem).toBeNull();
  // Storage around C is untouched.
  expect(Array.from(out.subarray(0, co))).toEqual(Array.from(before.subarray(0, co)));
  expect(Array.from(out.subarray(co + c.m * c.n))).toEqual(Array.from(before.subarray(co + c.m * c.n)));
}

const side = fc.oneof(fc.integer({ min: 0, max: 13 }), fc.constantFrom(1, 3, 4, 5, 8, 17, 31));
const caseArb = (sizes: fc.Arbitrary<[number, number, number]>): fc.Arbitrary<GemmCase> =>
  fc
    .record({
      float64: fc.boolean(),
      transposeA: fc.boolean(),
      transposeB: fc.boolean(),
      sizes,
      offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
      beta: fc.constantFrom<0 | 1>(0, 1),
      seed: fc.nat(),
    })
    .map(({ sizes: [m, n, k], ...rest }) => ({ ...rest, m, n, k }));

describe('gemm (property)', () => {
  it('should equal the naive triple loop for small sizes, every transpose, offsets, beta and dtype', () => {
    fc.assert(fc.property(caseArb(fc.tuple(side, side, side)), checkCase));
  });

  it('should equal the naive triple loop across the packing block edges (64 rows, 256 depths)', () => {
    // Sizes just around the blocking constants exercise partial blocks in every direction.
    const blocky = fc.tuple(fc.integer({ min: 60, max: 70 }), fc.integer({ min: 4, max: 11 }), fc.integer({ min: 250, max: 262 }));
    fc.assert(fc.property(caseArb(blocky), checkCase), { numRuns: 20 });
  });

  it('should equal the naive triple loop when C is wider than one packed block of B (512 columns)', () => {
    const wide = fc.tuple(fc.integer({ min: 4, max: 6 }), fc.integer({ min: 510, max: 520 }), fc.integer({ min: 1, max: 5 }));
    fc.assert(fc.property(caseArb(wide), checkCase), { numRuns: 10 });
  });
});
