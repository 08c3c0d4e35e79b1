import { RnnkitError, formatShape } from './errors.js';
import { type Shape, checkShape } from './shape.js';

/**
 * The shape two operands broadcast to, by numpy's rule: align the shapes at their last
 * axis; each pair of lengths must be equal or contain a 1, and the result takes the larger
 * (a missing leading axis counts as 1). `broadcastShapes([2, 1, 3], [4, 1])` is `[2, 4, 3]`.
 *
 * @throws RnnkitError `broadcastShapes: shapes [2, 3] and [4] cannot be broadcast`
 */
export function broadcastShapes(a: Shape, b: Shape): number[] {
  checkShape('broadcastShapes', a);
  checkShape('broadcastShapes', b);
  return broadcastShapesFor('broadcastShapes', a, b);
}

/** {@link broadcastShapes} with the calling op's name in the error (shapes already valid). */
export function broadcastShapesFor(api: string, a: Shape, b: Shape): number[] {
  const out = broadcastShapesOrNull(a, b);
  if (out === null) throw new RnnkitError(api, `shapes ${formatShape(a)} and ${formatShape(b)} cannot be broadcast`);
  return out;
}

/** The broadcast shape, or null when the shapes are incompatible. */
export function broadcastShapesOrNull(a: Shape, b: Shape): number[] | null {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 1; i <= rank; i++) {
    const da = i <= a.length ? a[a.length - i]! : 1;
    const db = i <= b.length ? b[b.length - i]! : 1;
    if (da !== db && da !== 1 && db !== 1) return null;
    out[rank - i] = da === 1 ? db : da;
  }
  return out;
}

/**
 * Strides that read a contiguous tensor of `shape` as if it had the (broadcast) shape `to`:
 * the element strides of `shape`, aligned at the last axis, with 0 for every axis that is
 * missing or of length 1 (so the same value is read again along that axis).
 */
export function broadcastStrides(shape: Shape, to: Shape): number[] {
  const strides = new Array<number>(to.length).fill(0);
  let stride = 1;
  for (let i = 1; i <= shape.length; i++) {
    const length = shape[shape.length - i]!;
    strides[to.length - i] = length === 1 ? 0 : stride;
    stride *= length;
  }
  return strides;
}
