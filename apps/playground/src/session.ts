// One training run: the model, its optimizer, and the loop that trains it epoch by epoch
// and reports what happens. The worker owns one session at a time; nothing here touches
// worker globals, so tests drive a session directly.
import type { GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { type ProgressEvent, evaluate, fit } from '@rnnkit/model';
import { type Optimizer, createOptimizer } from '@rnnkit/optimizers';
import type { EpochLog, Report, RunStatus, TrainingConfig } from './protocol.js';
import { type Task, OPTIMIZER_PLUGINS, buildTask } from './tasks.js';

/** How often (ms) to send the page the loss within an epoch, and a full snapshot. */
export interface ReportIntervals {
  readonly progressMs: number;
  readonly snapshotMs: number;
}

const DEFAULT_INTERVALS: ReportIntervals = { progressMs: 100, snapshotMs: 150 };

/** Resolves after `ms`, or at once when `signal` aborts (a pause or reset during the wait). */
function delay(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}

export class TrainingSession {
  readonly id: number;
  readonly config: TrainingConfig;
  readonly #post: (report: Report) => void;
  readonly #intervals: ReportIntervals;
  readonly #task: Task;
  readonly #model: Sequential;
  readonly #recurrent: SimpleRNN | LSTM | GRU;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  readonly #optimizer: Optimizer<any, any>;
  #epoch = 0;
  #state: RunStatus | 'idle' | 'stopped' = 'idle';
  #controller: AbortController | null = null;
  /** True while the training loop runs (it may still be unwinding after a pause). */
  #looping = false;
  #pending: EpochLog[] = [];
  #lastSnapshot = -Infinity;
  #lastProgress = -Infinity;

  /** Builds the data and the model; throws (an RnnkitError) on a bad configuration. */
  constructor(id: number, config: TrainingConfig, post: (report: Report) => void, intervals = DEFAULT_INTERVALS) {
    this.id = id;
    this.config = config;
    this.#post = post;
    this.#intervals = intervals;
    this.#task = buildTask(config);
    const { model, recurrent } = this.#task.buildModel(config);
    this.#model = model;
    this.#recurrent = recurrent;
    // One optimizer for the whole run, so its state (Adam's moments, …) survives pauses.
    this.#optimizer = createOptimizer(OPTIMIZER_PLUGINS[config.optimizer], model.params(), {
      learningRate: config.learningRate,
    });
  }

  get epoch(): number {
    return this.#epoch;
  }

  get state(): RunStatus | 'idle' | 'stopped' {
    return this.#state;
  }

  /** Reports the task and the untrained model, then trains. Resolves when the loop stops. */
  async start(): Promise<void> {
    if (this.#state !== 'idle') return;
    const parameters = this.#model.params().reduce((sum, p) => sum + p.value.size, 0);
    this.#post({
      type: 'setup',
      id: this.id,
      view: this.#task.view,
      parameters,
      trainSamples: this.#task.train.x.shape[0]!,
      testSamples: this.#task.test.x.shape[0]!,
    });
    this.#flush();
    await this.#run();
  }

  /** Stops between two batches; `resume` carries on with the same model and optimizer. */
  pause(): void {
    if (this.#state !== 'running') return;
    this.#state = 'paused';
    this.#controller?.abort();
    this.#flush();
    this.#post({ type: 'status', id: this.id, status: 'paused', epoch: this.#epoch });
  }

  async resume(): Promise<void> {
    if (this.#state !== 'paused') return;
    await this.#run();
  }

  /** Ends the run for good (the page's reset). */
  stop(): void {
    this.#state = 'stopped';
    this.#controller?.abort();
  }

  async #run(): Promise<void> {
    this.#state = 'running';
    this.#post({ type: 'status', id: this.id, status: 'running', epoch: this.#epoch });
    if (this.#looping) return; // a pause is still unwinding: that loop carries on
    this.#looping = true;
    const { config } = this;
    try {
      while (this.#epoch < config.epochs && this.#state === 'running') {
        const controller = new AbortController();
        this.#controller = controller;
        const history = await fit(this.#model, this.#task.train, {
          loss: this.#task.loss,
          optimizer: this.#optimizer,
          epochs: 1,
          batchSize: config.batchSize,
          seed: config.seed + this.#epoch, // a different shuffle every epoch, the same on every replay
          signal: controller.signal,
          yieldEveryMs: 15,
          callbacks: { onProgress: (event) => this.#progress(event) },
        });
        // An aborted epoch is not counted; its batches did update the weights, though.
        if (history.stopReason === 'aborted') continue;
        this.#epoch++;
        const testLoss = evaluate(this.#model, this.#task.test, { loss: this.#task.loss }).loss;
        this.#pending.push({ epoch: this.#epoch, loss: history.loss[0]!, testLoss });
        const paced = config.epochDelayMs > 0;
        if (paced || performance.now() - this.#lastSnapshot >= this.#intervals.snapshotMs) this.#flush();
        if (paced && this.#epoch < config.epochs) await delay(config.epochDelayMs, controller.signal);
      }
      if (this.#state === 'running') {
        this.#state = 'done';
        if (this.#pending.length > 0) this.#flush();
        this.#post({ type: 'status', id: this.id, status: 'done', epoch: this.#epoch });
      }
    } catch (error) {
      this.#state = 'failed';
      this.#flush();
      this.#post({ type: 'error', id: this.id, message: error instanceof Error ? error.message : String(error) });
      this.#post({ type: 'status', id: this.id, status: 'failed', epoch: this.#epoch });
    } finally {
      this.#looping = false;
      this.#controller = null;
    }
  }

  #progress(event: ProgressEvent): void {
    const now = performance.now();
    if (now - this.#lastProgress < this.#intervals.progressMs || this.#state !== 'running') return;
    this.#lastProgress = now;
    this.#post({
      type: 'progress',
      id: this.id,
      epoch: this.#epoch + 1,
      batch: event.batch,
      batches: event.batches,
      loss: event.loss,
      samplesPerSecond: event.samplesPerSecond,
    });
  }

  /** Sends the finished epochs not yet reported, with a snapshot of the model now. */
  #flush(): void {
    if (this.#state === 'stopped') return;
    const snapshot = this.#task.snapshot(this.#model, this.#recurrent, this.#epoch);
    this.#post({ type: 'epochs', id: this.id, logs: this.#pending, snapshot });
    this.#pending = [];
    this.#lastSnapshot = performance.now();
  }
}
