// The messages between the thread that asks for training and the worker that trains.
//
// Everything here is plain data (structured-clonable), so the same protocol runs over Node's
// worker_threads, a browser's Web Worker, or any channel with postMessage semantics. Large
// buffers (the data's values, the weight bytes) travel in the transfer list, not by copy.
import type { EarlyStoppingOptions, EpochLogs, History, ModelArtifacts, ProgressEvent } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';

/** A tensor as it crosses threads: its values (Float32Array or Float64Array) and its shape. */
export interface TensorMessage {
  readonly data: Float32Array | Float64Array;
  readonly shape: readonly number[];
}

/** The options of `fit` that are plain data, and so can be sent to a worker. */
export interface WorkerFitOptions {
  /** A loss by its Keras name, such as `'mse'` (a function cannot cross to the worker). */
  readonly loss: string;
  /** A built-in optimizer by name, such as `'adam'`. */
  readonly optimizer: string;
  /** Learning rate, clipping and the optimizer's own options, as `fit` takes them. */
  readonly optimizerOptions?: Readonly<Record<string, unknown>>;
  /** As `fit`'s. @defaultValue 1 */
  readonly epochs?: number;
  /** As `fit`'s. @defaultValue 32 */
  readonly batchSize?: number | 'full';
  /** As `fit`'s. @defaultValue true */
  readonly shuffle?: boolean;
  /** As `fit`'s. @defaultValue 0 */
  readonly seed?: number;
  /** As `fit`'s. @defaultValue none */
  readonly validationSplit?: number;
  /** Metrics by name (`'mae'`, `'mse'`, `'binaryAccuracy'`). @defaultValue none */
  readonly metrics?: readonly string[];
  /** As `fit`'s. @defaultValue none */
  readonly earlyStopping?: EarlyStoppingOptions;
  /**
   * How often the worker looks at its messages (pause, resume), in milliseconds, as `fit`'s
   * `yieldEveryMs`. @defaultValue 25
   */
  readonly yieldEveryMs?: number;
}

/**
 * The model's weights at the end of one epoch, sent along with that epoch's numbers when
 * `trainInWorker` asks for snapshots: one tensor per weight, in `getWeights` order. Load it
 * with `applySnapshot` (into a model of the same architecture) or the job's `modelAt`.
 */
export interface ModelSnapshot {
  /** The epoch that had just ended (1 is the first). */
  readonly epoch: number;
  readonly weights: readonly TensorMessage[];
}

/** What the worker's `fit` returned, without the optimizer object (which stays in the worker). */
export type WorkerHistory = Omit<History, 'optimizer'>;

/** Messages to the worker. */
export type ToWorker =
  | {
      readonly type: 'train';
      readonly artifacts: ModelArtifacts;
      readonly x: TensorMessage;
      readonly y: TensorMessage;
      readonly options: WorkerFitOptions;
      /** Send a {@link ModelSnapshot} with every epoch whose number is a multiple of this. @defaultValue none */
      readonly snapshotEvery?: number;
    }
  | { readonly type: 'pause' }
  | { readonly type: 'resume' };

/** Messages from the worker. */
export type FromWorker =
  | { readonly type: 'progress'; readonly event: ProgressEvent }
  | { readonly type: 'epoch'; readonly logs: EpochLogs; readonly snapshot?: ModelSnapshot }
  | { readonly type: 'paused' }
  | { readonly type: 'done'; readonly artifacts: ModelArtifacts; readonly history: WorkerHistory }
  | { readonly type: 'error'; readonly error: ErrorMessage };

/** An error as it crosses threads: an RnnkitError keeps its `api`, so its message is the same. */
export interface ErrorMessage {
  readonly name: string;
  readonly message: string;
  readonly api?: string;
}

/** A copy of `t`'s values for sending, and the buffer to transfer with it. */
export function encodeTensor(t: Tensor): { message: TensorMessage; transfer: ArrayBuffer } {
  const data = t.data.slice() as Float32Array | Float64Array;
  return { message: { data, shape: [...t.shape] }, transfer: data.buffer as ArrayBuffer };
}

export function decodeTensor(message: TensorMessage): Tensor {
  return new Tensor(message.data, [...message.shape]);
}
