// What defines a run and what the page draws of it: the settings, the task's view of its
// data and a snapshot of the model. Plain data, free of DOM and worker globals.
import type { GradientFlow } from './gradient-flow.js';
import type { Probe } from './probe.js';

export const TASKS = ['sine', 'addition', 'csv', 'mean'] as const;
export type TaskName = (typeof TASKS)[number];

export const LAYER_KINDS = ['LSTM', 'GRU', 'SimpleRNN'] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

/** Where the products run: `@rnnkit/tensor`'s JavaScript kernels or `@rnnkit/backend-wasm`. */
export const BACKENDS = ['js', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

export const OPTIMIZERS = ['adam', 'rmsprop', 'sgd', 'lion'] as const;
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** A learning rate that trains each optimizer well on both tasks (Lion's sign steps want a small one). */
export const DEFAULT_LEARNING_RATES: Readonly<Record<OptimizerName, number>> = {
  adam: 0.01,
  rmsprop: 0.005,
  sgd: 0.1,
  lion: 0.001,
};

/** Everything that defines one training run. */
export interface TrainingConfig {
  readonly task: TaskName;
  readonly layer: LayerKind;
  readonly units: number;
  /** Sine, CSV: the window length; addition: bits per number; mean: the longest sequence (the padded length). */
  readonly timeSteps: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly epochs: number;
  readonly batchSize: number;
  readonly seed: number;
  /** A pause after every epoch, so a person can watch the first epochs happen (0: full speed). */
  readonly epochDelayMs: number;
  /** The kernels: plain JavaScript, or WebAssembly SIMD (on worker threads where the page allows). */
  readonly backend: BackendName;
  /** The `csv` task's series, read from the user's file (csv-task.ts). */
  readonly csv?: CsvSeries;
}

/** A series read from a CSV file: the target column first, then the feature columns. */
export interface CsvSeries {
  /** The file's name, for the page's words. */
  readonly name: string;
  /** Column names, the target first. */
  readonly columns: readonly string[];
  /** Row-major `[rows, columns.length]`, in time order. */
  readonly values: Float32Array;
  readonly rows: number;
}

/** What the page needs to know about the data once, to draw the truth. */
export type TaskView =
  | {
      /** The next value of a series: the noisy sine, or the target column of a CSV file (scaled to [−1, 1]). */
      readonly task: 'sine' | 'csv';
      /** What is predicted, in words (`sine`, or the CSV's target column). */
      readonly target: string;
      /** Time index of each target (the step after its window). */
      readonly t: Float64Array;
      /** The true next value of each window, training windows first. */
      readonly truth: Float64Array;
      /** Windows before this index are training data, the rest test data. */
      readonly trainCount: number;
      /** The probed sequence: the first test window, one value (of the target) per step. */
      readonly probeInput: Float64Array;
      readonly probeTarget: number;
    }
  | {
      /** The mean of sequences of random length, padded with zeros and masked. */
      readonly task: 'mean';
      readonly target: 'mean';
      /** The padded length (the longest a sequence may be). */
      readonly maxLength: number;
      /** True means of the test sequences shown in the predictions chart, and their lengths. */
      readonly trueMeans: readonly number[];
      readonly lengths: readonly number[];
      /** The probed sequence: the first test sequence without its padding, and its mean. */
      readonly probeInput: Float64Array;
      readonly probeTarget: number;
    }
  | {
      readonly task: 'addition';
      readonly bits: number;
      /** True sums of the test samples shown in the predictions chart. */
      readonly trueSums: readonly number[];
      /** The probed sample, bits in time order (least significant first). */
      readonly probe: {
        readonly a: number;
        readonly b: number;
        readonly aBits: readonly number[];
        readonly bBits: readonly number[];
        readonly sumBits: readonly number[];
      };
    };

/** The model's state at one moment: predictions, a test metric and the probe. */
export interface Snapshot {
  readonly epoch: number;
  /** Sine, CSV: one prediction per window (as `TaskView.truth`); mean: per shown sequence; addition: the predicted sums. */
  readonly predictions: Float64Array;
  /** Addition: share of test additions with every bit right. */
  readonly accuracy?: number;
  readonly probe: Probe;
  /**
   * The output layer applied to the probe's `h_t` at every step: what the model would
   * answer if the sequence ended there (sine), or each predicted bit's probability (addition).
   */
  readonly stepOutputs: Float64Array;
  /** ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖) of the probed sample, step by step. */
  readonly gradientFlow: GradientFlow;
}

export interface EpochLog {
  readonly epoch: number;
  readonly loss: number;
  readonly testLoss: number;
}

export type RunStatus = 'running' | 'paused' | 'done' | 'failed';
