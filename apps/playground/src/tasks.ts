// The built-in tasks of the page, as data plus the model that fits them (the CSV task is in
// csv-task.ts, the variable-length one in mean-task.ts). Kept free of DOM and worker globals
// so that tests can run them in Node.
import { binaryAddition, decodeSequences, encodeBits, sineWithPhaseNoise, slidingWindows, trainTestSplit } from '@rnnkit/datasets';
import { Dense } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { lion } from '@rnnkit/optimizer-lion';
import { type AnyOptimizerPlugin, adam, rmsprop, sgd } from '@rnnkit/optimizers';
import { RnnkitError } from '@rnnkit/tensor';
import { type OptimizerName, type TaskView, type TrainingConfig, BACKENDS } from './config.js';
import { csvTask } from './csv-task.js';
import { meanTask } from './mean-task.js';
import { type Task, makeTask, rows, toFloat64 } from './task-common.js';

export { type Task, recurrentOf } from './task-common.js';

/** Sine task: 12 periods of 40 steps with a little phase noise (experiment 3's series, shorter). */
const SINE = { stepsPerCycle: 40, cycles: 12, noise: 0.05 } as const;
/** Addition task: fresh operand pairs for training and for testing. */
const ADDITION = { trainCount: 1024, testCount: 256, shownCount: 128 } as const;

export const OPTIMIZER_PLUGINS: Readonly<Record<OptimizerName, AnyOptimizerPlugin>> = {
  adam,
  rmsprop,
  sgd,
  lion, // the example plugin package: a user's own optimizer plugs in the same way
};

/**
 * Predict the next value of a noisy sine from the `timeSteps` values before it. The first
 * 80 % of the windows train, the rest test (never shuffled across: no peeking at the future).
 */
export function sineTask(config: TrainingConfig): Task {
  const series = sineWithPhaseNoise({ ...SINE, seed: config.seed });
  const windows = slidingWindows(series, { window: config.timeSteps });
  // (Spelled out: `Windows` is an interface, which TypeScript will not match to trainTestSplit's record overload.)
  const { train, test } = trainTestSplit({ inputs: windows.inputs, targets: windows.targets }, { trainFraction: 0.8 });
  const count = windows.inputs.shape[0]!;
  const trainCount = train.inputs.shape[0]!;
  const probeInput = rows(test.inputs, 0, 1);
  const probeTarget = rows(test.targets, 0, 1);
  const view: TaskView = {
    task: 'sine',
    target: 'sine',
    t: Float64Array.from({ length: count }, (_, k) => k + config.timeSteps),
    truth: toFloat64(windows.targets),
    trainCount,
    probeInput: toFloat64(probeInput),
    probeTarget: test.targets.data[0]!,
  };
  return makeTask({
    train,
    test,
    loss: 'mse',
    view,
    inputShape: [config.timeSteps, 1],
    probeInput,
    probeTarget,
    returnSequences: false,
    network: (recurrent, c) => ({ layers: [recurrent, new Dense({ units: 1 })], inputShape: [c.timeSteps, 1] }),
    measure: (model) => ({ predictions: toFloat64(predict(model, windows.inputs)) }),
  });
}

/** True when adding a and b carries at least once (a more telling sample to look inside). */
function carries(a: number, b: number): boolean {
  return (a & b) !== 0;
}

/**
 * Add two binary numbers bit by bit, least significant bit first: at each step the network
 * sees one bit of each operand and must output the bit of the sum, carrying in its state.
 */
export function additionTask(config: TrainingConfig): Task {
  const bits = config.timeSteps;
  const train = binaryAddition({ count: ADDITION.trainCount, bits, seed: config.seed });
  const test = binaryAddition({ count: ADDITION.testCount, bits, seed: config.seed + 1_000_003 });
  const shown = Math.min(ADDITION.shownCount, ADDITION.testCount);
  const probeIndex = Math.max(0, test.a.findIndex((a, i) => carries(a, test.b[i]!)));
  const a = test.a[probeIndex]!;
  const b = test.b[probeIndex]!;
  const probeInput = rows(test.inputs, probeIndex, probeIndex + 1);
  const probeTarget = rows(test.targets, probeIndex, probeIndex + 1);
  const trueSums = test.a.map((v, i) => v + test.b[i]!);
  const view: TaskView = {
    task: 'addition',
    bits,
    trueSums: trueSums.slice(0, shown),
    probe: {
      a,
      b,
      aBits: encodeBits(a, { bits }),
      bBits: encodeBits(b, { bits }),
      sumBits: encodeBits(a + b, { bits }),
    },
  };
  return makeTask({
    train,
    test,
    loss: 'binary_crossentropy',
    view,
    inputShape: [bits, 2],
    probeInput,
    probeTarget,
    returnSequences: true,
    network: (recurrent) => ({ layers: [recurrent, new Dense({ units: 1, activation: 'sigmoid' })], inputShape: [bits, 2] }),
    measure(model) {
      const output = predict(model, test.inputs); // [count, bits, 1] bit probabilities
      const sums = decodeSequences(output);
      let exact = 0;
      for (let i = 0; i < sums.length; i++) if (sums[i] === trueSums[i]) exact++;
      return { predictions: Float64Array.from(sums.slice(0, shown)), accuracy: exact / sums.length };
    },
  });
}

/** The limits the page enforces, checked again here before anything is built. */
export const LIMITS = {
  units: [1, 128],
  timeSteps: { sine: [2, 60], addition: [3, 16], csv: [2, 60], mean: [3, 40] },
  epochs: [1, 5000],
  batchSize: [1, 1024],
  epochDelayMs: [0, 5000],
} as const;

function checkInteger(name: string, value: number, [low, high]: readonly [number, number]): void {
  if (!Number.isInteger(value) || value < low || value > high) {
    throw new RnnkitError('playground', `${name} must be an integer in [${low}, ${high}], got ${value}`);
  }
}

/** Checks a configuration and builds its task. */
export function buildTask(config: TrainingConfig): Task {
  checkInteger('units', config.units, LIMITS.units);
  checkInteger('epochs', config.epochs, LIMITS.epochs);
  checkInteger('batch size', config.batchSize, LIMITS.batchSize);
  checkInteger('the pause after each epoch (ms)', config.epochDelayMs, LIMITS.epochDelayMs);
  const steps = { sine: 'window length', csv: 'window length', addition: 'bits', mean: 'longest sequence' } as const;
  checkInteger(steps[config.task], config.timeSteps, LIMITS.timeSteps[config.task]);
  if (!(config.learningRate > 0 && Number.isFinite(config.learningRate))) {
    throw new RnnkitError('playground', `the learning rate must be a number > 0, got ${config.learningRate}`);
  }
  if (!(config.optimizer in OPTIMIZER_PLUGINS)) throw new RnnkitError('playground', `unknown optimizer "${config.optimizer}"`);
  if (!BACKENDS.includes(config.backend)) throw new RnnkitError('playground', `unknown kernels "${String(config.backend)}"; expected js or wasm`);
  if (config.task === 'csv') return csvTask(config);
  if (config.task === 'mean') return meanTask(config);
  return config.task === 'sine' ? sineTask(config) : additionTask(config);
}
