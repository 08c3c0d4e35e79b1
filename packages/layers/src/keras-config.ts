// The vocabulary of Keras layer configs (the snake_case `config` of a TF.js layers-model
// file), shared by every layer codec: activation and initialiser names both ways, a reader
// that remembers which keys a codec used, and a writer that records what Keras cannot
// express exactly. Files come in three dialects, named by their `keras_version`: tfjs-layers,
// Keras 2 and Keras 3; rnnkit-only variants travel in `rnnkit_*` keys TF.js ignores.
import { type DType, type InitializerConfig, RnnkitError, getInitializer, initializerConfig } from '@rnnkit/tensor';
import type { ActivationName } from './activations.js';
import { describeValue } from './common.js';

/**
 * The config dialect, named by `keras_version`: tfjs-layers, Keras 2 or Keras 3. It decides
 * what `hard_sigmoid` means and the defaults of keys a file leaves out.
 */
export type KerasDialect = 'tfjs' | 'keras2' | 'keras3';

/** A parsed JSON object as a model file gives it (possibly with a null prototype). */
export type KerasConfig = { readonly [key: string]: unknown };

const ACTIVATIONS_TO_KERAS: Readonly<Record<string, string>> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  hardSigmoid: 'hard_sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softmax: 'softmax',
};

const ACTIVATIONS_FROM_KERAS: ReadonlyMap<string, ActivationName> = new Map<string, ActivationName>([
  ['linear', 'linear'],
  ['sigmoid', 'sigmoid'],
  ['hard_sigmoid', 'hardSigmoid'],
  ['hardsigmoid', 'hardSigmoid'],
  ['tanh', 'tanh'],
  ['relu', 'relu'],
  ['softmax', 'softmax'],
]);

const FAN_TO_KERAS = { fanIn: 'fan_in', fanOut: 'fan_out', fanAvg: 'fan_avg' } as const;
const DISTRIBUTION_TO_KERAS = { truncatedNormal: 'truncated_normal', uniform: 'uniform' } as const;

/** `recurrentKernel` → `recurrent_kernel`: how Keras spells rnnkit's camelCase names. */
export function snakeCase(name: string): string {
  return name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/([A-Z])([A-Z][a-z])/g, '$1_$2').toLowerCase();
}

/** `recurrent_kernel` → `recurrentKernel`: rnnkit's spelling of a Keras key. */
export function camelCase(name: string): string {
  return name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

export function isKerasConfig(value: unknown): value is KerasConfig {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** `obj[key]` for own keys only (a file's `toString` key is data, not a method). */
export function ownKey(obj: KerasConfig, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

/**
 * An rnnkit initialiser config as Keras writes it, `{ class_name, config }`. `exact` is false
 * when Keras' and TF.js' vocabulary has no equal (an untruncated normal): the nearest one is
 * written and the exact config goes in an `rnnkit_initializers` key.
 */
export function initializerToKeras(value: unknown): { keras: KerasConfig; exact: boolean } {
  const config = initializerConfig(getInitializer(value as Parameters<typeof getInitializer>[0]));
  const o = (config.options ?? {}) as Record<string, unknown>;
  const k = (className: string, c: Record<string, unknown> = {}, exact = true) => ({ keras: { class_name: className, config: c }, exact });
  switch (config.name) {
    case 'zeros':
      return k('Zeros');
    case 'ones':
      return k('Ones');
    case 'constant':
      return k('Constant', { value: o.value });
    case 'randomUniform':
      return k('RandomUniform', { minval: o.low, maxval: o.high, seed: null });
    case 'randomNormal':
      return k('RandomNormal', { mean: o.mean, stddev: o.std, seed: null });
    case 'truncatedNormal':
      return k('TruncatedNormal', { mean: o.mean, stddev: o.std, seed: null });
    case 'varianceScaling': {
      const distribution = o.distribution as string;
      const exact = distribution !== 'untruncatedNormal';
      const keras = exact ? DISTRIBUTION_TO_KERAS[distribution as keyof typeof DISTRIBUTION_TO_KERAS] : 'normal';
      return k('VarianceScaling', { scale: o.scale, mode: FAN_TO_KERAS[o.mode as keyof typeof FAN_TO_KERAS], distribution: keras, seed: null }, exact);
    }
    case 'glorotUniform':
      return k('GlorotUniform', { seed: null });
    case 'glorotNormal':
      return k('GlorotNormal', { seed: null }, o.truncated === undefined || o.truncated === true);
    case 'heNormal':
      return k('HeNormal', { seed: null }, o.truncated === undefined || o.truncated === true);
    case 'heUniform':
      return k('HeUniform', { seed: null });
    case 'orthogonal':
      return k('Orthogonal', { gain: o.gain, seed: null });
  }
}

/** A Keras initialiser (`'glorot_uniform'` or `{ class_name, config }`) as an rnnkit config, or null if it has none. */
export function initializerFromKeras(value: unknown): string | InitializerConfig | null {
  if (typeof value === 'string') return value;
  if (!isKerasConfig(value)) return null;
  const className = ownKey(value, 'class_name');
  const raw = ownKey(value, 'config');
  const c: KerasConfig = isKerasConfig(raw) ? raw : Object.create(null);
  if (typeof className !== 'string') return null;
  const num = (key: string): number | undefined => {
    const v = ownKey(c, key);
    return typeof v === 'number' ? v : undefined;
  };
  const defined = (o: Record<string, number | string | undefined>): Record<string, number | string> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number | string>;
  switch (className.replace(/_/g, '').toLowerCase()) {
    case 'zeros':
      return 'zeros';
    case 'ones':
      return 'ones';
    case 'constant':
      return { name: 'constant', options: defined({ value: num('value') }) };
    case 'randomuniform':
      return { name: 'randomUniform', options: defined({ low: num('minval'), high: num('maxval') }) };
    case 'randomnormal':
      return { name: 'randomNormal', options: defined({ mean: num('mean'), std: num('stddev') }) };
    case 'truncatednormal':
      return { name: 'truncatedNormal', options: defined({ mean: num('mean'), std: num('stddev') }) };
    case 'glorotuniform':
      return 'glorotUniform';
    case 'glorotnormal':
      return 'glorotNormal';
    case 'henormal':
      return 'heNormal';
    case 'heuniform':
      return 'heUniform';
    case 'lecunnormal':
      return { name: 'varianceScaling', options: { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' } };
    case 'lecununiform':
      return { name: 'varianceScaling', options: { scale: 1, mode: 'fanIn', distribution: 'uniform' } };
    case 'orthogonal':
    case 'orthogonalinitializer': // Keras 3's class name
      return { name: 'orthogonal', options: defined({ gain: num('gain') }) };
    case 'variancescaling': {
      const mode = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' }[String(ownKey(c, 'mode'))];
      // Keras 2 and TF.js read "normal" as a truncated normal.
      const distribution = {
        normal: 'truncatedNormal',
        truncated_normal: 'truncatedNormal',
        untruncated_normal: 'untruncatedNormal',
        uniform: 'uniform',
      }[String(ownKey(c, 'distribution'))];
      return { name: 'varianceScaling', options: defined({ scale: num('scale'), mode, distribution }) };
    }
    default:
      return null;
  }
}

/**
 * How a reader or writer reports: errors (which must throw) and warnings, already prefixed
 * with the layer's label, and how a file's values are shown in messages (the model IO
 * passes its own, which escapes what an untrusted file may hold).
 */
export interface KerasConfigReport {
  /** Throws for `message`. @defaultValue an RnnkitError of `KerasConfigReader` (or `KerasConfigWriter`) */
  fail?(message: string): never;
  warn?(message: string): void;
  /** A value as written in a message: `number -1`, `"elu"`, `nothing`. @defaultValue a plain description */
  describe?(value: unknown): string;
  /** A setting's value as written in a message: `true`, `0.2`, `L2` (a Keras object's class). @defaultValue as describe, bare for numbers and booleans */
  show?(value: unknown): string;
}

/** Options of {@link KerasConfigReader}. */
export interface KerasConfigReaderOptions extends KerasConfigReport {
  /** The config dialect of the file. @defaultValue 'tfjs' */
  readonly dialect?: KerasDialect;
}

function failWith(api: string, message: string): never {
  throw new RnnkitError(api, message);
}

const defaultShow = (value: unknown, describe: (v: unknown) => string): string => {
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (isKerasConfig(value) && typeof ownKey(value, 'class_name') === 'string') return String(ownKey(value, 'class_name'));
  return describe(value);
};

/**
 * Reads one layer's Keras config for a codec, remembering which keys were used: a key
 * `rnnkit_*` no codec read is refused (a newer rnnkit wrote it), other unread keys are
 * ignored (Keras' own settings that do not change inference). Every typed getter refuses a
 * wrong value with a message naming the key.
 */
export class KerasConfigReader {
  readonly dialect: KerasDialect;
  readonly #used = new Set<string>();
  readonly #report: KerasConfigReport;
  readonly #exactInitializers: KerasConfig | undefined;

  constructor(
    /** The layer's `config` object. */
    readonly config: KerasConfig,
    options: KerasConfigReaderOptions = {},
  ) {
    this.dialect = options.dialect ?? 'tfjs';
    this.#report = options;
    const exact = this.get('rnnkit_initializers');
    if (exact !== undefined && !isKerasConfig(exact)) this.fail(`rnnkit_initializers must be an object, got ${this.describe(exact)}`);
    this.#exactInitializers = exact;
  }

  fail(message: string): never {
    return this.#report.fail === undefined ? failWith('KerasConfigReader', message) : this.#report.fail(message);
  }

  warn(message: string): void {
    this.#report.warn?.(message);
  }

  describe(value: unknown): string {
    return this.#report.describe === undefined ? describeValue(value) : this.#report.describe(value);
  }

  show(value: unknown): string {
    return this.#report.show === undefined ? defaultShow(value, (v) => this.describe(v)) : this.#report.show(value);
  }

  /**
   * A reader of a config nested in this one (an RNN's `cell.config`), in the same dialect,
   * its messages prefixed with `path`. Its keys are its own: call its {@link finish} too.
   */
  nested(path: string, config: KerasConfig): KerasConfigReader {
    const report = this.#report;
    return new KerasConfigReader(config, {
      ...report,
      dialect: this.dialect,
      fail: (message) => this.fail(`${path}: ${message}`),
      warn: (message) => this.warn(`${path}: ${message}`),
    });
  }

  /** The raw value of `key` (own keys only), marking it used. */
  get(key: string): unknown {
    this.#used.add(key);
    return ownKey(this.config, key);
  }

  positiveInteger(key: string): number {
    const v = this.get(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1) {
      this.fail(`${key} must be a positive integer, got ${this.describe(v)}`);
    }
    return v;
  }

  /** A boolean; null or absent is `fallback`. */
  boolean(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(`${key} must be true or false, got ${this.describe(v)}`);
    return v;
  }

  /** Refuses a setting rnnkit cannot honour unless it is absent, null or `harmless`. */
  mustBe(key: string, harmless: unknown, why: string): void {
    const v = this.get(key);
    if (v !== undefined && v !== null && v !== harmless) this.fail(`${key} ${this.show(v)} is not supported: ${why}`);
  }

  /** Settings that only shape training, dropped with a warning unless `harmless`. */
  trainingOnly(keys: readonly string[], harmless: (v: unknown) => boolean, what: string): void {
    for (const key of keys) {
      const v = this.get(key);
      if (!harmless(v)) this.warn(`${key} ${this.show(v)} dropped (${what})`);
    }
  }

  /** Keys that are always ignored (Keras settings with no effect on rnnkit's results). */
  ignore(...keys: string[]): void {
    for (const key of keys) this.get(key);
  }

  /** An activation by its Keras name, as an rnnkit name; absent is `fallback` (null: required). */
  activation(key: string, fallback: ActivationName | null): ActivationName {
    let v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback === null) this.fail(`${key} is missing`);
      return fallback;
    }
    // Keras 3 may write a built-in function as { class_name: 'function', config: 'tanh' }.
    if (isKerasConfig(v) && typeof ownKey(v, 'config') === 'string') v = ownKey(v, 'config');
    const name =
      typeof v === 'string' ? (ACTIVATIONS_FROM_KERAS.get(v) ?? ACTIVATIONS_FROM_KERAS.get(v.replace(/_/g, '').toLowerCase())) : undefined;
    if (name === undefined) {
      this.fail(`${key} ${this.describe(v)} is not supported; supported activations are ${Object.values(ACTIVATIONS_TO_KERAS).join(', ')}`);
    }
    if (name === 'hardSigmoid' && this.dialect === 'keras3') {
      this.fail(`${key} "hard_sigmoid" of Keras 3 is relu6(x + 3)/6, not the 0.2·x + 0.5 of Keras 2 and TF.js that rnnkit implements`);
    }
    return name;
  }

  /**
   * An initialiser: the exact rnnkit config from `rnnkit_initializers[key]` when the file
   * has one, else the Keras one mapped to rnnkit's; absent is `fallback`. One rnnkit lacks
   * gives `fallback` with a warning (it only matters for fresh weights, and these are loaded);
   * a null `fallback` then gives null (the layer's own default).
   */
  initializer(key: string, fallback: string): string | InitializerConfig;
  initializer(key: string, fallback: null): string | InitializerConfig | null;
  initializer(key: string, fallback: string | null): string | InitializerConfig | null {
    const exact = this.#exactInitializers === undefined ? undefined : ownKey(this.#exactInitializers, key);
    if (exact !== undefined) {
      try {
        getInitializer(exact as Parameters<typeof getInitializer>[0]);
      } catch (error) {
        this.fail(`rnnkit_initializers.${key}: ${(error as Error).message}`);
      }
      this.get(key);
      this.#used.add(`rnnkit_initializers.${key}`);
      return JSON.parse(JSON.stringify(exact)) as InitializerConfig;
    }
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    const mapped = initializerFromKeras(v);
    if (mapped !== null) {
      try {
        getInitializer(mapped as Parameters<typeof getInitializer>[0]);
        return mapped;
      } catch {
        // fall through to the warning
      }
    }
    const shown = isKerasConfig(v) ? this.describe(ownKey(v, 'class_name')) : this.describe(v);
    this.warn(`${key} ${shown} has no rnnkit equivalent; ${fallback ?? 'the default'} is used if the layer is ever re-initialised`);
    return fallback;
  }

  /** The layer's `dtype` (Keras 3 writes a dtype policy): float32 unless the config says float64. */
  dtype(): DType {
    let v = this.get('dtype');
    if (isKerasConfig(v)) {
      const c = ownKey(v, 'config');
      v = isKerasConfig(c) ? ownKey(c, 'name') : undefined;
    }
    if (v === undefined || v === null || v === 'float32') return 'float32';
    if (v === 'float64') return 'float64';
    return this.fail(`dtype ${this.describe(v)} is not supported; rnnkit computes in float32 or float64`);
  }

  /**
   * Refuses `rnnkit_*` keys no codec read and `rnnkit_initializers` entries no initialiser
   * used: a newer rnnkit (or another codec) wrote them, and dropping them would change the model.
   */
  finish(): void {
    for (const key of Object.keys(this.config)) {
      if (key.startsWith('rnnkit_') && !this.#used.has(key)) {
        this.fail(`unknown rnnkit key "${key}" (saved by a newer rnnkit, or by a codec other than this one?)`);
      }
    }
    for (const key of this.#exactInitializers === undefined ? [] : Object.keys(this.#exactInitializers)) {
      if (!this.#used.has(`rnnkit_initializers.${key}`)) this.fail(`rnnkit_initializers has an unknown key "${key}"`);
    }
  }
}

/**
 * Writes one layer's Keras config for a codec: converts activations and initialisers to
 * Keras' names, and records the initialisers Keras can only approximate, which the model
 * IO then saves exactly in the layer's `rnnkit_initializers` key.
 */
export class KerasConfigWriter {
  /** Exact rnnkit configs of the initialisers Keras' vocabulary could only approximate, by Keras key. */
  readonly inexactInitializers: Record<string, InitializerConfig> = {};
  readonly #report: KerasConfigReport;

  constructor(report: KerasConfigReport = {}) {
    this.#report = report;
  }

  fail(message: string): never {
    return this.#report.fail === undefined ? failWith('KerasConfigWriter', message) : this.#report.fail(message);
  }

  /** A writer of a config nested in this one (an RNN's `cell.config`), its messages prefixed with `path`; it records its own inexact initialisers. */
  nested(path: string): KerasConfigWriter {
    const report = this.#report;
    return new KerasConfigWriter({ ...report, fail: (message) => this.fail(`${path}: ${message}`) });
  }

  /** Keras' name of an rnnkit activation name (`hardSigmoid` → `hard_sigmoid`). */
  activation(key: string, value: unknown): string {
    const mapped = typeof value === 'string' && Object.prototype.hasOwnProperty.call(ACTIVATIONS_TO_KERAS, value) ? ACTIVATIONS_TO_KERAS[value] : undefined;
    if (mapped === undefined) {
      const shown = this.#report.describe === undefined ? describeValue(value) : this.#report.describe(value);
      this.fail(`${key} ${shown} has no Keras name; savable activations are ${Object.keys(ACTIVATIONS_TO_KERAS).join(', ')}`);
    }
    return mapped;
  }

  /** Keras' `{ class_name, config }` of an rnnkit initialiser config (from a layer's `getConfig`). */
  initializer(key: string, value: unknown): KerasConfig {
    let mapped: { keras: KerasConfig; exact: boolean };
    try {
      mapped = initializerToKeras(value);
    } catch (error) {
      return this.fail(`${key} cannot be saved: ${(error as Error).message}`);
    }
    if (!mapped.exact) this.inexactInitializers[key] = initializerConfig(getInitializer(value as Parameters<typeof getInitializer>[0]));
    return mapped.keras;
  }
}
