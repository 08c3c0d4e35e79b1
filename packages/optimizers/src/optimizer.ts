// The optimizer runner: what `createOptimizer` returns. It owns what is common to every
// plugin — the step count, the learning rate (schedule and decay), clipping, the all-or-nothing
// step (rollback.ts) and saving the state (snapshot.ts) — and calls the plugin for the maths.
import { type Param, RnnkitError, describeValue } from '@rnnkit/tensor';
import { type ClipBounds, clipGradients } from './clipping.js';
import { KernelBinding } from './kernel-binding.js';
import { type OptimizerPlugin, type OptionValue, type OptionsShape, type StateShape, type StateValue, shortcutFits } from './plugin.js';
import { nonFiniteError, restoreSlots, saveSlots } from './rollback.js';
import {
  type OptimizerOptions,
  type ParamCollection,
  checkDecay,
  checkInclude,
  checkKernels,
  checkLearningRate,
  checkOptionalPositive,
  normaliseParams,
  resolvePluginOptions,
} from './runner-options.js';
import type { LearningRateSchedule } from './schedules.js';
import { type OptimizerSnapshot, decodeParamStates, encodeParamStates } from './snapshot.js';
import { type Slot, applyUpdate, createSlot, setInPlaceState } from './slot.js';

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
  /**
   * The compiled kernel that computes the updates (`'wasm-simd optimizer kernels: rnnkit.adam'`),
   * or null when the plugin's JS update runs (no `kernels` given, or none has the plugin's).
   */
  readonly kernel: string | null;
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
  readonly #clipBounds: ClipBounds;
  readonly #clipping: boolean;
  readonly #binding: KernelBinding<Options, State> | null;
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
    this.#decay = checkDecay(api, options.decay);
    const clipBounds: ClipBounds = {
      clipValue: checkOptionalPositive(api, 'clipValue', options.clipValue),
      clipNorm: checkOptionalPositive(api, 'clipNorm', options.clipNorm),
      globalClipNorm: checkOptionalPositive(api, 'globalClipNorm', options.globalClipNorm),
    };
    this.#clipBounds = clipBounds;
    const include = checkInclude(api, options.include);
    const clipping = clipBounds.clipValue !== null || clipBounds.clipNorm !== null || clipBounds.globalClipNorm !== null;
    this.#clipping = clipping;
    const entries = normaliseParams(api, params);
    this.keys = Object.freeze(entries.map(([key]) => key));
    this.params = Object.freeze(entries.map(([, param]) => param));
    const kernels = checkKernels(api, options.kernels);
    this.#slots = entries.map(([key, param]) => {
      const included = include ? include(param, key) === true : true;
      return createSlot(api, plugin, this.options, key, param, included, clipping && included);
    });
    this.#binding = KernelBinding.bind(
      api,
      plugin,
      kernels,
      this.#slots.filter((slot) => slot.included),
    );
  }

  get kernel(): string | null {
    return this.#binding?.name ?? null;
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
        applyUpdate(this.plugin.name, slot, lookahead.call(this.plugin, context), 'beforeGradient');
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
    if (this.#binding !== null) {
      // All or nothing inside the kernel's memory (kernel-binding.ts); no look-ahead here.
      if (this.#clipping) clipGradients(this.#slots, this.#clipBounds);
      this.#binding.step(this.plugin.name, step, lr, this.options);
      this.#iterations = step;
      return;
    }
    if (this.#saved === null) this.#save();
    this.#atomically(step, 'step', () => {
      if (this.#clipping) clipGradients(this.#slots, this.#clipBounds);
      const update = this.plugin.update;
      // A copied plugin whose update was replaced keeps no in-place shortcut of the old one.
      const inPlace = shortcutFits(this.plugin.updateInPlace, update) ? this.plugin.updateInPlace : undefined;
      for (const slot of this.#slots) {
        if (!slot.included || !slot.param.trainable) continue;
        const context = slot.context;
        context.step = step;
        context.lr = lr;
        context.state = slot.state!;
        if (inPlace === undefined) {
          applyUpdate(this.plugin.name, slot, update.call(this.plugin, context), 'update');
        } else {
          setInPlaceState(this.plugin.name, slot, inPlace.call(this.plugin, context));
        }
      }
    });
    this.#saved = null;
    this.#iterations = step;
    this.#lookaheadApplied = false;
  }

  /** Copies the values and state of every parameter the step will change. */
  #save(): void {
    this.#saved = saveSlots(this.#slots);
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
    if (failure === undefined) failure = nonFiniteError(this.plugin.name, this.#saved!, step, phase);
    if (failure === undefined) return;
    restoreSlots(this.#saved!);
    this.#saved = null;
    this.#lookaheadApplied = this.#savedLookahead;
    throw failure;
  }

  zeroGrad(): void {
    for (const slot of this.#slots) slot.param.grad.data.fill(0);
  }

  paramState(key: string): State | undefined {
    return this.#slots.find((slot) => slot.key === key)?.state;
  }

  getState(): OptimizerSnapshot {
    const params = encodeParamStates(
      `${this.plugin.name}.getState`,
      this.#slots.filter((slot) => slot.included),
    );
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
      clipValue: this.#clipBounds.clipValue,
      clipNorm: this.#clipBounds.clipNorm,
      globalClipNorm: this.#clipBounds.globalClipNorm,
      params,
    };
  }

  loadState(snapshot: OptimizerSnapshot): void {
    const included = this.#slots.filter((slot) => slot.included);
    // Decoded and checked before anything changes, so a bad snapshot leaves this optimizer untouched.
    const states = decodeParamStates(
      `${this.plugin.name}.loadState`,
      snapshot,
      this.plugin.name,
      included,
      (param) => this.plugin.init(param, this.options) as StateValue,
    );
    included.forEach((slot, i) => {
      const state = states[i] as unknown as State;
      if (this.#binding === null) slot.state = state;
      else this.#binding.adopt(slot, state);
    });
    this.#iterations = snapshot.iterations;
    this.#lookaheadApplied = snapshot.lookaheadApplied;
    this.#saved = null;
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
