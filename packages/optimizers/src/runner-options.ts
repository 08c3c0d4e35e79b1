// The options the runner itself understands, whatever the plugin, and the checks that turn
// what a user passed to createOptimizer into settled values: learning rate, clipping bounds,
// the parameters (named, unique, real Params) and the plugin's own options over its defaults.
import { type Param, RnnkitError, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import { type OptimizerKernels, isOptimizerKernels } from './kernel.js';
import { type OptimizerPlugin, type OptionValue, type OptionsShape, RUNNER_OPTION_KEYS } from './plugin.js';
import type { LearningRateSchedule } from './schedules.js';

/** Options the runner itself understands, whatever the plugin. */
export interface RunnerOptions {
  /**
   * A fixed learning rate or a schedule ({@link exponentialDecay}, {@link cosineDecay}, …).
   * @defaultValue the plugin's `defaultLearningRate` (0.01 when it has none)
   */
  readonly learningRate?: number | LearningRateSchedule;
  /**
   * Keras' legacy `decay`: the learning rate of step t (t steps already taken) is divided
   * by `1 + decay·t`, on top of any schedule (reference experiment 1). @defaultValue 0
   */
  readonly decay?: number;
  /** Clips every gradient coordinate to `[-clipValue, clipValue]` (Keras' `clipvalue`). @defaultValue none */
  readonly clipValue?: number;
  /**
   * Rescales each parameter's gradient whose L2 norm exceeds `clipNorm` to that norm
   * (Keras' `clipnorm`, per parameter). @defaultValue none
   */
  readonly clipNorm?: number;
  /**
   * Rescales all gradients together when their joint L2 norm exceeds `globalClipNorm`
   * (Keras' `global_clipnorm`). Applied after `clipValue` and `clipNorm`, so all set bounds
   * hold at once. @defaultValue none
   */
  readonly globalClipNorm?: number;
  /**
   * Which parameters this optimizer updates, decided once when it is created; the others
   * get no state and are never changed (their gradients are still zeroed by `zeroGrad`).
   * reference experiment 1 updated only weight matrices in Adam mode:
   * `include: (param) => param.value.rank === 2`. For freezing that changes during
   * training, set `param.trainable` instead (checked at every step). @defaultValue all
   */
  readonly include?: (param: Param, key: string) => boolean;
  /**
   * Compiled kernels the optimizer may use, e.g. `optimizerKernelsOf(backend.fused)` of a
   * WebAssembly backend (`fit` passes the current backend's). When the plugin declares a
   * `kernel` that one of them has, for parameters of one dtype, the updates run there,
   * bit-identical to the plugin's JS update; see `optimizer.kernel`. Not saved with the
   * state. @defaultValue none: the JS update runs
   */
  readonly kernels?: readonly OptimizerKernels[];
}

/**
 * Everything `createOptimizer` accepts: the plugin's own options (any subset of its
 * `defaults`) and the {@link RunnerOptions}. Other keys are compile errors and runtime errors.
 */
export type OptimizerOptions<Options> = Partial<Options> & RunnerOptions;

/**
 * The parameters to optimise: an array of Params with unique names, or a record whose keys
 * are unique names (`{ 'lstm/kernel': kernel, … }`) when the Params' own names repeat.
 * The names key the saved state.
 */
export type ParamCollection = readonly Param[] | Readonly<Record<string, Param>>;

function isSchedule(value: unknown): value is LearningRateSchedule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LearningRateSchedule).valueAt === 'function' &&
    typeof (value as LearningRateSchedule).name === 'string'
  );
}

/** A learning rate as given: a schedule, or a finite number ≥ 0. */
export function checkLearningRate(api: string, value: unknown): number | LearningRateSchedule {
  if (isSchedule(value)) return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RnnkitError(api, `learningRate must be a finite number ≥ 0 or a schedule, got ${describeValue(value)}`);
  }
  return value;
}

/** An optional bound (`clipValue`, `clipNorm`, …): null when unset, else a finite number > 0. */
export function checkOptionalPositive(api: string, key: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RnnkitError(api, `${key} must be a finite number > 0, got ${describeValue(value)}`);
  }
  return value;
}

/** Keras' legacy `decay`, 0 when unset: a finite number ≥ 0. */
export function checkDecay(api: string, value: unknown): number {
  const decay = value ?? 0;
  if (typeof decay !== 'number' || !Number.isFinite(decay) || decay < 0) {
    throw new RnnkitError(api, `decay must be a finite number ≥ 0, got ${describeValue(decay)}`);
  }
  return decay;
}

/** The `include` filter, when given: a function. */
export function checkInclude(api: string, value: unknown): RunnerOptions['include'] {
  if (value !== undefined && typeof value !== 'function') {
    throw new RnnkitError(api, `include must be a function (param, key) => boolean, got ${describeValue(value)}`);
  }
  return value as RunnerOptions['include'];
}

/** The `kernels` option: an array of optimizer kernels (empty when unset). */
export function checkKernels(api: string, value: unknown): readonly OptimizerKernels[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every(isOptimizerKernels)) {
    throw new RnnkitError(
      api,
      `kernels must be an array of optimizer kernels (family "optimizer", such as optimizerKernelsOf(backend.fused)), got ${describeValue(value)}`,
    );
  }
  return value as readonly OptimizerKernels[];
}

function isParamLike(value: unknown): value is Param {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Param;
  return (
    typeof p.name === 'string' &&
    (p.value?.data instanceof Float32Array || p.value?.data instanceof Float64Array) &&
    (p.grad?.data instanceof Float32Array || p.grad?.data instanceof Float64Array) &&
    p.value.data.length === p.grad.data.length
  );
}

/**
 * The parameters as `[key, param]` pairs in order: an array keyed by the Params' names (which
 * must be unique), a record by its keys. Throws on anything that is not a Param.
 */
export function normaliseParams(api: string, params: ParamCollection): [string, Param][] {
  let entries: [string, unknown][];
  if (Array.isArray(params)) {
    entries = (params as unknown[]).map((p, i) => [isParamLike(p) ? p.name : `#${i}`, p]);
    const seen = new Set<string>();
    for (const [key] of entries) {
      if (seen.has(key)) {
        throw new RnnkitError(
          api,
          `parameter name "${key}" appears twice; names key the saved state, ` +
            `so pass a record with unique keys instead, e.g. { "lstm/${key}": param, … }`,
        );
      }
      seen.add(key);
    }
  } else if (typeof params === 'object' && params !== null) {
    entries = Object.entries(params);
  } else {
    throw new RnnkitError(api, `expected an array of Params or a record of Params, got ${describeValue(params)}`);
  }
  for (const [key, param] of entries) {
    if (!isParamLike(param)) {
      throw new RnnkitError(api, `parameter ${JSON.stringify(key)} is not a Param (got ${describeValue(param)})`);
    }
  }
  return entries as [string, Param][];
}

/** Validates and resolves the plugin options: defaults overridden by the user's. */
export function resolvePluginOptions<Options extends OptionsShape<Options>>(
  plugin: OptimizerPlugin<Options, never>,
  given: Readonly<Record<string, unknown>>,
): Options {
  const defaults = plugin.defaults as Readonly<Record<string, OptionValue>>;
  const resolved: Record<string, OptionValue> = { ...defaults };
  checkOptionKeys(plugin.name, given, [...Object.keys(defaults), ...RUNNER_OPTION_KEYS]);
  for (const [key, value] of Object.entries(given)) {
    if ((RUNNER_OPTION_KEYS as readonly string[]).includes(key) || value === undefined) continue;
    const expected = defaults[key]!;
    if (typeof value !== typeof expected || (typeof value === 'number' && !Number.isFinite(value))) {
      throw new RnnkitError(
        plugin.name,
        `option "${key}" must be a ${typeof expected === 'number' ? 'finite number' : typeof expected}, got ${describeValue(value)}`,
      );
    }
    resolved[key] = value as OptionValue;
  }
  const problem = plugin.validate?.(resolved as unknown as Options);
  if (problem !== undefined) throw new RnnkitError(plugin.name, problem);
  return Object.freeze(resolved) as unknown as Options;
}
