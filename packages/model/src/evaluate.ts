import type { Loss } from '@rnnkit/losses';
import { Tensor, allocate, checkOptionKeys } from '@rnnkit/tensor';
import { type Dataset, checkDataset, checkInput, sliceRows } from './data.js';
import { checkOutputFinite } from './finite.js';
import { positiveInteger } from './fit-options.js';
import { type TrainableModel, checkModel, evaluateLoss, resolveLoss } from './fit.js';
import { type MetricFunction, resolveMetrics } from './metrics.js';

export interface EvaluateOptions {
  /** A loss object or a Keras name such as `'mse'`. */
  readonly loss: Loss | string;
  /** Samples per forward pass. @defaultValue 256 */
  readonly batchSize?: number;
  readonly metrics?: readonly string[] | Readonly<Record<string, MetricFunction>>;
}

const EVALUATE_KEYS = ['loss', 'batchSize', 'metrics'] as const;
const PREDICT_KEYS = ['batchSize'] as const;

/**
 * The loss (mean over samples) and metrics of a model on a dataset. No gradients are
 * touched. An output holding NaN or an infinity is an error naming where it came from.
 */
export function evaluate(
  model: TrainableModel,
  data: Dataset,
  options: EvaluateOptions,
): { readonly loss: number; readonly metrics: Readonly<Record<string, number>> } {
  const api = 'evaluate';
  checkOptionKeys(api, options, EVALUATE_KEYS);
  checkModel(api, model);
  checkDataset(api, data);
  const loss = resolveLoss(api, options.loss);
  const batchSize = positiveInteger(api, 'batchSize', options.batchSize ?? 256);
  const metrics = resolveMetrics(api, options.metrics);
  const value = evaluateLoss(model, data, loss, batchSize, api);
  const prediction = metrics.length > 0 ? forwardInBatches(api, model, data.x, batchSize) : undefined;
  return {
    loss: value,
    metrics: Object.fromEntries(metrics.map(([name, fn]) => [name, fn(prediction!, data.y)])),
  };
}

export interface PredictOptions {
  /** Samples per forward pass. @defaultValue 256 */
  readonly batchSize?: number;
}

/**
 * The model's outputs for `x`, computed in batches and joined on the sample axis. An output
 * holding NaN or an infinity is an error naming the sample and where it came from (a weight
 * holding one, or the first layer whose output does), never a silent NaN.
 */
export function predict(model: TrainableModel, x: Tensor, options: PredictOptions = {}): Tensor {
  const api = 'predict';
  checkOptionKeys(api, options, PREDICT_KEYS);
  checkModel(api, model);
  checkInput(api, x, 'x');
  const batchSize = positiveInteger(api, 'batchSize', options.batchSize ?? 256);
  return forwardInBatches(api, model, x, batchSize);
}

function forwardInBatches(api: string, model: TrainableModel, x: Tensor, batchSize: number): Tensor {
  const n = x.shape[0]!;
  if (n <= batchSize) {
    const y = model.forward(x).y;
    checkOutputFinite(api, model, x, y);
    return y.clone();
  }
  let out: Tensor | undefined;
  let rowSize = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = sliceRows(x, start, end);
    const y = model.forward(batch).y;
    checkOutputFinite(api, model, batch, y, start);
    if (!out) {
      rowSize = y.size / y.shape[0]!;
      out = new Tensor(allocate(y.dtype, n * rowSize), [n, ...y.shape.slice(1)]);
    }
    out.data.set(y.data, start * rowSize);
  }
  return out!;
}
