// Named fast-check arbitraries for tensors and shapes, shared by the property suites of
// every package (and usable for a user's own ops and layers).
//
// Generated tensors print as `tensor([[…]], "float32")` in counterexamples, so a failing
// case can be pasted straight into a unit test.
import fc from 'fast-check';
import { type DType, type Shape, Tensor, fromTypedArray, shapeSize } from '@rnnkit/tensor';

/** Options of {@link shapeArb}. */
export interface ShapeArbOptions {
  /** Fewest axes. @defaultValue 0 */
  readonly minRank?: number;
  /** Most axes. @defaultValue 3 */
  readonly maxRank?: number;
  /** Shortest axis length (0 allows empty tensors). @defaultValue 1 */
  readonly minSide?: number;
  /** Longest axis length. @defaultValue 4 */
  readonly maxSide?: number;
}

/** Options of {@link tensorArb}. */
export interface TensorArbOptions extends ShapeArbOptions {
  /** Element type. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** A fixed shape (then the rank and side options are ignored). @defaultValue undefined (random) */
  readonly shape?: Shape;
  /** Smallest value. @defaultValue -10 */
  readonly min?: number;
  /** Largest value. @defaultValue 10 */
  readonly max?: number;
}

/** Options of {@link broadcastablePairArb} and {@link broadcastableShapePairArb}. */
export interface BroadcastablePairArbOptions {
  /** Rank of the broadcast result (each operand has at most this many axes). @defaultValue 4 */
  readonly maxRank?: number;
  /** Longest axis length. @defaultValue 4 */
  readonly maxSide?: number;
  /** Shortest axis length of the result (0 allows empty tensors). @defaultValue 1 */
  readonly minSide?: number;
  /** Element types of the two operands. @defaultValue ['float32', 'float32'] */
  readonly dtypes?: readonly [DType, DType];
  /** Smallest value. @defaultValue -10 */
  readonly min?: number;
  /** Largest value. @defaultValue 10 */
  readonly max?: number;
}

/** Options of {@link matmulPairArb}. */
export interface MatmulPairArbOptions {
  /** Element type of both operands. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Most batch axes (each operand drops or broadcasts some of them). @defaultValue 0 */
  readonly maxBatchRank?: number;
  /** Smallest m, n and k. @defaultValue 1 */
  readonly minSide?: number;
  /** Largest m, n and k. @defaultValue 9 */
  readonly maxSide?: number;
  /** Largest batch axis length. @defaultValue 3 */
  readonly maxBatchSide?: number;
  /** Fix the transpose flag of `a`; random when undefined. @defaultValue undefined */
  readonly transposeA?: boolean;
  /** Fix the transpose flag of `b`; random when undefined. @defaultValue undefined */
  readonly transposeB?: boolean;
  /** Smallest value. @defaultValue -10 */
  readonly min?: number;
  /** Largest value. @defaultValue 10 */
  readonly max?: number;
}

/** Two operands of `matmul` with consistent inner dimensions, and the flags to use. */
export interface MatmulPair {
  readonly a: Tensor;
  readonly b: Tensor;
  readonly transposeA: boolean;
  readonly transposeB: boolean;
}

/** Shapes as arrays of lengths, e.g. `[2, 3]`. */
export function shapeArb(options: ShapeArbOptions = {}): fc.Arbitrary<number[]> {
  const { minRank = 0, maxRank = 3, minSide = 1, maxSide = 4 } = options;
  return fc.array(fc.integer({ min: minSide, max: maxSide }), { minLength: minRank, maxLength: maxRank });
}

/** Tensors of a random (or given) shape with values uniform-ish in [min, max], no NaN. */
export function tensorArb(options: TensorArbOptions = {}): fc.Arbitrary<Tensor> {
  const shape = options.shape === undefined ? shapeArb(options) : fc.constant([...options.shape]);
  return shape.chain((s) => valuesOf(s, options.dtype ?? 'float32', options.min ?? -10, options.max ?? 10));
}

/** A tensor of exactly this shape. */
function valuesOf(shape: Shape, dtype: DType, min: number, max: number): fc.Arbitrary<Tensor> {
  const size = shapeSize(shape);
  return fc
    .array(fc.double({ min, max, noNaN: true }), { minLength: size, maxLength: size })
    .map((values) => printable(fromTypedArray(dtype === 'float64' ? new Float64Array(values) : new Float32Array(values), shape)));
}

/** Makes fast-check print the tensor as code that rebuilds it. */
function printable(t: Tensor): Tensor {
  Object.defineProperty(t, fc.toStringMethod, {
    value: () => `tensor(${JSON.stringify(t.toArray())}, "${t.dtype}") /* shape [${t.shape.join(', ')}] */`,
  });
  return t;
}

/**
 * Two shapes that broadcast together (numpy rule): each is a suffix of a common result
 * shape, with some of its lengths replaced by 1.
 */
export function broadcastableShapePairArb(options: BroadcastablePairArbOptions = {}): fc.Arbitrary<[number[], number[]]> {
  const { maxRank = 4, maxSide = 4, minSide = 1 } = options;
  const operand = (full: number[]): fc.Arbitrary<number[]> =>
    fc
      .tuple(fc.integer({ min: 0, max: full.length }), fc.array(fc.boolean(), { minLength: full.length, maxLength: full.length }))
      .map(([rank, ones]) => full.slice(full.length - rank).map((d, i) => (ones[full.length - rank + i] ? 1 : d)));
  return fc
    .array(fc.integer({ min: minSide, max: maxSide }), { minLength: 0, maxLength: maxRank })
    .chain((full) => fc.tuple(operand(full), operand(full)));
}

/** Two tensors whose shapes broadcast together (see {@link broadcastableShapePairArb}). */
export function broadcastablePairArb(options: BroadcastablePairArbOptions = {}): fc.Arbitrary<[Tensor, Tensor]> {
  const [dtypeA, dtypeB] = options.dtypes ?? ['float32', 'float32'];
  const min = options.min ?? -10;
  const max = options.max ?? 10;
  return broadcastableShapePairArb(options).chain(([sa, sb]) =>
    fc.tuple(valuesOf(sa, dtypeA, min, max), valuesOf(sb, dtypeB, min, max)),
  );
}

/**
 * Operands for `matmul(a, b, { transposeA, transposeB })`: `a` is `[…batchA, m, k]` (or
 * `[…, k, m]` when transposed), `b` is `[…batchB, k, n]` (or `[…, n, k]`), with batch axes
 * that broadcast together.
 */
export function matmulPairArb(options: MatmulPairArbOptions = {}): fc.Arbitrary<MatmulPair> {
  const { dtype = 'float32', maxBatchRank = 0, minSide = 1, maxSide = 9, maxBatchSide = 3, min = -10, max = 10 } = options;
  const side = fc.integer({ min: minSide, max: maxSide });
  const flag = (fixed: boolean | undefined): fc.Arbitrary<boolean> => (fixed === undefined ? fc.boolean() : fc.constant(fixed));
  return fc
    .record({
      m: side,
      n: side,
      k: side,
      transposeA: flag(options.transposeA),
      transposeB: flag(options.transposeB),
      batch: broadcastableShapePairArb({ maxRank: maxBatchRank, maxSide: maxBatchSide }),
    })
    .chain(({ m, n, k, transposeA, transposeB, batch: [batchA, batchB] }) =>
      fc.record({
        a: valuesOf([...batchA, ...(transposeA ? [k, m] : [m, k])], dtype, min, max),
        b: valuesOf([...batchB, ...(transposeB ? [n, k] : [k, n])], dtype, min, max),
        transposeA: fc.constant(transposeA),
        transposeB: fc.constant(transposeB),
      }),
    );
}
