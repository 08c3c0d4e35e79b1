import { type Param, type TypedArray, RnnkitError } from '@rnnkit/tensor';
import type { OptimizerKernelDeclaration } from './kernel.js';

/** The value of one optimizer option: plain, JSON-safe scalars only, so options can be saved. */
export type OptionValue = number | boolean | string;

/**
 * The constraint on a plugin's options type: every field is an {@link OptionValue}.
 * Written as a mapped type (not an index signature) so that `interface` types qualify.
 */
export type OptionsShape<Options> = { readonly [K in keyof Options]: OptionValue };

/**
 * One value inside an optimizer's per-parameter state: plain data that
 * {@link encodeState} turns into JSON without loss. Float32Array and Float64Array are
 * allowed (and expected: preallocate them in `init` and update them in place).
 */
export type StateValue =
  | number
  | boolean
  | string
  | null
  | Float32Array
  | Float64Array
  | readonly StateValue[]
  | { readonly [key: string]: StateValue };

/**
 * The constraint on a plugin's state type: an object whose fields are {@link StateValue}s.
 * A `Map`, a class instance or a function in the state does not compile.
 */
export type StateShape<State> = { [K in keyof State]: StateValue };

/** Names the runner reserves for its own options; a plugin's `defaults` may not use them. */
export const RUNNER_OPTION_KEYS = [
  'learningRate',
  'decay',
  'clipValue',
  'clipNorm',
  'globalClipNorm',
  'include',
  'kernels',
] as const;

/** What a plugin's `update` (and `beforeGradient`) receives for one parameter. */
export interface UpdateContext<Options, State> {
  /** The parameter's current values. Read them; the runner applies the update (`updateInPlace` writes them). */
  readonly value: TypedArray;
  /**
   * The gradient after clipping. When no clipping is configured this is `param.grad.data`
   * itself: read it, never write it. (Always use this, not `param.grad`, so clipping applies.)
   */
  readonly grad: TypedArray;
  /** The state `init` created, as returned by the previous `update`. */
  readonly state: State;
  /** 1-based number of this update (1 on the first step), as in Adam's bias correction `t`. */
  readonly step: number;
  /** The learning rate for this step, schedule and `decay` already applied. */
  readonly lr: number;
  /** The plugin's options: its `defaults` overridden by what the user passed. */
  readonly options: Readonly<Options>;
  /**
   * A preallocated buffer of `value.length` float64 numbers, reused every step. Write the
   * update into it and return it as `update`, so a step allocates no arrays.
   */
  readonly out: Float64Array;
  /** The parameter itself, for its `name` and `value.shape`. */
  readonly param: Param;
}

/** What a plugin's `update` returns. */
export interface UpdateResult<State> {
  /**
   * The change to add to the values: the runner does `value[i] += update[i]`.
   * (So plain gradient descent returns `-lr·grad`.) Usually the `out` buffer.
   */
  readonly update: ArrayLike<number>;
  /** The state for the next step: the same object updated in place, or a new one. */
  readonly state: State;
}

/** What {@link defineOptimizer} takes. */
export interface OptimizerDefinition<Options extends OptionsShape<Options>, State extends StateShape<State>> {
  /** A short camelCase name (`"adam"`), used in errors and in saved state. */
  readonly name: string;
  /**
   * Every option with its default value. The keys are the plugin's valid options: any
   * other key passed to `createOptimizer` is an error (and does not compile).
   */
  readonly defaults: Options;
  /** The learning rate when the user gives none. @defaultValue 0.01 */
  readonly defaultLearningRate?: number;
  /**
   * Checks option values beyond their type (the runner already checks that each has the
   * type of its default and that numbers are finite). Returns a description of the first
   * problem, e.g. `"beta1 must be in [0, 1), got 1.5"`, or undefined when all is well.
   */
  validate?(options: Readonly<Options>): string | undefined;
  /** Creates the state of one parameter: preallocate its typed arrays here. */
  init(param: Param, options: Readonly<Options>): State;
  /**
   * Optional look-ahead: a move the runner applies (`value[i] += update[i]`) when the user
   * calls `optimizer.beforeGradient()`, i.e. *before* the gradient is computed, so that the
   * gradient of the following `update` is taken at the moved point (Nesterov momentum in
   * the form of reference experiment 4). Plugins that define it cannot `step()` without it.
   */
  beforeGradient?(context: Omit<UpdateContext<Options, State>, 'grad'>): UpdateResult<NoInfer<State>>;
  /** Computes the update of one parameter from its gradient and state. */
  update(context: UpdateContext<Options, State>): UpdateResult<NoInfer<State>>;
  /**
   * Optional fast path of `update` that the runner calls instead of it when present: it
   * changes `context.value` itself (and the state) and returns the state, sparing the
   * write to `out` and the runner's second pass `value[i] = value[i] + update[i]`.
   * It must leave the values and the state bit-identical to `update` followed by that
   * addition: `out` holds float64 numbers, so `value[i] = value[i] - δ` matches
   * `out[i] = -δ`, but an increment rounded on the way (a float32 `update` array) must be
   * rounded the same way here (`Math.fround`). `update` stays required as the reference;
   * the `optimizerLaws` of `@rnnkit/testing` check that both paths agree.
   */
  updateInPlace?(context: UpdateContext<Options, State>): NoInfer<State>;
  /**
   * Optional compiled kernel that computes `update` (for example in WebAssembly): its name,
   * the state arrays it keeps and its scalars (see {@link OptimizerKernelDeclaration}). The
   * runner uses it when the caller passes a set of kernels that has it (`kernels` of
   * `createOptimizer`; `fit` passes the current backend's); otherwise `update` runs. It must
   * leave the values and state bit-identical to `update`: the `optimizerKernelLaws` of
   * `@rnnkit/testing` check it against a given set of kernels.
   */
  readonly kernel?: OptimizerKernelDeclaration<Options, NoInfer<State>>;
}

/** An optimizer plugin: a frozen {@link OptimizerDefinition} checked by {@link defineOptimizer}. */
export type OptimizerPlugin<Options extends OptionsShape<Options>, State extends StateShape<State>> = Readonly<
  OptimizerDefinition<Options, State>
> & {
  readonly kind: 'rnnkit.optimizer';
};

/** Any optimizer plugin, whatever its options and state (for lists of plugins). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizerPlugin = OptimizerPlugin<any, any>;

/** The options type of a plugin. */
export type OptionsOf<Plugin> = Plugin extends OptimizerPlugin<infer Options, infer _State> ? Options : never;
/** The state type of a plugin. */
export type StateOf<Plugin> = Plugin extends OptimizerPlugin<infer _Options, infer State> ? State : never;

/** The keys of an {@link OptimizerDefinition} (and `kind`, so a plugin can be spread into a new definition). */
const DEFINITION_KEYS = [
  'name', 'defaults', 'defaultLearningRate', 'validate', 'init', 'beforeGradient', 'update', 'updateInPlace', 'kernel', 'kind',
] as const;

/**
 * Makes an optimizer plugin from its definition: checks it and freezes it.
 *
 * ```ts
 * const signSgd = defineOptimizer({
 *   name: 'signSgd',
 *   defaults: {},
 *   init: () => ({}),
 *   update: ({ grad, lr, out, state }) => {
 *     for (let i = 0; i < grad.length; i++) out[i] = -lr * Math.sign(grad[i]!);
 *     return { update: out, state };
 *   },
 * });
 * ```
 */
export function defineOptimizer<Options extends OptionsShape<Options>, State extends StateShape<State>>(
  definition: OptimizerDefinition<Options, State>,
): OptimizerPlugin<Options, State> {
  const api = 'defineOptimizer';
  if (typeof definition !== 'object' || definition === null) {
    throw new RnnkitError(api, `expected a definition object, got ${String(definition)}`);
  }
  const { name, defaults, defaultLearningRate } = definition;
  for (const key of Object.keys(definition)) {
    if (!(DEFINITION_KEYS as readonly string[]).includes(key)) {
      const label = typeof name === 'string' ? `${name}: ` : '';
      throw new RnnkitError(api, `${label}unknown definition key "${key}"; valid keys are ${DEFINITION_KEYS.join(', ')}`);
    }
  }
  if (typeof name !== 'string' || !/^[A-Za-z_$][\w$.-]*$/.test(name)) {
    throw new RnnkitError(api, `name must be a non-empty identifier-like string, got ${JSON.stringify(name)}`);
  }
  if (typeof defaults !== 'object' || defaults === null || Array.isArray(defaults)) {
    throw new RnnkitError(api, `${name}: defaults must be an object of option values, got ${String(defaults)}`);
  }
  for (const [key, value] of Object.entries(defaults as Record<string, unknown>)) {
    if ((RUNNER_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new RnnkitError(api, `${name}: option "${key}" is reserved for the optimizer runner`);
    }
    const ok =
      typeof value === 'boolean' || typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value));
    if (!ok) {
      throw new RnnkitError(
        api,
        `${name}: default of "${key}" must be a finite number, a boolean or a string, got ${String(value)}`,
      );
    }
  }
  if (
    defaultLearningRate !== undefined &&
    (typeof defaultLearningRate !== 'number' || !Number.isFinite(defaultLearningRate) || defaultLearningRate < 0)
  ) {
    throw new RnnkitError(api, `${name}: defaultLearningRate must be a finite number ≥ 0, got ${defaultLearningRate}`);
  }
  for (const method of ['init', 'update'] as const) {
    if (typeof definition[method] !== 'function') {
      throw new RnnkitError(api, `${name}: ${method} must be a function`);
    }
  }
  for (const method of ['validate', 'beforeGradient', 'updateInPlace'] as const) {
    if (definition[method] !== undefined && typeof definition[method] !== 'function') {
      throw new RnnkitError(api, `${name}: ${method} must be a function when given`);
    }
  }
  const kernel = definition.kernel;
  if (kernel !== undefined) checkKernelDeclaration(api, name, kernel);
  for (const [what, fast] of [['kernel', kernel], ['updateInPlace', definition.updateInPlace]] as const) {
    if (fast !== undefined && !shortcutFits(fast, definition.update)) {
      throw new RnnkitError(api, `${name}: ${what} was defined for another update (copied from a plugin whose update was replaced?): define it with the update it computes, or leave it out`);
    }
  }
  const plugin = Object.freeze({
    ...definition,
    defaults: Object.freeze({ ...defaults }),
    ...(kernel === undefined ? {} : { kernel: Object.freeze({ ...kernel, slots: Object.freeze([...kernel.slots]) }) }),
    kind: 'rnnkit.optimizer' as const,
  });
  if (plugin.kernel !== undefined) definedFor(plugin.kernel, plugin.update);
  if (plugin.updateInPlace !== undefined) definedFor(plugin.updateInPlace, plugin.update);
  return plugin;
}

// `kernel` and `updateInPlace` are shortcuts that must compute what `update` computes. Each
// remembers the updates it was defined with, so a plugin copied with its update replaced
// (`{ ...rmsprop, update: mine }`) does not run the old shortcut in place of the new update.
const SHORTCUT_OF = new WeakMap<object, Set<unknown>>();

function definedFor(shortcut: object, update: unknown): void {
  const updates = SHORTCUT_OF.get(shortcut);
  if (updates === undefined) SHORTCUT_OF.set(shortcut, new Set([update]));
  else updates.add(update);
}

/**
 * Whether a plugin's `kernel` or `updateInPlace` may stand in for its `update`: true unless
 * it was defined with other updates only (false when there is no shortcut).
 */
export function shortcutFits(shortcut: object | undefined, update: unknown): boolean {
  if (shortcut === undefined) return false;
  const updates = SHORTCUT_OF.get(shortcut);
  return updates === undefined || updates.has(update);
}

function checkKernelDeclaration(api: string, name: string, kernel: unknown): void {
  const k = kernel as Partial<OptimizerKernelDeclaration<unknown, unknown>> | null;
  const problem =
    typeof k !== 'object' || k === null
      ? `expected an object { name, slots, scalarCount, scalars }, got ${String(k)}`
      : typeof k.name !== 'string' || k.name === ''
        ? `name must be a non-empty string, got ${JSON.stringify(k.name)}`
        : !Array.isArray(k.slots) || k.slots.some((key) => typeof key !== 'string')
          ? 'slots must be an array of state keys (strings)'
          : !Number.isInteger(k.scalarCount) || k.scalarCount! < 0
            ? `scalarCount must be an integer ≥ 0, got ${String(k.scalarCount)}`
            : typeof k.scalars !== 'function'
              ? 'scalars must be a function'
              : undefined;
  if (problem !== undefined) throw new RnnkitError(api, `${name}: kernel: ${problem}`);
}
