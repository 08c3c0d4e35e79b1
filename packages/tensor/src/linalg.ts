// Linear algebra: matmul, tensordot, dot, outer, transpose/permute.
//
// Every product runs through `gemm` (kernels.ts), so a faster backend speeds all of them up.
import { RnnkitError, formatShape } from './errors.js';
import { broadcastShapesOrNull, broadcastStrides } from './broadcast.js';
import { mul } from './elementwise.js';
import { gemm } from './kernels.js';
import {
  checkNoAlias,
  checkPermutation,
  checkTensor,
  copyStrided,
  prepareOut,
  resultDType,
} from './op-helpers.js';
import { checkOptionKeys, describeValue } from './options.js';
import { type Shape, normalizeAxis, shapeSize, stridesOf } from './shape.js';
import { type DType, Tensor, allocate } from './tensor.js';

/** Options of {@link matmul}. */
export interface MatmulOptions {
  /** Multiply by the transpose of `a` (its last two axes swapped), without copying. @defaultValue false */
  readonly transposeA?: boolean;
  /** Multiply by the transpose of `b` (its last two axes swapped), without copying. @defaultValue false */
  readonly transposeB?: boolean;
  /**
   * Write the product here instead of allocating: it must have the result's shape and dtype
   * and must not share storage with `a` or `b`. @defaultValue undefined (a new tensor)
   */
  readonly out?: Tensor;
}

const MATMUL_OPTIONS = ['transposeA', 'transposeB', 'out'] as const;

/**
 * Matrix product of the last two axes, `a[…, m, k] · b[…, k, n] → […, m, n]`. Leading
 * (batch) axes broadcast like element-wise ops, so `[batch, time, features] · [features,
 * units]` projects every time step at once. Both operands need rank ≥ 2 (use {@link dot}
 * for vectors). Mixed dtypes compute in float64.
 *
 * @throws RnnkitError `matmul: inner dimensions differ: [2, 3] · [4, 5]`
 */
export function matmul(a: Tensor, b: Tensor, options?: MatmulOptions): Tensor {
  checkTensor('matmul', a, 'a');
  checkTensor('matmul', b, 'b');
  if (options !== undefined) checkOptionKeys('matmul', options, MATMUL_OPTIONS);
  const transposeA = options?.transposeA ?? false;
  const transposeB = options?.transposeB ?? false;
  for (const [name, flag] of [['transposeA', transposeA], ['transposeB', transposeB]] as const) {
    if (typeof flag !== 'boolean') throw new RnnkitError('matmul', `${name} must be a boolean, got ${describeValue(flag)}`);
  }
  if (a.rank < 2 || b.rank < 2) {
    throw new RnnkitError(
      'matmul',
      `expected tensors of rank ≥ 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)} (use dot for vectors)`,
    );
  }
  const m = a.shape[a.rank - (transposeA ? 1 : 2)]!;
  const k = a.shape[a.rank - (transposeA ? 2 : 1)]!;
  const kB = b.shape[b.rank - (transposeB ? 1 : 2)]!;
  const n = b.shape[b.rank - (transposeB ? 2 : 1)]!;
  if (k !== kB) {
    throw new RnnkitError(
      'matmul',
      `inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`,
    );
  }
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batch = broadcastShapesOrNull(batchA, batchB);
  if (batch === null) {
    throw new RnnkitError(
      'matmul',
      `batch axes ${formatShape(batchA)} and ${formatShape(batchB)} cannot be broadcast (shapes ${formatShape(a.shape)} and ${formatShape(b.shape)})`,
    );
  }
  const dtype = resultDType(a, b);
  const out = prepareOut('matmul', options?.out, [...batch, m, n], dtype);
  checkNoAlias('matmul', out, a, 'a');
  checkNoAlias('matmul', out, b, 'b');
  if (out.size === 0) return out;
  const ad = withDType(a, dtype).data;
  const bd = withDType(b, dtype).data;
  const batchCount = shapeSize(batch);
  if (!transposeA && batchB.length === 0) {
    // b is one matrix: all of a's rows form one [batch·m, k] matrix, so use a single product.
    gemm(false, transposeB, batchCount * m, n, k, ad, 0, bd, 0, 0, out.data, 0);
    return out;
  }
  const aStrides = broadcastStrides(batchA, batch);
  const bStrides = broadcastStrides(batchB, batch);
  const index = new Array<number>(batch.length).fill(0);
  let aMatrix = 0;
  let bMatrix = 0;
  for (let t = 0; t < batchCount; t++) {
    gemm(transposeA, transposeB, m, n, k, ad, aMatrix * m * k, bd, bMatrix * k * n, 0, out.data, t * m * n);
    // Odometer over the batch axes, tracking which matrix of a and of b comes next.
    for (let axis = batch.length - 1; axis >= 0; axis--) {
      index[axis] = index[axis]! + 1;
      aMatrix += aStrides[axis]!;
      bMatrix += bStrides[axis]!;
      if (index[axis]! < batch[axis]!) break;
      aMatrix -= aStrides[axis]! * batch[axis]!;
      bMatrix -= bStrides[axis]! * batch[axis]!;
      index[axis] = 0;
    }
  }
  return out;
}

function withDType(t: Tensor, dtype: DType): Tensor {
  return t.dtype === dtype ? t : t.astype(dtype);
}

/**
 * Sum of products over chosen axes (numpy's `tensordot`). `axes` is either a count N —
 * the last N axes of `a` against the first N of `b` (default 2) — or a pair
 * `[axesOfA, axesOfB]` of equally long axis lists (or single axes), paired in order. The
 * result has the remaining axes of `a`, then those of `b`.
 *
 * @example tensordot(x, w, 1) is matmul for 2-D x, w; tensordot(a, b, [[0], [0]]) is aᵀb.
 * @throws RnnkitError `tensordot: contracted axes differ in length: axis 1 of [2, 3] has 3, axis 0 of [4, 5] has 4`
 */
export function tensordot(
  a: Tensor,
  b: Tensor,
  axes: number | readonly [number | readonly number[], number | readonly number[]] = 2,
): Tensor {
  checkTensor('tensordot', a, 'a');
  checkTensor('tensordot', b, 'b');
  let axesA: number[];
  let axesB: number[];
  if (typeof axes === 'number') {
    if (!Number.isInteger(axes) || axes < 0 || axes > a.rank || axes > b.rank) {
      throw new RnnkitError(
        'tensordot',
        `axes must be an integer from 0 to ${Math.min(a.rank, b.rank)} for shapes ${formatShape(a.shape)} and ${formatShape(b.shape)}, got ${axes}`,
      );
    }
    axesA = Array.from({ length: axes }, (_, i) => a.rank - axes + i);
    axesB = Array.from({ length: axes }, (_, i) => i);
  } else if (Array.isArray(axes) && axes.length === 2) {
    axesA = orderedAxes('tensordot', axes[0], a.rank);
    axesB = orderedAxes('tensordot', axes[1], b.rank);
    if (axesA.length !== axesB.length) {
      throw new RnnkitError(
        'tensordot',
        `expected as many axes of a as of b, got [${axesA.join(', ')}] and [${axesB.join(', ')}]`,
      );
    }
  } else {
    throw new RnnkitError('tensordot', `axes must be a number or a pair [axesOfA, axesOfB], got ${describeValue(axes)}`);
  }
  for (let i = 0; i < axesA.length; i++) {
    const da = a.shape[axesA[i]!]!;
    const db = b.shape[axesB[i]!]!;
    if (da !== db) {
      throw new RnnkitError(
        'tensordot',
        `contracted axes differ in length: axis ${axesA[i]} of ${formatShape(a.shape)} has ${da}, axis ${axesB[i]} of ${formatShape(b.shape)} has ${db}`,
      );
    }
  }
  return contract(a, b, axesA, axesB);
}

/** Resolves a list of axes keeping its order; duplicates are an error. */
function orderedAxes(api: string, axes: number | readonly number[], rank: number): number[] {
  const list = typeof axes === 'number' ? [axes] : axes;
  if (!Array.isArray(list)) throw new RnnkitError(api, `expected an axis or a list of axes, got ${describeValue(axes)}`);
  const out = (list as readonly number[]).map((axis) => normalizeAxis(api, axis, rank));
  if (new Set(out).size !== out.length) throw new RnnkitError(api, `an axis is listed twice in [${list.join(', ')}]`);
  return out;
}

/**
 * a·b summed over the paired axes, as one gemm: a is seen as [M, K] (free axes first) and b
 * as [K, N]. When the contracted axes already sit at one end, gemm's transpose flags stand
 * in for a copy; otherwise the operand is permuted once.
 */
function contract(a: Tensor, b: Tensor, axesA: number[], axesB: number[]): Tensor {
  const freeA = range(a.rank).filter((i) => !axesA.includes(i));
  const freeB = range(b.rank).filter((i) => !axesB.includes(i));
  const dtype = resultDType(a, b);
  const m = shapeSize(freeA.map((i) => a.shape[i]!));
  const n = shapeSize(freeB.map((i) => b.shape[i]!));
  const k = shapeSize(axesA.map((i) => a.shape[i]!));
  const shape = [...freeA.map((i) => a.shape[i]!), ...freeB.map((i) => b.shape[i]!)];
  const out = new Tensor(allocate(dtype, shapeSize(shape)), shape);
  if (out.size === 0) return out;
  let transposeA = false;
  let aData = withDType(a, dtype).data;
  if (!isIdentity([...freeA, ...axesA])) {
    if (isIdentity([...axesA, ...freeA])) transposeA = true;
    else aData = permuteCopy(a, [...freeA, ...axesA], dtype).data;
  }
  let transposeB = false;
  let bData = withDType(b, dtype).data;
  if (!isIdentity([...axesB, ...freeB])) {
    if (isIdentity([...freeB, ...axesB])) transposeB = true;
    else bData = permuteCopy(b, [...axesB, ...freeB], dtype).data;
  }
  gemm(transposeA, transposeB, m, n, k, aData, 0, bData, 0, 0, out.data, 0);
  return out;
}

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

function isIdentity(perm: readonly number[]): boolean {
  return perm.every((p, i) => p === i);
}

/**
 * Dot product, numpy-style: vectors give their inner product (a 0-d tensor; `.item()` for
 * the number); otherwise the last axis of `a` is summed against the second-to-last axis of
 * `b` (its only axis when `b` is a vector), so 2-D operands give the matrix product. A 0-d
 * operand multiplies element-wise.
 *
 * @throws RnnkitError `dot: inner dimensions differ: [3] · [4]`
 */
export function dot(a: Tensor, b: Tensor): Tensor {
  checkTensor('dot', a, 'a');
  checkTensor('dot', b, 'b');
  if (a.rank === 0 || b.rank === 0) return mul(a, b);
  const axisA = a.rank - 1;
  const axisB = b.rank === 1 ? 0 : b.rank - 2;
  if (a.shape[axisA] !== b.shape[axisB]) {
    throw new RnnkitError('dot', `inner dimensions differ: ${formatShape(a.shape)} · ${formatShape(b.shape)}`);
  }
  return contract(a, b, [axisA], [axisB]);
}

/**
 * Outer product of two vectors: `outer(a, b)[i, j] = a[i]·b[j]`, shape `[a.length, b.length]`.
 *
 * @throws RnnkitError `outer: expected two 1-D tensors, got [2, 3] and [4]`
 */
export function outer(a: Tensor, b: Tensor, out?: Tensor): Tensor {
  checkTensor('outer', a, 'a');
  checkTensor('outer', b, 'b');
  if (a.rank !== 1 || b.rank !== 1) {
    throw new RnnkitError('outer', `expected two 1-D tensors, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  }
  const m = a.size;
  const n = b.size;
  const result = prepareOut('outer', out, [m, n], resultDType(a, b));
  checkNoAlias('outer', result, a, 'a');
  checkNoAlias('outer', result, b, 'b');
  const ad = a.data;
  const bd = b.data;
  const od = result.data;
  for (let i = 0; i < m; i++) {
    const ai = ad[i]!;
    const row = i * n;
    for (let j = 0; j < n; j++) od[row + j] = ai * bd[j]!;
  }
  return result;
}

/**
 * Reorders the axes: axis i of the result is axis `perm[i]` of `x`. Without `perm` the
 * axes are reversed (the matrix transpose for 2-D). Returns a contiguous copy.
 *
 * @throws RnnkitError `transpose: expected a permutation of 0…2 (rank 3), got [0, 0, 1]`
 */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  checkTensor('transpose', x);
  const order = perm === undefined ? range(x.rank).reverse() : checkPermutation('transpose', perm, x.rank);
  return permuteCopy(x, order, x.dtype);
}

/** {@link transpose} with a required permutation (`permute(x, [0, 2, 1])`). */
export function permute(x: Tensor, perm: readonly number[]): Tensor {
  checkTensor('permute', x);
  return permuteCopy(x, checkPermutation('permute', perm, x.rank), x.dtype);
}

function permuteCopy(x: Tensor, perm: readonly number[], dtype: DType): Tensor {
  const shape: Shape = perm.map((p) => x.shape[p]!);
  const out = new Tensor(allocate(dtype, x.size), shape);
  copyStrided(x.data, 0, perm.map((p) => x.strides[p]!), out.data, 0, stridesOf(shape), shape);
  return out;
}
