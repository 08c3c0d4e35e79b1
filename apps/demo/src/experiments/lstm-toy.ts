// Experiment 2, second half (docs/experiments.md): the minimal LSTM — the cell of experiment 1
// (`h = o ⊙ c`, no tanh on the output) learns to put four targets on its first hidden unit
// for four random inputs. The original drew each weight array after re-seeding the
// generator, so its four gates started as copies of one another; `--variant independent`
// draws every array from one continuing stream instead.
import { LSTM } from '@rnnkit/layers';
import { meanSquaredError, selectFeatures } from '@rnnkit/losses';
import { fit } from '@rnnkit/model';
import { type AnyOptimizerPlugin, adam, sgd } from '@rnnkit/optimizers';
import { Random, Tensor } from '@rnnkit/tensor';
import { lineChartSvg } from '../charts.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';

/** The original's setup, and the seed whose run is quoted in the README. */
export const LSTM_TOY_DEFAULTS = {
  seed: 24,
  iterations: 100,
  learningRate: 0.1,
  units: 100,
  inputs: 50,
  targets: [-0.5, 0.2, 0.1, -0.5],
  /** Every weight and bias uniform in [−initLimit, initLimit). */
  initLimit: 0.1,
} as const;

/** The original's predictions at iteration 100 (docs/experiments.md). */
const REPORTED_PREDICTIONS = [-0.48, -0.02, -0.04, -0.48];

const OPTIMIZERS: Readonly<Record<string, AnyOptimizerPlugin>> = { sgd, adam };
/** Adam's own default learning rate here; lr 0.1 would throw its first steps far out. */
const DEFAULT_LR: Readonly<Record<string, number>> = { sgd: LSTM_TOY_DEFAULTS.learningRate, adam: 0.01 };

/** The original's order of arrays (g, i, f, o) and where each gate sits in Keras' layout (i, f, c̃, o). */
const GATE_BLOCK = { g: 2, i: 0, f: 1, o: 3 } as const;
const GATE_ORDER = ['g', 'i', 'f', 'o'] as const;

export type LstmToyVariant = 'original' | 'independent';

/**
 * The initial weights in Keras' layout, and the inputs, drawn as the original drew them.
 *
 * The original kept, per gate, `W` of shape `[units, inputs + units]` acting on
 * `xc = [x_t, h_{t−1}]` and a bias `[units]`, each from `uniform(−0.1, 0.1)` of a generator
 * re-seeded before every array; the inputs were drawn afterwards, continuing the last
 * re-seeded stream. So (variant `original`) the four `W` are equal, the four biases are equal
 * (and repeat W's first values), and the inputs continue that same stream. Variant
 * `independent` draws everything, in the same order, from one stream.
 *
 * Keras' kernel `[inputs, 4·units]` and recurrent kernel `[units, 4·units]` are the two halves
 * of each `W`, transposed: `kernel[j, block + k] = W[k, j]`, `recurrent[j, block + k] = W[k, inputs + j]`.
 */
export function lstmToySetup(
  seed: number,
  variant: LstmToyVariant,
): { weights: [Tensor, Tensor, Tensor]; x: Tensor } {
  const { units, inputs, initLimit } = LSTM_TOY_DEFAULTS;
  const width = 4 * units;
  const concat = inputs + units;
  const stream = new Random(seed);
  let lastStream = stream;
  /** The generator for the next array: re-seeded (original) or continuing (independent). */
  const nextStream = (): Random => (lastStream = variant === 'original' ? new Random(seed) : stream);
  const draw = (n: number): Float64Array => nextStream().fillUniform(new Float64Array(n), -initLimit, initLimit);

  const W = Object.fromEntries(GATE_ORDER.map((g) => [g, draw(units * concat)])) as Record<(typeof GATE_ORDER)[number], Float64Array>;
  const b = Object.fromEntries(GATE_ORDER.map((g) => [g, draw(units)])) as Record<(typeof GATE_ORDER)[number], Float64Array>;
  const kernel = new Float64Array(inputs * width);
  const recurrent = new Float64Array(units * width);
  const bias = new Float64Array(width);
  for (const gate of GATE_ORDER) {
    const offset = GATE_BLOCK[gate] * units;
    const w = W[gate];
    for (let k = 0; k < units; k++) {
      for (let j = 0; j < inputs; j++) kernel[j * width + offset + k] = w[k * concat + j]!;
      for (let j = 0; j < units; j++) recurrent[j * width + offset + k] = w[k * concat + inputs + j]!;
      bias[offset + k] = b[gate][k]!;
    }
  }
  // Four inputs uniform in [0, 1), continuing the stream the last array came from.
  const steps = LSTM_TOY_DEFAULTS.targets.length;
  const x = new Tensor(lastStream.fillUniform(new Float64Array(steps * inputs), 0, 1), [1, steps, inputs]);
  return {
    weights: [new Tensor(kernel, [inputs, width]), new Tensor(recurrent, [units, width]), new Tensor(bias, [width])],
    x,
  };
}

const formatLoss = (v: number): string => (v >= 0.01 ? v.toFixed(4) : v.toExponential(2));
const fixed = (values: readonly number[], digits = 2): string => values.map((v) => v.toFixed(digits)).join(', ');

export const lstmToy: Experiment = {
  id: 'lstm-toy',
  title: 'minimal LSTM (100 cells, no tanh on the output) fits four targets',
  flags: ['epochs', 'lr', 'optimizer', 'variant'],
  variants: ['original', 'independent'],
  optimizers: Object.keys(OPTIMIZERS),
  async run({ flags, reporter, out }: ExperimentContext): Promise<ExperimentResult> {
    const defaults = LSTM_TOY_DEFAULTS;
    const seed = flags.seed ?? defaults.seed;
    const iterations = flags.epochs ?? defaults.iterations;
    const optimizerName = flags.optimizer ?? 'sgd';
    const learningRate = flags.lr ?? DEFAULT_LR[optimizerName]!;
    const variant = (flags.variant ?? 'original') as LstmToyVariant;
    const { units, inputs } = defaults;

    const { weights, x } = lstmToySetup(seed, variant);
    const steps = x.shape[1]!;
    const y = new Tensor(Float64Array.from(defaults.targets), [1, steps, 1]);
    const layer = new LSTM({ units, returnSequences: true, cellOutput: 'none', unitForgetBias: false, dtype: 'float64' });
    layer.build([null, steps, inputs], new Random(seed));
    layer.setWeights(weights);
    const firstUnit = (h: Tensor): number[] => Array.from({ length: steps }, (_, t) => h.data[t * units]!);
    const initialPredictions = firstUnit(layer.forward(x).y);

    reporter.log(
      variant === 'original'
        ? 'variant original: the generator re-seeded before every array, so all four gate matrices (and all four biases) start equal'
        : 'variant independent: every gate matrix and bias drawn from one continuing stream',
    );
    reporter.log(
      `seed ${seed}, ${units} cells, input ${inputs}, ${steps} inputs uniform in [0, 1) → targets [${defaults.targets.join(', ')}], ` +
        `${iterations} iterations, ${optimizerName} lr ${learningRate}`,
    );

    // Σ_t (h_t[0] − y_t)² over the 4 steps, gradient 2·(h_t[0] − y_t); one update per pass
    // over the sequence (batch of one), as the original's `param −= lr·grad`.
    const loss = selectFeatures(meanSquaredError({ reduction: 'sum' }), { indices: [0] });
    const history = await fit(layer, { x, y }, {
      loss,
      optimizer: OPTIMIZERS[optimizerName]!,
      optimizerOptions: { learningRate },
      epochs: iterations,
      batchSize: 1,
      shuffle: false,
      callbacks: {
        onProgress: (e) =>
          reporter.progress({ label: optimizerName, done: e.epoch, total: e.epochs, loss: e.loss, samplesPerSecond: e.samplesPerSecond }),
      },
    });
    reporter.endProgress();
    // As the original printed it: the loss of the last iteration's forward pass, before its update.
    const losses = history.loss;
    const finalLoss = losses[losses.length - 1]!;
    const predictions = firstUnit(layer.forward(x).y);
    const lossAfter = loss.value(layer.forward(x).y, y);
    reporter.log(`\npredictions after ${iterations} iterations: [${fixed(predictions, 3)}] (targets [${defaults.targets.join(', ')}])`);

    const iterationAxis = Array.from({ length: iterations }, (_, i) => i + 1);
    out.write(
      'loss.svg',
      await lineChartSvg({
        title: `lstm-toy: Σ_t (h_t[0] − y_t)² per iteration (${variant} gates, seed ${seed})`,
        series: [{ name: `${optimizerName}, lr ${learningRate}`, x: iterationAxis, y: losses }],
        xLabel: 'iteration',
        yLabel: 'summed squared error',
        logY: true,
      }),
    );
    const stepAxis = Array.from({ length: steps }, (_, t) => t + 1);
    out.write(
      'predictions.svg',
      await lineChartSvg({
        title: `lstm-toy: h_t[0] against the targets (${variant} gates, seed ${seed})`,
        series: [
          { name: 'target', x: stepAxis, y: [...defaults.targets] },
          { name: 'original, iteration 100', x: stepAxis, y: REPORTED_PREDICTIONS },
          { name: 'before training', x: stepAxis, y: initialPredictions },
          { name: `after ${iterations} iterations`, x: stepAxis, y: predictions },
        ],
        xLabel: 'time step',
        yLabel: 'h_t[0]',
        pointSeries: ['target', 'original, iteration 100'],
      }),
    );

    return {
      seed,
      metrics: {
        final_loss: finalLoss,
        initial_loss: losses[0]!,
        loss_after_training: lossAfter,
        predictions,
        variant,
        iterations,
      },
      reference: {
        initial_loss: 1.13,
        final_loss: 0.069,
        predictions: REPORTED_PREDICTIONS,
        targets: [...defaults.targets],
        variant: 'original',
      },
      comparisons: [
        { what: 'gates', reached: variant === 'original' ? 'equal at the start' : 'independent', reported: 'equal at the start' },
        { what: 'summed loss, iteration 1', reached: losses[0]!.toFixed(3), reported: 'about 1.13' },
        { what: `summed loss, iteration ${iterations} (final_loss)`, reached: formatLoss(finalLoss), reported: 'about 0.069' },
        { what: 'predictions', reached: fixed(predictions), reported: fixed(REPORTED_PREDICTIONS) },
      ],
      lossCurve: losses,
    };
  },
};
