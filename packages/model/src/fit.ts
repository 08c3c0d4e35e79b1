import { type Loss, getLoss } from '@rnnkit/losses';
import {
  type AnyOptimizerPlugin,
  type Optimizer,
  type OptimizerOptions,
  createOptimizer,
} from '@rnnkit/optimizers';
import { type Param, Random, RnnkitError, type Tensor, formatShape } from '@rnnkit/tensor';
import { BatchGatherer, type Dataset, checkDataset, sliceRows, unravel } from './data.js';
import { type MetricFunction, resolveMetrics } from './metrics.js';

const API = 'fit';

/**
 * What `fit`, `evaluate` and `predict` need of a model: a forward pass that keeps a cache,
 * a backward pass that accumulates parameter gradients, and its parameters and weights.
 * `Sequential` from @rnnkit/layers fits; so does any single layer or a user's own model.
 */
export interface TrainableModel {
  forward(x: Tensor, options?: { readonly training?: boolean }): { readonly y: Tensor; readonly cache: unknown };
  backward(dy: Tensor, cache: unknown): Tensor;
  params(): Param[];
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any, any>;

/** One progress update, rich enough for a progress bar. */
export interface ProgressEvent {
  /** 1-based epoch and batch numbers. */
  readonly epoch: number;
  readonly epochs: number;
  readonly batch: number;
  readonly batches: number;
  /** Mean training loss of this epoch so far. */
  readonly loss: number;
  /** Training samples processed per second since `fit` started. */
  readonly samplesPerSecond: number;
  /** Estimated seconds until the last epoch ends. */
  readonly etaSeconds: number;
}

/** The numbers of one finished epoch. */
export interface EpochLogs {
  /** 1-based. */
  readonly epoch: number;
  /** Mean training loss over the epoch's batches (weighted by batch size). */
  readonly loss: number;
  /** Loss on the validation data, when there is some. */
  readonly valLoss?: number;
  /** Metric values on the training data (and `val_<name>` on the validation data). */
  readonly metrics: Readonly<Record<string, number>>;
  /** Wall-clock seconds the epoch took. */
  readonly seconds: number;
}

export interface BatchLogs {
  readonly epoch: number;
  readonly batch: number;
  readonly size: number;
  readonly loss: number;
}

export interface FitCallbacks {
  onTrainBegin?(): void | Promise<void>;
  onEpochBegin?(epoch: number): void | Promise<void>;
  onBatchEnd?(logs: BatchLogs): void | Promise<void>;
  onEpochEnd?(logs: EpochLogs): void | Promise<void>;
  onProgress?(event: ProgressEvent): void;
  onTrainEnd?(history: History): void | Promise<void>;
}

export interface EarlyStoppingOptions {
  /** Epochs without improvement to wait before stopping. */
  readonly patience: number;
  /** What must improve. @defaultValue 'valLoss' when there is validation data, else 'loss' */
  readonly monitor?: 'loss' | 'valLoss';
  /** The smallest decrease that counts as an improvement. @defaultValue 0 */
  readonly minDelta?: number;
  /** Put back the weights of the best epoch when stopping (or at the end). @defaultValue false */
  readonly restoreBestWeights?: boolean;
}

export interface FitOptions {
  /** A loss from @rnnkit/losses (or your own), or a Keras name such as `'mse'`. */
  readonly loss: Loss | string;
  /**
   * An optimizer plugin (`adam`, `sgd`, …; created over the model's parameters with
   * `optimizerOptions`), or an optimizer already made with `createOptimizer` (whose state
   * then carries on across `fit` calls).
   */
  readonly optimizer: AnyOptimizerPlugin | AnyOptimizer;
  /** Options for a plugin given as `optimizer` (learning rate, clipping, its own options). */
  readonly optimizerOptions?: OptimizerOptions<Record<string, unknown>>;
  /** @defaultValue 1 */
  readonly epochs?: number;
  /** Samples per update; `'full'` for one update per epoch. 1 is one update per sample. @defaultValue 32 */
  readonly batchSize?: number | 'full';
  /** Shuffle the training samples every epoch (with `seed`). @defaultValue true */
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
  /** Cancels training between batches; `fit` then resolves with `stopReason: 'aborted'`. */
  readonly signal?: AbortSignal;
  /**
   * Give the event loop a turn when this many milliseconds have passed since the last
   * turn, so a page or server stays responsive; 0 yields after every batch, Infinity never.
   * @defaultValue 25
   */
  readonly yieldEveryMs?: number;
}

export interface History {
  /** One entry per finished epoch. */
  readonly epochs: readonly EpochLogs[];
  /** Every batch's loss, in order. */
  readonly batches: readonly BatchLogs[];
  /** Training loss per epoch (shorthand for `epochs.map(e => e.loss)`). */
  readonly loss: readonly number[];
  /** Validation loss per epoch, when there was validation data. */
  readonly valLoss: readonly number[];
  readonly stopReason: 'completed' | 'early-stopping' | 'aborted';
  /** The epoch whose weights the model holds when early stopping restored the best ones. */
  readonly bestEpoch?: number;
  /** The optimizer used (to continue training, or to save its state). */
  readonly optimizer: AnyOptimizer;
}

const FIT_KEYS = new Set([
  'loss', 'optimizer', 'optimizerOptions', 'epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit',
  'validationData', 'metrics', 'callbacks', 'earlyStopping', 'signal', 'yieldEveryMs',
]);

function isOptimizer(value: unknown): value is AnyOptimizer {
  return typeof value === 'object' && value !== null && typeof (value as AnyOptimizer).step === 'function';
}

function positiveInteger(name: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 1) {
    throw new RnnkitError(API, `${name} must be a positive integer, got ${String(value)}`);
  }
  return value as number;
}

/** Resolves a loss given by object or name. */
export function resolveLoss(api: string, loss: Loss | string | undefined): Loss {
  if (typeof loss === 'string') return getLoss(loss);
  if (loss && typeof loss === 'object' && typeof loss.compute === 'function') return loss;
  throw new RnnkitError(api, 'loss must be a Loss object (from @rnnkit/losses) or a loss name such as "mse"');
}

/** Gives the event loop a turn without the 4 ms clamp of nested timers where possible. */
function nextTurn(): Promise<void> {
  const g = globalThis as { setImmediate?: (fn: () => void) => void };
  if (typeof g.setImmediate === 'function') return new Promise((resolve) => g.setImmediate!(resolve));
  if (typeof MessageChannel === 'function') {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** The offset of the first NaN or infinite element, or -1. */
function firstNonFinite(t: Tensor): number {
  const data = t.data;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i]!)) return i;
  return -1;
}

function describePosition(shape: readonly number[], index: number[]): string {
  const at = formatShape(index);
  if (shape.length === 3) return `${at} (sample ${index[0]}, time step ${index[1]}, feature ${index[2]})`;
  if (shape.length === 2) return `${at} (sample ${index[0]}, feature ${index[1]})`;
  return at;
}

/**
 * Trains a model on `data` and resolves with the history of losses and metrics.
 *
 * Per batch: gather the samples, (look-ahead optimizers: move to the look-ahead point),
 * forward, loss and its gradient, backward (accumulating parameter gradients), a check that
 * loss and gradients are finite, the optimizer step, and zeroed gradients for the next
 * batch. A NaN or infinite loss or gradient stops training with an error that names where
 * it first appeared instead of silently training on NaN.
 */
export async function fit(model: TrainableModel, data: Dataset, options: FitOptions): Promise<History> {
  if (options === null || typeof options !== 'object') throw new RnnkitError(API, 'expected an options object');
  for (const key of Object.keys(options)) {
    if (!FIT_KEYS.has(key)) throw new RnnkitError(API, `unknown option "${key}"; valid options are ${[...FIT_KEYS].join(', ')}`);
  }
  checkDataset(API, data);
  const loss = resolveLoss(API, options.loss);
  const epochs = positiveInteger('epochs', options.epochs ?? 1);
  const metrics = resolveMetrics(API, options.metrics);
  const yieldEveryMs = options.yieldEveryMs ?? 25;
  if (typeof yieldEveryMs !== 'number' || Number.isNaN(yieldEveryMs) || yieldEveryMs < 0) {
    throw new RnnkitError(API, `yieldEveryMs must be a number ≥ 0, got ${String(yieldEveryMs)}`);
  }

  // Validation data: a split from the end (before shuffling, as Keras does) or given.
  let train = data;
  let validation: Dataset | undefined;
  if (options.validationSplit !== undefined && options.validationData !== undefined) {
    throw new RnnkitError(API, 'give either validationSplit or validationData, not both');
  }
  if (options.validationSplit !== undefined) {
    const split = options.validationSplit;
    if (typeof split !== 'number' || !(split > 0 && split < 1)) {
      throw new RnnkitError(API, `validationSplit must be a fraction in (0, 1), got ${String(split)}`);
    }
    const n = data.x.shape[0]!;
    const trainCount = Math.floor(n * (1 - split));
    if (trainCount < 1 || trainCount >= n) {
      throw new RnnkitError(API, `validationSplit ${split} of ${n} samples leaves no training or no validation samples`);
    }
    train = { x: sliceRows(data.x, 0, trainCount), y: sliceRows(data.y, 0, trainCount) };
    validation = { x: sliceRows(data.x, trainCount, n), y: sliceRows(data.y, trainCount, n) };
  } else if (options.validationData !== undefined) {
    checkDataset(API, options.validationData, 'validationData');
    validation = options.validationData;
  }

  const n = train.x.shape[0]!;
  const batchSize = options.batchSize === 'full' ? n : Math.min(positiveInteger('batchSize', options.batchSize ?? 32), n);
  const batches = Math.ceil(n / batchSize);
  const shuffle = options.shuffle ?? true;
  const random = new Random(options.seed ?? 0);

  const params = model.params();
  let optimizer: AnyOptimizer;
  if (isOptimizer(options.optimizer)) {
    if (options.optimizerOptions !== undefined) {
      throw new RnnkitError(API, 'optimizerOptions apply only when optimizer is a plugin; this optimizer is already configured');
    }
    optimizer = options.optimizer;
  } else if (options.optimizer && typeof (options.optimizer as AnyOptimizerPlugin).update === 'function') {
    optimizer = createOptimizer(options.optimizer as AnyOptimizerPlugin, params, (options.optimizerOptions ?? {}) as never);
  } else {
    throw new RnnkitError(API, 'optimizer must be an optimizer plugin (e.g. adam from @rnnkit/optimizers) or an optimizer from createOptimizer');
  }

  const early = options.earlyStopping;
  const monitor = early?.monitor ?? (validation ? 'valLoss' : 'loss');
  if (early) {
    if (!Number.isSafeInteger(early.patience) || early.patience < 0) {
      throw new RnnkitError(API, `earlyStopping.patience must be an integer ≥ 0, got ${String(early.patience)}`);
    }
    if (monitor === 'valLoss' && !validation) {
      throw new RnnkitError(API, 'earlyStopping monitors valLoss but there is no validation data (pass validationSplit or validationData, or monitor "loss")');
    }
  }

  const callbacks = options.callbacks ?? {};
  const xBatches = new BatchGatherer(train.x);
  const yBatches = new BatchGatherer(train.y);
  const order = Array.from({ length: n }, (_, i) => i);
  const epochLogs: EpochLogs[] = [];
  const batchLogs: BatchLogs[] = [];
  let stopReason: History['stopReason'] = 'completed';
  let best = Infinity;
  let bestEpoch: number | undefined;
  let bestWeights: Tensor[] | undefined;
  let waited = 0;
  const started = performance.now();
  let lastTurn = started;
  let samplesDone = 0;
  const totalSamples = n * epochs;

  for (const param of params) param.zeroGrad();
  await callbacks.onTrainBegin?.();
  training: for (let epoch = 1; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    await callbacks.onEpochBegin?.(epoch);
    if (shuffle) random.shuffle(order);
    let lossSum = 0;
    let seen = 0;
    for (let b = 0; b < batches; b++) {
      if (options.signal?.aborted) {
        stopReason = 'aborted';
        break training;
      }
      const start = b * batchSize;
      const end = Math.min(n, start + batchSize);
      const x = xBatches.gather(order, start, end);
      const y = yBatches.gather(order, start, end);

      optimizer.beforeGradient();
      const { y: prediction, cache } = model.forward(x, { training: true });
      const { value, grad } = loss.compute(prediction, y);
      if (!Number.isFinite(value)) {
        const bad = firstNonFinite(prediction);
        const where =
          bad >= 0
            ? `; the first non-finite prediction is ${prediction.data[bad]} at ${describePosition(prediction.shape, unravel(bad, prediction.shape))}`
            : '; every prediction is finite, so the loss itself overflowed';
        throw new RnnkitError(API, `the loss became ${value} at epoch ${epoch}, batch ${b + 1}${where}. Lower the learning rate or clip gradients (globalClipNorm)`);
      }
      model.backward(grad, cache);
      // Backward runs from the last layer to the first, so checking parameters in reverse
      // order names the parameter where a non-finite gradient first appeared.
      for (let k = params.length - 1; k >= 0; k--) {
        const param = params[k]!;
        const bad = firstNonFinite(param.grad);
        if (bad >= 0) {
          throw new RnnkitError(
            API,
            `the gradient of ${param.name} holds ${param.grad.data[bad]} at ${formatShape(unravel(bad, param.grad.shape))} ` +
              `at epoch ${epoch}, batch ${b + 1} (the loss was ${value}). Lower the learning rate or clip gradients`,
          );
        }
      }
      optimizer.step();
      optimizer.zeroGrad();

      const size = end - start;
      lossSum += value * size;
      seen += size;
      samplesDone += size;
      const batchLog = { epoch, batch: b + 1, size, loss: value };
      batchLogs.push(batchLog);
      await callbacks.onBatchEnd?.(batchLog);
      if (callbacks.onProgress) {
        const elapsed = (performance.now() - started) / 1000;
        const rate = samplesDone / Math.max(elapsed, 1e-9);
        callbacks.onProgress({
          epoch, epochs, batch: b + 1, batches, loss: lossSum / seen,
          samplesPerSecond: rate,
          etaSeconds: (totalSamples - samplesDone) / rate,
        });
      }
      if (performance.now() - lastTurn >= yieldEveryMs) {
        await nextTurn();
        lastTurn = performance.now();
      }
    }

    const trainMetrics: Record<string, number> = {};
    if (metrics.length > 0) Object.assign(trainMetrics, computeMetrics(model, train, metrics, ''));
    let valLoss: number | undefined;
    if (validation) {
      valLoss = evaluateLoss(model, validation, loss);
      if (metrics.length > 0) Object.assign(trainMetrics, computeMetrics(model, validation, metrics, 'val_'));
    }
    const logs: EpochLogs = {
      epoch,
      loss: lossSum / seen,
      ...(valLoss !== undefined ? { valLoss } : {}),
      metrics: trainMetrics,
      seconds: (performance.now() - epochStart) / 1000,
    };
    epochLogs.push(logs);
    await callbacks.onEpochEnd?.(logs);

    if (early) {
      const current = monitor === 'valLoss' ? logs.valLoss! : logs.loss;
      if (current < best - (early.minDelta ?? 0)) {
        best = current;
        bestEpoch = epoch;
        waited = 0;
        if (early.restoreBestWeights) bestWeights = model.getWeights().map((w) => w.clone());
      } else if (++waited > early.patience) {
        stopReason = 'early-stopping';
        break;
      }
    }
  }

  if (early?.restoreBestWeights && bestWeights) model.setWeights(bestWeights);
  const history: History = {
    epochs: epochLogs,
    batches: batchLogs,
    loss: epochLogs.map((e) => e.loss),
    valLoss: epochLogs.flatMap((e) => (e.valLoss !== undefined ? [e.valLoss] : [])),
    stopReason,
    ...(early?.restoreBestWeights && bestEpoch !== undefined ? { bestEpoch } : {}),
    optimizer,
  };
  await callbacks.onTrainEnd?.(history);
  return history;
}

/** Mean loss over a dataset, in batches, without touching gradients. */
export function evaluateLoss(model: TrainableModel, data: Dataset, loss: Loss, batchSize = 256): number {
  const n = data.x.shape[0]!;
  let sum = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const x = end - start === n ? data.x : sliceRows(data.x, start, end);
    const y = end - start === n ? data.y : sliceRows(data.y, start, end);
    sum += loss.value(model.forward(x).y, y) * (end - start);
  }
  return sum / n;
}

function computeMetrics(
  model: TrainableModel,
  data: Dataset,
  metrics: [string, MetricFunction][],
  prefix: string,
): Record<string, number> {
  const prediction = model.forward(data.x).y;
  return Object.fromEntries(metrics.map(([name, fn]) => [`${prefix}${name}`, fn(prediction, data.y)]));
}
