// trainInWorker: `fit` on another thread, driven through a WorkerTransport.
import type { Sequential } from '@rnnkit/layers';
import { type EpochLogs, type ModelArtifacts, type ProgressEvent, loadModel, saveModel } from '@rnnkit/model';
import { RnnkitError, Tensor, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import { nodeWorkerTransport } from './node.js';
import { type FromWorker, type ModelSnapshot, type WorkerFitOptions, type WorkerHistory, encodeTensor } from './protocol.js';
import { type SnapshotOptions, applySnapshot, snapshotEvery } from './snapshot.js';
import type { WorkerTransport } from './transport.js';

const API = 'trainInWorker';

/** Options of {@link trainInWorker}: `fit`'s plain-data options, callbacks and controls. */
export interface TrainInWorkerOptions extends WorkerFitOptions {
  /** Called on this thread with each progress event of the worker's `fit` (one per batch). */
  readonly onProgress?: (event: ProgressEvent) => void;
  /**
   * Called on this thread with the numbers of each finished epoch, and the model's weights at
   * that point when {@link TrainInWorkerOptions.snapshots} asks for them at this epoch.
   */
  readonly onEpochEnd?: (logs: EpochLogs, snapshot?: ModelSnapshot) => void;
  /**
   * Send the model's weights back while it trains, with `onEpochEnd`: `'epoch'` after every
   * epoch, `{ every: n }` after every n-th (epochs n, 2n, …). The training is the same with or
   * without them. @defaultValue none
   */
  readonly snapshots?: SnapshotOptions | 'epoch';
  /** Aborting stops the worker at once; the result then rejects with an error named `AbortError`. */
  readonly signal?: AbortSignal;
  /**
   * Starts the worker: a browser passes
   * `() => browserWorkerTransport(new Worker(url, { type: 'module' }))`.
   * @defaultValue a Node worker thread
   */
  readonly transport?: () => WorkerTransport | Promise<WorkerTransport>;
}

/** What a finished {@link trainInWorker} job gives. */
export interface WorkerTrainingResult {
  /** The trained model, loaded on this thread. */
  readonly model: Sequential;
  /** The worker's `fit` history (its optimizer stays in the worker). */
  readonly history: WorkerHistory;
  /** The trained model as the worker saved it (`saveModel` format). */
  readonly artifacts: ModelArtifacts;
}

/** A running {@link trainInWorker} job. */
export interface TrainingJob {
  /** Settles when training ends: with the trained model, or with the worker's error. */
  readonly result: Promise<WorkerTrainingResult>;
  /**
   * Asks the worker to pause after its current batch; resolves once it has (or when the job
   * has ended). Nothing is trained until {@link TrainingJob.resume}.
   */
  pause(): Promise<void>;
  /** Lets a paused worker go on. */
  resume(): void;
  /**
   * A new model of the job's architecture with a snapshot's weights (from `onEpochEnd`). To
   * follow the training in one model, load each snapshot into it with `applySnapshot`.
   */
  modelAt(snapshot: ModelSnapshot): Sequential;
}

const OPTION_KEYS = [
  'loss', 'optimizer', 'optimizerOptions', 'epochs', 'batchSize', 'shuffle', 'seed', 'validationSplit', 'metrics',
  'earlyStopping', 'yieldEveryMs', 'onProgress', 'onEpochEnd', 'snapshots', 'signal', 'transport',
] as const;

function isArtifacts(spec: unknown): spec is ModelArtifacts {
  return typeof spec === 'object' && spec !== null && 'modelJson' in spec && (spec as ModelArtifacts).weights instanceof ArrayBuffer;
}

function isModelLike(spec: unknown): spec is Sequential {
  return typeof spec === 'object' && spec !== null && typeof (spec as Sequential).getWeights === 'function';
}

/** Checks the options; returns the epochs between snapshots (undefined: none). */
function checkOptions(options: TrainInWorkerOptions): number | undefined {
  checkOptionKeys(API, options, OPTION_KEYS);
  // Functions and objects with methods cannot be sent to a worker: only names can.
  for (const key of ['loss', 'optimizer'] as const) {
    if (typeof options[key] !== 'string') {
      throw new RnnkitError(API, `${key} must be a name such as "${key === 'loss' ? 'mse' : 'adam'}" (a function cannot be sent to a worker), got ${describeValue(options[key])}`);
    }
  }
  if (options.metrics !== undefined && (!Array.isArray(options.metrics) || options.metrics.some((m) => typeof m !== 'string'))) {
    throw new RnnkitError(API, `metrics must be an array of metric names (functions cannot be sent to a worker), got ${describeValue(options.metrics)}`);
  }
  for (const key of ['onProgress', 'onEpochEnd', 'transport'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') {
      throw new RnnkitError(API, `${key} must be a function, got ${describeValue(options[key])}`);
    }
  }
  if (options.signal !== undefined && typeof options.signal?.aborted !== 'boolean') {
    throw new RnnkitError(API, `signal must be an AbortSignal (from an AbortController), got ${describeValue(options.signal)}`);
  }
  return snapshotEvery(API, options.snapshots);
}

/** The error the result rejects with when the signal aborts: an RnnkitError named `AbortError`. */
function abortError(signal: AbortSignal): RnnkitError {
  const error = new RnnkitError(API, 'training was aborted and the worker stopped', { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/** The worker's error, with the message it had there. */
function rebuildError(error: Extract<FromWorker, { type: 'error' }>['error']): Error {
  if (error.api !== undefined && error.message.startsWith(`${error.api}: `)) {
    return new RnnkitError(error.api, error.message.slice(error.api.length + 2));
  }
  return new RnnkitError(API, `the worker failed: ${error.name}: ${error.message}`);
}

/**
 * Trains a model with `fit` on a worker thread, so this thread stays free. `spec` is the
 * model: a Sequential (saved for you with `saveModel`; it is not changed) or its saved
 * artifacts. The data's values are copied into the worker; progress comes back through
 * `onProgress` and `onEpochEnd` (with the model's weights, when `snapshots` asks), and the
 * trained model comes back loaded. With the same `seed` the result is bit for bit that of
 * `fit` on this thread, with or without snapshots.
 *
 * ```ts
 * const job = trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam', epochs: 10 });
 * const { model: trained, history } = await job.result;
 * ```
 */
export function trainInWorker(
  spec: Sequential | ModelArtifacts,
  data: { readonly x: Tensor; readonly y: Tensor },
  options: TrainInWorkerOptions,
): TrainingJob {
  let artifacts: ModelArtifacts;
  if (isArtifacts(spec)) artifacts = spec;
  // Not `instanceof`: a Sequential of the other build (ESM or CJS) of @rnnkit/layers is one too.
  else if (isModelLike(spec)) artifacts = saveModel(spec);
  else throw new RnnkitError(API, `spec must be a Sequential or the artifacts of saveModel ({ modelJson, weights }), got ${describeValue(spec)}`);
  if (data === null || typeof data !== 'object' || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) {
    throw new RnnkitError(API, `data must be { x, y } with two Tensors, got ${describeValue(data)}`);
  }
  const every = checkOptions(options);
  const { onProgress, onEpochEnd, snapshots: _snapshots, signal, transport: startTransport = nodeWorkerTransport, ...fitOptions } = options;
  const x = encodeTensor(data.x);
  const y = encodeTensor(data.y);
  // The weights are copied too: the caller keeps its artifacts usable.
  const sent = { modelJson: artifacts.modelJson, weights: artifacts.weights.slice(0) };

  let transport: WorkerTransport | undefined;
  let settled = false;
  let paused = false;
  let pauseWaiters: (() => void)[] = [];
  const wakePauseWaiters = (): void => {
    for (const wake of pauseWaiters) wake();
    pauseWaiters = [];
  };

  const result = new Promise<WorkerTrainingResult>((resolve, reject) => {
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      transport?.terminate();
      wakePauseWaiters();
      outcome();
    };
    const onAbort = (): void => finish(() => reject(abortError(signal!)));
    if (signal?.aborted) {
      finish(() => reject(abortError(signal)));
      return;
    }
    signal?.addEventListener('abort', onAbort, { once: true });

    // A callback that throws ends the job with its error, as it would end `fit`.
    const call = (callback: () => void): void => {
      try {
        callback();
      } catch (error) {
        finish(() => reject(error));
      }
    };
    const onMessage = (message: FromWorker): void => {
      if (settled) return;
      switch (message.type) {
        case 'progress':
          call(() => onProgress?.(message.event));
          break;
        case 'epoch':
          call(() => onEpochEnd?.(message.logs, message.snapshot));
          break;
        case 'paused':
          paused = true;
          wakePauseWaiters();
          break;
        case 'done':
          finish(() => {
            try {
              resolve({ model: loadModel(message.artifacts).model, history: message.history, artifacts: message.artifacts });
            } catch (error) {
              reject(error);
            }
          });
          break;
        case 'error':
          finish(() => reject(rebuildError(message.error)));
          break;
      }
    };
    const onLost = (reason: string): void => {
      finish(() => reject(new RnnkitError(API, `the worker ${reason} before training finished`)));
    };

    Promise.resolve()
      .then(startTransport)
      .then((started) => {
        transport = started;
        if (settled) {
          started.terminate();
          return;
        }
        started.listen(onMessage, onLost);
        started.post(
          { type: 'train', artifacts: sent, x: x.message, y: y.message, options: fitOptions, ...(every !== undefined ? { snapshotEvery: every } : {}) },
          [sent.weights, x.transfer, y.transfer],
        );
        if (pauseWaiters.length > 0) started.post({ type: 'pause' });
      })
      .catch((error: unknown) => finish(() => reject(new RnnkitError(API, `could not start the worker: ${error instanceof Error ? error.message : String(error)}`))));
  });

  return {
    result,
    pause() {
      if (settled || paused) return Promise.resolve();
      const waiting = new Promise<void>((resolve) => pauseWaiters.push(resolve));
      // Before the worker has started, the request is sent right after the job.
      if (pauseWaiters.length === 1) transport?.post({ type: 'pause' });
      return waiting;
    },
    resume() {
      if (settled) return;
      paused = false;
      wakePauseWaiters();
      transport?.post({ type: 'resume' });
    },
    modelAt(snapshot) {
      // The architecture (and the weights the snapshot replaces) of the artifacts the job started from.
      const { model } = loadModel(artifacts);
      applySnapshot(model, snapshot);
      return model;
    },
  };
}
