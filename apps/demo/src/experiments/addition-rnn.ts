// Experiment 2, first half (docs/experiments.md): a fully recurrent network learns binary addition from
// one random pair per iteration. The original wrote every matrix product and delta by hand;
// here the same network is a SimpleRNN and a Dense layer, and the loop is the optimizer's
// four-call training step.
import { type BinaryAdditionData, binaryAddition, formatAddition } from '@rnnkit/datasets';
import { Dense, Sequential, SimpleRNN } from '@rnnkit/layers';
import { halfSumOfSquares } from '@rnnkit/losses';
import { type AnyOptimizerPlugin, adam, createOptimizer, rmsprop, sgd } from '@rnnkit/optimizers';
import { Random, Tensor, randomUniform } from '@rnnkit/tensor';
import { lineChartSvg } from '../charts.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';
import { percent, sampleAdditions, scoreAdditions } from './addition.js';

/** The original's setup: 8-bit sums of operands below 128, 16 hidden units, lr 0.1, 10,000 iterations. */
export const ADDITION_RNN_DEFAULTS = {
  seed: 1,
  iterations: 10_000,
  learningRate: 0.1,
  bits: 8,
  operandBits: 7,
  hidden: 16,
  /** Fresh pairs the trained network is scored on. */
  testCount: 1_000,
  /** The original printed its current sample this often. */
  printEvery: 1_000,
} as const;

const OPTIMIZERS: Readonly<Record<string, AnyOptimizerPlugin>> = { sgd, adam, rmsprop };
/** Learning rate per optimizer when --lr is not given: the original's 0.1 for SGD. */
const DEFAULT_LEARNING_RATES: Readonly<Record<string, number>> = {
  sgd: ADDITION_RNN_DEFAULTS.learningRate,
  adam: 0.01,
  rmsprop: 0.01,
};

/**
 * The network of the original: `h_t = σ(x_t·W + h_{t−1}·U)`, `ŷ_t = σ(h_t·V)`, no biases,
 * every weight uniform in [−1, 1).
 */
export function additionRnnModel(random: Random, hidden: number = ADDITION_RNN_DEFAULTS.hidden): Sequential {
  const uniform = randomUniform({ low: -1, high: 1 });
  return new Sequential({
    layers: [
      new SimpleRNN({
        units: hidden,
        activation: 'sigmoid',
        useBias: false,
        kernelInitializer: uniform,
        recurrentInitializer: uniform,
        returnSequences: true,
      }),
      new Dense({ units: 1, activation: 'sigmoid', useBias: false, kernelInitializer: uniform }),
    ],
    inputShape: [ADDITION_RNN_DEFAULTS.bits, 2],
    random,
  });
}

/** What one training run produced. */
export interface AdditionRnnRun {
  readonly model: Sequential;
  readonly train: BinaryAdditionData;
  readonly test: BinaryAdditionData;
  /** ½Σ(y − ŷ)² of each iteration's pair, before its update. */
  readonly losses: Float64Array;
  readonly seconds: number;
}

/** Options of {@link trainAdditionRnn}. */
export interface AdditionRnnOptions {
  readonly seed: number;
  readonly iterations: number;
  readonly learningRate: number;
  readonly optimizer: AnyOptimizerPlugin;
  /** Called every `printEvery` iterations with the iteration's pair and prediction. */
  readonly onReport?: (report: { iteration: number; train: BinaryAdditionData; index: number; prediction: Tensor }) => void;
  /** Called every 100 iterations and at the end. */
  readonly onProgress?: (done: number, loss: number, samplesPerSecond: number) => void;
}

/**
 * Trains on one random pair per iteration with the optimizer's four-call step. One seed
 * gives one stream each for the weights, the training pairs and the 1,000 test pairs.
 */
export function trainAdditionRnn(options: AdditionRnnOptions): AdditionRnnRun {
  const defaults = ADDITION_RNN_DEFAULTS;
  const { iterations } = options;
  const bits = defaults.bits;
  const random = new Random(options.seed);
  const model = additionRnnModel(random.split());
  const train = binaryAddition({ count: iterations, bits, operandBits: defaults.operandBits, random: random.split() });
  const test = binaryAddition({ count: defaults.testCount, bits, operandBits: defaults.operandBits, random: random.split() });

  // ½Σ(y − ŷ)² summed over the 8 steps: its gradient is ŷ − y, and the sigmoid's backward
  // pass turns that into the original's `(y − ŷ)·σ′` deltas, with the sign that descends
  // (the original added `update·alpha` of the negated gradient).
  const loss = halfSumOfSquares();
  const optimizer = createOptimizer(options.optimizer, model.params(), { learningRate: options.learningRate });
  const losses = new Float64Array(iterations);
  const started = performance.now();
  for (let i = 0; i < iterations; i++) {
    // Pair i as a batch of one: views of its 8×2 input bits and 8 target bits, no copy.
    const x = new Tensor(train.inputs.data.subarray(i * bits * 2, (i + 1) * bits * 2), [1, bits, 2]);
    const y = new Tensor(train.targets.data.subarray(i * bits, (i + 1) * bits), [1, bits, 1]);
    optimizer.zeroGrad();
    optimizer.beforeGradient();
    const { y: prediction, cache } = model.forward(x, { training: true });
    const { value, grad } = loss.compute(prediction, y);
    model.backward(grad, cache);
    optimizer.step();
    losses[i] = value;
    if ((i + 1) % defaults.printEvery === 0) options.onReport?.({ iteration: i + 1, train, index: i, prediction });
    if ((i + 1) % 100 === 0 || i + 1 === iterations) {
      options.onProgress?.(i + 1, value, (i + 1) / ((performance.now() - started) / 1000));
    }
  }
  return { model, train, test, losses, seconds: (performance.now() - started) / 1000 };
}

export const additionRnn: Experiment = {
  id: 'addition-rnn',
  title: 'binary addition with a hand-style RNN (8 bits, 16 sigmoid units, SGD)',
  flags: ['epochs', 'lr', 'optimizer'],
  optimizers: Object.keys(OPTIMIZERS),
  async run({ flags, reporter, out }: ExperimentContext): Promise<ExperimentResult> {
    const defaults = ADDITION_RNN_DEFAULTS;
    const seed = flags.seed ?? defaults.seed;
    const iterations = flags.epochs ?? defaults.iterations;
    const optimizerName = flags.optimizer ?? 'sgd';
    const learningRate = flags.lr ?? DEFAULT_LEARNING_RATES[optimizerName]!;
    const bits = defaults.bits;
    reporter.log(`seed ${seed}, ${iterations.toLocaleString('en-US')} iterations, ${optimizerName} lr ${learningRate}, one random pair per iteration`);

    const { model, test, losses, seconds: trainSeconds } = trainAdditionRnn({
      seed,
      iterations,
      learningRate,
      optimizer: OPTIMIZERS[optimizerName]!,
      onReport: ({ iteration, train, index, prediction }) => {
        // The original's report: its error Σ|y − ŷ| over the bits, then the pair itself.
        let error = 0;
        for (let t = 0; t < bits; t++) error += Math.abs(train.targets.data[index * bits + t]! - prediction.data[t]!);
        reporter.log(`\niteration ${iteration}: error ${error.toFixed(4)}`);
        reporter.log(formatAddition(train, index, { prediction: prediction.data }));
      },
      onProgress: (done, loss, samplesPerSecond) =>
        reporter.progress({ label: optimizerName, done, total: iterations, loss, samplesPerSecond }),
    });
    reporter.endProgress();

    const score = scoreAdditions(model, test);
    reporter.log(`\nfresh additions (${score.count.toLocaleString('en-US')} pairs the network never saw):\n`);
    reporter.log(sampleAdditions(test, score.probabilities, 3));
    reporter.log(`\nexact additions: ${score.correct} of ${score.count} (${percent(score.accuracy)})`);

    // Loss averaged over blocks of 100 iterations: single pairs are too noisy to read.
    const block = Math.max(1, Math.floor(iterations / 100));
    const curve: number[] = [];
    const curveX: number[] = [];
    for (let start = 0; start < iterations; start += block) {
      const end = Math.min(iterations, start + block);
      let sum = 0;
      for (let i = start; i < end; i++) sum += losses[i]!;
      curve.push(sum / (end - start));
      curveX.push(end);
    }
    out.write(
      'loss.svg',
      await lineChartSvg({
        title: `addition-rnn: ½Σ(y − ŷ)² per pair, mean of ${block} iterations`,
        series: [{ name: optimizerName, x: curveX, y: curve }],
        xLabel: 'iteration',
        yLabel: 'loss',
        logY: true,
      }),
    );
    const trueSums = test.a.map((a, i) => a + test.b[i]!);
    out.write(
      'predictions.svg',
      await lineChartSvg({
        title: `addition-rnn: predicted against true sums, ${score.count} fresh pairs (${percent(score.accuracy)} exact)`,
        series: [
          { name: 'predicted sum', x: trueSums, y: score.predicted },
          { name: 'exact', x: [0, 2 ** bits - 2], y: [0, 2 ** bits - 2] },
        ],
        xLabel: 'a + b',
        yLabel: 'decoded prediction',
        pointSeries: ['predicted sum'],
      }),
    );

    return {
      seed,
      metrics: {
        accuracy: score.accuracy,
        final_loss: curve[curve.length - 1] ?? Number.NaN,
        iterations,
        train_seconds: trainSeconds,
      },
      reference: {
        accuracy: 1,
        iterations: 10_000,
        note: 'every one of the 128 × 43 operand pairs tried was added correctly, for each of 5 seeds',
      },
      comparisons: [
        { what: `exact additions, ${score.count} fresh pairs`, reached: percent(score.accuracy), reported: '100 % (5 of 5 seeds)' },
        { what: 'iterations', reached: iterations.toLocaleString('en-US'), reported: '10,000' },
        { what: 'training time', reached: `${trainSeconds.toFixed(1)} s`, reported: '–' },
      ],
      lossCurve: curve,
    };
  },
};
