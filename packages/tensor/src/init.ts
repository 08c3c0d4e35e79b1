// The built-in initialiser factories but orthogonal (orthogonal.ts): constants, uniform and
// (truncated) normal draws, and Keras' variance scaling with its Glorot and He presets; and
// computeFans, how Keras counts the units a weight connects.
import { RnnkitError } from './errors.js';
import { type Initializer, type InitializerName, checkOptions, define, finiteNumber, flag, nonNegative } from './init-define.js';
import { describeValue } from './options.js';
import type { Random } from './random.js';
import { type Shape, checkShape, shapeSize } from './shape.js';

/** Options of {@link initializers}.constant. */
export interface ConstantOptions {
  /** The value of every element. @defaultValue 0 */
  readonly value?: number;
}

/** Options of {@link randomUniform}. */
export interface RandomUniformOptions {
  /** Lower bound (included). @defaultValue -0.05 (Keras) */
  readonly low?: number;
  /** Upper bound (excluded). @defaultValue 0.05 (Keras) */
  readonly high?: number;
}

/** Options of {@link randomNormal} and {@link truncatedNormal}. */
export interface RandomNormalOptions {
  /** Mean of the distribution. @defaultValue 0 */
  readonly mean?: number;
  /** Standard deviation of the (untruncated) distribution. @defaultValue 0.05 (Keras) */
  readonly std?: number;
}

/** How {@link varianceScaling} counts the units a weight connects. */
export type FanMode = 'fanIn' | 'fanOut' | 'fanAvg';

/** The distribution {@link varianceScaling} draws from. */
export type VarianceScalingDistribution = 'truncatedNormal' | 'untruncatedNormal' | 'uniform';

/** Options of {@link varianceScaling}. */
export interface VarianceScalingOptions {
  /** Target variance times the fan: Var = scale / n. @defaultValue 1 */
  readonly scale?: number;
  /** Which fan is n: fan-in, fan-out, or their mean. @defaultValue 'fanIn' */
  readonly mode?: FanMode;
  /** Distribution with that variance. @defaultValue 'truncatedNormal' */
  readonly distribution?: VarianceScalingDistribution;
}

/** Options of {@link glorotNormal} and {@link heNormal}. */
export interface ScaledNormalOptions {
  /**
   * True: Keras' truncated normal, its std divided by 0.8796… so the truncated distribution
   * keeps the target variance. False: a plain normal with the target std, e.g.
   * σ = √(2/(fanIn + fanOut)) for Glorot as in experiment 5.
   * @defaultValue true
   */
  readonly truncated?: boolean;
}

/**
 * Fan-in and fan-out of a weight shape, as Keras counts them: `[in, out]` for a matrix;
 * for higher ranks the leading axes form a receptive field that multiplies both
 * (`[..., in, out]`); a vector has fan-in = fan-out = its length, a scalar 1.
 */
export function computeFans(shape: Shape): { fanIn: number; fanOut: number } {
  checkShape('computeFans', shape);
  const rank = shape.length;
  if (rank === 0) return { fanIn: 1, fanOut: 1 };
  if (rank === 1) return { fanIn: shape[0]!, fanOut: shape[0]! };
  const receptiveField = shapeSize(shape.slice(0, -2));
  return { fanIn: shape[rank - 2]! * receptiveField, fanOut: shape[rank - 1]! * receptiveField };
}

/**
 * A standard normal deviate redrawn until it lies within two standard deviations, as
 * Keras' `TruncatedNormal` does ("values more than two standard deviations from the mean
 * are discarded and re-drawn").
 */
function truncatedStandardNormal(random: Random): number {
  let z = random.normal();
  while (Math.abs(z) > 2) z = random.normal();
  return z;
}

/**
 * Standard deviation of a standard normal truncated to [−2, 2]. Dividing by it makes the
 * truncated draw have the intended variance (Keras' VarianceScaling constant).
 */
const TRUNCATED_STD = 0.8796256610342398;

// ---------------------------------------------------------------------------------------
// Factories
// ---------------------------------------------------------------------------------------

/** `initializers.zeros()`: every element 0. */
export function zerosFactory(options?: Record<string, never>): Initializer {
  checkOptions('zeros', options, []);
  return define('zeros', {}, () => {});
}

/** `initializers.ones()`: every element 1. */
export function onesFactory(options?: Record<string, never>): Initializer {
  checkOptions('ones', options, []);
  return define('ones', {}, (out) => out.fill(1));
}

/** `initializers.constant({ value })`: every element `value` (default 0). */
export function constantFactory(options?: ConstantOptions): Initializer {
  const o = checkOptions('constant', options, ['value']);
  const value = finiteNumber('constant', 'value', o.value, 0);
  return define('constant', { value }, (out) => out.fill(value));
}

/** Uniform values in `[low, high)` (Keras `RandomUniform`; defaults ±0.05). */
export function randomUniform(options?: RandomUniformOptions): Initializer {
  const o = checkOptions('randomUniform', options, ['low', 'high']);
  const low = finiteNumber('randomUniform', 'low', o.low, -0.05);
  const high = finiteNumber('randomUniform', 'high', o.high, 0.05);
  if (!(low <= high)) throw new RnnkitError('randomUniform', `expected low ≤ high, got low ${low}, high ${high}`);
  return define('randomUniform', { low, high }, (out, _shape, random) => random.fillUniform(out, low, high));
}

/** Normal values (Keras `RandomNormal`; defaults mean 0, std 0.05). */
export function randomNormal(options?: RandomNormalOptions): Initializer {
  const o = checkOptions('randomNormal', options, ['mean', 'std']);
  const mean = finiteNumber('randomNormal', 'mean', o.mean, 0);
  const std = nonNegative('randomNormal', 'std', o.std, 0.05);
  return define('randomNormal', { mean, std }, (out, _shape, random) => random.fillNormal(out, mean, std));
}

/**
 * Normal values redrawn when further than two standard deviations from the mean
 * (Keras `TruncatedNormal`; defaults mean 0, std 0.05). `std` is that of the normal before
 * truncation, so the values have a somewhat smaller spread (about 0.88·std).
 */
export function truncatedNormal(options?: RandomNormalOptions): Initializer {
  const o = checkOptions('truncatedNormal', options, ['mean', 'std']);
  const mean = finiteNumber('truncatedNormal', 'mean', o.mean, 0);
  const std = nonNegative('truncatedNormal', 'std', o.std, 0.05);
  return define('truncatedNormal', { mean, std }, (out, _shape, random) => {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * truncatedStandardNormal(random);
  });
}

/**
 * Keras' `VarianceScaling`: values with variance `scale / n`, where n is the fan-in,
 * fan-out or their mean ({@link computeFans}, at least 1). Uniform draws use the limit
 * √(3·scale/n); truncated normal draws divide the std by 0.8796… to keep the variance.
 */
export function varianceScaling(options?: VarianceScalingOptions): Initializer {
  const api = 'varianceScaling';
  const o = checkOptions(api, options, ['scale', 'mode', 'distribution']);
  const scale = finiteNumber(api, 'scale', o.scale, 1);
  if (!(scale > 0)) throw new RnnkitError(api, `scale must be > 0, got ${scale}`);
  const mode = o.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut' && mode !== 'fanAvg') {
    throw new RnnkitError(api, `mode must be "fanIn", "fanOut" or "fanAvg", got ${describeValue(mode)}`);
  }
  const distribution = o.distribution ?? 'truncatedNormal';
  if (distribution !== 'truncatedNormal' && distribution !== 'untruncatedNormal' && distribution !== 'uniform') {
    throw new RnnkitError(
      api,
      `distribution must be "truncatedNormal", "untruncatedNormal" or "uniform", got ${describeValue(distribution)}`,
    );
  }
  return scaled(api, { scale, mode, distribution });
}

/** The shared body of {@link varianceScaling} and its named presets. */
function scaled(
  name: InitializerName,
  settings: Required<VarianceScalingOptions>,
  config: Record<string, unknown> = settings,
): Initializer {
  const { scale, mode, distribution } = settings;
  return define(name, config, (out, shape, random) => {
    const { fanIn, fanOut } = computeFans(shape);
    const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, fan);
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      random.fillUniform(out, -limit, limit);
    } else if (distribution === 'untruncatedNormal') {
      random.fillNormal(out, 0, Math.sqrt(variance));
    } else {
      const std = Math.sqrt(variance) / TRUNCATED_STD;
      for (let i = 0; i < out.length; i++) out[i] = std * truncatedStandardNormal(random);
    }
  });
}

/**
 * Glorot (Xavier) uniform: uniform in ±√(6/(fanIn + fanOut)) (Glorot & Bengio, 2010,
 * eq. 16). Keras' default kernel initialiser.
 */
export function glorotUniform(options?: Record<string, never>): Initializer {
  checkOptions('glorotUniform', options, []);
  return scaled('glorotUniform', { scale: 1, mode: 'fanAvg', distribution: 'uniform' }, {});
}

/**
 * Glorot (Xavier) normal with variance 2/(fanIn + fanOut). By default as Keras: a normal
 * truncated at two standard deviations with std √(2/(fanIn+fanOut))/0.8796…; with
 * `truncated: false` a plain normal with σ = √(2/(fanIn + fanOut)) (experiment 5).
 */
export function glorotNormal(options?: ScaledNormalOptions): Initializer {
  const o = checkOptions('glorotNormal', options, ['truncated']);
  const truncated = flag('glorotNormal', 'truncated', o.truncated, true);
  const distribution = truncated ? 'truncatedNormal' : 'untruncatedNormal';
  return scaled('glorotNormal', { scale: 1, mode: 'fanAvg', distribution }, truncated ? {} : { truncated });
}

/**
 * He (Kaiming) normal with variance 2/fanIn (He et al., 2015); by default truncated as
 * Keras does, or a plain normal with `truncated: false`.
 */
export function heNormal(options?: ScaledNormalOptions): Initializer {
  const o = checkOptions('heNormal', options, ['truncated']);
  const truncated = flag('heNormal', 'truncated', o.truncated, true);
  const distribution = truncated ? 'truncatedNormal' : 'untruncatedNormal';
  return scaled('heNormal', { scale: 2, mode: 'fanIn', distribution }, truncated ? {} : { truncated });
}

/** He (Kaiming) uniform: uniform in ±√(6/fanIn). */
export function heUniform(options?: Record<string, never>): Initializer {
  checkOptions('heUniform', options, []);
  return scaled('heUniform', { scale: 2, mode: 'fanIn', distribution: 'uniform' }, {});
}
