// What every task of the page shares: the Task shape, the recurrent layer of a kind, and
// the probe with the output layer applied at every step. Free of DOM and worker globals.
import { GRU, LSTM, Sequential, type SequentialOptions, SimpleRNN } from '@rnnkit/layers';
import type { Dataset } from '@rnnkit/model';
import { RnnkitError, Tensor } from '@rnnkit/tensor';
import type { LayerKind, Snapshot, TaskView, TrainingConfig } from './config.js';
import { gradientFlow } from './gradient-flow.js';
import { probeLayer } from './probe.js';

/** A task made ready for training: data, loss, and how to read the model's state. */
export interface Task {
  readonly train: Dataset;
  readonly test: Dataset;
  readonly loss: 'mse' | 'binary_crossentropy';
  readonly view: TaskView;
  /** `[time, features]` of one sample. */
  readonly inputShape: readonly [number, number];
  /** The sequence the probe looks at, `[1, time, features]`. */
  readonly probeInput: Tensor;
  /** Its target, `[1, …]`, for the gradient flow. */
  readonly probeTarget: Tensor;
  /** The network for this task around a recurrent layer of the given kind. */
  buildModel(config: TrainingConfig): { model: Sequential; recurrent: SimpleRNN | LSTM | GRU };
  /** Predictions, test metric and probe of the model as it is now. */
  snapshot(model: Sequential, recurrent: SimpleRNN | LSTM | GRU, epoch: number): Snapshot;
}

/** What a task defines; {@link makeTask} adds what every task does with it. */
export interface TaskParts extends Pick<Task, 'loss' | 'view' | 'inputShape' | 'probeInput' | 'probeTarget'> {
  /** The training samples, `inputs` `[n, time, features]` and their `targets`. */
  readonly train: { readonly inputs: Tensor; readonly targets: Tensor };
  /** The test samples, likewise. */
  readonly test: { readonly inputs: Tensor; readonly targets: Tensor };
  /** Whether the recurrent layer outputs every step. */
  readonly returnSequences: boolean;
  /** The network's layers around its recurrent layer, and its input shape. */
  network(recurrent: SimpleRNN | LSTM | GRU, config: TrainingConfig): Pick<SequentialOptions, 'layers' | 'inputShape'>;
  /** The snapshot's predictions (and accuracy) of the model as it is now. */
  measure(model: Sequential): Pick<Snapshot, 'predictions' | 'accuracy'>;
}

/**
 * A task from its parts: the samples as datasets, the model built around a recurrent layer of
 * the configured kind and size (seeded by the configuration), and snapshots that add the probe
 * with its per-step outputs and the gradient flow of the probed sample to `measure`'s numbers.
 */
export function makeTask(parts: TaskParts): Task {
  const { train, test, returnSequences, network, measure, ...shared } = parts;
  return {
    train: { x: train.inputs, y: train.targets },
    test: { x: test.inputs, y: test.targets },
    ...shared,
    buildModel(c) {
      const recurrent = recurrentLayer(c.layer, c.units, returnSequences);
      const model = new Sequential({ ...network(recurrent, c), seed: c.seed });
      return { model, recurrent };
    },
    snapshot(model, recurrent, epoch) {
      return {
        epoch,
        ...measure(model),
        ...probeWithOutputs(model, recurrent, shared.probeInput),
        gradientFlow: gradientFlow(model, shared.probeInput, shared.probeTarget, shared.loss),
      };
    },
  };
}

export function recurrentLayer(kind: LayerKind, units: number, returnSequences: boolean): SimpleRNN | LSTM | GRU {
  const options = { units, returnSequences };
  if (kind === 'LSTM') return new LSTM(options);
  if (kind === 'GRU') return new GRU(options);
  return new SimpleRNN(options);
}

/** The recurrent layer of a model the page built (or its copy trained on the worker). */
export function recurrentOf(model: Sequential): SimpleRNN | LSTM | GRU {
  const layer = model.layers.find((l) => l instanceof LSTM || l instanceof GRU || l instanceof SimpleRNN);
  if (layer === undefined) throw new RnnkitError('playground', 'the model has no SimpleRNN, LSTM or GRU layer');
  return layer as SimpleRNN | LSTM | GRU;
}

export function toFloat64(t: Tensor | ArrayLike<number>): Float64Array {
  return Float64Array.from(t instanceof Tensor ? t.data : t);
}

/**
 * The probe of the recurrent layer, and the output layer applied to its `h_t` at every step
 * (experiment 3's per-step projections): with returnSequences this is exactly the model's
 * output; otherwise it shows how the answer forms as the window goes by.
 */
export function probeWithOutputs(model: Sequential, recurrent: SimpleRNN | LSTM | GRU, x: Tensor): Pick<Snapshot, 'probe' | 'stepOutputs'> {
  const probe = probeLayer(recurrent, x);
  const h = probe.traces.find((trace) => trace.name === 'h')!.values;
  const output = model.layers[model.layers.indexOf(recurrent) + 1]!.forward(new Tensor(Float32Array.from(h), [probe.time, probe.units])).y;
  return { probe, stepOutputs: toFloat64(output) };
}

/** Rows `[start, end)` of a `[n, …]` tensor, as a new tensor. */
export function rows(t: Tensor, start: number, end: number): Tensor {
  const size = t.size / t.shape[0]!;
  return new Tensor(t.data.slice(start * size, end * size), [end - start, ...t.shape.slice(1)]);
}
