import { type Param, RnnkitError, type TypedArray, checkOptionKeys, describeValue, formatShape } from '@rnnkit/tensor';
import {
  type OptimizerPlugin,
  type OptionValue,
  type OptionsShape,
  type StateShape,
  type StateValue,
  type UpdateContext,
  type UpdateResult,
  RUNNER_OPTION_KEYS,
} from './plugin.js';
import type { LearningRateSchedule } from './schedules.js';
import { NonFiniteStepError, copyState, firstNonFinite } from './rollback.js';
import { type JsonValue, checkPlainState, checkSameStructure, decodeState, encodeState } from './state.js';

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

/** The saved learning rate: a number, or a schedule by name and configuration. */
export type SavedLearningRate =
  | number
  | { readonly schedule: string; readonly config: Readonly<Record<string, number | boolean>> };

/** An optimizer's complete state as plain JSON-safe data (`JSON.stringify` it as it is). */
export interface OptimizerSnapshot {
  readonly format: 'rnnkit.optimizer';
  readonly version: 1;
  /** The plugin's `name`. */
  readonly optimizer: string;
  /** Steps taken. */
  readonly iterations: number;
  /** True when `beforeGradient()` moved the values and `step()` has not run yet. */
  readonly lookaheadApplied: boolean;
  /** The plugin's options in effect. */
  readonly options: Readonly<Record<string, OptionValue>>;
  readonly learningRate: SavedLearningRate;
  readonly decay: number;
  readonly clipValue: number | null;
  readonly clipNorm: number | null;
  readonly globalClipNorm: number | null;
  /** Per included parameter, keyed by name: its shape and the plugin's encoded state. */
  readonly params: Readonly<Record<string, { readonly shape: readonly number[]; readonly state: JsonValue }>>;
}

/** A running optimizer: owns the step count, the learning rate, clipping and the state. */
export interface Optimizer<Options extends OptionsShape<Options>, State extends StateShape<State>> {
  /** The plugin's name. */
  readonly name: string;
  readonly plugin: OptimizerPlugin<Options, State>;
  /** The plugin's options in effect (defaults overridden by the user's). */
  readonly options: Readonly<Options>;
  /** Number of steps taken. */
  readonly iterations: number;
  /** The learning rate the next step will use (schedule and `decay` applied). */
  readonly learningRate: number;
  /** The names of all parameters, in order. */
  readonly keys: readonly string[];
  /** All parameters (updated or not), in the order of `keys`. */
  readonly params: readonly Param[];
  /** True when the plugin moves the values before the gradient (see `beforeGradient`). */
  readonly needsBeforeGradient: boolean;
  /**
   * Call before computing the gradients of each step. For plugins with a look-ahead
   * (`rmspropNesterov`) it moves the values to the point where the gradient must be taken;
   * for all others it does nothing, so a training loop can always call it. Calling it twice
   * before a `step()` moves only once.
   */
  beforeGradient(): void;
  /**
   * Applies one update to every trainable, included parameter from its current gradient.
   * All or nothing: when the update (or the look-ahead before it) would leave a value NaN
   * or infinite, or the plugin throws, every value, the plugin state and the step count are
   * put back as they were before the step (before `beforeGradient()`) and it throws — a
   * {@link NonFiniteStepError} naming the parameter and the index for a non-finite value.
   */
  step(): void;
  /** Zeroes the gradient of every parameter (included or not). */
  zeroGrad(): void;
  /** Replaces the learning rate or schedule from the next step on. */
  setLearningRate(learningRate: number | LearningRateSchedule): void;
  /** The plugin state of one parameter (undefined for excluded parameters). */
  paramState(key: string): State | undefined;
  /** The complete state as JSON-safe data. */
  getState(): OptimizerSnapshot;
  /**
   * Restores a state from `getState()` of an optimizer with the same plugin and the same
   * parameter names and shapes; the following steps are bit-identical to never having
   * stopped (given the same options). Keeps this optimizer's own learning rate and clipping.
   */
  loadState(snapshot: OptimizerSnapshot): void;
}

interface Slot<Options, State> {
  readonly key: string;
  readonly param: Param;
  readonly size: number;
  readonly included: boolean;
  /** The clipped gradient (only when clipping is configured). */
  readonly clipped: TypedArray | null;
  /** One mutable context per parameter, refilled every step instead of reallocated. */
  readonly context: { -readonly [K in keyof UpdateContext<Options, State>]: UpdateContext<Options, State>[K] };
  state: State | undefined;
  /** The values and state before the step in progress, to undo it (see rollback.ts). */
  savedValue: TypedArray | null;
  savedState: StateValue | undefined;
}

// `value[i] += update[i]`, one function per dtype so that each loop sees one array type.
function addToFloat32(value: Float32Array, update: ArrayLike<number>): void {
  for (let i = 0; i < value.length; i++) value[i] = value[i]! + update[i]!;
}

function addToFloat64(value: Float64Array, update: ArrayLike<number>): void {
  for (let i = 0; i < value.length; i++) value[i] = value[i]! + update[i]!;
}

function isSchedule(value: unknown): value is LearningRateSchedule {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as LearningRateSchedule).valueAt === 'function' &&
    typeof (value as LearningRateSchedule).name === 'string'
  );
}

function checkLearningRate(api: string, value: unknown): number | LearningRateSchedule {
  if (isSchedule(value)) return value;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RnnkitError(api, `learningRate must be a finite number ≥ 0 or a schedule, got ${describeValue(value)}`);
  }
  return value;
}

function checkOptionalPositive(api: string, key: string, value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RnnkitError(api, `${key} must be a finite number > 0, got ${describeValue(value)}`);
  }
  return value;
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

function normaliseParams(api: string, params: ParamCollection): [string, Param][] {
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
function resolvePluginOptions<Options extends OptionsShape<Options>>(
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

class OptimizerRunner<Options extends OptionsShape<Options>, State extends StateShape<State>>
  implements Optimizer<Options, State>
{
  readonly plugin: OptimizerPlugin<Options, State>;
  readonly options: Readonly<Options>;
  readonly keys: readonly string[];
  readonly params: readonly Param[];
  readonly #slots: Slot<Options, State>[];
  #learningRate: number | LearningRateSchedule;
  readonly #decay: number;
  readonly #clipValue: number | null;
  readonly #clipNorm: number | null;
  readonly #globalClipNorm: number | null;
  #iterations = 0;
  #lookaheadApplied = false;
  /** The slots whose values and state were saved for the step in progress, or null. */
  #saved: Slot<Options, State>[] | null = null;
  #savedLookahead = false;

  constructor(plugin: OptimizerPlugin<Options, State>, params: ParamCollection, options: OptimizerOptions<Options>) {
    const api = plugin.name;
    this.plugin = plugin;
    // Checks that options is an object whose keys are all known before anything reads it.
    this.options = resolvePluginOptions(plugin as OptimizerPlugin<Options, never>, options);
    this.#learningRate = checkLearningRate(api, options.learningRate ?? plugin.defaultLearningRate ?? 0.01);
    const decay = options.decay ?? 0;
    if (typeof decay !== 'number' || !Number.isFinite(decay) || decay < 0) {
      throw new RnnkitError(api, `decay must be a finite number ≥ 0, got ${describeValue(decay)}`);
    }
    this.#decay = decay;
    this.#clipValue = checkOptionalPositive(api, 'clipValue', options.clipValue);
    this.#clipNorm = checkOptionalPositive(api, 'clipNorm', options.clipNorm);
    this.#globalClipNorm = checkOptionalPositive(api, 'globalClipNorm', options.globalClipNorm);
    const include = options.include;
    if (include !== undefined && typeof include !== 'function') {
      throw new RnnkitError(api, `include must be a function (param, key) => boolean, got ${describeValue(include)}`);
    }
    const clipping = this.#clipValue !== null || this.#clipNorm !== null || this.#globalClipNorm !== null;
    const entries = normaliseParams(api, params);
    this.keys = Object.freeze(entries.map(([key]) => key));
    this.params = Object.freeze(entries.map(([, param]) => param));
    this.#slots = entries.map(([key, param]) => {
      const included = include ? include(param, key) === true : true;
      const value = param.value.data;
      const grad = param.grad.data;
      // Clipping writes into a buffer of its own, so Param.grad keeps the true gradient.
      let clipped: TypedArray | null = null;
      if (clipping && included) {
        clipped = grad instanceof Float64Array ? new Float64Array(grad.length) : new Float32Array(grad.length);
      }
      const state = included ? plugin.init(param, this.options) : undefined;
      if (included) checkPlainState(api, state as StateValue, `state of "${key}"`); // refuse non-plain state early
      return {
        key,
        param,
        size: value.length,
        included,
        clipped,
        state,
        savedValue: null,
        savedState: undefined,
        context: {
          value,
          grad: clipped ?? grad,
          state: state as State,
          step: 0,
          lr: 0,
          options: this.options,
          out: new Float64Array(value.length),
          param,
        },
      };
    });
  }

  get name(): string {
    return this.plugin.name;
  }

  get iterations(): number {
    return this.#iterations;
  }

  get learningRate(): number {
    return this.#learningRateAt(this.#iterations);
  }

  get needsBeforeGradient(): boolean {
    return this.plugin.beforeGradient !== undefined;
  }

  #learningRateAt(iteration: number): number {
    const base = typeof this.#learningRate === 'number' ? this.#learningRate : this.#learningRate.valueAt(iteration);
    const lr = this.#decay === 0 ? base : base / (1 + this.#decay * iteration);
    if (typeof lr !== 'number' || !Number.isFinite(lr) || lr < 0) {
      throw new RnnkitError(
        this.plugin.name,
        `learning rate at iteration ${iteration} is ${String(lr)}; a schedule must give finite numbers ≥ 0`,
      );
    }
    return lr;
  }

  setLearningRate(learningRate: number | LearningRateSchedule): void {
    this.#learningRate = checkLearningRate(`${this.plugin.name}.setLearningRate`, learningRate);
  }

  beforeGradient(): void {
    const lookahead = this.plugin.beforeGradient;
    if (lookahead === undefined || this.#lookaheadApplied) return;
    const step = this.#iterations + 1;
    const lr = this.#learningRateAt(this.#iterations);
    // The look-ahead begins the step: the saved copy is the one `step()` undoes to.
    this.#save();
    this.#atomically(step, 'look-ahead of step', () => {
      for (const slot of this.#slots) {
        if (!slot.included || !slot.param.trainable) continue;
        const context = slot.context;
        context.step = step;
        context.lr = lr;
        context.state = slot.state!;
        this.#apply(slot, lookahead.call(this.plugin, context), 'beforeGradient');
      }
    });
    this.#lookaheadApplied = true;
  }

  step(): void {
    if (this.plugin.beforeGradient !== undefined && !this.#lookaheadApplied) {
      throw new RnnkitError(
        this.plugin.name,
        'step() called without beforeGradient(): this optimizer takes the gradient at a look-ahead point, ' +
          'so call optimizer.beforeGradient() before computing the gradients of every step',
      );
    }
    const step = this.#iterations + 1;
    const lr = this.#learningRateAt(this.#iterations);
    if (this.#saved === null) this.#save();
    this.#atomically(step, 'step', () => {
      if (this.#clipValue !== null || this.#clipNorm !== null || this.#globalClipNorm !== null) this.#clip();
      const update = this.plugin.update;
      const inPlace = this.plugin.updateInPlace;
      for (const slot of this.#slots) {
        if (!slot.included || !slot.param.trainable) continue;
        const context = slot.context;
        context.step = step;
        context.lr = lr;
        context.state = slot.state!;
        if (inPlace === undefined) {
          this.#apply(slot, update.call(this.plugin, context), 'update');
        } else {
          const state = inPlace.call(this.plugin, context);
          if (typeof state !== 'object' || state === null) {
            throw new RnnkitError(
              this.plugin.name,
              `updateInPlace must return the state object for "${slot.key}", got ${describeValue(state)}`,
            );
          }
          slot.state = state;
        }
      }
    });
    this.#saved = null;
    this.#iterations = step;
    this.#lookaheadApplied = false;
  }

  /** Copies the values and state of every parameter the step will change. */
  #save(): void {
    const saved: Slot<Options, State>[] = [];
    for (const slot of this.#slots) {
      if (!slot.included || !slot.param.trainable) continue;
      const value = slot.context.value;
      if (slot.savedValue === null) slot.savedValue = value instanceof Float32Array ? new Float32Array(value.length) : new Float64Array(value.length);
      slot.savedValue.set(value);
      slot.savedState = copyState(slot.state as StateValue, slot.savedState);
      saved.push(slot);
    }
    this.#saved = saved;
    this.#savedLookahead = this.#lookaheadApplied;
  }

  /**
   * Runs one phase of a step; when it throws or leaves a non-finite value, puts back the
   * values and state saved before the step (and the look-ahead flag) and throws.
   */
  #atomically(step: number, phase: string, run: () => void): void {
    let failure: unknown;
    try {
      run();
    } catch (error) {
      failure = error;
    }
    if (failure === undefined) {
      for (const slot of this.#saved!) {
        const bad = firstNonFinite(slot.context.value);
        if (bad >= 0) {
          failure = new NonFiniteStepError(this.plugin.name, slot.key, slot.param.value.shape, bad, slot.context.value[bad]!, step, phase);
          break;
        }
      }
    }
    if (failure === undefined) return;
    for (const slot of this.#saved!) {
      slot.context.value.set(slot.savedValue!);
      slot.state = slot.savedState as State;
      // The saved copy is now the live state: the next save makes a fresh one.
      slot.savedState = undefined;
    }
    this.#saved = null;
    this.#lookaheadApplied = this.#savedLookahead;
    throw failure;
  }

  /** Adds the plugin's update to the values: `value[i] += update[i]`. */
  #apply(slot: Slot<Options, State>, result: UpdateResult<State>, method: string): void {
    const update = result?.update;
    if (update === undefined || update === null || update.length !== slot.size) {
      throw new RnnkitError(
        this.plugin.name,
        `${method} must return { update, state } with ${slot.size} update values for "${slot.key}", got ${
          update === undefined || update === null ? describeValue(update) : `${update.length}`
        }`,
      );
    }
    if (typeof result.state !== 'object' || result.state === null) {
      throw new RnnkitError(
        this.plugin.name,
        `${method} must return the state object for "${slot.key}", got ${describeValue(result.state)}`,
      );
    }
    const value = slot.context.value;
    if (value instanceof Float32Array) addToFloat32(value, update);
    else addToFloat64(value, update);
    slot.state = result.state;
  }

  /** Clipping into the per-parameter `clipped` buffers: by value, then per-parameter norm, then global norm. */
  #clip(): void {
    const clipValue = this.#clipValue;
    const clipNorm = this.#clipNorm;
    let globalSquares = 0;
    for (const slot of this.#slots) {
      if (!slot.included || !slot.param.trainable) continue;
      const grad = slot.param.grad.data;
      const out = slot.clipped!;
      let squares = 0;
      for (let i = 0; i < grad.length; i++) {
        let g = grad[i]!;
        if (clipValue !== null) g = g > clipValue ? clipValue : g < -clipValue ? -clipValue : g;
        out[i] = g;
        squares += g * g;
      }
      if (clipNorm !== null) {
        const norm = Math.sqrt(squares);
        if (norm > clipNorm) {
          // tf.clip_by_norm: g · clipNorm / max(‖g‖, clipNorm).
          const scale = clipNorm / norm;
          squares = 0;
          for (let i = 0; i < out.length; i++) {
            out[i] = out[i]! * scale;
            squares += out[i]! * out[i]!;
          }
        }
      }
      globalSquares += squares;
    }
    const globalClipNorm = this.#globalClipNorm;
    if (globalClipNorm === null) return;
    const globalNorm = Math.sqrt(globalSquares);
    if (!(globalNorm > globalClipNorm)) return;
    // tf.clip_by_global_norm: every gradient times clipNorm / max(global norm, clipNorm).
    const scale = globalClipNorm / globalNorm;
    for (const slot of this.#slots) {
      if (!slot.included || !slot.param.trainable) continue;
      const out = slot.clipped!;
      for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
    }
  }

  zeroGrad(): void {
    for (const slot of this.#slots) slot.param.grad.data.fill(0);
  }

  paramState(key: string): State | undefined {
    return this.#slots.find((slot) => slot.key === key)?.state;
  }

  getState(): OptimizerSnapshot {
    const api = `${this.plugin.name}.getState`;
    const params: Record<string, { shape: number[]; state: JsonValue }> = {};
    for (const slot of this.#slots) {
      if (!slot.included) continue;
      params[slot.key] = {
        shape: [...slot.param.value.shape],
        state: encodeState(api, slot.state as StateValue, `state of "${slot.key}"`),
      };
    }
    const lr = this.#learningRate;
    return {
      format: 'rnnkit.optimizer',
      version: 1,
      optimizer: this.plugin.name,
      iterations: this.#iterations,
      lookaheadApplied: this.#lookaheadApplied,
      options: { ...(this.options as Readonly<Record<string, OptionValue>>) },
      learningRate: typeof lr === 'number' ? lr : { schedule: lr.name, config: { ...lr.config } },
      decay: this.#decay,
      clipValue: this.#clipValue,
      clipNorm: this.#clipNorm,
      globalClipNorm: this.#globalClipNorm,
      params,
    };
  }

  loadState(snapshot: OptimizerSnapshot): void {
    const api = `${this.plugin.name}.loadState`;
    checkSnapshot(api, snapshot);
    if (snapshot.optimizer !== this.plugin.name) {
      throw new RnnkitError(
        api,
        `saved state is for optimizer "${snapshot.optimizer}", this optimizer is "${this.plugin.name}"`,
      );
    }
    const included = this.#slots.filter((slot) => slot.included);
    const savedKeys = Object.keys(snapshot.params);
    const missing = included.filter((slot) => !(slot.key in snapshot.params)).map((slot) => slot.key);
    const unexpected = savedKeys.filter((key) => !included.some((slot) => slot.key === key));
    if (missing.length > 0 || unexpected.length > 0) {
      throw new RnnkitError(
        api,
        `saved state has parameters [${savedKeys.join(', ')}] but this optimizer updates [${included
          .map((slot) => slot.key)
          .join(', ')}]${missing.length ? `; missing: ${missing.join(', ')}` : ''}${
          unexpected.length ? `; not in this optimizer: ${unexpected.join(', ')}` : ''
        }`,
      );
    }
    // Decode and check everything first, so a bad snapshot leaves this optimizer untouched.
    const states = included.map((slot) => {
      const saved = snapshot.params[slot.key]!;
      const shape = slot.param.value.shape;
      if (
        !Array.isArray(saved.shape) ||
        saved.shape.length !== shape.length ||
        saved.shape.some((d, i) => d !== shape[i])
      ) {
        throw new RnnkitError(
          api,
          `parameter "${slot.key}" has shape ${formatShape(shape)}, the saved state is for ${
            Array.isArray(saved.shape) ? formatShape(saved.shape) : describeValue(saved.shape)
          }`,
        );
      }
      const state = decodeState(api, saved.state, `params["${slot.key}"].state`);
      const template = this.plugin.init(slot.param, this.options) as StateValue;
      checkSameStructure(api, template, state, `params["${slot.key}"].state`);
      return state as unknown as State;
    });
    included.forEach((slot, i) => {
      slot.state = states[i];
    });
    this.#iterations = snapshot.iterations;
    this.#lookaheadApplied = snapshot.lookaheadApplied;
    this.#saved = null;
  }
}

/** Throws unless `snapshot` looks like `getState()` output (its parameters are checked on load). */
export function checkSnapshot(api: string, snapshot: OptimizerSnapshot): void {
  if (typeof snapshot !== 'object' || snapshot === null || snapshot.format !== 'rnnkit.optimizer') {
    throw new RnnkitError(api, `expected a saved optimizer state (format "rnnkit.optimizer"), got ${describeValue(snapshot)}`);
  }
  if (snapshot.version !== 1) {
    throw new RnnkitError(api, `saved optimizer state has version ${String(snapshot.version)}; this version reads 1`);
  }
  if (!Number.isInteger(snapshot.iterations) || snapshot.iterations < 0) {
    throw new RnnkitError(api, `iterations must be an integer ≥ 0, got ${describeValue(snapshot.iterations)}`);
  }
  if (typeof snapshot.lookaheadApplied !== 'boolean') {
    throw new RnnkitError(api, `lookaheadApplied must be a boolean, got ${describeValue(snapshot.lookaheadApplied)}`);
  }
  if (typeof snapshot.params !== 'object' || snapshot.params === null) {
    throw new RnnkitError(api, `params must be an object keyed by parameter name, got ${describeValue(snapshot.params)}`);
  }
}

/**
 * Creates an optimizer for some parameters from a plugin.
 *
 * ```ts
 * const optimizer = createOptimizer(adam, [kernel, bias], { learningRate: 0.01, beta1: 0.9 });
 * // per step: optimizer.zeroGrad(); optimizer.beforeGradient(); …backward…; optimizer.step();
 * ```
 *
 * @param plugin a plugin made with {@link defineOptimizer}, e.g. `adam`
 * @param params Params with unique names, or a record of Params keyed by unique names
 * @param options the plugin's options (see its `defaults`) and the {@link RunnerOptions}
 */
export function createOptimizer<Options extends OptionsShape<Options>, State extends StateShape<State>>(
  plugin: OptimizerPlugin<Options, State>,
  params: ParamCollection,
  options: NoInfer<OptimizerOptions<Options>> = {},
): Optimizer<Options, State> {
  if (typeof plugin !== 'object' || plugin === null || (plugin as { kind?: unknown }).kind !== 'rnnkit.optimizer') {
    throw new RnnkitError(
      'createOptimizer',
      `expected an optimizer plugin made with defineOptimizer (such as adam or sgd), got ${describeValue(plugin)}`,
    );
  }
  return new OptimizerRunner(plugin, params, options);
}
