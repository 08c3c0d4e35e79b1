// The options of `fit` and their checks: every key, every callback and every value is
// checked before training starts, so a typo is an error instead of a silently ignored option.
import type { Loss } from '@rnnkit/losses';
import {
  type AnyOptimizerPlugin,
  type BuiltInOptimizer,
  type BuiltInOptimizerName,
  type Optimizer,
  type OptimizerOptions,
  type OptionsOf,
  BUILT_IN_OPTIMIZERS,
  createOptimizer,
  getOptimizer,
  optimizerKernelsOf,
} from '@rnnkit/optimizers';
import { type Param, RnnkitError, type Tensor, checkOptionKeys, describeValue, getBackend } from '@rnnkit/tensor';
import type { Dataset } from './data.js';
import type { BatchLogs, EpochLogs, History, ProgressEvent } from './fit.js';
import type { MetricFunction } from './metrics.js';
import type { TrainingState } from './training-state.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyOptimizer = Optimizer<any, any>;

/** What `optimizer` of `fit` takes: a plugin, a built-in plugin's name, or a created optimizer. */
export type OptimizerChoice = AnyOptimizerPlugin | BuiltInOptimizerName | AnyOptimizer;

/** The plugin of an optimizer choice (never for a created optimizer). */
type PluginOf<Choice> = Choice extends BuiltInOptimizerName
  ? BuiltInOptimizer<Choice>
  : Choice extends AnyOptimizer
    ? never
    : Choice extends AnyOptimizerPlugin
      ? Choice
      : never;

/**
 * The `optimizerOptions` `fit` accepts with this optimizer: the chosen plugin's own options
 * and the runner's, so a typo does not compile; none for an optimizer already created.
 */
export type FitOptimizerOptions<Choice> = [PluginOf<Choice>] extends [never]
  ? never
  : OptimizerOptions<OptionsOf<PluginOf<Choice>>>;

export interface FitCallbacks {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs): void | Promise<void>;
  /**
   * After each epoch, with the training state at its end: save it with the model and the
   * optimizer (a checkpoint), and `fit` with `resume` goes on from there exactly.
   */
  onEpochEnd?(logs: EpochLogs, trainingState: TrainingState): void | Promise<void>;
  onProgress?(event: ProgressEvent): void;
  onTrainEnd?(history: History): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /**
   * Epochs without improvement after which training stops, as Keras counts them: each
   * epoch without improvement adds one to a counter that an improvement resets, and
   * training stops when the counter reaches `patience` (so 0 and 1 both stop at the first
   * epoch without improvement).
   */
  readonly patience: number;
  /** What must improve. @defaultValue 'valLoss' when there is validation data, else 'loss' */
  readonly monitor?: 'loss' | 'valLoss';
  /** The smallest decrease that counts as an improvement (≥ 0). @defaultValue 0 */
  readonly minDelta?: number;
  /**
   * Put back the weights of the best epoch when training ends, whether early stopping
   * stopped it or the last epoch was reached (Keras restores them only when it stops early).
   * @defaultValue false
   */
  readonly restoreBestWeights?: boolean;
}

export interface FitOptions<Choice extends OptimizerChoice = OptimizerChoice> {
  /** A loss from @rnnkit/losses (or your own), or a Keras name such as `'mse'`. */
  readonly loss: Loss | string;
  /**
   * An optimizer plugin (`adam`, `sgd`, `lion`, …) or the name of a built-in one (`'adam'`),
   * created over the model's parameters with `optimizerOptions`; or an optimizer already
   * made with `createOptimizer` (whose state then carries on across `fit` calls). A plugin
   * or name is created with the current backend's optimizer kernels (`kernels` of
   * `createOptimizer`; `@rnnkit/backend-wasm` has every built-in's but `rmspropNesterov`'s for float32), which
   * give the JS update's numbers bit for bit; `optimizerOptions: { kernels: [] }` turns them off.
   */
  readonly optimizer: Choice;
  /** Options for a plugin given as `optimizer`: learning rate, clipping and the plugin's own options. */
  readonly optimizerOptions?: FitOptimizerOptions<Choice>;
  /** The last epoch to train: epochs 1 … `epochs`, or, with `resume`, the epochs after the saved one up to this. @defaultValue 1 */
  readonly epochs?: number;
  /** Samples per update; `'full'` for one update per epoch. 1 is one update per sample. @defaultValue 32 */
  readonly batchSize?: number | 'full';
  /**
   * Shuffle the training samples every epoch (with `seed`). A model with stateful layers
   * needs `false` (as in Keras, nothing enforces it): row i of each batch must continue the
   * sequence of row i of the batch before, and every batch must have the same size.
   * @defaultValue true
   */
  readonly shuffle?: boolean;
  /** Seed of the shuffling. @defaultValue 0 */
  readonly seed?: number;
  /** Fraction of the samples, taken from the end before shuffling (as Keras does), kept for validation. */
  readonly validationSplit?: number;
  /** Separate validation data (not with `validationSplit`). */
  readonly validationData?: Dataset;
  /** Metrics by name (`'mae'`, `'mse'`, `'binaryAccuracy'`) or as functions. */
  readonly metrics?: readonly string[] | Readonly<Record<string, MetricFunction>>;
  readonly callbacks?: FitCallbacks;
  readonly earlyStopping?: EarlyStoppingOptions;
  /**
   * Cancels training between batches; `fit` then resolves with `stopReason: 'aborted'` and
   * a `trainingState` that resumes at the next batch.
   */
  readonly signal?: AbortSignal;
  /**
   * Give the event loop a turn when this many milliseconds have passed since the last
   * turn, so a page or server stays responsive; 0 yields after every batch, Infinity never.
   * @defaultValue 25
   */
  readonly yieldEveryMs?: number;
  /**
   * The `trainingState` of an earlier `fit` of this model (with its weights and optimizer
   * as they were then): training goes on exactly where that one stopped — the shuffle
   * stream, the epoch count, and the remaining batches of an aborted epoch.
   */
  readonly resume?: TrainingState;
  /**
   * A weight per training sample (`[samples]`), or per time step of a sequence output
   * (`[samples, time]`), finite and ≥ 0: batched and shuffled with `x` and `y`, and split with
   * `validationSplit` (`validationData` is unweighted). As Keras' `sample_weight`: the loss is
   * Σ weight · loss over the positions divided by their number (masked steps excluded), and
   * the metrics are weighted means.
   */
  readonly sampleWeight?: Tensor;
  /**
   * Truncated backpropagation through time: run each batch's sequences in chunks of this
   * many steps, every recurrent layer starting a chunk from the states the previous chunk
   * ended in, backpropagating within the chunk only, with one optimizer step per chunk that
   * has a loss (a sequence output: every chunk, on its own steps; a last-step output: the
   * last chunk). Not with Bidirectional layers or masks.
   */
  readonly tbptt?: number;
}

const FIT_KEYS = [
  'loss', 'optimizer', 'optimizerOptions', 'epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit',
  'validationData', 'metrics', 'callbacks', 'earlyStopping', 'signal', 'yieldEveryMs', 'resume', 'sampleWeight', 'tbptt',
] as const;
const CALLBACK_KEYS = ['onTrainBegin', 'onEpochBegin', 'onBatchEnd', 'onEpochEnd', 'onProgress', 'onTrainEnd'] as const;
const EARLY_STOPPING_KEYS = ['patience', 'monitor', 'minDelta', 'restoreBestWeights'] as const;

/** A positive integer option, or its default. */
export function positiveInteger(api: string, name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RnnkitError(api, `${name} must be a positive integer, got ${describeValue(value)}`);
  }
  return value as number;
}

function isOptimizer(value: unknown): value is AnyOptimizer {
  return typeof value === 'object' && value !== null && typeof (value as AnyOptimizer).step === 'function';
}

function isPlugin(value: unknown): value is AnyOptimizerPlugin {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'rnnkit.optimizer';
}

/** Checks every key and simple value of `fit`'s options (the data-dependent ones are checked in `fit`). */
export function checkFitOptions(api: string, options: FitOptions): void {
  checkOptionKeys(api, options, FIT_KEYS);
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') {
    throw new RnnkitError(api, `shuffle must be true or false, got ${describeValue(options.shuffle)}`);
  }
  if (options.seed !== undefined && (typeof options.seed !== 'number' || !Number.isFinite(options.seed))) {
    throw new RnnkitError(api, `seed must be a finite number, got ${describeValue(options.seed)}`);
  }
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    throw new RnnkitError(api, `signal must be an AbortSignal (from an AbortController), got ${describeValue(options.signal)}`);
  }
  const yieldEveryMs = options.yieldEveryMs;
  if (yieldEveryMs !== undefined && (typeof yieldEveryMs !== 'number' || Number.isNaN(yieldEveryMs) || yieldEveryMs < 0)) {
    throw new RnnkitError(api, `yieldEveryMs must be a number ≥ 0, got ${describeValue(yieldEveryMs)}`);
  }
  if (options.batchSize !== undefined && options.batchSize !== 'full') positiveInteger(api, 'batchSize', options.batchSize);
  if (options.tbptt !== undefined) positiveInteger(api, 'tbptt', options.tbptt);
  if (options.callbacks !== undefined) {
    checkOptionKeys(api, options.callbacks, CALLBACK_KEYS, 'callback');
    for (const [key, value] of Object.entries(options.callbacks)) {
      if (value !== undefined && typeof value !== 'function') {
        throw new RnnkitError(api, `callbacks.${key} must be a function, got ${describeValue(value)}`);
      }
    }
  }
  if (options.earlyStopping !== undefined) checkEarlyStopping(api, options.earlyStopping);
}

function isAbortSignal(value: unknown): value is AbortSignal {
  if (typeof AbortSignal === 'function') return value instanceof AbortSignal;
  return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean';
}

function checkEarlyStopping(api: string, early: EarlyStoppingOptions): void {
  checkOptionKeys(api, early, EARLY_STOPPING_KEYS, 'earlyStopping option');
  if (!Number.isSafeInteger(early.patience) || early.patience < 0) {
    throw new RnnkitError(api, `earlyStopping.patience must be an integer ≥ 0, got ${describeValue(early.patience)}`);
  }
  if (early.monitor !== undefined && early.monitor !== 'loss' && early.monitor !== 'valLoss') {
    throw new RnnkitError(api, `earlyStopping.monitor must be "loss" or "valLoss", got ${describeValue(early.monitor)}`);
  }
  const minDelta = early.minDelta;
  if (minDelta !== undefined && (typeof minDelta !== 'number' || !Number.isFinite(minDelta) || minDelta < 0)) {
    throw new RnnkitError(api, `earlyStopping.minDelta must be a finite number ≥ 0, got ${describeValue(minDelta)}`);
  }
  if (early.restoreBestWeights !== undefined && typeof early.restoreBestWeights !== 'boolean') {
    throw new RnnkitError(api, `earlyStopping.restoreBestWeights must be true or false, got ${describeValue(early.restoreBestWeights)}`);
  }
}

/**
 * The optimizer of a `fit` call: the one given, or one created from a plugin or a built-in
 * name over the model's parameters.
 */
export function resolveOptimizer(api: string, options: FitOptions, params: readonly Param[]): AnyOptimizer {
  const choice: unknown = options.optimizer;
  if (isOptimizer(choice)) {
    if (options.optimizerOptions !== undefined) {
      throw new RnnkitError(api, 'optimizerOptions apply only when optimizer is a plugin or a name; this optimizer is already configured');
    }
    // An optimizer over another model's parameters would step those (with zero gradients)
    // while this model never changes. Values are compared, not Params: a Sequential's
    // Params and its layers' are different objects over the same values.
    if (!Array.isArray(choice.params)) {
      throw new RnnkitError(api, 'optimizer must be a plugin, a built-in name, or an optimizer made by createOptimizer (it lacks params)');
    }
    const own = new Set(params.map((param) => param.value.data));
    const foreign = choice.params.filter((param) => !own.has(param.value.data));
    if (foreign.length > 0) {
      throw new RnnkitError(
        api,
        `the optimizer updates ${foreign.map((param) => param.name).join(', ')}, which ${foreign.length === 1 ? 'is no parameter' : 'are no parameters'} of this model; create it with createOptimizer(plugin, model.params())`,
      );
    }
    return choice;
  }
  let plugin: AnyOptimizerPlugin;
  if (typeof choice === 'string') {
    if (!Object.hasOwn(BUILT_IN_OPTIMIZERS, choice)) {
      throw new RnnkitError(
        api,
        `unknown optimizer "${choice}"; built-in optimizers are ${Object.keys(BUILT_IN_OPTIMIZERS).join(', ')}, or pass a plugin (such as lion from @rnnkit/optimizer-lion)`,
      );
    }
    plugin = getOptimizer(choice);
  } else if (isPlugin(choice)) {
    plugin = choice;
  } else {
    throw new RnnkitError(
      api,
      `optimizer must be an optimizer plugin (e.g. adam from @rnnkit/optimizers), a built-in name such as "adam", or an optimizer from createOptimizer; got ${describeValue(choice)}`,
    );
  }
  // The current backend's optimizer kernels (a WebAssembly backend's), unless the caller
  // passes `kernels` of their own (`[]`: none): bit-identical to the plugin's JS update.
  const kernels = optimizerKernelsOf(getBackend().fused);
  return createOptimizer(plugin, params, { kernels, ...(options.optimizerOptions ?? {}) } as never);
}
