// Helpers shared by the layers: option validation, weight checks and the few raw-array
// loops (layout changes, bias rows) that surround the matrix products.
import {
  type DType,
  type Random,
  type Shape,
  type TypedArray,
  Param,
  RnnkitError,
  Tensor,
  allocate,
  describeValue,
  formatShape,
  type Initializer,
  type InitializerConfig,
  type InitializerSpec,
  getInitializer,
  initializerConfig,
  sameShape,
} from '@rnnkit/tensor';
import type { SymbolicShape } from './layer.js';

// The option check and value description every package shares, re-exported for the layers.
export { checkOptionKeys, describeValue } from '@rnnkit/tensor';

export function positiveInteger(api: string, option: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new RnnkitError(api, `${option} must be a positive integer, got ${describeValue(value)}`);
  }
  return value;
}

export function booleanOption(api: string, option: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new RnnkitError(api, `${option} must be true or false, got ${describeValue(value)}`);
  return value;
}

export function oneOf<T extends string>(api: string, option: string, value: unknown, choices: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value === 'string' && (choices as readonly string[]).includes(value)) return value as T;
  throw new RnnkitError(
    api,
    `${option} must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describeValue(value)}`,
  );
}

export function dtypeOption(api: string, value: unknown): DType {
  return oneOf<DType>(api, 'dtype', value, ['float32', 'float64'], 'float32');
}

export function nameOption(api: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value === '') {
    throw new RnnkitError(api, `name must be a non-empty string, got ${describeValue(value)}`);
  }
  return value;
}

/** What a layer records for an initialiser option: a name or a `{ name, options }` config. */
export type InitializerConfigValue = string | InitializerConfig;

/** A resolved initialiser option: the function, and its config (null for a user's own function). */
export interface ResolvedInitializer {
  readonly fn: Initializer;
  readonly config: InitializerConfigValue | null;
}

/**
 * An initialiser option: anything `getInitializer` of `@rnnkit/tensor` resolves (a name,
 * a `{ name, options }` config or a function). Keeps what a config can record: the name or
 * config as given, the config of a built-in factory's function, or null for a user's own
 * function (which no saved file can name).
 */
export function initializerOption(api: string, option: string, value: unknown, fallback: string): ResolvedInitializer {
  const spec = (value ?? fallback) as InitializerSpec;
  let fn: Initializer;
  try {
    fn = getInitializer(spec);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RnnkitError(api, `${option}: ${reason}`, { cause: error });
  }
  if (typeof spec === 'string') return { fn, config: spec };
  try {
    // A `{ name, options }` config or a built-in factory's function: its canonical config.
    return { fn, config: initializerConfig(fn) };
  } catch {
    return { fn, config: null };
  }
}

/** The config of an initialiser option, or an error for a user's own function. */
export function initializerConfigOf(api: string, option: string, init: ResolvedInitializer): InitializerConfigValue {
  if (init.config === null) {
    throw new RnnkitError(
      api,
      `${option} is a custom function, which a config cannot record; pass a name or a built-in ` +
        `initialiser (e.g. glorotNormal({ truncated: false })) to make the layer serialisable`,
    );
  }
  return init.config;
}

/** Creates a parameter from an initialiser, checking what the initialiser returned. */
export function initParam(
  api: string,
  name: string,
  init: Initializer,
  shape: Shape,
  random: Random,
  dtype: DType,
  initialize = true,
): Param {
  if (!initialize) return new Param(name, new Tensor(allocate(dtype, shape.reduce((a, b) => a * b, 1)), shape));
  const value = init(shape, random, dtype);
  if (value === null || typeof value !== 'object' || !sameShape(value.shape, shape) || value.dtype !== dtype) {
    const got = value && typeof value === 'object' ? `${formatShape(value.shape)} ${value.dtype}` : describeValue(value);
    throw new RnnkitError(api, `the initialiser of ${name} must return a ${formatShape(shape)} ${dtype} tensor, got ${got}`);
  }
  return new Param(name, value);
}

/** Throws unless the weights match the parameters in number, shape and (any) dtype. */
export function setParamValues(api: string, params: readonly Param[], weights: readonly Tensor[]): void {
  if (!Array.isArray(weights) || weights.length !== params.length) {
    throw new RnnkitError(
      api,
      `setWeights expected ${params.length} tensors (${params.map((p) => p.name).join(', ')}), ` +
        `got ${Array.isArray(weights) ? weights.length : describeValue(weights)}`,
    );
  }
  // Check everything before writing anything, so a mistake leaves the layer unchanged.
  params.forEach((p, i) => {
    const w = weights[i];
    if (w === undefined || w === null || typeof w !== 'object' || !Array.isArray(w.shape)) {
      throw new RnnkitError(api, `setWeights: weight ${i} (${p.name}) must be a Tensor, got ${describeValue(w)}`);
    }
    if (!sameShape(w.shape, p.value.shape)) {
      throw new RnnkitError(
        api,
        `setWeights: ${p.name} must have shape ${formatShape(p.value.shape)}, got ${formatShape(w.shape)}`,
      );
    }
  });
  params.forEach((p, i) => p.value.data.set(weights[i]!.data));
}

/** Throws unless `dy`, the gradient a layer's backward is given, is a Tensor of the output's shape `expected`. */
export function checkOutputGradient(api: string, dy: unknown, expected: readonly number[]): asserts dy is Tensor {
  if (!(dy instanceof Tensor) || !sameShape(dy.shape, expected)) {
    throw new RnnkitError(api, `expected an output gradient of shape ${formatShape(expected)}, got ${dy instanceof Tensor ? formatShape(dy.shape) : describeValue(dy)}`);
  }
}

/** Formats a symbolic shape, `null` printed as `batch`-style placeholders by the caller. */
export function formatSymbolic(shape: SymbolicShape): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

export function checkSymbolicShape(api: string, shape: unknown): SymbolicShape {
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d >= 0))) {
    throw new RnnkitError(api, `expected a shape of non-negative integers or null, got ${describeValue(shape)}`);
  }
  return shape as SymbolicShape;
}

/**
 * Copies `[outer, inner, width]` storage into `[inner, outer, width]` order: batch-major
 * `[batch, time, f]` to time-major `[time, batch, f]` and back (the same loop both ways).
 */
export function swapLeadingAxes(
  source: TypedArray,
  outer: number,
  inner: number,
  width: number,
  target: TypedArray,
): void {
  if (outer === 1 || inner === 1) {
    // The two orders coincide (a batch of one, or one step): one block copy.
    const length = outer * inner * width;
    target.set(source.length === length ? source : source.subarray(0, length));
    return;
  }
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const from = (o * inner + i) * width;
      const to = (i * outer + o) * width;
      for (let k = 0; k < width; k++) target[to + k] = source[from + k]!;
    }
  }
}

/**
 * Zero-filled buffers of the given lengths, carved from one allocation. Allocating a typed
 * array costs about a microsecond whatever its size, and a recurrent layer's pass over a
 * batch of one needs several small buffers, so this matters for batches of one; views
 * into one block cost a few nanoseconds. For internal buffers only: a tensor handed to the
 * caller keeps storage of its own.
 */
export function allocateBlocks(dtype: DType, lengths: readonly number[]): TypedArray[] {
  let total = 0;
  for (let i = 0; i < lengths.length; i++) total += lengths[i]!;
  const block = dtype === 'float64' ? new Float64Array(total) : new Float32Array(total);
  const views: TypedArray[] = [];
  let offset = 0;
  for (let i = 0; i < lengths.length; i++) {
    views.push(block.subarray(offset, offset + lengths[i]!));
    offset += lengths[i]!;
  }
  return views;
}

/** Adds `bias[biasOffset … biasOffset + width)` to each of `rows` rows of `target`. */
export function addBiasRows(
  target: TypedArray,
  offset: number,
  rows: number,
  width: number,
  bias: TypedArray,
  biasOffset: number,
): void {
  for (let r = 0; r < rows; r++) {
    const row = offset + r * width;
    for (let k = 0; k < width; k++) target[row + k]! += bias[biasOffset + k]!;
  }
}

/** Adds the column sums of a `[rows, width]` block into `out[outOffset …]` (bias gradients). */
export function addColumnSums(
  source: TypedArray,
  offset: number,
  rows: number,
  width: number,
  out: TypedArray,
  outOffset: number,
): void {
  for (let r = 0; r < rows; r++) {
    const row = offset + r * width;
    for (let k = 0; k < width; k++) out[outOffset + k]! += source[row + k]!;
  }
}

/**
 * A view of a layer's parameter under a name prefixed by its container's name for the layer
 * (a model's, or Bidirectional's `forward_lstm`). Value and gradient are the
 * layer's own tensors (inherited through the prototype), and `trainable` reads and writes
 * the layer's flag, so optimizers and the layer always agree.
 */
export function prefixedParam(prefix: string, param: Param): Param {
  return Object.create(param, {
    name: { value: `${prefix}/${param.name}`, enumerable: true },
    trainable: {
      get: () => param.trainable,
      set: (value: boolean) => {
        param.trainable = value;
      },
      enumerable: true,
    },
  }) as Param;
}

/** A weightless layer's `setWeights`: only an empty list is accepted. */
export function checkNoWeights(api: string, weights: unknown): void {
  if (!Array.isArray(weights) || weights.length !== 0) {
    throw new RnnkitError(api, `setWeights expected 0 tensors (the layer has no weights), got ${Array.isArray(weights) ? weights.length : describeValue(weights)}`);
  }
}
