// One training run: the task's data and model are built here, and @rnnkit/worker's
// `trainInWorker` trains the model on a worker (a Web Worker in the page, a Node worker
// thread in the tests), with progress, pause, resume and stop. The model stays on the worker
// until training ends, so the page draws a snapshot of the untrained model at the start and
// of the trained one at the end; the losses arrive epoch by epoch. Free of DOM globals.
import type { GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { type ProgressEvent } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { type TrainingJob, type WorkerTransport, trainInWorker } from '@rnnkit/worker';
import type { EpochLog, RunStatus, Snapshot, TrainingConfig } from './config.js';
import { type Task, buildTask, recurrentOf } from './tasks.js';

/** What a run tells the page as it goes. Every callback is optional. */
export interface RunCallbacks {
  onProgress?(event: ProgressEvent): void;
  onEpoch?(log: EpochLog): void;
  onSnapshot?(snapshot: Snapshot): void;
  onStatus?(status: RunStatus, epoch: number): void;
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

  /** Builds the data and the model; throws (an RnnkitError) on a bad configuration. */
  constructor(config: TrainingConfig, callbacks: RunCallbacks = {}, transport?: () => WorkerTransport) {
    this.config = config;
    this.task = buildTask(config);
    const { model, recurrent } = this.task.buildModel(config);
    this.model = model;
    this.recurrent = recurrent;
    this.#callbacks = callbacks;
    this.#transport = transport;
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
        onProgress: (event) => {
          if (this.#status === 'running') this.#callbacks.onProgress?.(event);
        },
        onEpochEnd: (logs) => {
          this.#epoch = logs.epoch;
          this.#callbacks.onEpoch?.({ epoch: logs.epoch, loss: logs.loss, testLoss: logs.valLoss ?? Number.NaN });
          if (config.epochDelayMs > 0 && logs.epoch < config.epochs) void this.#pace();
        },
      },
    );
    try {
      const { model } = await this.#job.result;
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
    this.#controller.abort();
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
