// Experiment 1 (docs/experiments.md) carried on: where the write-up fitted ten values of one
// channel, this reads the whole series of the turbine with every channel, forecasts its power
// (or, with --variant speed, its wind speed) 1 … 6 steps of 10 minutes ahead, and scores the
// forecast on held-out data against persistence (the last value repeated), the forecast any
// model must beat. It also checks that the model fed live, one step at a time, forecasts what
// it forecasts from whole windows.
import { type TimeSeriesOptions, type Windows, fitZScoreScaler, parseTimeSeries, scadaSampleOptions, slidingWindows, syntheticScadaCsv } from '@rnnkit/datasets';
import { loadTimeSeries } from '@rnnkit/datasets/node';
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { meanAbsoluteError } from '@rnnkit/losses';
import { createStream, fit, forecast, mae, mase, persistenceForecast, predict } from '@rnnkit/model';
import { adam } from '@rnnkit/optimizers';
import { Random, Tensor, allocate } from '@rnnkit/tensor';
import { lineChartSvg, lossChartSvg } from '../charts.js';
import { DemoError } from '../errors.js';
import type { Experiment, ExperimentContext, ExperimentResult } from '../experiment.js';
import { batchProgress } from '../reporter.js';

/** The defaults, and the seed whose run is quoted in the README. */
export const TURBINE_FORECAST_DEFAULTS = {
  seed: 0,
  /**
   * Rows of the synthetic export read by default: the bundled fixture's generator and
   * settings (`scadaSampleOptions`) run on to 24,000 rows, about 6,200 instants of each of
   * the 4 turbines (the fixture is exactly its first 320 rows).
   */
  syntheticRows: 24_000,
  /** Steps of history the model sees: 12 × 10 minutes, two hours. */
  window: 12,
  /** Forecast horizon in 10-minute steps. */
  steps: 6,
  units: 16,
  epochs: 40,
  patience: 5,
  batchSize: 64,
  learningRate: 0.003,
  /** Shares of the series, in time order: training, validation (early stopping), test. */
  trainFraction: 0.7,
  validationFraction: 0.15,
} as const;

/** The channels read from the export; the wind direction becomes `Wa_c_avg_sin`, `Wa_c_avg_cos`. */
const CHANNELS = ['P_avg', 'Ws_avg', 'Wa_c_avg', 'Ot_avg', 'Ba_avg'] as const;

/** What is forecast (`--variant`): the same model, another target column. */
const TARGETS: Readonly<Record<string, { column: string; describe: string; unit: string }>> = {
  power: { column: 'P_avg', describe: 'active power P_avg', unit: 'kW' },
  speed: { column: 'Ws_avg', describe: 'wind speed Ws_avg', unit: 'm/s' },
};

/** The SCADA export read as a regular 10-minute series per turbine. */
const LOADER_OPTIONS: TimeSeriesOptions = {
  delimiter: ';',
  time: 'Date_time',
  groupBy: 'Wind_turbine_name',
  only: { first: true }, // the turbine of the first data row, as experiment 1; the others are read past
  columns: CHANNELS,
  angles: ['Wa_c_avg'],
  interval: '10min',
  fill: 'linear',
  duplicates: 'first',
  // The real export has about 210,000 rows per turbine, 840,000 in all.
  maxRows: 2_000_000,
  dtype: 'float32',
};

/** One turbine's series: `[rows, features]` and the name of each feature. */
export interface TurbineSeries {
  readonly turbine: string;
  readonly turbines: number;
  readonly values: Tensor;
  readonly columns: readonly string[];
  /** Rows dropped at either end because a channel had no value yet (or any more). */
  readonly trimmed: number;
}

/**
 * The first turbine of a SCADA export (as experiment 1 takes it), resampled on the 10-minute
 * grid with gaps and missing cells interpolated; rows at either end where some channel has
 * not begun (interpolation cannot reach them) are left out.
 */
export async function readTurbineSeries(csv: string | undefined): Promise<TurbineSeries> {
  const data = csv === undefined
    ? await parseTimeSeries([...syntheticScadaCsv({ ...scadaSampleOptions, rows: TURBINE_FORECAST_DEFAULTS.syntheticRows })].join(''), LOADER_OPTIONS)
    : await loadTimeSeries(csv, LOADER_OPTIONS);
  const series = data.series[0];
  if (series === undefined) throw new Error('the file has no data rows');
  const features = series.columns.length;
  const rows = series.values.shape[0]!;
  const complete = (r: number): boolean => {
    for (let j = 0; j < features; j++) if (!Number.isFinite(series.values.data[r * features + j]!)) return false;
    return true;
  };
  let first = 0;
  while (first < rows && !complete(first)) first++;
  let last = rows;
  while (last > first && !complete(last - 1)) last--;
  const values = new Tensor(series.values.data.slice(first * features, last * features), [last - first, features]);
  return { turbine: series.id ?? '?', turbines: data.ids?.length ?? 1, values, columns: series.columns, trimmed: rows - (last - first) };
}

/** Rows `from … to − 1` of a `[rows, features]` series. */
function rowsOf(series: Tensor, from: number, to: number): Tensor {
  const features = series.shape[1]!;
  return new Tensor(series.data.slice(from * features, to * features), [to - from, features]);
}

/** Column `column` of a `[rows, features]` series, as numbers. */
function columnOf(series: Tensor, column: number): number[] {
  const features = series.shape[1]!;
  return Array.from({ length: series.shape[0]! }, (_, r) => series.data[r * features + column]!);
}

/**
 * Largest difference between the stream — reset, then fed each window one step at a time —
 * at the window's last step and `predict` on the whole window: the same forecast, once from a
 * live feed and once from a batch.
 */
export function streamAgainstPredict(model: Sequential, windows: Tensor): number {
  const [count, window, features] = windows.shape as [number, number, number];
  const batch = predict(model, windows);
  const stream = createStream(model);
  const x = new Tensor(allocate(model.dtype, features), [features]);
  const y = new Tensor(allocate(model.dtype, stream.outputSize), [stream.outputSize]);
  let largest = 0;
  for (let k = 0; k < count; k++) {
    stream.reset();
    for (let t = 0; t < window; t++) {
      const from = (k * window + t) * features;
      x.data.set(windows.data.subarray(from, from + features));
      stream.step(x, y);
    }
    for (let j = 0; j < stream.outputSize; j++) largest = Math.max(largest, Math.abs(y.data[j]! - batch.data[k * stream.outputSize + j]!));
  }
  return largest;
}

const round = (v: number, digits = 4): number => Number(v.toPrecision(digits));
/** How far below persistence's error the model's is, in percent (negative: above). */
const below = (model: number, persistence: number): string => `${((1 - model / persistence) * 100).toFixed(1)} % below persistence`;

export const turbineForecast: Experiment = {
  id: 'turbine-forecast',
  title: 'wind-turbine power forecast 10–60 min ahead from every channel, against persistence',
  flags: ['epochs', 'lr', 'csv', 'variant', 'steps'],
  variants: Object.keys(TARGETS),
  async run({ flags, reporter, out }: ExperimentContext): Promise<ExperimentResult> {
    const defaults = TURBINE_FORECAST_DEFAULTS;
    const seed = flags.seed ?? defaults.seed;
    const epochs = flags.epochs ?? defaults.epochs;
    const learningRate = flags.lr ?? defaults.learningRate;
    const steps = flags.steps ?? defaults.steps;
    if (steps < 1) throw new DemoError(`turbine-forecast: --steps must be at least 1, got ${steps}`, 2);
    const target = TARGETS[flags.variant ?? 'power']!;
    const window = defaults.window;

    let data: TurbineSeries;
    try {
      data = await readTurbineSeries(flags.csv);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new DemoError(`turbine-forecast: cannot use ${flags.csv ? `--csv ${flags.csv}` : 'the synthetic export'}: ${reason}`);
    }
    const { values, columns } = data;
    const rows = values.shape[0]!;
    const targetColumn = columns.indexOf(target.column);
    // Training, validation and test parts in time order. The validation and test windows start
    // `window` rows early, so every value they score lies in their own part.
    const trainEnd = Math.round(rows * defaults.trainFraction);
    const validationEnd = trainEnd + Math.round(rows * defaults.validationFraction);
    if (trainEnd < window + steps || validationEnd - trainEnd < steps || rows - validationEnd < steps) {
      throw new DemoError(
        `turbine-forecast: turbine ${data.turbine} has ${rows} complete 10-minute rows, too few for windows of ${window} and ${steps} steps ahead in each of the three parts`,
      );
    }
    const trainPart = rowsOf(values, 0, trainEnd);
    const scaler = fitZScoreScaler(trainPart);
    const trainTarget = columnOf(trainPart, targetColumn);
    if (trainTarget.every((v) => v === trainTarget[0])) {
      throw new DemoError(`turbine-forecast: ${target.column} of turbine ${data.turbine} never changes in the training part`);
    }
    const cut = (part: Tensor): Windows => slidingWindows(part, { window, horizon: steps, targetFeatures: [targetColumn] });
    const validationPart = rowsOf(values, trainEnd - window, validationEnd);
    // The model learns on z-scored windows and z-scored targets; forecast() applies the same
    // scaler to a window in original units and maps the model's outputs back.
    const train = cut(scaler.transform(trainPart));
    const validation = cut(scaler.transform(validationPart));
    const test = cut(rowsOf(values, validationEnd - window, rows));
    const testCount = test.inputs.shape[0]!;
    const features = columns.length;

    reporter.log(
      flags.csv
        ? `data: ${flags.csv} (--csv)`
        : `data: a synthetic export in La Haute Borne's format (the bundled fixture's generator and seed, ${defaults.syntheticRows} rows), not measurements; pass --csv la-haute-borne-data-2013-2016.csv for the real one`,
    );
    reporter.log(`turbine ${data.turbine} (first of ${data.turbines}): ${rows} rows on the 10-minute grid, gaps and missing cells interpolated${data.trimmed > 0 ? `, ${data.trimmed} incomplete rows at the ends left out` : ''}`);
    reporter.log(`features: ${columns.join(', ')} (z-scored on the training part); target: ${target.describe} (${target.unit})`);
    reporter.log(
      `split in time order: ${trainEnd} training rows, ${validationEnd - trainEnd} validation, ${rows - validationEnd} test → ${train.inputs.shape[0]} / ${validation.inputs.shape[0]} / ${testCount} windows of ${window} steps, ${steps} steps ahead`,
    );
    reporter.log(`seed ${seed}, adam lr ${learningRate}, batch ${defaults.batchSize}, up to ${epochs} epochs (early stopping on validation loss, patience ${defaults.patience})\n`);

    const random = new Random(seed);
    const model = new Sequential({
      layers: [new LSTM({ units: defaults.units }), new Dense({ units: steps })],
      inputShape: [window, columns.length],
      random: random.split(),
    });
    const started = performance.now();
    const history = await fit(
      model,
      { x: train.inputs, y: train.targets },
      {
        loss: meanAbsoluteError(),
        optimizer: adam,
        optimizerOptions: { learningRate },
        epochs,
        batchSize: defaults.batchSize,
        shuffle: true,
        seed: random.split().nextUint32(),
        validationData: { x: validation.inputs, y: validation.targets },
        earlyStopping: { patience: defaults.patience, restoreBestWeights: true },
        callbacks: {
          onProgress: (event) => reporter.progress(batchProgress('adam', event)),
        },
      },
    );
    const trainSeconds = (performance.now() - started) / 1000;
    reporter.endProgress();
    const bestEpoch = history.bestEpoch ?? history.epochs.length;
    reporter.log(
      `trained ${history.epochs.length} epochs in ${trainSeconds.toFixed(1)} s (${history.stopReason}); validation loss best at epoch ${bestEpoch} (${history.valLoss[bestEpoch - 1]!.toExponential(3)}), whose weights are kept`,
    );

    // The forecasts of the test part, in original units, as a user makes them: forecast() scales
    // each window, runs the model and maps its outputs back; persistence is the baseline.
    const testInputs = scaler.transform(test.inputs);
    const { forecast: predicted } = forecast(model, test.inputs, { steps, strategy: 'direct', target: targetColumn, scaler }); // [testCount, steps, 1]
    const naive = persistenceForecast(test.inputs, steps); // [testCount, steps, features]
    const atStep = (h: number) => ({
      truth: Array.from({ length: testCount }, (_, k) => test.targets.data[k * steps + h]!),
      model: Array.from({ length: testCount }, (_, k) => predicted.data[k * steps + h]!),
      persistence: Array.from({ length: testCount }, (_, k) => naive.data[(k * steps + h) * features + targetColumn]!),
    });
    const horizons = Array.from({ length: steps }, (_, h) => atStep(h));
    const maeByStep = horizons.map((s) => mae(s.truth, s.model));
    const persistenceByStep = horizons.map((s) => mae(s.truth, s.persistence));
    const first = horizons[0]!;
    const maeOneStep = maeByStep[0]!;
    const persistenceOneStep = persistenceByStep[0]!;
    const maseOneStep = mase(first.truth, first.model, { training: trainTarget });
    const streamDiff = streamAgainstPredict(model, testInputs);

    reporter.log(`\ntest part, ${testCount} forecasts; MAE in ${target.unit}, model against persistence:`);
    maeByStep.forEach((m, h) =>
      reporter.log(`  ${String((h + 1) * 10).padStart(3)} min ahead: ${m.toFixed(2).padStart(8)}  ${persistenceByStep[h]!.toFixed(2).padStart(8)}  (${below(m, persistenceByStep[h]!)})`),
    );
    reporter.log(`MASE (1 step, scaled by the naive forecast's MAE on the training part): ${maseOneStep.toFixed(3)}`);
    reporter.log(`stream fed step by step against predict on the same ${testCount} windows: largest difference ${streamDiff.toExponential(2)}`);

    const shown = Math.min(testCount, 288); // two days
    const axis = Array.from({ length: shown }, (_, k) => validationEnd + k);
    const last = horizons[steps - 1]!;
    out.write(
      'forecast.svg',
      await lineChartSvg({
        title: `turbine-forecast: ${target.describe}, the first two test days, 10 min ahead (MAE ${maeOneStep.toFixed(1)} ${target.unit}, persistence ${persistenceOneStep.toFixed(1)})`,
        series: [
          { name: 'truth', x: axis, y: first.truth.slice(0, shown) },
          { name: 'model, 10 min ahead', x: axis, y: first.model.slice(0, shown) },
          { name: 'persistence', x: axis, y: first.persistence.slice(0, shown) },
        ],
        xLabel: '10-minute step',
        yLabel: target.unit,
      }),
    );
    out.write(
      'forecast-last-step.svg',
      await lineChartSvg({
        title: `turbine-forecast: the same days, ${steps * 10} min ahead (MAE ${maeByStep[steps - 1]!.toFixed(1)} ${target.unit}, persistence ${persistenceByStep[steps - 1]!.toFixed(1)})`,
        series: [
          { name: 'truth', x: axis.map((t) => t + steps - 1), y: last.truth.slice(0, shown) },
          { name: `model, ${steps * 10} min ahead`, x: axis.map((t) => t + steps - 1), y: last.model.slice(0, shown) },
          { name: 'persistence', x: axis.map((t) => t + steps - 1), y: last.persistence.slice(0, shown) },
        ],
        xLabel: '10-minute step',
        yLabel: target.unit,
      }),
    );
    const stepAxis = Array.from({ length: steps }, (_, h) => (h + 1) * 10);
    out.write(
      'horizons.svg',
      await lineChartSvg({
        title: 'turbine-forecast: test MAE by horizon, model against persistence',
        series: [
          { name: 'model', x: stepAxis, y: maeByStep },
          { name: 'persistence', x: stepAxis, y: persistenceByStep },
        ],
        xLabel: 'minutes ahead',
        yLabel: `MAE (${target.unit})`,
      }),
    );
    out.write(
      'loss.svg',
      await lossChartSvg('turbine-forecast: mean absolute error per epoch of the z-scored target', history, 'MAE'),
    );

    return {
      seed,
      metrics: {
        mae: maeOneStep,
        persistence_mae: persistenceOneStep,
        steps,
        mae_by_step: maeByStep,
        persistence_mae_by_step: persistenceByStep,
        mase: maseOneStep,
        stream_max_abs_diff: streamDiff,
        target: target.column,
        unit: target.unit,
        test_forecasts: testCount,
        epochs_trained: history.epochs.length,
        best_epoch: bestEpoch,
        train_seconds: trainSeconds,
        data: flags.csv ?? 'synthetic',
        turbine: data.turbine,
      },
      reference: {
        persistence_mae: 'the baseline to beat: the last value, repeated',
        note: 'experiment 1 of the write-up fitted ten values of one channel and reported no forecast',
      },
      comparisons: [
        { what: `MAE 10 min ahead (${target.unit})`, reached: `${round(maeOneStep)} (${below(maeOneStep, persistenceOneStep)})`, reported: `persistence ${round(persistenceOneStep)}` },
        {
          what: `MAE ${steps * 10} min ahead (${target.unit})`,
          reached: `${round(maeByStep[steps - 1]!)} (${below(maeByStep[steps - 1]!, persistenceByStep[steps - 1]!)})`,
          reported: `persistence ${round(persistenceByStep[steps - 1]!)}`,
        },
        { what: 'MASE, 10 min ahead', reached: maseOneStep.toFixed(3), reported: '< 1 beats the naive forecast' },
        { what: 'stream − predict, largest |difference|', reached: streamDiff.toExponential(1), reported: '≤ 1e-6' },
        { what: 'data', reached: flags.csv ? 'your --csv' : 'synthetic export', reported: 'La Haute Borne 2013–2016' },
      ],
      lossCurve: history.loss,
    };
  },
};
