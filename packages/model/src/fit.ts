import type { Layer } from '@rnnkit/layers';
import { type Loss, getLoss } from '@rnnkit/losses';
import { type Param, Random, RnnkitError, type Tensor } from '@rnnkit/tensor';
import { BatchGatherer, type Dataset, checkDataset, sliceRows } from './data.js';
import { checkOutputFinite, describeNonFiniteWeight } from './finite.js';
import {
  type AnyOptimizer,
  type FitOptions,
  type OptimizerChoice,
  checkFitOptions,
  positiveInteger,
  resolveOptimizer,
} from './fit-options.js';
import { type MetricFunction, resolveMetrics } from './metrics.js';
import { chunkableLayers, trainChunks } from './tbptt.js';
import { checkedStep, lookAhead, lossAndGradient } from './train-step.js';
import { evaluateLoss } from './dataset-loss.js';
import { withLocation } from './locate.js';
import { type TrainingState, checkTrainingState } from './training-state.js';
import { checkSampleWeight, lossOptions, outputMask, positionWeights } from './weights.js';

const API = 'fit';

/**
 * What `fit`, `evaluate` and `predict` need of a model: a forward pass that keeps a cache,
 * a backward pass that accumulates parameter gradients, and its parameters and weights.
 * `Sequential` from @rnnkit/layers fits; so does any single layer or a user's own model.
 * A cache holding the output's mask as `mask` (`[batch, time]`, as a Sequential's does) makes
 * the loss and the metrics skip the masked steps.
 */
export interface TrainableModel {
  forward(x: Tensor, options?: { readonly training?: boolean }): { readonly y: Tensor; readonly cache: unknown };
  backward(dy: Tensor, cache: unknown): Tensor;
  params(): Param[];
  getWeights(): Tensor[];
  setWeights(weights: readonly Tensor[]): void;
}

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
  /** The epoch whose weights the model holds when early stopping restored the best ones (not after an abort). */
  readonly bestEpoch?: number;
  /** The optimizer used (to continue training, or to save its state). */
  readonly optimizer: AnyOptimizer;
  /**
   * Where training stands (epochs done, the shuffle stream, an aborted epoch's batches):
   * save it with the model and the optimizer, and pass it as `resume` to go on exactly here.
   */
  readonly trainingState: TrainingState;
}

/** Throws unless `model` has what training and inference need. */
export function checkModel(api: string, model: TrainableModel): void {
  const methods = ['forward', 'backward', 'params', 'getWeights', 'setWeights'] as const;
  const missing = methods.filter((name) => typeof (model as unknown as Record<string, unknown> | null)?.[name] !== 'function');
  if (missing.length > 0) {
    throw new RnnkitError(api, `model must have ${methods.join(', ')} (a Sequential, a layer, or your own model); it lacks ${missing.join(', ')}`);
  }
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

/** The parameters (and models) a `fit` is training right now: a second `fit` of them must wait. */
const inTraining = new WeakSet<object>();

/**
 * Trains a model on `data` and resolves with the history of losses and metrics.
 *
 * Per batch: gather the samples (and their `sampleWeight`), (look-ahead optimizers: move to
 * the look-ahead point), forward, loss and its gradient (masked output steps excluded, the
 * weights applied), backward (accumulating parameter gradients), a check that
 * loss and gradients are finite, the optimizer step (all or nothing: a step that would
 * leave a weight NaN or infinite is undone and stops training), and zeroed gradients for
 * the next batch. Every NaN or infinity stops training with an error that names where it
 * first appeared instead of silently training on NaN.
 *
 * One `fit` at a time per model: a second `fit` of a model (or of a model sharing its
 * parameters) while one runs is refused. `evaluate` and `predict` may run meanwhile (from a
 * callback or another task): `fit` yields only between batches, where the weights are whole.
 *
 * Stateful models (recurrent layers with `stateful: true`) follow Keras: pass
 * `shuffle: false` and a `batchSize` that divides the number of samples; the carried states
 * are never reset by `fit` (call `resetStates(model)` from `callbacks.onEpochBegin` when each
 * epoch replays the same sequences), and every forward pass — metrics and validation
 * included — moves them on. Gradients stop at batch boundaries (truncated BPTT).
 *
 * With `tbptt: k` each batch's sequences run in chunks of k steps, the recurrent layers'
 * final states carried into the next chunk as its initial states, gradients stopping at chunk
 * boundaries, and one optimizer step per chunk that has a loss. Validation and metrics run
 * whole sequences.
 */
export async function fit<Choice extends OptimizerChoice>(
  model: TrainableModel,
  data: Dataset,
  options: FitOptions<Choice>,
): Promise<History> {
  checkFitOptions(API, options as FitOptions);
  checkModel(API, model);
  checkDataset(API, data);
  // Before the parameters are listed: a Sequential made without an input shape is built here.
  const layers = options.tbptt === undefined ? undefined : chunkableLayers(model, data.x);
  const params = model.params();
  // Keyed by the value arrays: a Sequential's Params and its layers' are different objects
  // over the same values.
  const busy = [model, ...params.map((param) => param.value.data)];
  if (busy.some((item) => inTraining.has(item))) {
    throw new RnnkitError(
      API,
      'this model (or one sharing its parameters) is already being trained by another fit call; await it (or abort it with its signal) before starting another',
    );
  }
  for (const item of busy) inTraining.add(item);
  try {
    return await train(model, params, layers, data, options as FitOptions);
  } finally {
    for (const item of busy) inTraining.delete(item);
  }
}

async function train(
  model: TrainableModel,
  params: Param[],
  layers: readonly Layer[] | undefined,
  data: Dataset,
  options: FitOptions,
): Promise<History> {
  const sampleWeight = options.sampleWeight === undefined ? undefined : checkSampleWeight(API, options.sampleWeight, data.x);
  const loss = resolveLoss(API, options.loss);
  const epochs = positiveInteger(API, 'epochs', options.epochs ?? 1);
  const metrics = resolveMetrics(API, options.metrics);
  const yieldEveryMs = options.yieldEveryMs ?? 25;
  const weight = describeNonFiniteWeight(params);
  if (weight !== undefined) throw new RnnkitError(API, `${weight} before training: weights must be finite`);

  // Validation data: a split from the end (before shuffling, as Keras does) or given.
  let train = data;
  let validation: Dataset | undefined;
  // The weights of the training samples, and of the validation ones (a split's share only:
  // validationData carries none).
  let trainWeight = sampleWeight;
  let validationWeight: Tensor | undefined;
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
    if (sampleWeight !== undefined) {
      trainWeight = sliceRows(sampleWeight, 0, trainCount);
      validationWeight = sliceRows(sampleWeight, trainCount, n);
    }
  } else if (options.validationData !== undefined) {
    checkDataset(API, options.validationData, 'validationData');
    validation = options.validationData;
  }

  const n = train.x.shape[0]!;
  const batchSize = options.batchSize === 'full' ? n : Math.min(options.batchSize ?? 32, n);
  const batches = Math.ceil(n / batchSize);
  const optimizer = resolveOptimizer(API, options, params);

  // Where this run starts: epoch 1 with a fresh shuffle stream, or where `resume` left off.
  const resume = options.resume;
  let seed = options.seed ?? 0;
  let random: Random;
  let order = Array.from({ length: n }, (_, i) => i);
  let firstEpoch = 1;
  let firstBatch = 0;
  let resumedLoss = { sum: 0, samples: 0 };
  if (resume !== undefined) {
    random = checkTrainingState(API, resume, { samples: n, batchSize, iterations: optimizer.iterations, tbptt: options.tbptt });
    if (options.seed !== undefined && options.seed !== resume.seed) {
      throw new RnnkitError(API, `seed ${options.seed} differs from the seed ${resume.seed} of the training state resumed; leave seed out when resuming`);
    }
    seed = resume.seed;
    order = [...resume.order];
    firstEpoch = resume.epoch + 1;
    firstBatch = resume.batch;
    resumedLoss = { sum: resume.epochLossSum, samples: resume.epochSamples };
    if (epochs < firstEpoch) {
      throw new RnnkitError(
        API,
        `epochs is the last epoch to train (as Keras' with initial_epoch) and the training state resumed has finished ${resume.epoch}; ` +
          `pass epochs > ${resume.epoch}`,
      );
    }
  } else {
    random = new Random(seed);
  }
  const shuffle = options.shuffle ?? resume?.shuffle ?? true;

  const early = options.earlyStopping;
  const monitor = early?.monitor ?? (validation ? 'valLoss' : 'loss');
  if (early && monitor === 'valLoss' && !validation) {
    throw new RnnkitError(API, 'earlyStopping monitors valLoss but there is no validation data (pass validationSplit or validationData, or monitor "loss")');
  }

  const callbacks = options.callbacks ?? {};
  const signal = options.signal;
  const xBatches = new BatchGatherer(train.x);
  const yBatches = new BatchGatherer(train.y);
  const weightBatches = trainWeight === undefined ? undefined : new BatchGatherer(trainWeight);
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
  const totalSamples = n * (epochs - firstEpoch + 1) - firstBatch * batchSize;
  // Where the run stands, for `trainingState`: finished epochs, and batches of the next.
  let epochsDone = firstEpoch - 1;
  let batchesDone = firstBatch;
  let lossSum = resumedLoss.sum;
  let seen = resumedLoss.samples;

  const stateNow = (): TrainingState => ({
    format: 'rnnkit.training',
    version: 1,
    epoch: epochsDone,
    batch: batchesDone,
    epochLossSum: batchesDone > 0 ? lossSum : 0,
    epochSamples: batchesDone > 0 ? seen : 0,
    samples: n,
    batchSize,
    seed,
    shuffle,
    random: random.getState(),
    order: [...order],
    iterations: optimizer.iterations,
    ...(options.tbptt === undefined ? {} : { tbptt: options.tbptt }),
  });

  for (const param of params) param.zeroGrad();
  await callbacks.onTrainBegin?.();
  training: for (let epoch = firstEpoch; epoch <= epochs; epoch++) {
    const epochStart = performance.now();
    const midEpoch = epoch === firstEpoch && firstBatch > 0;
    // Stop before the shuffle, so that an aborted run's state has not consumed it.
    if (signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    await callbacks.onEpochBegin?.(epoch);
    if (signal?.aborted) {
      stopReason = 'aborted';
      break;
    }
    if (!midEpoch) {
      if (shuffle) random.shuffle(order);
      lossSum = 0;
      seen = 0;
    }
    const fromBatch = midEpoch ? firstBatch : 0;
    for (let b = fromBatch; b < batches; b++) {
      if (b > fromBatch && signal?.aborted) {
        stopReason = 'aborted';
        break training;
      }
      const start = b * batchSize;
      const end = Math.min(n, start + batchSize);
      const x = xBatches.gather(order, start, end);
      const y = yBatches.gather(order, start, end);
      const weight = weightBatches?.gather(order, start, end);
      const batch = { x, y, weight };
      const value =
        layers === undefined
          ? trainBatch(model, params, optimizer, loss, batch, epoch, b + 1)
          : trainChunks(layers, params, optimizer, loss, batch, options.tbptt!, epoch, b + 1);

      const size = end - start;
      lossSum += value * size;
      seen += size;
      samplesDone += size;
      batchesDone = b + 1;
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
    epochsDone = epoch;
    batchesDone = 0;

    const trainMetrics: Record<string, number> = {};
    if (metrics.length > 0) Object.assign(trainMetrics, computeMetrics(model, train, trainWeight, metrics, ''));
    let valLoss: number | undefined;
    if (validation) {
      valLoss = evaluateLoss(model, validation, validationWeight, loss, 256, API);
      if (metrics.length > 0) Object.assign(trainMetrics, computeMetrics(model, validation, validationWeight, metrics, 'val_'));
    }
    const logs: EpochLogs = {
      epoch,
      loss: lossSum / seen,
      ...(valLoss !== undefined ? { valLoss } : {}),
      metrics: trainMetrics,
      seconds: (performance.now() - epochStart) / 1000,
    };
    epochLogs.push(logs);
    await callbacks.onEpochEnd?.(logs, stateNow());

    if (early) {
      // Keras' EarlyStopping: a counter of epochs without improvement (beyond minDelta),
      // reset by an improvement; training stops when it reaches `patience`.
      const current = monitor === 'valLoss' ? logs.valLoss! : logs.loss;
      if (current < best - (early.minDelta ?? 0)) {
        best = current;
        bestEpoch = epoch;
        waited = 0;
        if (early.restoreBestWeights) bestWeights = model.getWeights().map((w) => w.clone());
      } else if (++waited >= early.patience) {
        stopReason = 'early-stopping';
        break;
      }
    }
  }

  // Not after an abort: the weights stay those the training state continues from.
  if (early?.restoreBestWeights && bestWeights && stopReason !== 'aborted') model.setWeights(bestWeights);
  const trainingState = stateNow();
  const history: History = {
    epochs: epochLogs,
    batches: batchLogs,
    loss: epochLogs.map((e) => e.loss),
    valLoss: epochLogs.flatMap((e) => (e.valLoss !== undefined ? [e.valLoss] : [])),
    stopReason,
    ...(early?.restoreBestWeights && bestEpoch !== undefined && stopReason !== 'aborted' ? { bestEpoch } : {}),
    optimizer,
    trainingState,
  };
  await callbacks.onTrainEnd?.(history);
  return history;
}

/** One batch's samples: inputs, targets and their sample weights (when there are any). */
export interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly weight: Tensor | undefined;
}

/** One update on one batch; returns the batch's loss. Throws, naming epoch and batch, on any NaN or infinity. */
function trainBatch(
  model: TrainableModel,
  params: readonly Param[],
  optimizer: AnyOptimizer,
  loss: Loss,
  batch: Batch,
  epoch: number,
  index: number,
): number {
  const at = `at epoch ${epoch}, batch ${index}`;
  lookAhead(optimizer, at);
  const { y: prediction, cache } = model.forward(batch.x, { training: true });
  let result: { readonly value: number; readonly grad: Tensor };
  try {
    result = lossAndGradient(loss, prediction, batch.y, lossOptions(outputMask(cache), batch.weight), at);
  } catch (error) {
    throw withLocation(error, model, batch.x, batch.y, loss);
  }
  model.backward(result.grad, cache);
  try {
    checkedStep(params, optimizer, result.value, at);
  } catch (error) {
    throw withLocation(error, model, batch.x, batch.y, loss);
  }
  return result.value;
}

function computeMetrics(
  model: TrainableModel,
  data: Dataset,
  sampleWeight: Tensor | undefined,
  metrics: [string, MetricFunction][],
  prefix: string,
): Record<string, number> {
  const { y: prediction, cache } = model.forward(data.x);
  checkOutputFinite(API, model, data.x, prediction);
  const weights = positionWeights(prediction, outputMask(cache), sampleWeight);
  return Object.fromEntries(metrics.map(([name, fn]) => [`${prefix}${name}`, weights === undefined ? fn(prediction, data.y) : fn(prediction, data.y, weights)]));
}
