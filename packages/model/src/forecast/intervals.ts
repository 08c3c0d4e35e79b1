// Empirical prediction intervals: the forecast shifted by quantiles of the errors that past
// forecasts made at the same horizon step. No distribution is assumed; the intervals are as
// good as the residuals are representative of the errors to come.
import { RnnkitError, Tensor, allocate, checkOptionKeys, describeValue, formatShape } from '@rnnkit/tensor';
import type { ForecastIntervalOptions } from './options.js';

/** One prediction interval around a forecast. */
export interface ForecastInterval {
  /** The nominal coverage, e.g. 0.95. */
  readonly level: number;
  /** Lower bounds, shaped like the forecast. */
  readonly lower: Tensor;
  /** Upper bounds, shaped like the forecast. */
  readonly upper: Tensor;
}

const DEFAULT_LEVELS = [0.8, 0.95] as const;

/** Checks the `intervals` option of `forecast` against the horizon and the target count. */
export function checkIntervalOptions(
  api: string,
  options: ForecastIntervalOptions,
  steps: number,
  targets: number,
): { readonly residuals: Tensor; readonly levels: readonly number[] } {
  checkOptionKeys(api, options, ['residuals', 'levels'], 'intervals option');
  const { residuals } = options;
  const fits =
    residuals instanceof Tensor &&
    residuals.shape[0]! >= 1 &&
    residuals.shape[1] === steps &&
    (residuals.rank === 2 || (residuals.rank === 3 && residuals.shape[2] === targets));
  if (!fits) {
    const got = residuals instanceof Tensor ? `shape ${formatShape(residuals.shape)}` : describeValue(residuals);
    throw new RnnkitError(api, `intervals.residuals must be a Tensor [n, ${steps}] or [n, ${steps}, ${targets}] (n ≥ 1 past errors per horizon step), got ${got}`);
  }
  const data = residuals.data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new RnnkitError(api, `intervals.residuals holds ${data[i]} at flat index ${i}: values must be finite`);
  }
  const levels = options.levels ?? DEFAULT_LEVELS;
  if (!Array.isArray(levels) || levels.length === 0 || levels.some((l) => typeof l !== 'number' || !(l > 0 && l < 1))) {
    throw new RnnkitError(api, `intervals.levels must be a non-empty array of numbers in (0, 1) such as [0.8, 0.95], got ${describeValue(levels)}`);
  }
  return { residuals, levels };
}

/**
 * The p-quantile of sorted values by linear interpolation between order statistics
 * (Hyndman & Fan's type 7, numpy's default): position p·(n − 1).
 */
export function quantileOfSorted(sorted: ArrayLike<number>, p: number): number {
  const position = p * (sorted.length - 1);
  const below = Math.floor(position);
  const above = Math.min(below + 1, sorted.length - 1);
  return sorted[below]! + (position - below) * (sorted[above]! - sorted[below]!);
}

/**
 * Intervals at each level: for horizon step h and target j, with α = (1 − level)/2,
 * `lower = forecast + q_α(r_h)` and `upper = forecast + q_{1−α}(r_h)`, where r_h are the
 * residuals (actual − forecast) at step h (of target j, given per target). The forecast is
 * `[steps, targets]` or `[batch, steps, targets]`; every batch row gets the same offsets.
 */
export function empiricalIntervals(forecast: Tensor, residuals: Tensor, levels: readonly number[]): ForecastInterval[] {
  const steps = residuals.shape[1]!;
  const n = residuals.shape[0]!;
  const targets = forecast.shape[forecast.rank - 1]!;
  const perTarget = residuals.rank === 3;
  const batch = forecast.size / (steps * targets);
  // Sorted residuals of each (step, target) column, gathered once for every level.
  const columns: Float64Array[] = [];
  for (let h = 0; h < steps; h++) {
    for (let j = 0; j < targets; j++) {
      const column = new Float64Array(n);
      for (let i = 0; i < n; i++) column[i] = residuals.data[perTarget ? (i * steps + h) * targets + j : i * steps + h]!;
      columns.push(column.sort());
    }
  }
  return levels.map((level) => {
    const alpha = (1 - level) / 2;
    const lower = new Tensor(allocate(forecast.dtype, forecast.size), forecast.shape);
    const upper = new Tensor(allocate(forecast.dtype, forecast.size), forecast.shape);
    columns.forEach((column, c) => {
      const low = quantileOfSorted(column, alpha);
      const high = quantileOfSorted(column, 1 - alpha);
      for (let b = 0; b < batch; b++) {
        const at = b * steps * targets + c;
        lower.data[at] = forecast.data[at]! + low;
        upper.data[at] = forecast.data[at]! + high;
      }
    });
    return { level, lower, upper };
  });
}
