// One training run: the task's data and model are built here, and @rnnkit/worker's
// `trainInWorker` trains the model on a worker (a Web Worker in the page, a Node worker
// thread in the tests), with progress, pause, resume and stop. The losses arrive epoch by
// epoch. The page draws a snapshot of the untrained model at the start, of the trained one at
// the end, and (unless `live` is off) of the model as it trains: the worker sends its weights
// back after epochs (@rnnkit/worker's snapshots), which a model on this thread takes on; those
// snapshots are throttled so that computing them leaves the page responsive. Free of DOM globals.
import type { GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { type ProgressEvent } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { type ModelSnapshot, type TrainingJob, type WorkerTransport, applySnapshot, trainInWorker } from '@rnnkit/worker';
import type { EpochLog, RunStatus, Snapshot, TrainingConfig } from './config.js';
import { type Task, buildTask, recurrentOf } from './tasks.js';

/** What a run tells the page as it goes. Every callback is optional. */
export interface RunCallbacks {
  onProgress?(event: ProgressEvent): void;
  onEpoch?(log: EpochLog): void;
  onSnapshot?(snapshot: Snapshot): void;
  onStatus?(status: RunStatus, epoch: number): void;
}

/** How a run shows the model while it trains. */
export interface RunOptions {
  /**
   * Report snapshots of the model during training too (`onSnapshot`), not only before and
   * after. @defaultValue true
   */
  readonly live?: boolean;
  /**
   * The least time between the end of one live snapshot's computation and the next, in ms
   * (at least 4 times the last computation's time, so this thread stays mostly free); 0 shows
   * every snapshot as it arrives, unthrottled. @defaultValue 250
   */
  readonly liveIntervalMs?: number;
}

/** At most about this many epochs' weights are sent back by the worker in a run. */
const LIVE_SNAPSHOTS = 50;

/** The epochs between the weights the worker sends: every epoch up to 50 epochs, then about 50 in a run. */
export function liveSnapshotEvery(epochs: number): number {
  return Math.max(1, Math.ceil(epochs / LIVE_SNAPSHOTS));
}

/** A trained run's model and task, for the views drawn after training (gradient flow, downloads). */
export interface TrainedRun {
  readonly model: Sequential;
  readonly recurrent: SimpleRNN | LSTM | GRU;
  readonly task: Task;
}

/**
 * The `validationSplit` of `fit` that keeps exactly the last `validation` of `total` samples
 * for validation: fit trains on the first ⌊total · (1 − split)⌋, so the split is chosen half a
 * sample below validation/total, away from the rounding edge.
 */
export function validationSplitFor(validation: number, total: number): number {
  return (validation - 0.5) / total;
}

/** Rows of `a` then rows of `b` (same shape but the first axis). */
export function concatRows(a: Tensor, b: Tensor): Tensor {
  const data = new (a.data.constructor as Float32ArrayConstructor)(a.size + b.size);
  data.set(a.data, 0);
  data.set(b.data, a.size);
  return new Tensor(data, [a.shape[0]! + b.shape[0]!, ...a.shape.slice(1)]);
}

export class TrainingRun {
  readonly config: TrainingConfig;
  readonly task: Task;
  readonly model: Sequential;
  readonly recurrent: SimpleRNN | LSTM | GRU;
  readonly #callbacks: RunCallbacks;
  readonly #transport: (() => WorkerTransport) | undefined;
  readonly #controller = new AbortController();
  #job: TrainingJob | null = null;
  #epoch = 0;
  #status: RunStatus | 'idle' | 'stopped' = 'idle';
  /** Pausing between paced epochs (not the user's pause). */
  #pacing = false;
  readonly #live: boolean;
  readonly #liveIntervalMs: number;
  /** The model on this thread that takes on the worker's weights as they arrive (made at the first). */
  #liveModel: { model: Sequential; recurrent: SimpleRNN | LSTM | GRU } | null = null;
  /** The newest weights not yet shown, when the last snapshot was computed, and the timer that shows them. */
  #liveWeights: ModelSnapshot | null = null;
  #liveShownAt = -Infinity;
  #liveCostMs = 0;
  #liveTimer: ReturnType<typeof setTimeout> | undefined;

  /**
   * Builds the data and the model; throws (an RnnkitError) on a bad configuration. `model`
   * stays the untrained model: the worker trains a copy.
   */
  constructor(config: TrainingConfig, callbacks: RunCallbacks = {}, transport?: () => WorkerTransport, options: RunOptions = {}) {
    this.config = config;
    this.task = buildTask(config);
    const { model, recurrent } = this.task.buildModel(config);
    this.model = model;
    this.recurrent = recurrent;
    this.#callbacks = callbacks;
    this.#transport = transport;
    this.#live = options.live ?? true;
    this.#liveIntervalMs = options.liveIntervalMs ?? 250;
  }

  get parameters(): number {
    return this.model.params().reduce((sum, p) => sum + p.value.size, 0);
  }

  get status(): RunStatus | 'idle' | 'stopped' {
    return this.#status;
  }

  /**
   * Trains to the last epoch; resolves with the trained model, or null when stopped. A
   * failure ends the run with status `failed` and rejects with the worker's error.
   */
  async start(): Promise<TrainedRun | null> {
    if (this.#status !== 'idle') throw new Error('TrainingRun: start() may be called once');
    const { config, task } = this;
    this.#callbacks.onSnapshot?.(task.snapshot(this.model, this.recurrent, 0));
    this.#setStatus('running');
    const trainCount = task.train.x.shape[0]!;
    const testCount = task.test.x.shape[0]!;
    // The test data rides along as fit's validation split: the worker reports its loss per epoch.
    this.#job = trainInWorker(
      this.model,
      { x: concatRows(task.train.x, task.test.x), y: concatRows(task.train.y, task.test.y) },
      {
        loss: task.loss,
        optimizer: config.optimizer,
        optimizerOptions: { learningRate: config.learningRate },
        epochs: config.epochs,
        batchSize: config.batchSize,
        seed: config.seed,
        validationSplit: validationSplitFor(testCount, trainCount + testCount),
        yieldEveryMs: 15,
        signal: this.#controller.signal,
        ...(this.#transport ? { transport: this.#transport } : {}),
        ...(this.#live ? { snapshots: { every: liveSnapshotEvery(config.epochs) } } : {}),
        onProgress: (event) => {
          if (this.#status === 'running') this.#callbacks.onProgress?.(event);
        },
        onEpochEnd: (logs, weights) => {
          this.#epoch = logs.epoch;
          this.#callbacks.onEpoch?.({ epoch: logs.epoch, loss: logs.loss, testLoss: logs.valLoss ?? Number.NaN });
          // The last epoch's model is the trained one, shown when the result arrives.
          if (weights && logs.epoch < config.epochs) this.#queueLive(weights);
          if (config.epochDelayMs > 0 && logs.epoch < config.epochs) void this.#pace();
        },
      },
    );
    try {
      const { model } = await this.#job.result.finally(() => this.#dropLive());
      const recurrent = recurrentOf(model);
      this.#callbacks.onSnapshot?.(task.snapshot(model, recurrent, this.#epoch));
      this.#setStatus('done');
      return { model, recurrent, task };
    } catch (error) {
      if (this.#controller.signal.aborted) return null; // stopped
      this.#setStatus('failed');
      throw error;
    }
  }

  /** Stops after the current batch; `resume` carries on with the same weights and optimizer state. */
  async pause(): Promise<void> {
    if (this.#status !== 'running' || this.#job === null) return;
    this.#status = 'paused';
    await this.#job.pause();
    if (this.#status === 'paused') this.#callbacks.onStatus?.('paused', this.#epoch);
  }

  resume(): void {
    if (this.#status !== 'paused' || this.#job === null) return;
    this.#setStatus('running');
    if (!this.#pacing) this.#job.resume();
  }

  /** Ends the run for good: the worker stops at once. */
  stop(): void {
    if (this.#status === 'done' || this.#status === 'failed') return;
    this.#status = 'stopped';
    this.#dropLive();
    this.#controller.abort();
  }

  /**
   * Shows the newest weights the worker sent, at most once per `liveIntervalMs` (or 4 times
   * the last computation's time, if longer: predictions over a large CSV take a while) counted
   * from the end of the last computation; weights that arrive meanwhile replace those waiting.
   */
  #queueLive(weights: ModelSnapshot): void {
    this.#liveWeights = weights;
    if (this.#liveIntervalMs === 0) {
      // No throttle asked: every snapshot is shown as it arrives (the tests count on each epoch).
      this.#showLive();
      return;
    }
    if (this.#liveTimer !== undefined) return;
    const gap = Math.max(this.#liveIntervalMs, 4 * this.#liveCostMs);
    const wait = Math.max(0, this.#liveShownAt + gap - performance.now());
    this.#liveTimer = setTimeout(() => this.#showLive(), wait);
  }

  #showLive(): void {
    this.#liveTimer = undefined;
    const weights = this.#liveWeights;
    this.#liveWeights = null;
    if (weights === null || this.#job === null || (this.#status !== 'running' && this.#status !== 'paused')) return;
    const started = performance.now();
    if (this.#liveModel === null) {
      const model = this.#job.modelAt(weights);
      this.#liveModel = { model, recurrent: recurrentOf(model) };
    } else {
      applySnapshot(this.#liveModel.model, weights);
    }
    this.#callbacks.onSnapshot?.(this.task.snapshot(this.#liveModel.model, this.#liveModel.recurrent, weights.epoch));
    this.#liveShownAt = performance.now();
    this.#liveCostMs = this.#liveShownAt - started;
  }

  /** Forgets weights still waiting to be shown: the run has ended. */
  #dropLive(): void {
    clearTimeout(this.#liveTimer);
    this.#liveTimer = undefined;
    this.#liveWeights = null;
  }

  /** A pause after an epoch, so a person can watch the first epochs (the worker stops within a batch or two). */
  async #pace(): Promise<void> {
    if (this.#pacing || this.#job === null) return;
    this.#pacing = true;
    await this.#job.pause();
    await new Promise((resolve) => setTimeout(resolve, this.config.epochDelayMs));
    this.#pacing = false;
    if (this.#status === 'running') this.#job.resume();
  }

  #setStatus(status: RunStatus): void {
    this.#status = status;
    this.#callbacks.onStatus?.(status, this.#epoch);
  }
}
