// Turning one long series into supervised samples (window → what follows), and splitting
// samples into training and test sets without looking into the future.
import { type DType, RnnkitError, Tensor, type TypedArray, allocate, describeValue, formatShape } from '@rnnkit/tensor';
import { checkOptions, dtypeOption, integerOption, numberOption } from './options.js';
import { type SeriesInput, readSeries } from './series.js';

/** Options of {@link slidingWindows}. */
export interface SlidingWindowsOptions {
  /** Time steps per input window. */
  window: number;
  /**
   * Time steps to predict after each window.
   * @defaultValue 1
   */
  horizon?: number;
  /**
   * Steps between the starts of consecutive windows.
   * @defaultValue 1
   */
  stride?: number;
  /**
   * Features (column indices) that make up the targets; the inputs always hold every feature.
   * @defaultValue every feature
   */
  targetFeatures?: readonly number[];
  /**
   * Element type of the result.
   * @defaultValue the series' own (a tensor's or typed array's dtype), else 'float32'
   */
  dtype?: DType;
}

/** Supervised samples cut from a series. */
export interface Windows {
  /** `[count, window, features]`: sample k is steps `k·stride … k·stride + window − 1`. */
  readonly inputs: Tensor;
  /**
   * `[count, horizon · targetFeatures]`: the steps `k·stride + window … + horizon − 1` that
   * follow window k, step-major (all target features of the first step, then the next).
   * This is what a `Dense(horizon · targetFeatures)` head on the last LSTM state predicts;
   * `targets.reshape([count, horizon, targetFeatures])` gives the 3-D view.
   */
  readonly targets: Tensor;
}

/**
 * Cuts a series into windows of `window` steps, each paired with the `horizon` steps that
 * follow it. There are `floor((n − window − horizon) / stride) + 1` windows — with the
 * default stride of 1, `n − window − horizon + 1`.
 *
 * @example
 * ```ts
 * const { inputs, targets } = slidingWindows(noisySine(), { window: 25 });
 * inputs.shape;  // [75, 25, 1]  (experiment 5)
 * targets.shape; // [75, 1]
 * ```
 */
export function slidingWindows(series: SeriesInput, options: SlidingWindowsOptions): Windows {
  const api = 'slidingWindows';
  const o = checkOptions(api, options, ['window', 'horizon', 'stride', 'targetFeatures', 'dtype']);
  const s = readSeries(api, series);
  const window = integerOption(api, 'window', o.window, undefined, 1);
  const horizon = integerOption(api, 'horizon', o.horizon, 1, 1);
  const stride = integerOption(api, 'stride', o.stride, 1, 1);
  const dtype = dtypeOption(api, o.dtype, s.dtype);
  const targetFeatures = targetFeaturesOption(api, o.targetFeatures, s.features);
  const n = s.length;
  const f = s.features;
  if (n < window + horizon) {
    throw new RnnkitError(
      api,
      `a series of ${n} steps is too short for window ${window} and horizon ${horizon} (needs at least ${window + horizon})`,
    );
  }
  const count = Math.floor((n - window - horizon) / stride) + 1;
  const tf = targetFeatures.length;
  const inputs = allocate(dtype, count * window * f, [count, window, f], api);
  const targets = allocate(dtype, count * horizon * tf, [count, horizon * tf], api);
  const src = s.data;
  const allTargets = tf === f && targetFeatures.every((c, j) => c === j);
  for (let k = 0; k < count; k++) {
    const start = k * stride;
    copy(src, start * f, inputs, k * window * f, window * f);
    const next = (start + window) * f;
    if (allTargets) {
      copy(src, next, targets, k * horizon * f, horizon * f);
    } else {
      let out = k * horizon * tf;
      for (let h = 0; h < horizon; h++) {
        for (let j = 0; j < tf; j++) targets[out++] = src[next + h * f + targetFeatures[j]!]!;
      }
    }
  }
  return {
    inputs: new Tensor(inputs, [count, window, f]),
    targets: new Tensor(targets, [count, horizon * tf]),
  };
}

function copy(src: TypedArray | readonly number[], from: number, dst: TypedArray, to: number, length: number): void {
  if (ArrayBuffer.isView(src)) {
    dst.set((src as TypedArray).subarray(from, from + length), to);
  } else {
    for (let i = 0; i < length; i++) dst[to + i] = src[from + i]!;
  }
}

function targetFeaturesOption(api: string, value: unknown, features: number): readonly number[] {
  if (value === undefined) return Array.from({ length: features }, (_, j) => j);
  if (!Array.isArray(value) || value.length === 0 || !value.every((j) => Number.isInteger(j) && j >= 0 && j < features)) {
    throw new RnnkitError(
      api,
      `option "targetFeatures" must be a non-empty array of feature indices in [0, ${features}), got ${Array.isArray(value) ? `[${value.join(', ')}]` : describeValue(value)}`,
    );
  }
  return value as number[];
}

/** Options of {@link turbineWindows}. */
export interface TurbineWindowsOptions {
  /**
   * How many leading values of the series to use.
   * @defaultValue 10
   */
  first?: number;
  /**
   * Values per window; each window predicts the value after it.
   * @defaultValue 4
   */
  window?: number;
  /**
   * Element type of the result.
   * @defaultValue the series' own, else 'float32'
   */
  dtype?: DType;
}

/**
 * Experiment 1's layout: the first `first` values cut into windows of `window` that predict
 * the next value, laid out as ONE sequence whose time steps are the windows — inputs
 * `[1, first − window, window · features]`, targets `[1, first − window, features]`. With
 * the defaults, 10 values give the 6 (x, y) pairs fed to the LSTM as 6 time steps.
 */
export function turbineWindows(series: SeriesInput, options?: TurbineWindowsOptions): Windows {
  const api = 'turbineWindows';
  const o = checkOptions(api, options, ['first', 'window', 'dtype']);
  const s = readSeries(api, series);
  const window = integerOption(api, 'window', o.window, 4, 1);
  const first = integerOption(api, 'first', o.first, 10, window + 1);
  if (s.length < first) throw new RnnkitError(api, `the series has ${s.length} steps, fewer than first ${first}`);
  const head = allocate(dtypeOption(api, o.dtype, s.dtype), first * s.features, [first, s.features], api);
  for (let i = 0; i < head.length; i++) head[i] = s.data[i]!;
  const w = slidingWindows(new Tensor(head, [first, s.features]), { window });
  const count = w.inputs.shape[0]!;
  // Window k is contiguous (window × features values), so it is one time step's feature vector.
  return {
    inputs: w.inputs.reshape([1, count, window * s.features]),
    targets: w.targets.reshape([1, count, s.features]),
  };
}

/** Options of {@link trainTestSplit}; give at most one of the two. */
export interface TrainTestSplitOptions {
  /**
   * Share of the samples (in (0, 1)) that goes to training, rounded to the nearest count.
   * @defaultValue 0.8
   */
  trainFraction?: number;
  /**
   * Exact number of training samples (in [0, n]); overrides the fraction.
   * @defaultValue none
   */
  trainCount?: number;
}

/** The two halves of {@link trainTestSplit}. */
export interface TrainTestSplit<T> {
  /** The first samples, in their original order. */
  readonly train: T;
  /** The samples after them, in their original order. */
  readonly test: T;
}

/** Anything {@link trainTestSplit} can split along its first axis. */
export type Splittable = Tensor | Float32Array | Float64Array | readonly unknown[] | { readonly [name: string]: Tensor };

/**
 * Splits samples along the first axis into the first `trainCount` (training) and the rest
 * (test), never shuffling, so a model is never trained on the future of its test data.
 * Works on a tensor, a typed array, a plain array, or a record of tensors that share their
 * first length (such as `{ inputs, targets }` from {@link slidingWindows}).
 */
export function trainTestSplit(data: Tensor, options?: TrainTestSplitOptions): TrainTestSplit<Tensor>;
export function trainTestSplit<A extends Float32Array | Float64Array>(data: A, options?: TrainTestSplitOptions): TrainTestSplit<A>;
export function trainTestSplit<T>(data: readonly T[], options?: TrainTestSplitOptions): TrainTestSplit<T[]>;
export function trainTestSplit<R extends { readonly [K in keyof R]: Tensor }>(data: R, options?: TrainTestSplitOptions): TrainTestSplit<R>;
export function trainTestSplit(data: Splittable, options?: TrainTestSplitOptions): TrainTestSplit<unknown> {
  const api = 'trainTestSplit';
  const o = checkOptions(api, options, ['trainFraction', 'trainCount']);
  if (o.trainFraction !== undefined && o.trainCount !== undefined) {
    throw new RnnkitError(api, 'give either "trainFraction" or "trainCount", not both');
  }
  if (data instanceof Tensor) {
    const n = leadingLength(api, data, 'the tensor');
    return splitTensor(data, trainCountOf(api, o, n));
  }
  if (data instanceof Float32Array || data instanceof Float64Array) {
    const k = trainCountOf(api, o, data.length);
    return { train: data.slice(0, k), test: data.slice(k) };
  }
  if (Array.isArray(data)) {
    const k = trainCountOf(api, o, data.length);
    return { train: data.slice(0, k), test: data.slice(k) };
  }
  if (data !== null && typeof data === 'object') {
    const entries = Object.entries(data as Record<string, unknown>) as [string, Tensor][];
    if (entries.length === 0 || !entries.every(([, t]) => t instanceof Tensor)) {
      throw new RnnkitError(api, 'expected a tensor, an array or a non-empty record of tensors');
    }
    const lengths = entries.map(([name, t]) => leadingLength(api, t, `"${name}"`));
    const n = lengths[0]!;
    const other = lengths.findIndex((l) => l !== n);
    if (other !== -1) {
      throw new RnnkitError(
        api,
        `every tensor must have the same first length: "${entries[0]![0]}" has ${n}, "${entries[other]![0]}" has ${lengths[other]}`,
      );
    }
    const k = trainCountOf(api, o, n);
    const train: Record<string, Tensor> = {};
    const test: Record<string, Tensor> = {};
    for (const [name, t] of entries) {
      const parts = splitTensor(t, k);
      train[name] = parts.train;
      test[name] = parts.test;
    }
    return { train, test };
  }
  throw new RnnkitError(api, `expected a tensor, an array or a record of tensors, got ${describeValue(data)}`);
}

function leadingLength(api: string, t: Tensor, name: string): number {
  if (t.rank === 0) throw new RnnkitError(api, `${name} is a scalar (shape ${formatShape(t.shape)}); expected a first axis to split`);
  return t.shape[0]!;
}

function trainCountOf(api: string, o: TrainTestSplitOptions, n: number): number {
  if (o.trainCount !== undefined) return integerOption(api, 'trainCount', o.trainCount, undefined, 0, n);
  const fraction = numberOption(api, 'trainFraction', o.trainFraction, 0.8);
  if (fraction <= 0 || fraction >= 1) {
    throw new RnnkitError(api, `option "trainFraction" must be in (0, 1), got ${fraction}`);
  }
  return Math.round(fraction * n);
}

function splitTensor(t: Tensor, k: number): TrainTestSplit<Tensor> {
  const row = t.shape[0] === 0 ? 0 : t.size / t.shape[0]!;
  const rest = t.shape.slice(1);
  return {
    train: new Tensor(t.data.slice(0, k * row), [k, ...rest]),
    test: new Tensor(t.data.slice(k * row), [t.shape[0]! - k, ...rest]),
  };
}
