import { RnnkitError, formatCount, formatShape } from './errors.js';
import { describeValue } from './options.js';
import { type Shape, checkShape, sameShape, shapeSize, stridesOf } from './shape.js';

/** Element type of a tensor. `float32` is the default; `float64` is for gradient checks. */
export type DType = 'float32' | 'float64';

/** The storage behind a tensor of either dtype. */
export type TypedArray = Float32Array | Float64Array;

/** A nested JavaScript array of numbers, as `toArray()` returns and `tensor()` accepts. */
export type NestedArray = number | NestedArray[];

/**
 * The largest storage one tensor may ask for when nothing else is set: 4 GiB (a float32
 * tensor of 1,073,741,824 elements). A shape read from a file or computed from a typo
 * (`units: 1e6`) is refused with a clear error instead of exhausting the machine.
 */
export const DEFAULT_ALLOCATION_LIMIT = 4 * 1024 ** 3;

let allocationLimit = DEFAULT_ALLOCATION_LIMIT;

/**
 * Sets the largest storage, in bytes, that one allocation of tensor storage ({@link allocate},
 * and so every creation function and operation of rnnkit) may ask for; larger requests throw
 * an `RnnkitError` naming the shape and the bytes. The limit is per tensor, not a total.
 * Pass `Infinity` to leave only the JavaScript engine's own limits.
 * @defaultValue {@link DEFAULT_ALLOCATION_LIMIT} (4 GiB)
 * @returns the previous limit, so a caller can restore it
 */
export function setAllocationLimit(bytes: number): number {
  if (typeof bytes !== 'number' || !(bytes === Infinity || (Number.isSafeInteger(bytes) && bytes > 0))) {
    throw new RnnkitError('setAllocationLimit', `expected a positive whole number of bytes or Infinity, got ${describeValue(bytes)}`);
  }
  const previous = allocationLimit;
  allocationLimit = bytes;
  return previous;
}

/** The current per-tensor allocation limit in bytes (see {@link setAllocationLimit}). */
export function getAllocationLimit(): number {
  return allocationLimit;
}

/**
 * Allocates zero-filled storage of a dtype for `size` elements. Requests beyond the
 * allocation limit (see {@link setAllocationLimit}), invalid counts and storage the engine
 * cannot provide throw an `RnnkitError` naming `api` and, when given, the `shape` asked for.
 *
 * It runs on every pass of the hot paths, so the accepted case costs one comparison.
 */
export function allocate(dtype: DType, size: number, shape?: Shape, api = 'allocate'): TypedArray {
  const bytes = dtype === 'float64' ? size * 8 : size * 4;
  if (bytes <= allocationLimit) {
    try {
      return dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
    } catch (error) {
      // A negative count, or more than the engine's typed arrays hold or it has memory for.
      throw allocationError(api, dtype, size, shape, error);
    }
  }
  throw allocationError(api, dtype, size, shape);
}

function allocationError(api: string, dtype: DType, size: number, shape: Shape | undefined, engineError?: unknown): RnnkitError {
  const what = `${shape !== undefined ? `shape ${formatShape(shape)}` : 'a tensor'} (${dtype})`;
  if (typeof size !== 'number' || !(size >= 0)) {
    return new RnnkitError(api, `cannot allocate ${what}: expected a non-negative element count, got ${describeValue(size)}`);
  }
  const bytes = size * (dtype === 'float64' ? 8 : 4);
  const needs = `${what} needs ${formatCount(bytes)} bytes (${formatCount(size)} elements)`;
  if (engineError === undefined) {
    return new RnnkitError(
      api,
      `${needs}, more than the allocation limit of ${formatCount(allocationLimit)} bytes (${formatBytes(allocationLimit)}); ` +
        'check the sizes, or raise the limit with setAllocationLimit(bytes) if the machine has the memory',
    );
  }
  const reason = engineError instanceof Error ? engineError.message : String(engineError);
  return new RnnkitError(api, `${needs}, which the JavaScript engine cannot allocate (${reason})`, { cause: engineError });
}

function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return 'no limit';
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/** The dtype of a typed array, or an error naming `api` for anything else. */
export function dtypeOf(api: string, data: unknown): DType {
  if (data instanceof Float32Array) return 'float32';
  if (data instanceof Float64Array) return 'float64';
  throw new RnnkitError(api, `expected a Float32Array or Float64Array, got ${describeValue(data)}`);
}

export function checkDType(api: string, dtype: unknown): DType {
  if (dtype === 'float32' || dtype === 'float64') return dtype;
  throw new RnnkitError(api, `dtype must be "float32" or "float64", got ${JSON.stringify(dtype)}`);
}

/**
 * An n-dimensional array of numbers: a shape, a dtype and contiguous row-major storage.
 *
 * `data` is the storage itself, not a copy: writing to it changes the tensor. That is what
 * the hot paths of layers and optimizers rely on; everyday code uses the functions of this
 * package, which return new tensors unless given an `out`.
 */
const TENSOR_BRAND = Symbol.for('@rnnkit/tensor:Tensor');

export class Tensor {
  /**
   * `x instanceof Tensor` holds for tensors of every loaded copy of this package (its ESM
   * and CJS builds, or two versions side by side), not only for this copy's class.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[TENSOR_BRAND] === true;
  }

  /** Length of each axis, outermost first. */
  readonly shape: Shape;
  /** Row-major strides, in elements. */
  readonly strides: readonly number[];
  /** Number of elements. */
  readonly size: number;
  /** Element type. */
  readonly dtype: DType;
  /** Contiguous row-major storage (shared, not copied). */
  readonly data: TypedArray;

  /** Wraps existing storage; prefer {@link fromTypedArray} or {@link tensor} in user code. */
  constructor(data: TypedArray, shape: Shape) {
    const dtype = dtypeOf('Tensor', data);
    checkShape('Tensor', shape);
    const size = shapeSize(shape);
    if (data.length !== size) {
      throw new RnnkitError(
        'Tensor',
        `shape ${formatShape(shape)} holds ${size} elements, but the data has ${data.length}`,
      );
    }
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze(stridesOf(shape));
    this.size = size;
    this.dtype = dtype;
    this.data = data;
  }

  /** Brand read by `instanceof` (see above). */
  get [TENSOR_BRAND](): true {
    return true;
  }

  /** Number of axes. */
  get rank(): number {
    return this.shape.length;
  }

  /** Flat offset of an index, with bounds checks and negative indices counted from the end. */
  offset(index: readonly number[], api = 'Tensor.get'): number {
    if (index.length !== this.shape.length) {
      throw new RnnkitError(
        api,
        `expected ${this.shape.length} indices for shape ${formatShape(this.shape)}, got ${index.length}`,
      );
    }
    let offset = 0;
    for (let axis = 0; axis < index.length; axis++) {
      const length = this.shape[axis]!;
      let i = index[axis]!;
      if (!Number.isInteger(i) || i < -length || i >= length) {
        throw new RnnkitError(
          api,
          `index ${i} is out of bounds for axis ${axis} of length ${length} (shape ${formatShape(this.shape)})`,
        );
      }
      if (i < 0) i += length;
      offset += i * this.strides[axis]!;
    }
    return offset;
  }

  /** The element at an index: `t.get(1, 2)`. Negative indices count from the end. */
  get(...index: number[]): number {
    return this.data[this.offset(index)]!;
  }

  /** Writes one element: `t.set([1, 2], 0.5)`. */
  set(index: readonly number[], value: number): void {
    this.data[this.offset(index, 'Tensor.set')] = value;
  }

  /** The single value of a tensor with one element. */
  item(): number {
    if (this.size !== 1) {
      throw new RnnkitError('Tensor.item', `expected a tensor with one element, got shape ${formatShape(this.shape)}`);
    }
    return this.data[0]!;
  }

  /** A copy with its own storage. */
  clone(): Tensor {
    return new Tensor(this.data.slice(), this.shape);
  }

  /** A copy converted to another dtype (a plain copy when it already has that dtype). */
  astype(dtype: DType): Tensor {
    checkDType('Tensor.astype', dtype);
    const data = allocate(dtype, this.size, this.shape, 'Tensor.astype');
    data.set(this.data);
    return new Tensor(data, this.shape);
  }

  /** The same storage seen with another shape of equal size; one length may be `-1`. */
  reshape(shape: Shape): Tensor {
    return new Tensor(this.data, inferShape('reshape', shape, this.size, this.shape));
  }

  /** Copies another tensor's values into this one (same shape; dtypes may differ). */
  assign(source: Tensor): this {
    if (!sameShape(source.shape, this.shape)) {
      throw new RnnkitError(
        'Tensor.assign',
        `shapes differ: ${formatShape(this.shape)} ← ${formatShape(source.shape)}`,
      );
    }
    this.data.set(source.data);
    return this;
  }

  /** The values as nested JavaScript arrays (a plain number for a scalar). */
  toArray(): NestedArray {
    if (this.shape.length === 0) return this.data[0]!;
    const build = (axis: number, offset: number): NestedArray[] => {
      const length = this.shape[axis]!;
      const stride = this.strides[axis]!;
      const out: NestedArray[] = new Array(length);
      if (axis === this.shape.length - 1) {
        for (let i = 0; i < length; i++) out[i] = this.data[offset + i]!;
      } else {
        for (let i = 0; i < length; i++) out[i] = build(axis + 1, offset + i * stride);
      }
      return out;
    };
    return build(0, 0);
  }

  /** A numpy-like rendering with shape and dtype; long axes are elided with `…`. */
  toString(): string {
    return formatTensor(this);
  }
}

/** Resolves a `-1` in a requested shape and checks the size matches. */
export function inferShape(api: string, shape: Shape, size: number, from?: Shape): number[] {
  if (!Array.isArray(shape)) throw new RnnkitError(api, `expected a shape array, got ${describeValue(shape)}`);
  let unknown = -1;
  let known = 1;
  for (let axis = 0; axis < shape.length; axis++) {
    const d = shape[axis]!;
    if (d === -1) {
      if (unknown !== -1) throw new RnnkitError(api, `only one length may be -1, got ${formatShape(shape)}`);
      unknown = axis;
    } else if (!Number.isInteger(d) || d < 0) {
      throw new RnnkitError(api, `lengths must be non-negative integers or -1, got ${formatShape(shape)}`);
    } else {
      known *= d;
    }
  }
  const out = [...shape];
  const source = from ? `shape ${formatShape(from)} (${size} elements)` : `${size} elements`;
  if (unknown !== -1) {
    if (known === 0 || size % known !== 0) {
      throw new RnnkitError(api, `cannot reshape ${source} into ${formatShape(shape)}`);
    }
    out[unknown] = size / known;
  } else if (known !== size) {
    throw new RnnkitError(api, `cannot reshape ${source} into ${formatShape(shape)}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Creation
// ---------------------------------------------------------------------------------------

/** A tensor of zeros. */
export function zeros(shape: Shape, dtype: DType = 'float32'): Tensor {
  checkShape('zeros', shape);
  return new Tensor(allocate(checkDType('zeros', dtype), shapeSize(shape), shape, 'zeros'), shape);
}

/** A tensor of ones. */
export function ones(shape: Shape, dtype: DType = 'float32'): Tensor {
  return full(shape, 1, dtype);
}

/** A tensor with every element equal to `value`. */
export function full(shape: Shape, value: number, dtype: DType = 'float32'): Tensor {
  checkShape('full', shape);
  if (typeof value !== 'number') throw new RnnkitError('full', `value must be a number, got ${describeValue(value)}`);
  const data = allocate(checkDType('full', dtype), shapeSize(shape), shape, 'full');
  data.fill(value);
  return new Tensor(data, shape);
}

/** A zero tensor with the shape (and by default the dtype) of another. */
export function zerosLike(t: Tensor, dtype: DType = t.dtype): Tensor {
  return zeros(t.shape, dtype);
}

/** Deepest nesting {@link tensor} reads (numpy allows 64 axes too). */
const MAX_NESTING = 64;

/**
 * A tensor from nested arrays: `tensor([[1, 2], [3, 4]])` has shape `[2, 2]`.
 * Ragged nesting and non-numbers are errors that name the offending path.
 */
export function tensor(values: NestedArray | readonly NestedArray[], dtype: DType = 'float32'): Tensor {
  checkDType('tensor', dtype);
  const shape: number[] = [];
  let probe: unknown = values;
  while (Array.isArray(probe)) {
    // Bounded: deeper nesting (or an array that contains itself) would otherwise loop
    // forever here or overflow the stack in `walk` below.
    if (shape.length === MAX_NESTING) {
      throw new RnnkitError('tensor', `arrays nested deeper than ${MAX_NESTING} levels (at ${'[0]'.repeat(MAX_NESTING)}); is an array inside itself?`);
    }
    shape.push(probe.length);
    probe = probe[0];
  }
  const data = allocate(dtype, shapeSize(shape), shape, 'tensor');
  let k = 0;
  const walk = (value: unknown, axis: number, path: string): void => {
    if (axis === shape.length) {
      if (typeof value !== 'number') {
        throw new RnnkitError('tensor', `expected a number at ${path || 'the top'}, got ${describeValue(value)}`);
      }
      data[k++] = value;
      return;
    }
    if (!Array.isArray(value) || value.length !== shape[axis]) {
      const got = Array.isArray(value) ? `an array of length ${value.length}` : describeValue(value);
      throw new RnnkitError(
        'tensor',
        `ragged nesting: expected an array of length ${shape[axis]} at ${path || 'the top'}, got ${got}`,
      );
    }
    for (let i = 0; i < value.length; i++) walk(value[i], axis + 1, `${path}[${i}]`);
  };
  walk(values, 0, '');
  return new Tensor(data, shape);
}

/** A 0-d tensor holding one number. */
export function scalar(value: number, dtype: DType = 'float32'): Tensor {
  return full([], value, dtype);
}

/** Wraps a typed array (not copied) with a shape; the dtype follows the array type. */
export function fromTypedArray(data: TypedArray, shape?: Shape): Tensor {
  dtypeOf('fromTypedArray', data);
  return new Tensor(data, shape ?? [data.length]);
}

/**
 * Evenly spaced values in `[start, stop)`: `arange(5)` is `0 … 4`,
 * `arange(1, 2, 0.25)` is `1, 1.25, 1.5, 1.75`.
 */
export function arange(start: number, stop?: number, step = 1, dtype: DType = 'float32'): Tensor {
  if (stop === undefined) {
    stop = start;
    start = 0;
  }
  for (const [name, v] of [['start', start], ['stop', stop], ['step', step]] as const) {
    if (!Number.isFinite(v)) throw new RnnkitError('arange', `${name} must be a finite number, got ${v}`);
  }
  if (step === 0) throw new RnnkitError('arange', 'step must not be 0');
  const count = Math.max(0, Math.ceil((stop - start) / step));
  const data = allocate(checkDType('arange', dtype), count, [count], 'arange');
  for (let i = 0; i < count; i++) data[i] = start + i * step;
  return new Tensor(data, [count]);
}

/** `num` evenly spaced values from `start` to `stop`, both included. */
export function linspace(start: number, stop: number, num: number, dtype: DType = 'float32'): Tensor {
  if (!Number.isInteger(num) || num < 0) {
    throw new RnnkitError('linspace', `num must be a non-negative integer, got ${num}`);
  }
  const data = allocate(checkDType('linspace', dtype), num, [num], 'linspace');
  const step = num > 1 ? (stop - start) / (num - 1) : 0;
  for (let i = 0; i < num; i++) data[i] = start + i * step;
  if (num > 1) data[num - 1] = stop;
  return new Tensor(data, [num]);
}

// ---------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------

const EDGE = 3; // values shown at each end of a long axis
const LONG = 2 * EDGE + 1; // axes longer than this are elided

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e16) return `${v}.`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-4 || a >= 1e8)) return v.toExponential(4);
  return String(Number(v.toPrecision(6)));
}

function formatTensor(t: Tensor): string {
  const header = `Tensor(shape=${formatShape(t.shape)}, dtype=${t.dtype})`;
  if (t.shape.length === 0) return `${header}\n${formatNumber(t.data[0]!)}`;
  if (t.size === 0) return `${header}\n[]`;
  // Collect the visible numbers first so every column can share one width.
  const cells: string[] = [];
  const visit = (axis: number, offset: number): void => {
    const length = t.shape[axis]!;
    const indices = visibleIndices(length);
    for (const i of indices) {
      if (i < 0) continue;
      if (axis === t.shape.length - 1) cells.push(formatNumber(t.data[offset + i]!));
      else visit(axis + 1, offset + i * t.strides[axis]!);
    }
  };
  visit(0, 0);
  const width = Math.max(...cells.map((c) => c.length));
  let cell = 0;
  const render = (axis: number, offset: number, indent: string): string => {
    const length = t.shape[axis]!;
    const parts: string[] = [];
    for (const i of visibleIndices(length)) {
      if (i < 0) parts.push('…'.padStart(axis === t.shape.length - 1 ? width : 1));
      else if (axis === t.shape.length - 1) parts.push(cells[cell++]!.padStart(width));
      else parts.push(render(axis + 1, offset + i * t.strides[axis]!, indent + ' '));
    }
    if (axis === t.shape.length - 1) return `[${parts.join(', ')}]`;
    const gap = ',' + '\n'.repeat(t.shape.length - axis - 1) + indent + ' ';
    return `[${parts.join(gap)}]`;
  };
  return `${header}\n${render(0, 0, '')}`;
}

/** Indices shown for an axis of this length; `-1` marks the elision. */
function visibleIndices(length: number): number[] {
  if (length <= LONG) return Array.from({ length }, (_, i) => i);
  const head = Array.from({ length: EDGE }, (_, i) => i);
  const tail = Array.from({ length: EDGE }, (_, i) => length - EDGE + i);
  return [...head, -1, ...tail];
}
