// Reductions over axes: sum, mean, max, min, argmax, norm.
//
// `axis` is one axis, a list of axes, or omitted for all axes; negative axes count from the
// end. Reduced axes are removed, or kept with length 1 when `keepDims` is true (so the
// result broadcasts against the input). The result has the input's dtype; sums are
// accumulated in float64 whatever the dtype. `out`, if given, must have the result's shape
// and dtype.
import { RnnkitError, formatShape } from './errors.js';
import { type Axis, checkTensor, coalesce, normalizeAxes, prepareOut } from './op-helpers.js';
import { shapeSize, stridesOf } from './shape.js';
import { Tensor } from './tensor.js';

interface Plan {
  /** Shape of the result (with or without the reduced axes). */
  readonly outShape: number[];
  /** Number of input elements folded into each result element. */
  readonly count: number;
  /** Coalesced iteration space over the input, in its row-major order. */
  readonly dims: number[];
  /** Per dim: input stride, result stride (0 on reduced axes), reduced-index stride (0 on kept axes). */
  readonly strides: [number[], number[], number[]];
}

function plan(api: string, x: Tensor, axis: Axis | undefined, keepDims: boolean): Plan {
  checkTensor(api, x);
  if (typeof keepDims !== 'boolean') throw new RnnkitError(api, `keepDims must be a boolean, got ${String(keepDims)}`);
  const axes = normalizeAxes(api, axis, x.rank);
  const reduced = new Array<boolean>(x.rank).fill(false);
  for (const a of axes) reduced[a] = true;
  const kept = x.shape.filter((_, i) => !reduced[i]);
  const outShape = keepDims ? x.shape.map((d, i) => (reduced[i] ? 1 : d)) : kept;
  // Result strides as seen from the input's axes: 0 along reduced axes.
  const keptStrides = stridesOf(kept);
  const reducedShape = x.shape.filter((_, i) => reduced[i]);
  const reducedStrides = stridesOf(reducedShape);
  const outStrides: number[] = [];
  const indexStrides: number[] = [];
  let k = 0;
  let r = 0;
  for (let i = 0; i < x.rank; i++) {
    outStrides.push(reduced[i] ? 0 : keptStrides[k++]!);
    indexStrides.push(reduced[i] ? reducedStrides[r++]! : 0);
  }
  const { shape: dims, strides } = coalesce(x.shape, [x.strides, outStrides, indexStrides]);
  return { outShape, count: shapeSize(reducedShape), dims, strides: strides as Plan['strides'] };
}

/**
 * Calls `visit(n, xi, oi, os, ri, rs)` for each innermost row of the input, in row-major
 * order: the row's n elements are at input `xi + t`, result `oi + t·os`, and have flat index
 * `ri + t·rs` within the reduced axes.
 */
function forEachRow(
  p: Plan,
  visit: (n: number, xi: number, oi: number, os: number, ri: number, rs: number) => void,
): void {
  const { dims, strides } = p;
  const [sx, so, sr] = strides;
  const rank = dims.length;
  if (shapeSize(dims) === 0) return;
  if (rank === 0) {
    visit(1, 0, 0, 0, 0, 0);
    return;
  }
  const index = new Array<number>(rank - 1).fill(0);
  let xi = 0;
  let oi = 0;
  let ri = 0;
  for (;;) {
    visit(dims[rank - 1]!, xi, oi, so[rank - 1]!, ri, sr[rank - 1]!);
    let axis = rank - 2;
    for (; axis >= 0; axis--) {
      index[axis] = index[axis]! + 1;
      xi += sx[axis]!;
      oi += so[axis]!;
      ri += sr[axis]!;
      if (index[axis]! < dims[axis]!) break;
      xi -= sx[axis]! * dims[axis]!;
      oi -= so[axis]! * dims[axis]!;
      ri -= sr[axis]! * dims[axis]!;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

/** Float64 sums of x (or of x² when `squares`) over the planned axes. */
function accumulate(x: Tensor, p: Plan, squares: boolean): Float64Array {
  const acc = new Float64Array(shapeSize(p.outShape));
  const xd = x.data;
  forEachRow(p, (n, xi, oi, os) => {
    if (os === 0) {
      let s = acc[oi]!;
      if (squares) {
        for (let t = 0; t < n; t++) s += xd[xi + t]! * xd[xi + t]!;
      } else {
        for (let t = 0; t < n; t++) s += xd[xi + t]!;
      }
      acc[oi] = s;
    } else if (squares) {
      for (let t = 0; t < n; t++) acc[oi + t * os]! += xd[xi + t]! * xd[xi + t]!;
    } else {
      for (let t = 0; t < n; t++) acc[oi + t * os]! += xd[xi + t]!;
    }
  });
  return acc;
}

/** Sum over `axis` (all axes when omitted). */
export function sum(x: Tensor, axis?: Axis, keepDims = false, out?: Tensor): Tensor {
  const p = plan('sum', x, axis, keepDims);
  const result = prepareOut('sum', out, p.outShape, x.dtype);
  result.data.set(accumulate(x, p, false));
  return result;
}

/** Arithmetic mean over `axis` (NaN when the reduced axes are empty). */
export function mean(x: Tensor, axis?: Axis, keepDims = false, out?: Tensor): Tensor {
  const p = plan('mean', x, axis, keepDims);
  const result = prepareOut('mean', out, p.outShape, x.dtype);
  const acc = accumulate(x, p, false);
  for (let i = 0; i < acc.length; i++) result.data[i] = acc[i]! / p.count;
  return result;
}

/**
 * Euclidean (L2) norm `√(Σ x²)` over `axis`; over all axes by default (the Frobenius norm
 * of a matrix), e.g. the global gradient norm for clipping.
 */
export function norm(x: Tensor, axis?: Axis, keepDims = false, out?: Tensor): Tensor {
  const p = plan('norm', x, axis, keepDims);
  const result = prepareOut('norm', out, p.outShape, x.dtype);
  const acc = accumulate(x, p, true);
  for (let i = 0; i < acc.length; i++) result.data[i] = Math.sqrt(acc[i]!);
  return result;
}

function checkNotEmpty(api: string, x: Tensor, p: Plan, axis: Axis | undefined): void {
  if (p.count === 0 && shapeSize(p.outShape) > 0) {
    const axes = axis === undefined ? 'all axes' : `axis ${typeof axis === 'number' ? axis : `[${axis.join(', ')}]`}`;
    throw new RnnkitError(api, `cannot reduce an empty tensor over ${axes} (shape ${formatShape(x.shape)})`);
  }
}

/** Largest value over `axis` (NaN if any is NaN). Empty axes are an error. */
export function max(x: Tensor, axis?: Axis, keepDims = false, out?: Tensor): Tensor {
  return extreme('max', x, axis, keepDims, out, true);
}

/** Smallest value over `axis` (NaN if any is NaN). Empty axes are an error. */
export function min(x: Tensor, axis?: Axis, keepDims = false, out?: Tensor): Tensor {
  return extreme('min', x, axis, keepDims, out, false);
}

function extreme(api: string, x: Tensor, axis: Axis | undefined, keepDims: boolean, out: Tensor | undefined, largest: boolean): Tensor {
  const p = plan(api, x, axis, keepDims);
  checkNotEmpty(api, x, p, axis);
  const result = prepareOut(api, out, p.outShape, x.dtype);
  const best = new Float64Array(result.size).fill(largest ? -Infinity : Infinity);
  const xd = x.data;
  forEachRow(p, (n, xi, oi, os) => {
    for (let t = 0; t < n; t++) {
      const v = xd[xi + t]!;
      const o = oi + t * os;
      // `v !== v` lets a NaN in and nothing replaces it afterwards (NaN compares false).
      if ((largest ? v > best[o]! : v < best[o]!) || v !== v) best[o] = v;
    }
  });
  result.data.set(best);
  return result;
}

/**
 * Index of the largest value over `axis`, the first one on ties (and the first NaN, if any).
 * Over several axes (or all, when omitted) it is the row-major flat index within the reduced
 * axes, as numpy gives for `argmax` of the flattened tensor. Indices are stored in the input's
 * dtype. Empty axes are an error.
 */
export function argmax(x: Tensor, axis?: Axis, keepDims = false, out?: Tensor): Tensor {
  const p = plan('argmax', x, axis, keepDims);
  checkNotEmpty('argmax', x, p, axis);
  const result = prepareOut('argmax', out, p.outShape, x.dtype);
  const best = new Float64Array(result.size).fill(-Infinity);
  const where = new Float64Array(result.size);
  const seen = new Uint8Array(result.size);
  const xd = x.data;
  forEachRow(p, (n, xi, oi, os, ri, rs) => {
    for (let t = 0; t < n; t++) {
      const v = xd[xi + t]!;
      const o = oi + t * os;
      const current = best[o]!;
      if (seen[o] === 0 || v > current || (v !== v && current === current)) {
        best[o] = v;
        where[o] = ri + t * rs;
        seen[o] = 1;
      }
    }
  });
  result.data.set(where);
  return result;
}
