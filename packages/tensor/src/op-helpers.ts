// Checks and small helpers shared by the ops (internal: not exported from the package).
import { RnnkitError, formatShape } from './errors.js';
import { describeValue } from './options.js';
import { type Shape, normalizeAxis, sameShape, shapeSize } from './shape.js';
import { type DType, type TypedArray, Tensor, allocate } from './tensor.js';

/** One axis, several axes, or (undefined) all axes. */
export type Axis = number | readonly number[];

/** Throws unless `value` is a Tensor; `what` names the argument in the message. */
export function checkTensor(api: string, value: unknown, what = 'input'): Tensor {
  if (value instanceof Tensor) return value;
  throw new RnnkitError(api, `${what} must be a Tensor, got ${describeValue(value)}`);
}

/** float64 if either operand is float64, else float32 (numbers take the other operand's dtype). */
export function resultDType(a: Tensor | number, b: Tensor | number): DType {
  return (a instanceof Tensor && a.dtype === 'float64') || (b instanceof Tensor && b.dtype === 'float64')
    ? 'float64'
    : 'float32';
}

/**
 * Returns `out` after checking it has the expected shape and dtype, or a new zero tensor
 * when `out` is undefined.
 */
export function prepareOut(api: string, out: Tensor | undefined, shape: Shape, dtype: DType): Tensor {
  if (out === undefined) return new Tensor(allocate(dtype, shapeSize(shape)), shape);
  if (!(out instanceof Tensor)) throw new RnnkitError(api, `out must be a Tensor, got ${describeValue(out)}`);
  if (!sameShape(out.shape, shape)) {
    throw new RnnkitError(api, `out has shape ${formatShape(out.shape)}, expected ${formatShape(shape)}`);
  }
  if (out.dtype !== dtype) throw new RnnkitError(api, `out has dtype ${out.dtype}, expected ${dtype}`);
  return out;
}

/** Throws when `out` shares storage with `input` (for ops that cannot work in place). */
export function checkNoAlias(api: string, out: Tensor, input: Tensor, what: string): void {
  if (out.data.buffer === input.data.buffer && out.size > 0 && input.size > 0) {
    const o = out.data;
    const i = input.data;
    const oEnd = o.byteOffset + o.byteLength;
    const iEnd = i.byteOffset + i.byteLength;
    if (o.byteOffset < iEnd && i.byteOffset < oEnd) {
      throw new RnnkitError(api, `out must not share storage with ${what}`);
    }
  }
}

/**
 * Resolves an axis argument to a sorted list of distinct non-negative axes.
 * `undefined` means every axis; negative axes count from the end.
 */
export function normalizeAxes(api: string, axis: Axis | undefined, rank: number): number[] {
  if (axis === undefined) return Array.from({ length: rank }, (_, i) => i);
  const list = typeof axis === 'number' ? [axis] : axis;
  if (!Array.isArray(list)) {
    throw new RnnkitError(api, `axis must be a number or an array of numbers, got ${describeValue(axis)}`);
  }
  const seen = new Set<number>();
  for (const a of list as readonly number[]) {
    const resolved = normalizeAxis(api, a, rank);
    if (seen.has(resolved)) throw new RnnkitError(api, `axis ${resolved} is listed twice in [${list.join(', ')}]`);
    seen.add(resolved);
  }
  return [...seen].sort((x, y) => x - y);
}

/** Checks an integer index along an axis (negative counts from the end) and resolves it. */
export function normalizeIndex(api: string, index: number, length: number, axis: number, shape: Shape): number {
  if (!Number.isInteger(index) || index < -length || index >= length) {
    throw new RnnkitError(
      api,
      `index ${index} is out of bounds for axis ${axis} of length ${length} (shape ${formatShape(shape)})`,
    );
  }
  return index < 0 ? index + length : index;
}

/** A permutation check: `perm` must list 0 … rank−1 once each. */
export function checkPermutation(api: string, perm: readonly number[], rank: number): number[] {
  const valid =
    Array.isArray(perm) &&
    perm.length === rank &&
    perm.every((p) => Number.isInteger(p) && p >= 0 && p < rank) &&
    new Set(perm).size === rank;
  if (!valid) {
    const got = Array.isArray(perm) ? `[${perm.join(', ')}]` : describeValue(perm);
    throw new RnnkitError(api, `expected a permutation of 0…${rank - 1} (rank ${rank}), got ${got}`);
  }
  return [...perm];
}

/**
 * Merges adjacent axes that every operand walks contiguously (stride[i] = stride[i+1]·len[i+1])
 * and drops axes of length 1, so most loops run over one or two long axes. `strides` holds
 * one stride array per operand (0 marks a broadcast axis); all are updated consistently.
 */
export function coalesce(shape: readonly number[], strides: readonly (readonly number[])[]): {
  shape: number[];
  strides: number[][];
} {
  const outShape: number[] = [];
  const outStrides: number[][] = strides.map(() => []);
  for (let axis = 0; axis < shape.length; axis++) {
    const length = shape[axis]!;
    if (length === 1) continue;
    const last = outShape.length - 1;
    if (
      last >= 0 &&
      strides.every((s, o) => outStrides[o]![last] === s[axis]! * length)
    ) {
      outShape[last] = outShape[last]! * length;
      for (let o = 0; o < strides.length; o++) outStrides[o]![last] = strides[o]![axis]!;
      continue;
    }
    outShape.push(length);
    for (let o = 0; o < strides.length; o++) outStrides[o]!.push(strides[o]![axis]!);
  }
  return { shape: outShape, strides: outStrides };
}

/**
 * Copies a strided view of `source` into `target` (also strided), element by element in
 * row-major order of `shape`. Used by transpose, slice, select, concat, stack and split.
 */
export function copyStrided(
  source: TypedArray,
  sourceOffset: number,
  sourceStrides: readonly number[],
  target: TypedArray,
  targetOffset: number,
  targetStrides: readonly number[],
  shape: readonly number[],
): void {
  if (shapeSize(shape) === 0) return;
  const { shape: dims, strides } = coalesce(shape, [sourceStrides, targetStrides]);
  const ss = strides[0]!;
  const ts = strides[1]!;
  const rank = dims.length;
  if (rank === 0) {
    target[targetOffset] = source[sourceOffset]!;
    return;
  }
  const inner = dims[rank - 1]!;
  const sInner = ss[rank - 1]!;
  const tInner = ts[rank - 1]!;
  const contiguous = sInner === 1 && tInner === 1;
  const index = new Array<number>(rank - 1).fill(0);
  let s = sourceOffset;
  let t = targetOffset;
  for (;;) {
    if (contiguous) {
      target.set(source.subarray(s, s + inner), t);
    } else {
      for (let i = 0, si = s, ti = t; i < inner; i++, si += sInner, ti += tInner) target[ti] = source[si]!;
    }
    // Advance the odometer over the outer axes.
    let axis = rank - 2;
    for (; axis >= 0; axis--) {
      index[axis]!++;
      s += ss[axis]!;
      t += ts[axis]!;
      if (index[axis]! < dims[axis]!) break;
      s -= ss[axis]! * dims[axis]!;
      t -= ts[axis]! * dims[axis]!;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}
