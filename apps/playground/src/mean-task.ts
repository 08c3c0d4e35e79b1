// A task of variable-length sequences: each sample has a random length between 2 and the
// chosen number of steps, is padded with zeros at the end to that number, and the network
// predicts the mean of its real values. A Masking layer (maskValue 0) in front of the
// recurrent layer marks the padding, so the layer carries its state over the padded steps
// unchanged, as if the sequence had ended. Free of DOM and worker globals.
import { Dense, Masking } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Random, Tensor } from '@rnnkit/tensor';
import type { TaskView, TrainingConfig } from './config.js';
import { type Task, makeTask } from './task-common.js';

/** Fresh sequences for training and for testing; the chart shows the first `shownCount` test ones. */
const MEAN = { trainCount: 1024, testCount: 256, shownCount: 128, minLength: 2 } as const;
/** Values are ±[0.05, 1): never 0, which is the padding. */
const SMALLEST = 0.05;

/** Padded sequences and their targets. */
export interface VariableLengthData {
  /** `[count, maxLength, 1]`, each sequence's values first, then zeros. */
  readonly inputs: Tensor;
  /** `[count, 1]`: the mean of the real values. */
  readonly targets: Tensor;
  /** The real length of each sequence. */
  readonly lengths: readonly number[];
}

/** `count` sequences of lengths uniform in [2, maxLength], values ±[0.05, 1), padded with zeros at the end. */
export function variableLengthMeans(count: number, maxLength: number, seed: number): VariableLengthData {
  const random = new Random(seed);
  const inputs = new Float32Array(count * maxLength);
  const targets = new Float32Array(count);
  const lengths: number[] = [];
  for (let i = 0; i < count; i++) {
    const length = random.integer(MEAN.minLength, maxLength + 1);
    let sum = 0;
    for (let t = 0; t < length; t++) {
      const value = Math.fround(random.uniform(SMALLEST, 1) * (random.next() < 0.5 ? -1 : 1));
      inputs[i * maxLength + t] = value;
      sum += value;
    }
    targets[i] = sum / length;
    lengths.push(length);
  }
  return { inputs: new Tensor(inputs, [count, maxLength, 1]), targets: new Tensor(targets, [count, 1]), lengths };
}

/**
 * Predict the mean of a sequence of random length (2 … `timeSteps`), padded with zeros and
 * masked. The probe and the gradient flow look at the first test sequence without its padding,
 * run through the model itself, Masking layer included (every step of it counts).
 */
export function meanTask(config: TrainingConfig): Task {
  const maxLength = config.timeSteps;
  const train = variableLengthMeans(MEAN.trainCount, maxLength, config.seed);
  const test = variableLengthMeans(MEAN.testCount, maxLength, config.seed + 1_000_003);
  const probeLength = test.lengths[0]!;
  const probeInput = new Tensor(test.inputs.data.slice(0, probeLength), [1, probeLength, 1]);
  const probeTarget = new Tensor(test.targets.data.slice(0, 1), [1, 1]);
  const shown = new Tensor(test.inputs.data.slice(0, MEAN.shownCount * maxLength), [MEAN.shownCount, maxLength, 1]);
  const view: TaskView = {
    task: 'mean',
    target: 'mean',
    maxLength,
    trueMeans: Array.from(test.targets.data.subarray(0, MEAN.shownCount)),
    lengths: test.lengths.slice(0, MEAN.shownCount),
    probeInput: Float64Array.from(probeInput.data),
    probeTarget: test.targets.data[0]!,
  };
  return makeTask({
    train,
    test,
    loss: 'mse',
    view,
    inputShape: [maxLength, 1],
    probeInput,
    probeTarget,
    returnSequences: false,
    network: (recurrent) => ({
      layers: [new Masking({ maskValue: 0 }), recurrent, new Dense({ units: 1 })],
      inputShape: [null, 1], // any length: padded batches, or one sequence without its padding
    }),
    measure: (model) => ({ predictions: Float64Array.from(predict(model, shown).data) }),
  });
}
