// Multi-step forecasting with a trained model: recursive (one step at a time, each forecast
// fed back as the next input) or direct (every step from one pass of a multi-output head).
import { RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import { checkFinite } from '../data.js';
import { checkOutputFinite } from '../finite.js';
import { type TrainableModel, checkModel } from '../fit.js';
import { type ForecastInterval, empiricalIntervals } from './intervals.js';
import { type ForecastOptions, type ForecastPlan, type ForecastScaler, planForecast } from './options.js';

const API = 'forecast';

/** What {@link forecast} returns. */
export interface ForecastResult {
  /** `[steps, targets]`, or `[batch, steps, targets]` for a batch of histories; original units. */
  readonly forecast: Tensor;
  /** One interval per requested level, when `intervals` was given. */
  readonly intervals?: readonly ForecastInterval[];
}

/**
 * Forecasts the `steps` time steps after `history` (`[time, features]` or
 * `[batch, time, features]`, original units, the most recent steps last) with a trained model
 * that maps `[batch, window, features]` to `[batch, outputs]`.
 *
 * - `recursive` (default): the model predicts the next step's targets; that row (completed by
 *   `exogenous` where the model predicts only some features) is appended to the window, the
 *   oldest step dropped, and the model run again — `steps` passes. Errors compound over the
 *   horizon, as they do for any recursive forecast.
 * - `direct`: one pass; the model's `steps · targets` outputs are read step-major.
 *
 * With a `scaler`, the window is transformed before the model and the forecast is
 * inverse-transformed back. With `intervals`, empirical intervals are added: see
 * {@link empiricalIntervals}. An output holding NaN or an infinity is an error naming where it
 * came from. Every pass sees a whole window, so the model should have no stateful layer (one
 * would carry its states from one pass into the next).
 *
 * @example
 * const { forecast: next } = forecast(model, recent, { steps: 12 }); // recent: [25, 1] → [12, 1]
 */
export function forecast(model: TrainableModel, history: Tensor, options: ForecastOptions): ForecastResult {
  checkModel(API, model);
  const plan = planForecast(API, history, options);
  checkFinite(API, history, 'history');
  const window = scaledWindow(history, plan);
  const rows = plan.strategy === 'recursive' ? recursive(model, window, plan) : direct(model, window, plan);
  const result = pickTargets(unscale(rows, plan.scaler), plan, history.rank === 2);
  if (!plan.intervals) return { forecast: result };
  return { forecast: result, intervals: empiricalIntervals(result, plan.intervals.residuals, plan.intervals.levels) };
}

/** The last `window` steps of every history, scaled: a new `[batch, window, features]` tensor. */
function scaledWindow(history: Tensor, plan: ForecastPlan): Tensor {
  const { batch, time, features, window } = plan;
  const data = allocate(history.dtype, batch * window * features);
  for (let b = 0; b < batch; b++) {
    const from = (b * time + time - window) * features;
    data.set(history.data.subarray(from, from + window * features), b * window * features);
  }
  return applyScaler(new Tensor(data, [batch, window, features]), plan.scaler, 'transform', history.dtype);
}

/** A scaler's map of a tensor, checked to keep the shape, in the given dtype. */
function applyScaler(t: Tensor, scaler: ForecastScaler | undefined, method: 'transform' | 'inverseTransform', dtype = t.dtype): Tensor {
  if (!scaler) return t;
  const out: unknown = scaler[method](t);
  if (!(out instanceof Tensor) || out.size !== t.size || out.rank !== t.rank) {
    const got = out instanceof Tensor ? `shape ${formatShape(out.shape)}` : String(out);
    throw new RnnkitError(API, `scaler.${method} must return a Tensor shaped like its input ${formatShape(t.shape)}, got ${got}`);
  }
  if (out.dtype === dtype) return out;
  const copy = allocate(dtype, out.size);
  copy.set(out.data);
  return new Tensor(copy, t.shape);
}

/** One forward pass, its output checked to be `[batch, width]` and finite. */
function run(model: TrainableModel, x: Tensor, width: number, describe: () => string): Tensor {
  const y = model.forward(x).y;
  if (y.rank !== 2 || y.shape[0] !== x.shape[0] || y.shape[1] !== width) {
    throw new RnnkitError(API, `${describe()}, got output shape ${formatShape(y.shape)} for input ${formatShape(x.shape)}`);
  }
  checkOutputFinite(API, model, x, y);
  return y;
}

/**
 * Feeds each step's forecast back. Returns the forecast input rows `[batch, steps, features]`
 * (scaled): the targets the model gave, the other columns from the (scaled) exogenous values.
 * The window slides in place; nothing but the model's own pass allocates per step.
 */
function recursive(model: TrainableModel, window: Tensor, plan: ForecastPlan): Tensor {
  const { batch, features, steps, targets } = plan;
  const length = plan.window;
  const rows = futureRows(plan, window.dtype);
  const describe = (): string =>
    `the recursive strategy needs the model to output the ${targets.length} target feature${targets.length === 1 ? '' : 's'} of the next step ([batch, ${targets.length}])`;
  for (let k = 0; k < steps; k++) {
    const y = run(model, window, targets.length, describe);
    for (let b = 0; b < batch; b++) {
      const row = (b * steps + k) * features;
      targets.forEach((column, j) => (rows.data[row + column] = y.data[b * targets.length + j]!));
      if (k === steps - 1) continue;
      // Slide: drop the oldest step, append the row just forecast.
      const start = b * length * features;
      window.data.copyWithin(start, start + features, start + length * features);
      window.data.set(rows.data.subarray(row, row + features), start + (length - 1) * features);
    }
  }
  return rows;
}

/** One pass of a `steps · targets` head, as scaled rows `[batch, steps, features]`. */
function direct(model: TrainableModel, window: Tensor, plan: ForecastPlan): Tensor {
  const { batch, features, steps, targets } = plan;
  const width = steps * targets.length;
  const y = run(
    model,
    window,
    width,
    () => `the direct strategy needs the model to output steps · targets = ${steps} · ${targets.length} = ${width} values per sample (a Dense(${width}) head)`,
  );
  const rows = new Tensor(allocate(window.dtype, batch * steps * features), [batch, steps, features]);
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < steps; k++) {
      targets.forEach((column, j) => (rows.data[(b * steps + k) * features + column] = y.data[b * width + k * targets.length + j]!));
    }
  }
  return rows;
}

/**
 * The rows to forecast, `[batch, steps, features]`, scaled: the exogenous values (in original
 * units, shared by the batch or one block per history) in the non-target columns, and
 * placeholders in the target columns until the model fills them. The scaler sees whole rows,
 * as it was fitted.
 */
function futureRows(plan: ForecastPlan, dtype: Tensor['dtype']): Tensor {
  const { batch, steps, features, others, exogenous } = plan;
  const rows = new Tensor(allocate(dtype, batch * steps * features), [batch, steps, features]);
  if (!exogenous) return rows;
  const shared = exogenous.rank === 2;
  for (let b = 0; b < batch; b++) {
    for (let k = 0; k < steps; k++) {
      const from = ((shared ? 0 : b) * steps + k) * others.length;
      others.forEach((column, i) => (rows.data[(b * steps + k) * features + column] = exogenous.data[from + i]!));
    }
  }
  // The target columns' placeholders are scaled too; the model's outputs overwrite them.
  return applyScaler(rows, plan.scaler, 'transform');
}

function unscale(rows: Tensor, scaler: ForecastScaler | undefined): Tensor {
  return applyScaler(rows, scaler, 'inverseTransform');
}

/** The target columns of the rows, `[batch, steps, targets]` (or `[steps, targets]`). */
function pickTargets(rows: Tensor, plan: ForecastPlan, single: boolean): Tensor {
  const { batch, steps, features, targets } = plan;
  const out = allocate(rows.dtype, batch * steps * targets.length);
  for (let r = 0; r < batch * steps; r++) {
    targets.forEach((column, j) => (out[r * targets.length + j] = rows.data[r * features + column]!));
  }
  return new Tensor(out, single ? [steps, targets.length] : [batch, steps, targets.length]);
}
