// Shape operations.
//
// `reshape`, `squeeze` and `expandDims` only relabel the axes, so they return a tensor that
// shares storage with the input (writing to one changes the other). `slice`, `select`,
// `concat`, `stack` and `split` copy.
import { RnnkitError, formatShape } from './errors.js';
import {
  type Axis,
  checkNoAlias,
  checkTensor,
  copyStrided,
  normalizeAxes,
  normalizeIndex,
} from './op-helpers.js';
import { describeValue } from './options.js';
import { type Shape, normalizeAxis, sameShape, shapeSize } from './shape.js';
import { type DType, type TypedArray, Tensor, allocate } from './tensor.js';

/** The same storage seen with another shape of equal size; one length may be `-1`. */
export function reshape(x: Tensor, shape: Shape): Tensor {
  checkTensor('reshape', x);
  return x.reshape(shape);
}

/**
 * Removes axes of length 1: the given ones (each must have length 1), or all of them when
 * `axis` is omitted. Shares storage with `x`.
 *
 * @throws RnnkitError `squeeze: axis 1 has length 3, expected 1 (shape [2, 3])`
 */
export function squeeze(x: Tensor, axis?: Axis): Tensor {
  checkTensor('squeeze', x);
  let drop: number[];
  if (axis === undefined) {
    drop = x.shape.flatMap((d, i) => (d === 1 ? [i] : []));
  } else {
    drop = normalizeAxes('squeeze', axis, x.rank);
    for (const a of drop) {
      if (x.shape[a] !== 1) {
        throw new RnnkitError('squeeze', `axis ${a} has length ${x.shape[a]}, expected 1 (shape ${formatShape(x.shape)})`);
      }
    }
  }
  return new Tensor(x.data, x.shape.filter((_, i) => !drop.includes(i)));
}

/**
 * Inserts an axis of length 1 at position `axis` (from `-(rank+1)` to `rank`; `-1` appends).
 * Shares storage with `x`.
 */
export function expandDims(x: Tensor, axis: number): Tensor {
  checkTensor('expandDims', x);
  const at = normalizeAxis('expandDims', axis, x.rank + 1);
  const shape = [...x.shape];
  shape.splice(at, 0, 1);
  return new Tensor(x.data, shape);
}

/**
 * A copy of a box of `x`: along each axis i, `size[i]` elements starting at `begin[i]`
 * (TF.js' signature). A number for `begin` or `size` applies to axis 0; axes beyond the
 * given lists are taken whole; a negative `begin` counts from the end; a size of `-1` (or
 * an omitted size) runs to the end of the axis.
 *
 * @example slice(x, [0, 2], [-1, 3]) is numpy's x[:, 2:5]; slice(x, 1) is x[1:].
 * @throws RnnkitError `slice: begin 3 + size 2 exceeds length 4 of axis 1 (shape [2, 4])`
 */
export function slice(x: Tensor, begin: number | readonly number[], size?: number | readonly number[]): Tensor {
  checkTensor('slice', x);
  const begins = typeof begin === 'number' ? [begin] : begin;
  const sizes = size === undefined ? [] : typeof size === 'number' ? [size] : size;
  if (!Array.isArray(begins) || !Array.isArray(sizes)) {
    throw new RnnkitError('slice', `begin and size must be numbers or arrays of numbers, got ${describeValue(begin)} and ${describeValue(size)}`);
  }
  if (begins.length > x.rank || sizes.length > x.rank) {
    throw new RnnkitError(
      'slice',
      `begin [${begins.join(', ')}] and size [${sizes.join(', ')}] must not be longer than the rank ${x.rank} (shape ${formatShape(x.shape)})`,
    );
  }
  const shape: number[] = [];
  let offset = 0;
  for (let axis = 0; axis < x.rank; axis++) {
    const length = x.shape[axis]!;
    let b = (begins as readonly number[])[axis] ?? 0;
    if (!Number.isInteger(b) || b < -length || b > length) {
      throw new RnnkitError('slice', `begin ${b} is out of range for axis ${axis} of length ${length} (shape ${formatShape(x.shape)})`);
    }
    if (b < 0) b += length;
    let s = (sizes as readonly number[])[axis] ?? -1;
    if (s === -1) s = length - b;
    if (!Number.isInteger(s) || s < 0) {
      throw new RnnkitError('slice', `size ${s} for axis ${axis} must be a non-negative integer or -1`);
    }
    if (b + s > length) {
      throw new RnnkitError('slice', `begin ${b} + size ${s} exceeds length ${length} of axis ${axis} (shape ${formatShape(x.shape)})`);
    }
    shape.push(s);
    offset += b * x.strides[axis]!;
  }
  const out = new Tensor(allocate(x.dtype, shapeSize(shape)), shape);
  copyStrided(x.data, offset, x.strides, out.data, 0, out.strides, shape);
  return out;
}

/**
 * The sub-tensor at `index` along `axis`, with that axis removed: for `x` of shape
 * `[batch, time, features]`, `select(x, 1, t)` is time step t, shape `[batch, features]`.
 * A negative index counts from the end. With `out` (shape and dtype of the result) nothing
 * is allocated, which is how a layer running over time reads one step per iteration.
 *
 * @throws RnnkitError `select: index 5 is out of bounds for axis 1 of length 5 (shape [2, 5, 3])`
 */
export function select(x: Tensor, axis: number, index: number, out?: Tensor): Tensor {
  checkTensor('select', x);
  const a = normalizeAxis('select', axis, x.rank);
  const i = normalizeIndex('select', index, x.shape[a]!, a, x.shape);
  let result: Tensor;
  if (out === undefined) {
    const shape = x.shape.filter((_, k) => k !== a);
    result = new Tensor(allocate(x.dtype, shapeSize(shape)), shape);
  } else {
    result = checkShapeWithoutAxis('select', out, 'out', x.shape, a);
    if (out.dtype !== x.dtype) throw new RnnkitError('select', `out has dtype ${out.dtype}, expected ${x.dtype}`);
    checkNoAlias('select', out, x, 'the input');
  }
  copyAlongAxis(x, a, i, result.data, true);
  return result;
}

/**
 * The inverse of {@link select}: writes `source` into `target` at `index` along `axis`
 * (`target[:, t, :] = source` for axis 1). `source` must have the target's shape without
 * that axis; its values are converted to the target's dtype. Returns `target`.
 */
export function assignSelect(target: Tensor, axis: number, index: number, source: Tensor): Tensor {
  checkTensor('assignSelect', target, 'target');
  checkTensor('assignSelect', source, 'source');
  const a = normalizeAxis('assignSelect', axis, target.rank);
  const i = normalizeIndex('assignSelect', index, target.shape[a]!, a, target.shape);
  checkShapeWithoutAxis('assignSelect', source, 'source', target.shape, a);
  checkNoAlias('assignSelect', target, source, 'the source');
  copyAlongAxis(target, a, i, source.data, false);
  return target;
}

/**
 * Copies between position `index` along `axis` of `x` and a contiguous `other` holding the
 * remaining axes: into `other` when `read`, from it otherwise. Seen as
 * `[outer, length, inner]`, the position is `outer` runs of `inner` contiguous elements.
 * Plain loops, no allocation (this is a per-time-step path).
 */
function copyAlongAxis(x: Tensor, axis: number, index: number, other: TypedArray, read: boolean): void {
  let outer = 1;
  for (let k = 0; k < axis; k++) outer *= x.shape[k]!;
  const inner = x.strides[axis]!;
  const length = x.shape[axis]!;
  const xd = x.data;
  for (let o = 0; o < outer; o++) {
    const xStart = (o * length + index) * inner;
    const otherStart = o * inner;
    if (read) {
      for (let t = 0; t < inner; t++) other[otherStart + t] = xd[xStart + t]!;
    } else {
      for (let t = 0; t < inner; t++) xd[xStart + t] = other[otherStart + t]!;
    }
  }
}

/** Checks that `t` has `shape` without `axis` (compared in place, without building it). */
function checkShapeWithoutAxis(api: string, t: Tensor, what: string, shape: Shape, axis: number): Tensor {
  if (!(t instanceof Tensor)) throw new RnnkitError(api, `${what} must be a Tensor, got ${describeValue(t)}`);
  let ok = t.rank === shape.length - 1;
  for (let k = 0, j = 0; ok && k < shape.length; k++) {
    if (k === axis) continue;
    if (t.shape[j++] !== shape[k]) ok = false;
  }
  if (!ok) {
    const expected = shape.filter((_, k) => k !== axis);
    const context = api === 'assignSelect' ? ` (target ${formatShape(shape)} without axis ${axis})` : '';
    throw new RnnkitError(api, `${what} has shape ${formatShape(t.shape)}, expected ${formatShape(expected)}${context}`);
  }
  return t;
}

function checkTensorList(api: string, tensors: readonly Tensor[]): void {
  if (!Array.isArray(tensors) || tensors.length === 0) {
    throw new RnnkitError(api, `expected a non-empty array of tensors, got ${Array.isArray(tensors) ? 'an empty array' : describeValue(tensors)}`);
  }
  tensors.forEach((t, i) => checkTensor(api, t, `tensor ${i}`));
}

function commonDType(tensors: readonly Tensor[]): DType {
  return tensors.some((t) => t.dtype === 'float64') ? 'float64' : 'float32';
}

/**
 * Joins tensors along an existing axis; all other lengths must agree. The result is
 * float64 if any input is.
 *
 * @throws RnnkitError `concat: tensor 1 has shape [3, 4], which differs from [2, 3] outside axis 0`
 */
export function concat(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList('concat', tensors);
  const first = tensors[0]!;
  if (first.rank === 0) throw new RnnkitError('concat', 'cannot concatenate 0-d tensors (use stack)');
  const a = normalizeAxis('concat', axis, first.rank);
  let total = 0;
  tensors.forEach((t, i) => {
    const compatible = t.rank === first.rank && t.shape.every((d, k) => k === a || d === first.shape[k]);
    if (!compatible) {
      throw new RnnkitError(
        'concat',
        `tensor ${i} has shape ${formatShape(t.shape)}, which differs from ${formatShape(first.shape)} outside axis ${a}`,
      );
    }
    total += t.shape[a]!;
  });
  const shape = [...first.shape];
  shape[a] = total;
  const out = new Tensor(allocate(commonDType(tensors), shapeSize(shape)), shape);
  let offset = 0;
  for (const t of tensors) {
    copyStrided(t.data, 0, t.strides, out.data, offset * out.strides[a]!, out.strides, t.shape);
    offset += t.shape[a]!;
  }
  return out;
}

/**
 * Joins equally shaped tensors along a new axis at position `axis` (from `-(rank+1)` to
 * `rank`): stacking T tensors `[batch, features]` on axis 1 gives `[batch, T, features]`.
 *
 * @throws RnnkitError `stack: tensor 1 has shape [2, 4], expected [2, 3] like tensor 0`
 */
export function stack(tensors: readonly Tensor[], axis = 0): Tensor {
  checkTensorList('stack', tensors);
  const first = tensors[0]!;
  const a = normalizeAxis('stack', axis, first.rank + 1);
  tensors.forEach((t, i) => {
    if (!sameShape(t.shape, first.shape)) {
      throw new RnnkitError('stack', `tensor ${i} has shape ${formatShape(t.shape)}, expected ${formatShape(first.shape)} like tensor 0`);
    }
  });
  return concat(tensors.map((t) => expandDims(t, a)), a);
}

/**
 * Splits along `axis` into `count` equal parts (a number) or parts of the given lengths
 * (an array summing to the axis length). Returns copies; `concat(split(x, s, axis), axis)`
 * equals x.
 *
 * @throws RnnkitError `split: axis 1 of length 5 cannot be split into 2 equal parts (shape [2, 5])`
 */
export function split(x: Tensor, sizesOrCount: number | readonly number[], axis = 0): Tensor[] {
  checkTensor('split', x);
  const a = normalizeAxis('split', axis, x.rank);
  const length = x.shape[a]!;
  let sizes: number[];
  if (typeof sizesOrCount === 'number') {
    const count = sizesOrCount;
    if (!Number.isInteger(count) || count < 1 || length % count !== 0) {
      throw new RnnkitError(
        'split',
        `axis ${a} of length ${length} cannot be split into ${count} equal parts (shape ${formatShape(x.shape)})`,
      );
    }
    sizes = new Array<number>(count).fill(length / count);
  } else if (Array.isArray(sizesOrCount)) {
    sizes = [...(sizesOrCount as readonly number[])];
    const total = sizes.reduce((s, d) => s + d, 0);
    if (!sizes.every((d) => Number.isInteger(d) && d >= 0) || total !== length) {
      throw new RnnkitError(
        'split',
        `sizes [${sizes.join(', ')}] must be non-negative integers summing to ${length}, the length of axis ${a} (shape ${formatShape(x.shape)})`,
      );
    }
  } else {
    throw new RnnkitError('split', `expected a count or an array of sizes, got ${describeValue(sizesOrCount)}`);
  }
  const parts: Tensor[] = [];
  let offset = 0;
  for (const size of sizes) {
    const shape = [...x.shape];
    shape[a] = size;
    const part = new Tensor(allocate(x.dtype, shapeSize(shape)), shape);
    copyStrided(x.data, offset * x.strides[a]!, x.strides, part.data, 0, part.strides, shape);
    parts.push(part);
    offset += size;
  }
  return parts;
}
