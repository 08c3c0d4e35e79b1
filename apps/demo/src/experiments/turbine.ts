// Experiment 1 (docs/experiments.md): an LSTM whose cell output is not squashed (`h = o ⊙ c`) learns
// the next value of a wind-direction series, trained once with SGD and once with Adam.
// The original wrote the cell and its gradients by hand; here it is `LSTM({ cellOutput:
// 'none' })`, the loss is `selectFeatures(meanSquaredError)`, and `fit` runs the loop.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type AngleTransform, turbineWindows } from '@rnnkit/datasets';
import { loadScada } from '@rnnkit/datasets/node';
import { LSTM } from '@rnnkit/layers';
import { meanSquaredError, selectFeatures } from '@rnnkit/losses';
import { fit } from '@rnnkit/model';
import { type AnyOptimizerPlugin, type OptimizerOptions, adam, sgd } from '@rnnkit/optimizers';
import { Random, type Tensor, randomUniform } from '@rnnkit/tensor';
import { lineChartSvg } from '../charts.js';
import { DemoError } from '../errors.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';
import type { Reporter } from '../reporter.js';

/** The original's setup, and the seed whose run is quoted in the README. */
export const TURBINE_DEFAULTS = {
  seed: 12,
  iterations: 100,
  learningRate: 0.1,
  units: 50,
  /** Values per window (the input dimension) and how many leading values are used. */
  window: 4,
  first: 10,
  /** Initial weights uniform in [−initLimit, initLimit); Adam only learned after scaling by 0.1. */
  initLimit: 0.1,
  initScale: 0.1,
} as const;

/** How the wind direction in degrees becomes the series. */
const VARIANTS: Readonly<Record<string, { transform: AngleTransform; describe: string }>> = {
  original: {
    transform: 'sinOfRawDegrees',
    describe: "sin(Wa_c_avg) with the degrees taken as radians — the original's quirk (--variant radians for sin(deg·π/180))",
  },
  radians: { transform: 'sin', describe: 'sin(Wa_c_avg · π/180), the wind direction converted to radians' },
};

/** The bundled sample: a small synthetic export in La Haute Borne's format. */
function fixturePath(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('@rnnkit/datasets/package.json')), 'fixtures', 'la-haute-borne-sample.csv');
}

interface RunOutcome {
  readonly losses: readonly number[];
  /** `h_t[0]` for each of the 6 steps after training. */
  readonly predictions: readonly number[];
}

interface RunSetup {
  readonly label: string;
  readonly plugin: AnyOptimizerPlugin;
  readonly options: OptimizerOptions<Record<string, unknown>>;
  readonly initLimit: number;
}

/**
 * Trains a fresh 50-cell LSTM on the one 6-step sequence. Every run draws its weights from
 * `new Random(seed)`, so the scaled initialisation is exactly 0.1 × the original one.
 */
async function train(
  setup: RunSetup,
  data: { x: Tensor; y: Tensor },
  seed: number,
  iterations: number,
  reporter: Reporter,
): Promise<RunOutcome> {
  const init = randomUniform({ low: -setup.initLimit, high: setup.initLimit });
  const layer = new LSTM({
    units: TURBINE_DEFAULTS.units,
    returnSequences: true,
    cellOutput: 'none', // h_t = s_t ⊙ o: the original cell has no tanh on its output
    unitForgetBias: false, // every bias from the same uniform draw, as in the original
    kernelInitializer: init,
    recurrentInitializer: init,
    biasInitializer: init,
    dtype: 'float64', // NumPy's precision
  });
  layer.build([null, ...(data.x.shape.slice(1) as [number, number])], new Random(seed));
  // Σ_t (h_t[0] − y_t)²: the squared error of the first hidden unit, summed over the
  // sequence; its gradient 2·(h_t[0] − y_t) is the original's.
  const loss = selectFeatures(meanSquaredError({ reduction: 'sum' }), { indices: [0] });
  const history = await fit(layer, data, {
    loss,
    optimizer: setup.plugin,
    optimizerOptions: setup.options,
    epochs: iterations,
    batchSize: 1, // the batch is the one sequence: one update per pass over it
    shuffle: false,
    callbacks: {
      onProgress: (event) =>
        reporter.progress({ label: setup.label, done: event.epoch, total: event.epochs, loss: event.loss, samplesPerSecond: event.samplesPerSecond }),
    },
  });
  reporter.endProgress();
  const h = layer.forward(data.x).y; // [1, 6, 50]
  const units = TURBINE_DEFAULTS.units;
  const predictions = Array.from({ length: h.shape[1]! }, (_, t) => h.data[t * units]!);
  return { losses: history.loss, predictions };
}

const formatLoss = (v: number): string => (v >= 0.01 ? v.toFixed(4) : v.toExponential(2));

export const turbine: Experiment = {
  id: 'turbine',
  title: 'wind-turbine LSTM (no tanh on the cell output), SGD against Adam',
  flags: ['epochs', 'lr', 'csv', 'variant'],
  variants: Object.keys(VARIANTS),
  async run({ flags, reporter, out }: ExperimentContext): Promise<ExperimentResult> {
    const defaults = TURBINE_DEFAULTS;
    const seed = flags.seed ?? defaults.seed;
    const iterations = flags.epochs ?? defaults.iterations;
    const learningRate = flags.lr ?? defaults.learningRate;
    const variantName = flags.variant ?? 'original';
    const variant = VARIANTS[variantName]!;

    // The data: the first turbine of the export, forward-filled and sorted by time.
    const path = flags.csv ?? fixturePath();
    let scada;
    try {
      scada = await loadScada(path, { variables: ['Wa_c_avg'], angles: { Wa_c_avg: variant.transform }, dtype: 'float64' });
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DemoError(`turbine: cannot use ${flags.csv ? `--csv ${path}` : `the bundled fixture ${path}`}: ${reason}`);
    }
    if (scada.values.shape[0]! < defaults.first) {
      throw new DemoError(`turbine: turbine ${scada.turbine} of ${path} has ${scada.values.shape[0]} rows, the experiment needs ${defaults.first}`);
    }
    const { inputs, targets } = turbineWindows(scada.values, { first: defaults.first, window: defaults.window });
    const series = Array.from(scada.values.data.subarray(0, defaults.first));
    const steps = inputs.shape[1]!;
    const r = scada.report;
    reporter.log(
      flags.csv
        ? `data: ${path} (--csv)`
        : `data: the bundled fixture ${path}\n      (a synthetic export in La Haute Borne's format, not measurements; pass --csv la-haute-borne-data-2013-2016.csv for the real one)`,
    );
    reporter.log(
      `turbine ${scada.turbine} (first of ${scada.turbines.length}): ${r.turbineRows} rows, ${r.valuesFilled} missing values forward-filled, sorted by time`,
    );
    reporter.log(`series: ${variant.describe}`);
    reporter.log(`first ${defaults.first} values: ${series.map((v) => v.toFixed(3)).join(', ')}`);
    reporter.log(
      `windows of ${defaults.window} → ${steps} (x, y) pairs, fed as ONE sequence of ${steps} steps × ${defaults.window} features (batch 1)`,
    );
    reporter.log(`seed ${seed}, ${iterations} iterations, lr ${learningRate}, ${defaults.units} cells\n`);

    const data = { x: inputs, y: targets };
    const scaled = defaults.initLimit * defaults.initScale;
    // Adam as the original ran it: Keras' β1, β2, ε = 0, and only the weight matrices
    // updated (the biases, rank 1, stay at their initial values).
    const adamOptions = { learningRate, epsilon: 0, include: (param) => param.value.rank === 2 } satisfies OptimizerOptions<
      Record<string, unknown>
    >;
    const runs: RunSetup[] = [
      { label: 'SGD', plugin: sgd, options: { learningRate }, initLimit: defaults.initLimit },
      { label: 'SGD ×0.1', plugin: sgd, options: { learningRate }, initLimit: scaled },
      { label: 'Adam ×0.1', plugin: adam, options: adamOptions, initLimit: scaled },
    ];
    const [sgdOriginal, sgdScaled, adamScaled] = [
      await train(runs[0]!, data, seed, iterations, reporter),
      await train(runs[1]!, data, seed, iterations, reporter),
      await train(runs[2]!, data, seed, iterations, reporter),
    ] as [RunOutcome, RunOutcome, RunOutcome];
    const final = (o: RunOutcome) => o.losses[o.losses.length - 1]!;
    const ratio = final(sgdScaled) / final(adamScaled);

    const iterationAxis = Array.from({ length: iterations }, (_, i) => i + 1);
    const names = ['SGD', `SGD, init ×${defaults.initScale}`, `Adam, init ×${defaults.initScale}`];
    out.write(
      'loss.svg',
      await lineChartSvg({
        title: `turbine: Σ_t (h_t[0] − y_t)² per iteration, SGD and Adam (lr ${learningRate}, seed ${seed})`,
        series: [sgdOriginal, sgdScaled, adamScaled].map((o, i) => ({ name: names[i]!, x: iterationAxis, y: o.losses })),
        xLabel: 'iteration',
        yLabel: 'summed squared error',
        logY: true,
      }),
    );
    const stepAxis = Array.from({ length: steps }, (_, t) => t + 1);
    out.write(
      'predictions.svg',
      await lineChartSvg({
        title: `turbine: h_t[0] after ${iterations} iterations against the next value`,
        series: [
          { name: 'truth', x: stepAxis, y: Array.from(targets.data) },
          { name: names[1]!, x: stepAxis, y: sgdScaled.predictions },
          { name: names[2]!, x: stepAxis, y: adamScaled.predictions },
        ],
        xLabel: 'time step (window)',
        yLabel: 'value',
        pointSeries: ['truth'],
      }),
    );

    return {
      seed,
      metrics: {
        sgd_loss: final(sgdScaled),
        adam_loss: final(adamScaled),
        sgd_loss_original_init: final(sgdOriginal),
        sgd_over_adam: ratio,
        iterations,
        variant: variantName,
        data: flags.csv ? path : 'fixture',
        turbine: scada.turbine,
      },
      reference: { sgd_loss_original_init: 0.18, sgd_loss: 0.26, adam_loss: 0.0013 },
      comparisons: [
        { what: `SGD final loss, init U[−${defaults.initLimit}, ${defaults.initLimit})`, reached: formatLoss(final(sgdOriginal)), reported: '0.18' },
        { what: `SGD final loss, init ×${defaults.initScale} (sgd_loss)`, reached: formatLoss(final(sgdScaled)), reported: '0.26' },
        { what: `Adam final loss, init ×${defaults.initScale} (adam_loss)`, reached: formatLoss(final(adamScaled)), reported: '0.0013' },
        { what: 'SGD ÷ Adam, init ×0.1', reached: `${ratio >= 10 ? ratio.toFixed(0) : ratio.toPrecision(2)}×`, reported: `${(0.26 / 0.0013).toFixed(0)}×` },
        { what: 'data', reached: flags.csv ? 'your --csv' : 'synthetic fixture', reported: 'La Haute Borne 2013–2016' },
      ],
      lossCurve: adamScaled.losses,
    };
  },
};
