// Element-wise operations with numpy broadcasting.
//
// Every op returns a new tensor, or writes into `out` when one is given (shape and dtype
// must then be exactly those of the result; `out` may be one of the inputs). The
// `…InPlace` helpers update their first argument and are what optimizers and layers use
// inside their loops. The result dtype is float64 if either operand is float64, else
// float32; a plain number takes the dtype of the other operand.
import { RnnkitError, formatShape } from './errors.js';
import { broadcastShapesFor, broadcastStrides } from './broadcast.js';
import { checkTensor, coalesce, prepareOut, resultDType } from './op-helpers.js';
import { describeValue } from './options.js';
import { type Shape, sameShape, stridesOf } from './shape.js';
import { type TypedArray, Tensor } from './tensor.js';

/** A binary operand: a tensor, or a number that broadcasts like a 0-d tensor. */
export type Operand = Tensor | number;

/**
 * Computes `out[oi + t] = f(a[ai + t·as], b[bi + t·bs])` for t < n. One function per op, so
 * that each inner loop stays specialised to its own arithmetic.
 */
type BinaryKernel = (
  n: number,
  a: TypedArray,
  ai: number,
  as: number,
  b: TypedArray,
  bi: number,
  bs: number,
  out: TypedArray,
  oi: number,
  param: number,
) => void;

const addKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) out[oi + t] = a[ai]! + b[bi]!;
};
const subKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) out[oi + t] = a[ai]! - b[bi]!;
};
const mulKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) out[oi + t] = a[ai]! * b[bi]!;
};
const divKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) out[oi + t] = a[ai]! / b[bi]!;
};
const powKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) out[oi + t] = a[ai]! ** b[bi]!;
};
// maximum/minimum propagate NaN from either side, like numpy.
const maximumKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) {
    const x = a[ai]!;
    const y = b[bi]!;
    out[oi + t] = x > y || x !== x ? x : y;
  }
};
const minimumKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) {
    const x = a[ai]!;
    const y = b[bi]!;
    out[oi + t] = x < y || x !== x ? x : y;
  }
};
const addScaledKernel: BinaryKernel = (n, a, ai, as, b, bi, bs, out, oi, scale) => {
  for (let t = 0; t < n; t++, ai += as, bi += bs) out[oi + t] = a[ai]! + scale * b[bi]!;
};

// Storage for number operands, reused so that `mul(x, 0.5, out)` does not allocate.
const leftScalar = new Float64Array(1);
const rightScalar = new Float64Array(1);
const SCALAR_SHAPE: Shape = Object.freeze([]);

function operandData(api: string, value: Operand, scratch: Float64Array, side: string): TypedArray {
  if (value instanceof Tensor) return value.data;
  if (typeof value === 'number') {
    scratch[0] = value;
    return scratch;
  }
  throw new RnnkitError(api, `${side} must be a Tensor or a number, got ${describeValue(value)}`);
}

/**
 * Runs a binary kernel over the broadcast of `a` and `b`. With `inPlace`, the result goes
 * into `a` itself (which must then already have the broadcast shape; its dtype is kept).
 */
function binary(
  api: string,
  kernel: BinaryKernel,
  a: Operand,
  b: Operand,
  out: Tensor | undefined,
  param: number,
  inPlace: boolean,
): Tensor {
  if (inPlace && !(a instanceof Tensor)) {
    throw new RnnkitError(api, `target must be a Tensor, got ${describeValue(a)}`);
  }
  const ad = operandData(api, a, leftScalar, 'left operand');
  const bd = operandData(api, b, rightScalar, inPlace ? 'source' : 'right operand');
  const aShape = a instanceof Tensor ? a.shape : SCALAR_SHAPE;
  const bShape = b instanceof Tensor ? b.shape : SCALAR_SHAPE;
  // Fast paths that neither allocate nor build strides: equal shapes, or a number/1-element
  // operand, or a trailing-axes operand such as a bias `[units]` added to `[batch, units]`.
  const shape = sameShape(aShape, bShape) || isTrailingShape(bShape, aShape)
    ? aShape
    : isTrailingShape(aShape, bShape)
      ? bShape
      : broadcastShapesFor(api, aShape, bShape);
  let result: Tensor;
  if (inPlace) {
    result = a as Tensor;
    if (!sameShape(shape, aShape)) {
      throw new RnnkitError(
        api,
        `source of shape ${formatShape(bShape)} does not broadcast to the target's shape ${formatShape(aShape)}`,
      );
    }
  } else {
    result = prepareOut(api, out, shape, resultDType(a, b));
  }
  const od = result.data;
  const size = result.size;
  if (size === 0) return result;
  const aSize = ad.length;
  const bSize = bd.length;
  if (aSize === size && bSize === size) {
    kernel(size, ad, 0, 1, bd, 0, 1, od, 0, param);
  } else if (bSize === 1 && aSize === size) {
    kernel(size, ad, 0, 1, bd, 0, 0, od, 0, param);
  } else if (aSize === 1 && bSize === size) {
    kernel(size, ad, 0, 0, bd, 0, 1, od, 0, param);
  } else if (aSize === size && isTrailingShape(bShape, shape)) {
    for (let o = 0; o < size; o += bSize) kernel(bSize, ad, o, 1, bd, 0, 1, od, o, param);
  } else if (bSize === size && isTrailingShape(aShape, shape)) {
    for (let o = 0; o < size; o += aSize) kernel(aSize, ad, 0, 1, bd, o, 1, od, o, param);
  } else {
    broadcastLoop(kernel, shape, ad, aShape, bd, bShape, od, param);
  }
  return result;
}

/**
 * True when `shape` has no more axes than `full` and, leading 1s ignored, equals the last
 * axes of `full` (so it broadcasts to `full` by repeating its data).
 */
function isTrailingShape(shape: Shape, full: Shape): boolean {
  if (shape.length > full.length) return false;
  let start = 0;
  while (start < shape.length && shape[start] === 1) start++;
  const rest = shape.length - start;
  if (rest > full.length) return false;
  for (let i = 0; i < rest; i++) if (shape[start + i] !== full[full.length - rest + i]) return false;
  return true;
}

/** The general case: an odometer over the outer axes, the kernel along the innermost one. */
function broadcastLoop(
  kernel: BinaryKernel,
  shape: Shape,
  ad: TypedArray,
  aShape: Shape,
  bd: TypedArray,
  bShape: Shape,
  od: TypedArray,
  param: number,
): void {
  const { shape: dims, strides } = coalesce(shape, [
    broadcastStrides(aShape, shape),
    broadcastStrides(bShape, shape),
    stridesOf(shape),
  ]);
  const [sa, sb, so] = strides as [number[], number[], number[]];
  const rank = dims.length;
  if (rank === 0) {
    kernel(1, ad, 0, 0, bd, 0, 0, od, 0, param);
    return;
  }
  const inner = dims[rank - 1]!;
  const innerA = sa[rank - 1]!;
  const innerB = sb[rank - 1]!;
  const index = new Array<number>(rank - 1).fill(0);
  let ai = 0;
  let bi = 0;
  let oi = 0;
  for (;;) {
    kernel(inner, ad, ai, innerA, bd, bi, innerB, od, oi, param);
    let axis = rank - 2;
    for (; axis >= 0; axis--) {
      index[axis] = index[axis]! + 1;
      ai += sa[axis]!;
      bi += sb[axis]!;
      oi += so[axis]!;
      if (index[axis]! < dims[axis]!) break;
      ai -= sa[axis]! * dims[axis]!;
      bi -= sb[axis]! * dims[axis]!;
      oi -= so[axis]! * dims[axis]!;
      index[axis] = 0;
    }
    if (axis < 0) return;
  }
}

// ---------------------------------------------------------------------------------------
// Binary ops
// ---------------------------------------------------------------------------------------

/** `a + b`, broadcast. */
export function add(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('add', addKernel, a, b, out, 0, false);
}

/** `a − b`, broadcast. */
export function sub(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('sub', subKernel, a, b, out, 0, false);
}

/** `a · b` element-wise (Hadamard product), broadcast. */
export function mul(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('mul', mulKernel, a, b, out, 0, false);
}

/** `a / b`, broadcast (IEEE semantics: x/0 is ±Infinity or NaN, not an error). */
export function div(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('div', divKernel, a, b, out, 0, false);
}

/** `a ** b`, broadcast (a negative base with a fractional exponent gives NaN). */
export function pow(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('pow', powKernel, a, b, out, 0, false);
}

/** The larger of `a` and `b`, element-wise and broadcast; NaN if either is NaN. */
export function maximum(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('maximum', maximumKernel, a, b, out, 0, false);
}

/** The smaller of `a` and `b`, element-wise and broadcast; NaN if either is NaN. */
export function minimum(a: Operand, b: Operand, out?: Tensor): Tensor {
  return binary('minimum', minimumKernel, a, b, out, 0, false);
}

// ---------------------------------------------------------------------------------------
// In-place updates (the target keeps its shape and dtype; the source broadcasts to it)
// ---------------------------------------------------------------------------------------

/** `target += source`; returns `target`. */
export function addInPlace(target: Tensor, source: Operand): Tensor {
  return binary('addInPlace', addKernel, target, source, undefined, 0, true);
}

/** `target −= source`; returns `target`. */
export function subInPlace(target: Tensor, source: Operand): Tensor {
  return binary('subInPlace', subKernel, target, source, undefined, 0, true);
}

/** `target ·= source` element-wise; returns `target`. */
export function mulInPlace(target: Tensor, source: Operand): Tensor {
  return binary('mulInPlace', mulKernel, target, source, undefined, 0, true);
}

/** `target /= source` element-wise; returns `target`. */
export function divInPlace(target: Tensor, source: Operand): Tensor {
  return binary('divInPlace', divKernel, target, source, undefined, 0, true);
}

/** `target ·= factor`; returns `target`. */
export function scaleInPlace(target: Tensor, factor: number): Tensor {
  checkTensor('scaleInPlace', target, 'target');
  if (typeof factor !== 'number') {
    throw new RnnkitError('scaleInPlace', `factor must be a number, got ${describeValue(factor)}`);
  }
  const d = target.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i]! * factor;
  return target;
}

/**
 * `target += scale · source` (BLAS' axpy), the update of gradient descent
 * (`addScaledInPlace(param.value, param.grad, -learningRate)`); returns `target`.
 */
export function addScaledInPlace(target: Tensor, source: Operand, scale: number): Tensor {
  if (typeof scale !== 'number') {
    throw new RnnkitError('addScaledInPlace', `scale must be a number, got ${describeValue(scale)}`);
  }
  return binary('addScaledInPlace', addScaledKernel, target, source, undefined, scale, true);
}

// ---------------------------------------------------------------------------------------
// Unary ops (out, if given, must have the input's shape and dtype; it may be the input)
// ---------------------------------------------------------------------------------------

function unaryOut(api: string, x: Tensor, out: Tensor | undefined): Tensor {
  checkTensor(api, x);
  return prepareOut(api, out, x.shape, x.dtype);
}

/** `−x`. */
export function neg(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('neg', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) od[i] = -xd[i]!;
  return o;
}

/** `x²`. */
export function square(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('square', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i]!;
    od[i] = v * v;
  }
  return o;
}

/** `√x` (NaN for negative x). */
export function sqrt(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('sqrt', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) od[i] = Math.sqrt(xd[i]!);
  return o;
}

/** `eˣ`. */
export function exp(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('exp', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) od[i] = Math.exp(xd[i]!);
  return o;
}

/** Natural logarithm (−Infinity at 0, NaN below). */
export function log(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('log', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) od[i] = Math.log(xd[i]!);
  return o;
}

/** `|x|`. */
export function abs(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('abs', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) od[i] = Math.abs(xd[i]!);
  return o;
}

/**
 * The logistic sigmoid `σ(x) = 1 / (1 + e⁻ˣ)`, evaluated without overflow: for x < 0 it
 * uses the equal form `eˣ / (1 + eˣ)`, so `exp` only ever sees non-positive arguments and
 * every finite x gives a finite result in [0, 1].
 */
export function sigmoid(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('sigmoid', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i]!;
    if (v >= 0) {
      od[i] = 1 / (1 + Math.exp(-v));
    } else {
      const e = Math.exp(v);
      od[i] = e / (1 + e);
    }
  }
  return o;
}

/** Hyperbolic tangent (saturates to ±1 without overflow). */
export function tanh(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('tanh', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) od[i] = Math.tanh(xd[i]!);
  return o;
}

/** `max(x, 0)` (NaN stays NaN). */
export function relu(x: Tensor, out?: Tensor): Tensor {
  const o = unaryOut('relu', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i]!;
    od[i] = v < 0 ? 0 : v;
  }
  return o;
}

/** Limits every value to `[min, max]` (NaN stays NaN). Either bound may be ±Infinity. */
export function clip(x: Tensor, min: number, max: number, out?: Tensor): Tensor {
  if (typeof min !== 'number' || typeof max !== 'number' || Number.isNaN(min) || Number.isNaN(max) || min > max) {
    throw new RnnkitError('clip', `expected numbers min ≤ max, got min ${String(min)}, max ${String(max)}`);
  }
  const o = unaryOut('clip', x, out);
  const xd = x.data;
  const od = o.data;
  for (let i = 0; i < xd.length; i++) {
    const v = xd[i]!;
    od[i] = v < min ? min : v > max ? max : v;
  }
  return o;
}
