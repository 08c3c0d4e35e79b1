// The options of `forecast`, checked and resolved into a plan before the model runs.
import { RnnkitError, Tensor, checkOptionKeys, describeValue, formatShape } from '@rnnkit/tensor';
import { checkIntervalOptions } from './intervals.js';
import { integerAtLeast, shown } from './values.js';

/**
 * What `forecast` needs of a scaler: a per-feature map of tensors whose features run along the
 * last axis, and its inverse. The scalers of @rnnkit/datasets (`fitMinMaxScaler`,
 * `fitZScoreScaler`) fit, fitted on every feature of the series.
 */
export interface ForecastScaler {
  transform(data: Tensor): Tensor;
  inverseTransform(data: Tensor): Tensor;
}

/** Empirical prediction intervals; see {@link ForecastOptions.intervals}. */
export interface ForecastIntervalOptions {
  /**
   * Errors `actual − forecast` of past forecasts (on validation data, in original units), one
   * row per forecast: `[n, steps]` (every target alike) or `[n, steps, targets]`.
   */
  readonly residuals: Tensor;
  /**
   * Coverage of each interval, each in (0, 1).
   * @defaultValue [0.8, 0.95]
   */
  readonly levels?: readonly number[];
}

/** Options of `forecast`. */
export interface ForecastOptions {
  /** Forecast horizon: time steps to forecast, an integer ≥ 1. */
  readonly steps: number;
  /**
   * `'recursive'`: the model predicts one step, which is fed back as the next input row.
   * `'direct'`: the model predicts all `steps` at once (a `Dense(steps · targets)` head,
   * step-major, as @rnnkit/datasets' `slidingWindows` with `horizon` cuts the targets).
   * @defaultValue 'recursive'
   */
  readonly strategy?: 'recursive' | 'direct';
  /**
   * The feature column(s) the model predicts, in the order of its outputs.
   * @defaultValue every feature, in order
   */
  readonly target?: number | readonly number[];
  /**
   * Time steps of the history the model sees (the most recent ones).
   * @defaultValue every step of the history
   */
  readonly window?: number;
  /**
   * Known future values of the non-target features (recursive strategy): `[steps, others]`,
   * or `[batch, steps, others]`, in original units, columns in ascending feature order. Row k
   * holds the time of forecast step k and completes the input row fed back after it.
   */
  readonly exogenous?: Tensor;
  /** Scales the history (and exogenous values) for the model, and the forecast back. */
  readonly scaler?: ForecastScaler;
  /** Adds empirical quantile intervals around the forecast. */
  readonly intervals?: ForecastIntervalOptions;
}

export const FORECAST_KEYS = ['steps', 'strategy', 'target', 'window', 'exogenous', 'scaler', 'intervals'] as const;

/** The options of a call, checked, with the history's layout. */
export interface ForecastPlan {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly window: number;
  readonly steps: number;
  readonly strategy: 'recursive' | 'direct';
  /** Feature columns the model predicts, in output order. */
  readonly targets: readonly number[];
  /** The other feature columns, ascending (those exogenous values fill). */
  readonly others: readonly number[];
  readonly exogenous?: Tensor;
  readonly scaler?: ForecastScaler;
  readonly intervals?: { readonly residuals: Tensor; readonly levels: readonly number[] };
}

export function planForecast(api: string, history: unknown, options: ForecastOptions): ForecastPlan {
  checkOptionKeys(api, options, FORECAST_KEYS);
  if (!(history instanceof Tensor) || (history.rank !== 2 && history.rank !== 3)) {
    const got = history instanceof Tensor ? `shape ${formatShape(history.shape)}` : describeValue(history);
    throw new RnnkitError(api, `history must be a Tensor [time, features] or [batch, time, features], got ${got}`);
  }
  const batch = history.rank === 3 ? history.shape[0]! : 1;
  const time = history.shape[history.rank - 2]!;
  const features = history.shape[history.rank - 1]!;
  if (batch === 0 || time === 0 || features === 0) throw new RnnkitError(api, `history holds no values (shape ${formatShape(history.shape)})`);
  const steps = integerAtLeast(api, 'steps', options.steps, 1);
  const strategy = options.strategy ?? 'recursive';
  if (strategy !== 'recursive' && strategy !== 'direct') {
    throw new RnnkitError(api, `strategy must be 'recursive' or 'direct', got ${describeValue(strategy)}`);
  }
  const window = integerAtLeast(api, 'window', options.window ?? time, 1);
  if (window > time) throw new RnnkitError(api, `history has ${time} time steps, fewer than window = ${window} (shape ${formatShape(history.shape)})`);
  const targets = readTargets(api, options.target, features);
  const others = Array.from({ length: features }, (_, j) => j).filter((j) => !targets.includes(j));
  const exogenous = options.exogenous;
  if (exogenous !== undefined) checkExogenous(api, exogenous, strategy, batch, steps, others.length, history.rank);
  else if (strategy === 'recursive' && others.length > 0) {
    throw new RnnkitError(
      api,
      `the recursive strategy feeds each forecast back as the next input row, but target ${formatShape(targets)} covers ${targets.length} of ${features} features: pass exogenous [${steps}, ${others.length}] with the others, or predict every feature`,
    );
  }
  const scaler = options.scaler;
  if (scaler !== undefined && (typeof scaler?.transform !== 'function' || typeof scaler.inverseTransform !== 'function')) {
    throw new RnnkitError(api, `scaler must have transform(t) and inverseTransform(t) methods (a fitted scaler of @rnnkit/datasets), got ${describeValue(scaler)}`);
  }
  const intervals = options.intervals === undefined ? undefined : checkIntervalOptions(api, options.intervals, steps, targets.length);
  return { batch, time, features, window, steps, strategy, targets, others, ...(exogenous ? { exogenous } : {}), ...(scaler ? { scaler } : {}), ...(intervals ? { intervals } : {}) };
}

function readTargets(api: string, target: unknown, features: number): number[] {
  if (target === undefined) return Array.from({ length: features }, (_, j) => j);
  const list = typeof target === 'number' ? [target] : target;
  if (!Array.isArray(list) || list.length === 0) {
    throw new RnnkitError(api, `target must be a feature index or a non-empty array of them, got ${describeValue(target)}`);
  }
  list.forEach((j: unknown, i) => {
    if (typeof j !== 'number' || !Number.isSafeInteger(j) || j < 0 || j >= features) {
      throw new RnnkitError(api, `target ${formatShape(list as number[])} holds ${shown(j)}, not a feature index of history's ${features} features (0 … ${features - 1})`);
    }
    if (list.indexOf(j) !== i) throw new RnnkitError(api, `target ${formatShape(list as number[])} names feature ${j} twice`);
  });
  return list as number[];
}

function checkExogenous(api: string, exogenous: unknown, strategy: string, batch: number, steps: number, others: number, historyRank: number): void {
  if (strategy !== 'recursive') throw new RnnkitError(api, `exogenous is for the recursive strategy (a direct model sees only the history), got strategy '${strategy}'`);
  if (others === 0) throw new RnnkitError(api, `exogenous has no columns to fill: target covers every feature`);
  const shared = [steps, others];
  const perBatch = [batch, steps, others];
  const fits = (shape: readonly number[]): boolean =>
    exogenous instanceof Tensor && exogenous.rank === shape.length && shape.every((d, i) => d === exogenous.shape[i]);
  if (!fits(shared) && !(historyRank === 3 && fits(perBatch))) {
    const got = exogenous instanceof Tensor ? `shape ${formatShape(exogenous.shape)}` : describeValue(exogenous);
    const expected = historyRank === 3 ? `${formatShape(shared)} or ${formatShape(perBatch)}` : formatShape(shared);
    throw new RnnkitError(api, `exogenous must be a Tensor ${expected} (steps × non-target features), got ${got}`);
  }
  const data = (exogenous as Tensor).data;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) throw new RnnkitError(api, `exogenous holds ${data[i]} at flat index ${i}: values must be finite`);
  }
}
