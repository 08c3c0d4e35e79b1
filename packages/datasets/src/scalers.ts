// Per-feature scalers. Both are affine maps y = (x − center)·scale + offset, so one transform
// and one inverse serve both; fitting is a separate call on the training data alone, so test
// statistics never leak into training.
import { RnnkitError, Tensor, describeValue, formatShape } from '@rnnkit/tensor';
import { checkOptions } from './options.js';

/** Parameters of a fitted min-max scaler (plain data: `JSON.stringify` it to save it). */
export interface MinMaxScalerParams {
  readonly kind: 'min-max';
  /** The interval the training minimum and maximum map to. */
  readonly featureRange: readonly [number, number];
  /** Training minimum of each feature. */
  readonly min: readonly number[];
  /** Training maximum of each feature. */
  readonly max: readonly number[];
}

/** Parameters of a fitted z-score scaler (plain data). */
export interface ZScoreScalerParams {
  readonly kind: 'z-score';
  /** Training mean of each feature. */
  readonly mean: readonly number[];
  /** Training (population) standard deviation of each feature. */
  readonly std: readonly number[];
}

/** Parameters of any fitted scaler. */
export type ScalerParams = MinMaxScalerParams | ZScoreScalerParams;

/**
 * Data a scaler accepts. Features run along the last axis of a tensor; a typed array or
 * `number[]` is a flat row-major list (its length a multiple of the feature count). A scaler
 * of one feature accepts any shape, so one fitted on a series also scales its windows.
 */
export type Scalable = Tensor | Float32Array | Float64Array | readonly number[];

/** The type a scaler returns for an input type (the same kind and dtype). */
export type Scaled<T extends Scalable> = T extends Tensor
  ? Tensor
  : T extends Float32Array
    ? Float32Array
    : T extends Float64Array
      ? Float64Array
      : number[];

/** A fitted scaler. */
export interface Scaler {
  /** What was fitted, as plain data; {@link scalerFromParams} rebuilds the scaler. */
  readonly params: ScalerParams;
  /** Number of features. */
  readonly features: number;
  /** Scales data (a new array or tensor; NaN stays NaN). */
  transform<T extends Scalable>(data: T): Scaled<T>;
  /** Undoes {@link Scaler.transform}: scaled predictions back to the original units. */
  inverseTransform<T extends Scalable>(data: T): Scaled<T>;
}

/** Options of {@link fitMinMaxScaler}. */
export interface MinMaxScalerOptions {
  /**
   * Interval the training minimum and maximum are mapped to.
   * @defaultValue [0, 1]
   */
  featureRange?: readonly [number, number];
}

/**
 * Fits a min-max scaler on training data: feature j maps `[min_j, max_j]` onto
 * `featureRange`. A feature that is constant in training data is only shifted (scale 1).
 * NaN values are ignored when fitting.
 */
export function fitMinMaxScaler(train: Scalable, options?: MinMaxScalerOptions): Scaler {
  const api = 'fitMinMaxScaler';
  const o = checkOptions(api, options, ['featureRange']);
  const stats = featureStats(api, train);
  // buildScaler checks featureRange (two finite numbers, low < high).
  return buildScaler(api, { kind: 'min-max', featureRange: o.featureRange ?? [0, 1], min: stats.min, max: stats.max });
}

/**
 * Fits a z-score scaler on training data: feature j maps to `(x − mean_j) / std_j`, with the
 * population standard deviation. A feature that is constant in training data is only
 * centred (std treated as 1). NaN values are ignored when fitting.
 */
export function fitZScoreScaler(train: Scalable): Scaler {
  const api = 'fitZScoreScaler';
  const stats = featureStats(api, train);
  return buildScaler(api, { kind: 'z-score', mean: stats.mean, std: stats.std });
}

/** Rebuilds a scaler from its saved {@link ScalerParams}. */
export function scalerFromParams(params: ScalerParams): Scaler {
  return buildScaler('scalerFromParams', params);
}

function buildScaler(api: string, params: ScalerParams): Scaler {
  const { center, scale, offset, copy } = affineOf(api, params);
  const features = center.length;
  const apply = (name: string, data: Scalable, inverse: boolean): Scalable => {
    const values = readScalable(name, data, features);
    const out = values.output;
    const src = values.input;
    for (let i = 0; i < src.length; i++) {
      const j = features === 1 ? 0 : i % features;
      const x = src[i]!;
      out[i] = inverse ? (x - offset[j]!) / scale[j]! + center[j]! : (x - center[j]!) * scale[j]! + offset[j]!;
    }
    return values.wrap();
  };
  return {
    params: copy,
    features,
    transform: <T extends Scalable>(data: T) => apply('Scaler.transform', data, false) as Scaled<T>,
    inverseTransform: <T extends Scalable>(data: T) => apply('Scaler.inverseTransform', data, true) as Scaled<T>,
  };
}

function finiteOr1(scale: number): number {
  return Number.isFinite(scale) ? scale : 1;
}

interface Affine {
  center: Float64Array;
  scale: Float64Array;
  offset: Float64Array;
  /** A defensive copy of the params, so later edits of the caller's arrays change nothing. */
  copy: ScalerParams;
}

function affineOf(api: string, params: ScalerParams): Affine {
  const numbers = (name: string, value: unknown): number[] => {
    if (!Array.isArray(value) || value.length === 0 || !value.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      throw new RnnkitError(api, `params.${name} must be a non-empty array of finite numbers, got ${describeValue(value)}`);
    }
    return [...(value as number[])];
  };
  const sameLength = (a: string, x: number[], b: string, y: number[]): void => {
    if (x.length !== y.length) throw new RnnkitError(api, `params.${a} has ${x.length} features, params.${b} has ${y.length}`);
  };
  const kind = (params as { kind?: unknown } | null)?.kind;
  if (kind === 'min-max') {
    const p = params as MinMaxScalerParams;
    const min = numbers('min', p.min);
    const max = numbers('max', p.max);
    sameLength('min', min, 'max', max);
    const range = numbers('featureRange', p.featureRange);
    const [low, high] = range as [number, number];
    if (range.length !== 2 || !(low < high)) {
      throw new RnnkitError(api, `params.featureRange must be [low, high] with low < high, got [${range.join(', ')}]`);
    }
    const bad = min.findIndex((m, j) => m > max[j]!);
    if (bad !== -1) throw new RnnkitError(api, `feature ${bad} has min ${min[bad]} above max ${max[bad]}`);
    const center = Float64Array.from(min);
    // A constant feature (or one so nearly constant that its scale overflows) is only shifted.
    const scale = Float64Array.from(min, (m, j) => finiteOr1((high - low) / (max[j]! - m)));
    const offset = new Float64Array(min.length).fill(low);
    return { center, scale, offset, copy: { kind, featureRange: [low, high], min, max } };
  }
  if (kind === 'z-score') {
    const p = params as ZScoreScalerParams;
    const mean = numbers('mean', p.mean);
    const std = numbers('std', p.std);
    sameLength('mean', mean, 'std', std);
    const bad = std.findIndex((s) => s < 0);
    if (bad !== -1) throw new RnnkitError(api, `feature ${bad} has a negative std ${std[bad]}`);
    const scale = Float64Array.from(std, (s) => finiteOr1(1 / s));
    return { center: Float64Array.from(mean), scale, offset: new Float64Array(mean.length), copy: { kind, mean, std } };
  }
  throw new RnnkitError(api, `params.kind must be "min-max" or "z-score", got ${describeValue(kind)}`);
}

/** Per-feature statistics of training data, ignoring NaN. */
function featureStats(api: string, train: Scalable): { min: number[]; max: number[]; mean: number[]; std: number[] } {
  const features = train instanceof Tensor && train.rank >= 2 ? train.shape[train.rank - 1]! : 1;
  const { input } = readScalable(api, train, features);
  if (features === 0) throw new RnnkitError(api, 'the training data has no features (last axis of length 0)');
  const count = new Float64Array(features);
  const sum = new Float64Array(features);
  const min = new Array<number>(features).fill(Infinity);
  const max = new Array<number>(features).fill(-Infinity);
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    if (Number.isNaN(x)) continue;
    const j = i % features;
    if (!Number.isFinite(x)) throw new RnnkitError(api, `feature ${j} contains an infinite value at flat index ${i}`);
    count[j]!++;
    sum[j]! += x;
    if (x < min[j]!) min[j] = x;
    if (x > max[j]!) max[j] = x;
  }
  const empty = count.findIndex((c) => c === 0);
  if (empty !== -1) throw new RnnkitError(api, `feature ${empty} has no value to fit on (empty or all NaN)`);
  const mean = Array.from(sum, (s, j) => s / count[j]!);
  // Second pass for the variance: Σ(x − mean)² is far more accurate than Σx² − n·mean².
  const squares = new Float64Array(features);
  for (let i = 0; i < input.length; i++) {
    const x = input[i]!;
    if (Number.isNaN(x)) continue;
    const j = i % features;
    squares[j]! += (x - mean[j]!) ** 2;
  }
  const std = Array.from(squares, (s, j) => Math.sqrt(s / count[j]!));
  return { min, max, mean, std };
}

interface ScalableValues {
  input: ArrayLike<number>;
  output: { [i: number]: number; length: number };
  wrap: () => Scalable;
}

function readScalable(api: string, data: Scalable, features: number): ScalableValues {
  if (data instanceof Tensor) {
    if (features !== 1 && (data.rank === 0 || data.shape[data.rank - 1] !== features)) {
      throw new RnnkitError(api, `expected a tensor whose last axis has ${features} features, got shape ${formatShape(data.shape)}`);
    }
    const out = data.dtype === 'float64' ? new Float64Array(data.size) : new Float32Array(data.size);
    return { input: data.data, output: out, wrap: () => new Tensor(out, data.shape) };
  }
  let input: ArrayLike<number>;
  let output: Float32Array | Float64Array | number[];
  if (data instanceof Float32Array) {
    input = data;
    output = new Float32Array(data.length);
  } else if (data instanceof Float64Array) {
    input = data;
    output = new Float64Array(data.length);
  } else if (Array.isArray(data)) {
    const bad = data.findIndex((v) => typeof v !== 'number');
    if (bad !== -1) throw new RnnkitError(api, `expected numbers, got ${describeValue(data[bad])} at index ${bad}`);
    input = data;
    output = new Array<number>(data.length);
  } else {
    throw new RnnkitError(api, `expected a tensor, a Float32Array/Float64Array or number[], got ${describeValue(data)}`);
  }
  if (input.length % features !== 0) {
    throw new RnnkitError(api, `expected rows of ${features} features, got ${input.length} values (not a multiple of ${features})`);
  }
  return { input, output, wrap: () => output };
}
