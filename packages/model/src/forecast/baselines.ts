// The naive forecasts a model should beat, and a side-by-side comparison with them.
import { RnnkitError, Tensor, allocate, checkOptionKeys, formatShape } from '@rnnkit/tensor';
import { mae, naiveScale, rmse, smape } from './metrics.js';
import { type SeriesValues, checkSameShape, integerAtLeast, readValues } from './values.js';

/** Options of {@link seasonalNaiveForecast}. */
export interface SeasonalNaiveOptions {
  /** Steps per season (the period m): each forecast step repeats the value one season before. */
  readonly season: number;
}

interface SeriesLayout {
  readonly data: ArrayLike<number>;
  readonly batch: number;
  readonly time: number;
  readonly columns: number;
  readonly dtype: 'float32' | 'float64';
  /** The shape of a forecast of `steps` steps. */
  shapeFor(steps: number): number[];
}

/** `[time]`, `[time, columns]` or `[batch, time, columns]` (a number list is `[time]`). */
function readSeriesLayout(api: string, history: SeriesValues): SeriesLayout {
  const h = readValues(api, 'history', history);
  const rank = h.shape.length;
  if (rank > 3) throw new RnnkitError(api, `history must be [time], [time, columns] or [batch, time, columns], got shape ${formatShape(h.shape)}`);
  const dtype = history instanceof Tensor ? history.dtype : 'float64';
  const batch = rank === 3 ? h.shape[0]! : 1;
  const time = rank === 3 ? h.shape[1]! : h.shape[0]!;
  const columns = rank === 1 ? 1 : h.shape[rank - 1]!;
  const shapeFor = (steps: number): number[] => (rank === 1 ? [steps] : rank === 2 ? [steps, columns] : [batch, steps, columns]);
  return { data: h.data, batch, time, columns, dtype, shapeFor };
}

/** Fills a forecast whose step k repeats the history step `pick(k)`. */
function repeatSteps(layout: SeriesLayout, steps: number, pick: (k: number) => number): Tensor {
  const { batch, time, columns } = layout;
  const out = allocate(layout.dtype, batch * steps * columns);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < steps; k++) {
      const from = (b * time + pick(k)) * columns;
      const to = (b * steps + k) * columns;
      for (let c = 0; c < columns; c++) out[to + c] = layout.data[from + c]!;
    }
  }
  return new Tensor(out, layout.shapeFor(steps));
}

/**
 * The persistence (naive) forecast: the last value of the history, repeated `steps` times.
 * `history` is `[time]`, `[time, columns]` or `[batch, time, columns]` (a number list is
 * `[time]`, answered in float64); the forecast is `[steps]`, `[steps, columns]` or
 * `[batch, steps, columns]` in the history's dtype.
 */
export function persistenceForecast(history: SeriesValues, steps: number): Tensor {
  const api = 'persistenceForecast';
  const layout = readSeriesLayout(api, history);
  integerAtLeast(api, 'steps', steps, 1);
  return repeatSteps(layout, steps, () => layout.time - 1);
}

/**
 * The seasonal naive forecast: step k (0-based) repeats the value one season before the
 * time it forecasts, `history[T − m + (k mod m)]` for a history of T steps and season m —
 * the last observed season, repeated. Shapes as in {@link persistenceForecast}; the history
 * needs at least one season of steps.
 */
export function seasonalNaiveForecast(history: SeriesValues, steps: number, options: SeasonalNaiveOptions): Tensor {
  const api = 'seasonalNaiveForecast';
  const layout = readSeriesLayout(api, history);
  integerAtLeast(api, 'steps', steps, 1);
  checkOptionKeys(api, options, ['season']);
  const season = integerAtLeast(api, 'season', options.season, 1);
  if (layout.time < season) {
    throw new RnnkitError(api, `history has ${layout.time} time steps, fewer than one season (${season})`);
  }
  return repeatSteps(layout, steps, (k) => layout.time - season + (k % season));
}

/** The accuracy of one forecast of the actual values. */
export interface ForecastScores {
  readonly mae: number;
  readonly rmse: number;
  /** In percent, see {@link smape}. */
  readonly smape: number;
  /** Scaled by the naive forecast's in-sample MAE on the history, see {@link mase}. */
  readonly mase: number;
}

/** Input of {@link compareWithBaselines}. */
export interface CompareWithBaselinesInput {
  /** What happened: `[steps]`, `[steps, columns]` or `[batch, steps, columns]`. */
  readonly actual: SeriesValues;
  /** The model's forecast of it, shaped like `actual`. */
  readonly forecast: SeriesValues;
  /**
   * The observed series before the forecast, of the same columns (the target series):
   * `[time]`, `[time, columns]` or `[batch, time, columns]` like `actual`.
   */
  readonly history: SeriesValues;
  /** A season length: adds the seasonal naive forecast and scales MASE by its lag. */
  readonly season?: number;
}

/** The scores of the model and of the naive forecasts; see {@link compareWithBaselines}. */
export interface BaselineComparison {
  readonly model: ForecastScores;
  readonly persistence: ForecastScores;
  /** Present when a season was given. */
  readonly seasonalNaive?: ForecastScores;
}

/**
 * Scores a forecast beside the persistence forecast (and the seasonal naive one, given a
 * season) of the same history, so a model that does not beat them shows it. Every MASE is
 * scaled by one number, the in-sample MAE of the lag-`season` (default 1) naive forecast on
 * the history, so the three rows compare directly.
 */
export function compareWithBaselines(input: CompareWithBaselinesInput): BaselineComparison {
  const api = 'compareWithBaselines';
  checkOptionKeys(api, input, ['actual', 'forecast', 'history', 'season']);
  const actual = readValues(api, 'actual', input.actual);
  checkSameShape(api, actual, 'actual', readValues(api, 'forecast', input.forecast), 'forecast');
  const history = readSeriesLayout(api, input.history);
  const season = input.season === undefined ? undefined : integerAtLeast(api, 'season', input.season, 1);
  const rank = actual.shape.length;
  const steps = rank === 3 ? actual.shape[1]! : actual.shape[0]!;
  const expected = history.shapeFor(steps);
  if (expected.length !== rank || expected.some((d, i) => d !== actual.shape[i])) {
    throw new RnnkitError(api, `actual has shape ${formatShape(actual.shape)}, but a ${steps}-step forecast of history's columns has shape ${formatShape(expected)}`);
  }
  const scale = naiveScale(api, input.history, season ?? 1);
  if (scale === 0) {
    throw new RnnkitError(api, `the lag-${season ?? 1} naive forecast is exact on the history (its MAE, the MASE scale, is 0: a constant series?), so errors cannot be scaled by it`);
  }
  const score = (forecast: SeriesValues): ForecastScores => ({
    mae: mae(input.actual, forecast),
    rmse: rmse(input.actual, forecast),
    smape: smape(input.actual, forecast),
    mase: mae(input.actual, forecast) / scale,
  });
  const model = score(input.forecast);
  const persistence = score(persistenceForecast(input.history, steps));
  if (season === undefined) return { model, persistence };
  return { model, persistence, seasonalNaive: score(seasonalNaiveForecast(input.history, steps, { season })) };
}
