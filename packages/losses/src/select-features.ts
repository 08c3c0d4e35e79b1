import { RnnkitError, Tensor, allocate, checkOptionKeys, describeValue, formatShape } from '@rnnkit/tensor';
import type { Loss, LossComputeOptions, LossResult } from './loss.js';
import { checkPredictions } from './reduce.js';

/** Options of {@link selectFeatures}. */
export interface SelectFeaturesOptions {
  /**
   * Indices into the last axis of the predictions, in the order the targets list them;
   * distinct, each in `[0, features)`. `[0]` selects the first hidden unit.
   */
  readonly indices: readonly number[];
}

const API = 'selectFeatures';

/**
 * Applies a loss to chosen features of the predictions only: the predictions' last axis is
 * reduced to `indices` (in that order), the base loss compares that with the targets, and
 * the gradient of every other feature is 0.
 *
 * This is how the "squared error of the first hidden unit" of experiments 1–2
 * (`Σ_t (h_t[0] − y_t)²`, gradient `2·(h_t[0] − y_t)`) is written, with the hidden
 * sequence `[1, time, units]` as predictions and targets `[1, time, 1]`:
 *
 * @example
 * const loss = selectFeatures(meanSquaredError({ reduction: 'sum' }), { indices: [0] });
 */
export function selectFeatures(loss: Loss, options: SelectFeaturesOptions): Loss {
  if (loss === null || typeof loss !== 'object' || typeof loss.compute !== 'function' || typeof loss.value !== 'function') {
    throw new RnnkitError(API, `expected a loss (an object with compute and value), got ${describeValue(loss)}`);
  }
  checkOptionKeys(API, options, ['indices']);
  const { indices } = options;
  if (!Array.isArray(indices) || indices.length === 0) {
    throw new RnnkitError(API, `indices must be a non-empty array of feature indices, got ${describeValue(indices)}`);
  }
  const seen = new Set<number>();
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0) {
      throw new RnnkitError(API, `indices must be non-negative integers, got [${indices.join(', ')}]`);
    }
    if (seen.has(i)) throw new RnnkitError(API, `indices must be distinct, got ${i} twice in [${indices.join(', ')}]`);
    seen.add(i);
  }
  const chosen = [...indices];

  /** The chosen features of every position, `[..., indices.length]`. */
  const gather = (predictions: Tensor): Tensor => {
    checkPredictions(API, predictions);
    const width = predictions.shape[predictions.rank - 1]!;
    const outside = chosen.find((i) => i >= width);
    if (outside !== undefined) {
      throw new RnnkitError(
        API,
        `index ${outside} is out of range for predictions ${formatShape(predictions.shape)} with ${width} features`,
      );
    }
    const k = chosen.length;
    const count = predictions.size / width;
    const out = allocate(predictions.dtype, count * k);
    const p = predictions.data;
    for (let position = 0; position < count; position++) {
      for (let j = 0; j < k; j++) out[position * k + j] = p[position * width + chosen[j]!]!;
    }
    return new Tensor(out, [...predictions.shape.slice(0, -1), k]);
  };

  /** Runs the base loss, naming the selection in its errors. */
  const withContext = <T>(predictions: Tensor, run: () => T): T => {
    try {
      return run();
    } catch (error) {
      // By name, not instanceof: the error may come from another copy of @rnnkit/tensor.
      if (!(error instanceof Error) || error.name !== 'RnnkitError') throw error;
      throw new RnnkitError(
        API,
        `${error.message} (the predictions are features [${chosen.join(', ')}] of ${formatShape(predictions.shape)})`,
        { cause: error },
      );
    }
  };

  return {
    name: 'select_features',
    compute(predictions: Tensor, targets: Tensor, callOptions?: LossComputeOptions): LossResult {
      const selected = gather(predictions);
      const inner = withContext(predictions, () => loss.compute(selected, targets, callOptions));
      // Scatter the gradient back; unselected features do not affect the loss.
      const width = predictions.shape[predictions.rank - 1]!;
      const k = chosen.length;
      const grad = allocate(predictions.dtype, predictions.size);
      const g = inner.grad.data;
      const count = predictions.size / width;
      for (let position = 0; position < count; position++) {
        for (let j = 0; j < k; j++) grad[position * width + chosen[j]!] = g[position * k + j]!;
      }
      return { value: inner.value, grad: new Tensor(grad, predictions.shape) };
    },
    value(predictions: Tensor, targets: Tensor, callOptions?: LossComputeOptions): number {
      const selected = gather(predictions);
      return withContext(predictions, () => loss.value(selected, targets, callOptions));
    },
    getConfig: () => ({ name: 'select_features', indices: [...chosen], loss: loss.getConfig() }),
  };
}
