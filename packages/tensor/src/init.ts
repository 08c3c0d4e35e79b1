import { RnnkitError, formatShape } from './errors.js';
import { checkOptionKeys, describeValue } from './options.js';
import { Random } from './random.js';
import { type Shape, checkShape, shapeSize } from './shape.js';
import { type DType, type TypedArray, Tensor, allocate, checkDType } from './tensor.js';

/**
 * Makes the initial value of a parameter: a tensor of `shape` whose random values (if any)
 * are drawn from `random`, so one seed reproduces every initial weight.
 * Values are drawn one element at a time in row-major order; `dtype` defaults to float32.
 */
export type Initializer = (shape: Shape, random: Random, dtype?: DType) => Tensor;

/** The canonical names of the built-in initialisers (Keras' names, in camelCase). */
export type InitializerName =
  | 'zeros'
  | 'ones'
  | 'constant'
  | 'randomUniform'
  | 'randomNormal'
  | 'truncatedNormal'
  | 'varianceScaling'
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heNormal'
  | 'heUniform'
  | 'orthogonal';

/** A built-in initialiser as plain data: its name and the options it was made with. */
export interface InitializerConfig {
  readonly name: InitializerName;
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * Anything {@link getInitializer} resolves: a name, a config, or an initialiser itself.
 * (At run time a config's name may be spelled in any way a name may, e.g. `'random_uniform'`.)
 */
export type InitializerSpec = string | InitializerConfig | Initializer;

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

/** Options of {@link orthogonal}. */
export interface OrthogonalOptions {
  /** Multiplies the orthogonal matrix. @defaultValue 1 */
  readonly gain?: number;
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

// ---------------------------------------------------------------------------------------
// Plumbing shared by every factory
// ---------------------------------------------------------------------------------------

/** The config each built-in initialiser was made with, for {@link initializerConfig}. */
const configs = new WeakMap<Initializer, InitializerConfig>();

type Fill = (out: Float64Array, shape: Shape, random: Random) => void;

/** Wraps a fill routine into an {@link Initializer} that checks its arguments. */
function define(name: InitializerName, options: Record<string, unknown>, fill: Fill): Initializer {
  const initializer: Initializer = (shape, random, dtype = 'float32') => {
    checkShape(name, shape);
    checkDType(name, dtype);
    if (!(random instanceof Random)) {
      throw new RnnkitError(name, `expected a Random as the second argument, got ${describeValue(random)}`);
    }
    // Through allocate, so that a huge shape (a layer of a million units) is a clear error.
    const values = allocate('float64', shapeSize(shape), shape, name) as Float64Array;
    fill(values, shape, random);
    const data: TypedArray = dtype === 'float64' ? values : allocate(dtype, values.length, shape, name);
    if (data !== values) data.set(values);
    return new Tensor(data, shape);
  };
  configs.set(initializer, Object.keys(options).length === 0 ? { name } : { name, options: Object.freeze({ ...options }) });
  return initializer;
}

/** The options of a factory, `{}` when undefined; throws on a non-object or an unknown key. */
function checkOptions(api: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  checkOptionKeys(api, options, known);
  return options as Record<string, unknown>;
}

function finiteNumber(api: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RnnkitError(api, `${name} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

function nonNegative(api: string, name: string, value: unknown, fallback: number): number {
  const n = finiteNumber(api, name, value, fallback);
  if (n < 0) throw new RnnkitError(api, `${name} must be ≥ 0, got ${n}`);
  return n;
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

function zerosFactory(options?: Record<string, never>): Initializer {
  checkOptions('zeros', options, []);
  return define('zeros', {}, () => {});
}

function onesFactory(options?: Record<string, never>): Initializer {
  checkOptions('ones', options, []);
  return define('ones', {}, (out) => out.fill(1));
}

function constantFactory(options?: ConstantOptions): Initializer {
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

function flag(api: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new RnnkitError(api, `${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/**
 * A random orthogonal matrix (Saxe et al., 2014), as Keras' `Orthogonal`: the shape is seen
 * as a matrix of prod(shape[:-1]) rows and shape[-1] columns; a standard normal matrix of
 * the taller orientation is drawn, factored A = QR, and Q's columns are multiplied by the
 * signs of R's diagonal (which makes the result uniformly distributed over orthogonal
 * matrices); a wide shape takes the transpose. Rows (or columns, whichever are fewer) are
 * orthonormal, times `gain`. Needs rank ≥ 2.
 */
export function orthogonal(options?: OrthogonalOptions): Initializer {
  const o = checkOptions('orthogonal', options, ['gain']);
  const gain = finiteNumber('orthogonal', 'gain', o.gain, 1);
  return define('orthogonal', { gain }, (out, shape, random) => {
    if (shape.length < 2) {
      throw new RnnkitError('orthogonal', `expected a shape of rank ≥ 2, got ${formatShape(shape)}`);
    }
    const cols = shape[shape.length - 1]!;
    const rows = out.length / (cols || 1);
    if (out.length === 0) return;
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const a = random.fillNormal(new Float64Array(m * n), 0, 1); // [m, n], row-major
    const q = orthonormalFactor(a, m, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        // Tall or square: out is Q itself; wide: out is Qᵀ.
        const k = rows >= cols ? i * n + j : j * m + i;
        out[k] = gain * q[i * n + j]!;
      }
    }
  });
}

/**
 * The Q of a reduced QR factorisation A = QR (A: m×n row-major, m ≥ n) by Householder
 * reflections (Golub & Van Loan, §5.2), with Q's columns signed so R's diagonal is
 * non-negative — the unique factor with that property, whatever algorithm computes it.
 * `a` is overwritten.
 */
/**
 * Applies the Householder reflection I − 2vvᵀ (v a unit vector over rows `rowStart…rowEnd−1`)
 * to columns `colStart…colEnd−1` of a row-major matrix with `cols` columns, in place.
 */
function reflect(
  a: Float64Array,
  cols: number,
  v: Float64Array,
  rowStart: number,
  rowEnd: number,
  colStart: number,
  colEnd: number,
  w: Float64Array,
): void {
  w.fill(0, colStart, colEnd);
  for (let i = rowStart; i < rowEnd; i++) {
    const vi = v[i - rowStart]!;
    if (vi === 0) continue;
    const row = i * cols;
    for (let j = colStart; j < colEnd; j++) w[j]! += vi * a[row + j]!;
  }
  for (let i = rowStart; i < rowEnd; i++) {
    const vi = 2 * v[i - rowStart]!;
    if (vi === 0) continue;
    const row = i * cols;
    for (let j = colStart; j < colEnd; j++) a[row + j]! -= vi * w[j]!;
  }
}

function orthonormalFactor(a: Float64Array, m: number, n: number): Float64Array {
  const reflectors: Float64Array[] = [];
  const diagonal = new Float64Array(n);
  const work = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // x = A[k:, k]; reflect it onto alpha·e₁ with alpha = −sign(x₀)·‖x‖ (no cancellation).
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * n + k]!;
    v[0]! -= alpha;
    let vNorm = 0;
    for (let i = 0; i < v.length; i++) vNorm += v[i]! ** 2;
    vNorm = Math.sqrt(vNorm);
    diagonal[k] = alpha;
    if (vNorm === 0) {
      reflectors.push(v); // x is zero below the diagonal and already ≥ 0: no reflection
      diagonal[k] = x0;
      continue;
    }
    for (let i = 0; i < v.length; i++) v[i]! /= vNorm;
    reflectors.push(v);
    // A[k:, k:] ← (I − 2vvᵀ)·A[k:, k:], as w = vᵀA then A −= 2·v·w, walking rows so the
    // inner loops read contiguous memory (column walks made large matrices ~30× slower).
    reflect(a, n, v, k, m, k, n, work);
  }
  // Q = H₀H₁⋯Hₙ₋₁ applied to the first n columns of the identity, last reflector first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, n, reflectors[k]!, k, m, 0, n, work);
  // Q·diag(sign(diag R)); sign(0) counts as +1 (probability zero for normal draws).
  for (let j = 0; j < n; j++) {
    if (diagonal[j]! < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
  }
  return q;
}

/**
 * Every built-in initialiser factory by its canonical name, as `tf.initializers` does:
 * `initializers.glorotUniform()`, `initializers.constant({ value: 0.1 })`. (`zeros`,
 * `ones` and `constant` live only here, since the top-level `zeros`/`ones` create tensors.)
 */
export const initializers = Object.freeze({
  zeros: zerosFactory,
  ones: onesFactory,
  constant: constantFactory,
  randomUniform,
  randomNormal,
  truncatedNormal,
  varianceScaling,
  glorotUniform,
  glorotNormal,
  heNormal,
  heUniform,
  orthogonal,
}) satisfies Record<InitializerName, (options?: never) => Initializer>;

/** Extra spellings accepted by name: Keras' short forms `uniform` and `normal`. */
const ALIASES: Readonly<Record<string, InitializerName>> = { uniform: 'randomUniform', normal: 'randomNormal' };

/** Folds `glorot_uniform`, `glorotUniform` and `GlorotUniform` to one key. */
function nameKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

const BY_KEY = new Map<string, InitializerName>([
  ...(Object.keys(initializers) as InitializerName[]).map((n) => [nameKey(n), n] as const),
  ...Object.entries(ALIASES).map(([alias, n]) => [nameKey(alias), n] as const),
]);

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function resolveName(api: string, name: string): InitializerName {
  const found = BY_KEY.get(nameKey(name));
  if (found === undefined) {
    const known = (Object.keys(initializers) as InitializerName[]).map(snakeCase).join(', ');
    throw new RnnkitError(
      api,
      `unknown initializer "${name}"; known names are ${known} (camelCase such as "glorotUniform" works too)`,
    );
  }
  return found;
}

/**
 * Resolves what a layer option may hold into an {@link Initializer}: a function (returned
 * as is), a name in Keras' snake_case or camelCase (`'glorot_uniform'`, `'glorotUniform'`,
 * also `'uniform'`/`'normal'`), made with default options, or a config
 * `{ name, options }` such as {@link initializerConfig} returns.
 */
export function getInitializer(spec: InitializerSpec): Initializer {
  const api = 'getInitializer';
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') return initializers[resolveName(api, spec)]();
  if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string') {
    const extra = Object.keys(spec).filter((k) => k !== 'name' && k !== 'options');
    if (extra.length > 0) {
      throw new RnnkitError(api, `unknown config key "${extra[0]}"; a config is { name, options? }`);
    }
    const factory = initializers[resolveName(api, spec.name)] as (options?: unknown) => Initializer;
    return factory(spec.options);
  }
  throw new RnnkitError(api, `expected an initializer name, a { name, options } config or a function, got ${describeValue(spec)}`);
}

/**
 * The config of a built-in initialiser, `{ name, options? }` (plain JSON data), so that
 * `getInitializer(initializerConfig(init))` makes one that draws the same values.
 * A user's own function has no config: that is an error.
 */
export function initializerConfig(initializer: Initializer): InitializerConfig {
  const config = configs.get(initializer);
  if (config === undefined) {
    throw new RnnkitError(
      'initializerConfig',
      'this initializer was not made by an rnnkit factory, so it has no config; save its name and options yourself',
    );
  }
  return config.options === undefined ? { name: config.name } : { name: config.name, options: { ...config.options } };
}
