// Point-forecast accuracy: plain functions of the actual values and a forecast of them.
// Each takes Tensors or number lists (a 1-D series) and compares them element for element.
import { RnnkitError, checkOptionKeys, formatShape } from '@rnnkit/tensor';
import { type SeriesValues, type ShapedValues, checkSameShape, integerAtLeast, readValues } from './values.js';

function pair(api: string, actual: SeriesValues, forecast: SeriesValues): [ShapedValues, ShapedValues] {
  const a = readValues(api, 'actual', actual);
  const f = readValues(api, 'forecast', forecast);
  checkSameShape(api, a, 'actual', f, 'forecast');
  return [a, f];
}

function meanAbsolute(a: ShapedValues, f: ShapedValues): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += Math.abs(a.data[i]! - f.data[i]!);
  return sum / a.data.length;
}

/** Mean absolute error: `(1/n) Σ |actual_i − forecast_i|`, over every element. */
export function mae(actual: SeriesValues, forecast: SeriesValues): number {
  return meanAbsolute(...pair('mae', actual, forecast));
}

/** Root mean squared error: `√((1/n) Σ (actual_i − forecast_i)²)`, over every element. */
export function rmse(actual: SeriesValues, forecast: SeriesValues): number {
  const [a, f] = pair('rmse', actual, forecast);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) sum += (a.data[i]! - f.data[i]!) ** 2;
  return Math.sqrt(sum / a.data.length);
}

/**
 * Symmetric mean absolute percentage error, in percent:
 * `(100/n) Σ 2·|forecast_i − actual_i| / (|actual_i| + |forecast_i|)`, where a term whose
 * actual and forecast are both 0 counts as 0 (a perfect forecast of 0). It lies in [0, 200]:
 * 200 when every forecast has the wrong sign or is 0 against a non-zero actual.
 */
export function smape(actual: SeriesValues, forecast: SeriesValues): number {
  const [a, f] = pair('smape', actual, forecast);
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) {
    const x = a.data[i]!;
    const y = f.data[i]!;
    const denominator = Math.abs(x) + Math.abs(y);
    if (denominator > 0) sum += (2 * Math.abs(y - x)) / denominator;
  }
  return (100 * sum) / a.data.length;
}

/** Options of {@link mase}. */
export interface MaseOptions {
  /**
   * The training series (in-sample data, before the forecast): `[time]`, `[time, columns]`
   * or `[batch, time, columns]`, or a list of numbers.
   */
  readonly training: SeriesValues;
  /**
   * The naive forecast's lag m: 1 for persistence, the season length for seasonal data.
   * @defaultValue 1
   */
  readonly season?: number;
}

/**
 * The in-sample MAE of the naive forecast of lag m over a training series:
 * `mean |y_t − y_{t−m}|` over t = m … T−1 of every column (and batch row), pooled.
 * The time axis is axis 0 of a 1-D or 2-D tensor and axis 1 of a 3-D one.
 */
export function naiveScale(api: string, training: SeriesValues, season: number): number {
  const t = readValues(api, 'training', training);
  if (t.shape.length > 3) throw new RnnkitError(api, `training must be [time], [time, columns] or [batch, time, columns], got shape ${formatShape(t.shape)}`);
  const timeAxis = t.shape.length === 3 ? 1 : 0;
  const time = t.shape[timeAxis]!;
  if (time <= season) {
    throw new RnnkitError(api, `training needs more than season = ${season} time steps for a lag-${season} naive forecast, got ${time} (shape ${formatShape(t.shape)})`);
  }
  const columns = t.shape.length === 1 ? 1 : t.shape[t.shape.length - 1]!;
  const batch = t.shape.length === 3 ? t.shape[0]! : 1;
  let sum = 0;
  for (let b = 0; b < batch; b++) {
    const base = b * time * columns;
    for (let step = season; step < time; step++) {
      for (let c = 0; c < columns; c++) {
        sum += Math.abs(t.data[base + step * columns + c]! - t.data[base + (step - season) * columns + c]!);
      }
    }
  }
  return sum / (batch * (time - season) * columns);
}

/**
 * Mean absolute scaled error (Hyndman & Koehler, 2006): the forecast's MAE divided by the
 * in-sample MAE of the naive forecast of lag `season` (1: the previous value) on the training
 * series. Below 1, the forecast beats that naive forecast's one-step error on the training
 * data. A training series on which the naive forecast is exact (a constant one) has scale 0
 * and is refused.
 */
export function mase(actual: SeriesValues, forecast: SeriesValues, options: MaseOptions): number {
  const api = 'mase';
  checkOptionKeys(api, options, ['training', 'season']);
  const [a, f] = pair(api, actual, forecast);
  const season = integerAtLeast(api, 'season', options.season ?? 1, 1);
  const scale = naiveScale(api, options.training, season);
  if (scale === 0) {
    throw new RnnkitError(api, `the lag-${season} naive forecast is exact on the training series (its MAE, the scale, is 0: a constant series?), so errors cannot be scaled by it`);
  }
  return meanAbsolute(a, f) / scale;
}
