import fc from 'fast-check';
import type { KernelBackend, TypedArray } from '@rnnkit/tensor';
import type { Law } from './law-runner.js';

/** How {@link kernelLaws} exercises a backend. */
export interface KernelLawsOptions {
  /** The backend under test: `jsBackend`, `await createWasmBackend()`, or your own. */
  readonly backend: KernelBackend;
  /**
   * Products around these block sizes are tried too, so that partial blocks of a packing
   * kernel are covered: rows of A packed at once, depths per block, columns of B per block.
   * @defaultValue { rows: 96, depth: 256, columns: 576 }
   */
  readonly blocks?: { readonly rows: number; readonly depth: number; readonly columns: number };
  /** Element types to test. @defaultValue ['float32', 'float64'] */
  readonly dtypes?: readonly ('float32' | 'float64')[];
}

interface GemmCase {
  readonly float64: boolean;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly offsets: readonly [number, number, number];
  readonly beta: 0 | 1;
  readonly seed: number;
}

/** Deterministic values in [-1, 1) from a seed (an LCG), so that large cases stay cheap. */
function filled(array: TypedArray, seed: number): TypedArray {
  let s = seed >>> 0;
  for (let i = 0; i < array.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    array[i] = s / 2 ** 31 - 1;
  }
  return array;
}

/**
 * The definition, in float64: C[i, j] = beta·C[i, j] + Σ_p op(A)[i, p]·op(B)[p, j], with
 * op(A)[i, p] = A[i·k + p] or A[p·m + i] and op(B)[p, j] = B[p·n + j] or B[j·k + p].
 * Also returns Σ_p |op(A)[i, p]·op(B)[p, j]| per element, the scale of rounding errors.
 */
function reference(c: GemmCase, a: TypedArray, b: TypedArray, out: TypedArray): { value: Float64Array; scale: Float64Array } {
  const { m, n, k, transposeA, transposeB, beta } = c;
  const [ao, bo, co] = c.offsets;
  const value = new Float64Array(m * n);
  const scale = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = beta === 1 ? out[co + i * n + j]! : 0;
      let magnitude = Math.abs(sum);
      for (let p = 0; p < k; p++) {
        const x = a[ao + (transposeA ? p * m + i : i * k + p)]!;
        const y = b[bo + (transposeB ? j * k + p : p * n + j)]!;
        sum += x * y;
        magnitude += Math.abs(x * y);
      }
      value[i * n + j] = sum;
      scale[i * n + j] = magnitude;
    }
  }
  return { value, scale };
}

/** Runs one case; returns a description of the first problem, or null. */
function check(backend: KernelBackend, c: GemmCase): string | null {
  const Type = c.float64 ? Float64Array : Float32Array;
  const [ao, bo, co] = c.offsets;
  const a = filled(new Type(ao + c.m * c.k + 2), c.seed);
  const b = filled(new Type(bo + c.k * c.n + 1), c.seed + 1);
  const out = filled(new Type(co + c.m * c.n + 3), c.seed + 2);
  const before = { a: a.slice(), b: b.slice(), out: out.slice() };
  const expected = reference(c, a, b, out);
  backend.gemm(c.transposeA, c.transposeB, c.m, c.n, c.k, a, ao, b, bo, c.beta, out, co);
  // Rounding: each of the k + 1 additions may lose half an ulp of the running sum, which
  // is bounded by the sum of magnitudes (Higham, Accuracy and Stability, §3.1: γ_k).
  const unit = c.float64 ? 2 ** -53 : 2 ** -24;
  const slack = (c.k + 2) * unit;
  for (let i = 0; i < c.m * c.n; i++) {
    const got = out[co + i]!;
    const want = expected.value[i]!;
    const tolerance = slack * expected.scale[i]! + (c.float64 ? 1e-300 : 1e-30);
    if (!(Math.abs(got - want) <= tolerance)) {
      return `C[${Math.floor(i / c.n)}, ${i % c.n}] is ${got}, expected ${want} ± ${tolerance}`;
    }
  }
  for (let i = 0; i < co; i++) if (!Object.is(out[i], before.out[i])) return `C's storage before offset ${co} changed at ${i}`;
  for (let i = co + c.m * c.n; i < out.length; i++) if (!Object.is(out[i], before.out[i])) return `C's storage after the product changed at ${i}`;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], before.a[i])) return `A changed at ${i}`;
  for (let i = 0; i < b.length; i++) if (!Object.is(b[i], before.b[i])) return `B changed at ${i}`;
  return null;
}

/**
 * The laws every kernel backend obeys (the `KernelBackend` contract of `@rnnkit/tensor`):
 * `gemm` equals its definition within floating-point rounding for every transpose
 * combination, offset, beta and dtype — thin products (one to three rows or columns),
 * products across block edges, and empty ones — and touches nothing but its part of C.
 *
 * @example
 * for (const law of kernelLaws({ backend: await createWasmBackend() })) it(law.name, () => fc.assert(law.property));
 */
export function kernelLaws(options: KernelLawsOptions): Law[] {
  const { backend } = options;
  const blocks = options.blocks ?? { rows: 96, depth: 256, columns: 576 };
  const dtypes = options.dtypes ?? ['float32', 'float64'];
  const caseArb = (sizes: fc.Arbitrary<readonly [number, number, number]>): fc.Arbitrary<GemmCase> =>
    fc
      .record({
        float64: fc.constantFrom(...dtypes).map((d) => d === 'float64'),
        transposeA: fc.boolean(),
        transposeB: fc.boolean(),
        sizes,
        offsets: fc.tuple(fc.nat(5), fc.nat(5), fc.nat(5)),
        beta: fc.constantFrom<0 | 1>(0, 1),
        seed: fc.nat(),
      })
      .map(({ sizes: [m, n, k], ...rest }) => ({ ...rest, m, n, k }));
  const law = (name: string, sizes: fc.Arbitrary<readonly [number, number, number]>): Law => ({
    name,
    property: fc.property(caseArb(sizes), (c) => {
      const problem = check(backend, c);
      if (problem !== null) throw new Error(`${backend.name}: ${problem}`);
    }),
  });
  const side = fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(1, 2, 3, 4, 5, 8, 12, 17, 31, 33));
  const around = (size: number) => fc.integer({ min: Math.max(1, size - 5), max: size + 7 });
  return [
    law(
      'should equal the definition of gemm for small shapes, every transpose, offset, beta and dtype',
      fc.tuple(side, side, side),
    ),
    law(
      'should equal the definition for thin products (fewer than four rows or columns)',
      fc.oneof(
        fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 70 }), fc.integer({ min: 0, max: 70 })),
        fc.tuple(fc.integer({ min: 1, max: 70 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 70 })),
      ),
    ),
    law(
      'should equal the definition across the row and depth block edges',
      fc.tuple(around(blocks.rows), fc.integer({ min: 4, max: 13 }), around(blocks.depth)),
    ),
    law(
      'should equal the definition across the column block edge',
      fc.tuple(fc.integer({ min: 4, max: 6 }), around(blocks.columns), fc.integer({ min: 1, max: 5 })),
    ),
  ];
}
