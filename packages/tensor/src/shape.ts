import { RnnkitError, formatShape } from './errors.js';
import { describeValue } from './options.js';

/** A tensor shape: one non-negative integer length per axis, outermost first. */
export type Shape = readonly number[];

/** Number of elements of a shape (1 for a scalar `[]`). */
export function shapeSize(shape: Shape): number {
  let size = 1;
  for (const d of shape) size *= d;
  return size;
}

/** Row-major (C order) strides of a contiguous tensor of this shape, in elements. */
export function stridesOf(shape: Shape): number[] {
  const strides = new Array<number>(shape.length);
  let stride = 1;
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    strides[axis] = stride;
    stride *= shape[axis]!;
  }
  return strides;
}

/** Throws unless every length is a non-negative integer. */
export function checkShape(api: string, shape: Shape): void {
  if (!Array.isArray(shape)) {
    throw new RnnkitError(api, `expected a shape (an array of lengths), got ${describeValue(shape)}`);
  }
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) {
      throw new RnnkitError(api, `shape lengths must be non-negative integers, got ${formatShape(shape)}`);
    }
  }
}

/** True when both shapes have the same rank and lengths. */
export function sameShape(a: Shape, b: Shape): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Resolves a possibly negative axis (`-1` is the last) and checks its range.
 * @returns the axis as a non-negative index
 */
export function normalizeAxis(api: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new RnnkitError(api, `axis ${axis} is out of range for a tensor of rank ${rank}`);
  }
  return axis < 0 ? axis + rank : axis;
}
