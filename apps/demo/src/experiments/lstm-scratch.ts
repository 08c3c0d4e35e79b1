// Experiment 5 (docs/experiments.md): a standard LSTM (32 units) and a linear Dense head learn to
// continue a noisy sine from windows of 25 values, with Adam and one update per sample.
// The original built the cell, its backward pass and Adam from scratch; here they are
// `LSTM`, `Dense`, `Sequential`, `halfSumOfSquares`, `adam` and `fit`. `--variant peephole`
// trains the same model with a user-written cell instead (@rnnkit/cell-peephole-lstm: the
// gates also see the cell state), run by the generic `RNN` layer.
import { peepholeLSTMCell } from '@rnnkit/cell-peephole-lstm';
import { noisySine, slidingWindows } from '@rnnkit/datasets';
import { Dense, LSTM, RNN, type Layer, Sequential } from '@rnnkit/layers';
import { halfSumOfSquares } from '@rnnkit/losses';
import { fit, predict } from '@rnnkit/model';
import { type AnyOptimizerPlugin, type OptimizerOptions, adam, rmsprop, sgd } from '@rnnkit/optimizers';
import { type Initializer, Random, Tensor, allocate, glorotNormal, orthogonal, randomNormal } from '@rnnkit/tensor';
import { lineChartSvg } from '../charts.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';

/** The original's setup, and the seed whose run is quoted in the README. */
export const LSTM_SCRATCH_DEFAULTS = {
  seed: 0,
  epochs: 200,
  units: 32,
  points: 100,
  noise: 0.05,
  window: 25,
  /** The original logged the summed loss this often. */
  logEvery: 10,
} as const;

/** What the original logged: summed loss over the 75 samples at these epochs. */
const REPORTED_LOSS: Readonly<Record<number, number>> = { 10: 2.324861, 50: 0.184795, 100: 0.148719, 200: 0.139785 };

interface OptimizerChoice {
  readonly plugin: AnyOptimizerPlugin;
  readonly learningRate: number;
  readonly options: Readonly<Record<string, number>>;
}

/** Adam as the original set it; the others with learning rates that suit one update per sample. */
const OPTIMIZERS: Readonly<Record<string, OptimizerChoice>> = {
  adam: { plugin: adam, learningRate: 1e-4, options: { beta1: 0.99, beta2: 0.9999 } },
  rmsprop: { plugin: rmsprop, learningRate: 1e-4, options: {} },
  sgd: { plugin: sgd, learningRate: 0.01, options: {} },
};

/**
 * The original's recurrent weights: one `[units, units]` matrix per gate, drawn normal and
 * made orthogonal. In Keras' layout the recurrent kernel `[units, 4·units]` is those four
 * blocks side by side — not one orthogonal `[units, 4·units]` matrix, whose rows would have
 * norm 1 instead of 2 (the normal draw's σ = √(1/units) does not survive orthogonalisation).
 */
function orthogonalPerGate(gates: number): Initializer {
  const block = orthogonal();
  return (shape, random, dtype = 'float32') => {
    const [rows, width] = shape as [number, number];
    const size = width / gates;
    const out = allocate(dtype, rows * width);
    for (let g = 0; g < gates; g++) {
      const q = block([rows, size], random, dtype).data;
      for (let r = 0; r < rows; r++) out.set(q.subarray(r * size, (r + 1) * size), r * width + g * size);
    }
    return new Tensor(out, [rows, width]);
  };
}

/** The recurrent cell of the model: the original's LSTM, or the LSTM with peephole connections. */
export type LstmScratchVariant = 'standard' | 'peephole';

/**
 * LSTM(1→32) returning its last state, then Dense(32→1), initialised as the original. The
 * `peephole` variant adds the peephole weights (`[3, units]`, Glorot-uniform) to the same cell.
 */
export function lstmScratchModel(random: Random, units: number = LSTM_SCRATCH_DEFAULTS.units, variant: LstmScratchVariant = 'standard'): Sequential {
  const features = 1;
  // Per gate W [units, input] Glorot-normal: σ = √(2/(units + input)) — the fans of one gate's
  // matrix, not of Keras' fused [input, 4·units] kernel. The original's biases are the normal
  // draw alone (no unit forget bias).
  const kernelInitializer = randomNormal({ std: Math.sqrt(2 / (units + features)) });
  const biasInitializer = randomNormal({ std: Math.sqrt(2 / (1 + units)) });
  const recurrent: Layer =
    variant === 'peephole'
      ? new RNN({
          cell: peepholeLSTMCell({
            units,
            kernelInitializer,
            recurrentKernelInitializer: orthogonalPerGate(4),
            biasInitializer,
            unitForgetBias: false,
            dtype: 'float64',
          }),
          name: 'peephole_lstm',
        })
      : new LSTM({ units, kernelInitializer, recurrentInitializer: orthogonalPerGate(4), biasInitializer, unitForgetBias: false, dtype: 'float64' });
  return new Sequential({
    layers: [
      recurrent,
      // The write-up gives no initialiser for the head: the same plain Glorot normal, zero bias.
      new Dense({ units: 1, kernelInitializer: glorotNormal({ truncated: false }), dtype: 'float64' }),
    ],
    inputShape: [LSTM_SCRATCH_DEFAULTS.window, features],
    random,
  });
}

export const lstmScratch: Experiment = {
  id: 'lstm-scratch',
  title: 'LSTM(32) + Dense on a noisy sine, Adam, one update per sample',
  flags: ['epochs', 'lr', 'optimizer', 'variant'],
  optimizers: Object.keys(OPTIMIZERS),
  variants: ['standard', 'peephole'],
  async run({ flags, reporter, out }: ExperimentContext): Promise<ExperimentResult> {
    const defaults = LSTM_SCRATCH_DEFAULTS;
    const seed = flags.seed ?? defaults.seed;
    const epochs = flags.epochs ?? defaults.epochs;
    const optimizerName = flags.optimizer ?? 'adam';
    const choice = OPTIMIZERS[optimizerName]!;
    const learningRate = flags.lr ?? choice.learningRate;

    // One seed: a stream for the data, one for the weights.
    const random = new Random(seed);
    const series = noisySine({ points: defaults.points, noise: defaults.noise, random: random.split(), dtype: 'float64' });
    const { inputs, targets } = slidingWindows(series, { window: defaults.window }); // [75, 25, 1] → [75, 1]
    const samples = inputs.shape[0]!;
    // The loss a perfect model of the clean sine would still pay: ½ Σ noise² over the targets.
    const clean = noisySine({ points: defaults.points, noise: 0, dtype: 'float64' });
    let noiseFloor = 0;
    for (let k = 0; k < samples; k++) noiseFloor += (targets.data[k]! - clean.data[k + defaults.window]!) ** 2 / 2;
    const variant = (flags.variant ?? 'standard') as LstmScratchVariant;
    const model = lstmScratchModel(random.split(), defaults.units, variant);
    const paramsTotal = model.params().reduce((n, p) => n + p.value.size, 0);
    reporter.log(model.summary());
    const settings = Object.entries(choice.options).map(([k, v]) => `${k} ${v}`);
    reporter.log(
      `\nseed ${seed}: noisy sine of ${defaults.points} points (noise ${defaults.noise}), windows of ${defaults.window} → ${samples} samples; ` +
        `${optimizerName} lr ${learningRate}${settings.length > 0 ? `, ${settings.join(', ')}` : ''}; one update per sample, no shuffling, ${epochs} epochs`,
    );

    // ½(y − ŷ)² per sample; the original logged its sum over the 75 samples of each epoch.
    const loss = halfSumOfSquares();
    const summed: number[] = [];
    const started = performance.now();
    await fit(model, { x: inputs, y: targets }, {
      loss,
      optimizer: choice.plugin,
      optimizerOptions: { learningRate, ...choice.options } as OptimizerOptions<Record<string, unknown>>,
      epochs,
      batchSize: 1,
      shuffle: false, // the original went through the samples in order
      callbacks: {
        onEpochEnd: (logs) => {
          // fit logs the mean over the epoch's samples (each taken before its update).
          summed.push(logs.loss * samples);
          const seconds = (performance.now() - started) / 1000;
          reporter.progress({ label: 'epoch', done: logs.epoch, total: epochs, loss: logs.loss * samples, samplesPerSecond: (logs.epoch * samples) / seconds });
        },
      },
    });
    reporter.endProgress();
    const trainSeconds = (performance.now() - started) / 1000;
    const finalLoss = summed[summed.length - 1]!;

    const lossByEpoch: Record<string, number> = {};
    for (let epoch = defaults.logEvery; epoch <= epochs; epoch += defaults.logEvery) lossByEpoch[String(epoch)] = summed[epoch - 1]!;
    reporter.log(`\nsummed loss Σ½(y − ŷ)² over the ${samples} samples:`);
    for (const [epoch, value] of Object.entries(lossByEpoch)) {
      const reported = REPORTED_LOSS[Number(epoch)];
      reporter.log(`  epoch ${epoch.padStart(4)}: ${value.toFixed(6)}${reported !== undefined ? `   (original ${reported.toFixed(6)})` : ''}`);
    }
    reporter.log(`  noise floor ½Σ(noise)² of these targets: ${noiseFloor.toFixed(6)}`);

    const predictions = predict(model, inputs);
    const epochAxis = Array.from({ length: epochs }, (_, i) => i + 1);
    out.write(
      'loss.svg',
      await lineChartSvg({
        title: `lstm-scratch: summed loss Σ½(y − ŷ)² per epoch (${optimizerName} lr ${learningRate}, seed ${seed})`,
        series: [
          { name: 'rnnkit', x: epochAxis, y: summed },
          { name: 'original (logged)', x: Object.keys(REPORTED_LOSS).map(Number), y: Object.values(REPORTED_LOSS) },
        ],
        xLabel: 'epoch',
        yLabel: 'summed loss',
        logY: true,
        pointSeries: ['original (logged)'],
      }),
    );
    const window = defaults.window;
    out.write(
      'predictions.svg',
      await lineChartSvg({
        title: `lstm-scratch: predicted next value against the noisy sine (after ${epochs} epochs)`,
        series: [
          { name: 'data', x: Array.from({ length: series.size }, (_, i) => i), y: Array.from(series.data) },
          { name: 'prediction', x: Array.from({ length: samples }, (_, k) => k + window), y: Array.from(predictions.data) },
        ],
        xLabel: 'step',
        yLabel: 'value',
        pointSeries: ['data'],
      }),
    );

    const comparisons = Object.entries(REPORTED_LOSS)
      .filter(([epoch]) => Number(epoch) <= epochs)
      .map(([epoch, reported]) => ({
        what: `summed loss, epoch ${epoch}`,
        reached: summed[Number(epoch) - 1]!.toFixed(6),
        reported: reported.toFixed(6),
      }));
    return {
      seed,
      metrics: {
        final_loss: finalLoss,
        loss_by_epoch: lossByEpoch,
        params_total: paramsTotal,
        noise_floor: noiseFloor,
        epochs,
        variant,
        train_seconds: trainSeconds,
      },
      reference: {
        final_loss: REPORTED_LOSS[200],
        loss_by_epoch: Object.fromEntries(Object.entries(REPORTED_LOSS).map(([k, v]) => [k, v])),
        params_total: 4385,
        params: { lstm: 4352, dense: 33 },
      },
      comparisons: [
        { what: 'parameters (lstm + dense)', reached: paramsTotal.toLocaleString('en-US'), reported: '4,352 + 33 = 4,385' },
        ...comparisons,
        { what: `noise floor ½Σ noise² (≈ ${((samples * defaults.noise ** 2) / 2).toFixed(3)} expected)`, reached: noiseFloor.toFixed(6), reported: '–' },
        ...(REPORTED_LOSS[epochs] === undefined
          ? [{ what: `final summed loss (epoch ${epochs})`, reached: finalLoss.toFixed(6), reported: `${REPORTED_LOSS[200]!.toFixed(6)} (epoch 200)` }]
          : []),
        { what: 'training time', reached: `${trainSeconds.toFixed(1)} s`, reported: '–' },
      ],
      lossCurve: summed,
    };
  },
};
