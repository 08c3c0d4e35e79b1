import type { Loss } from '@rnnkit/losses';
import { RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import { type Dataset, checkDataset, checkFinite, sliceRows } from './data.js';
import { type TrainableModel, evaluateLoss, resolveLoss } from './fit.js';
import { type MetricFunction, resolveMetrics } from './metrics.js';

export interface EvaluateOptions {
  /** A loss object or a Keras name such as `'mse'`. */
  readonly loss: Loss | string;
  /** Samples per forward pass. @defaultValue 256 */
  readonly batchSize?: number;
  readonly metrics?: readonly string[] | Readonly<Record<string, MetricFunction>>;
}

/** The loss (mean over samples) and metrics of a model on a dataset. No gradients are touched. */
export function evaluate(
  model: TrainableModel,
  data: Dataset,
  options: EvaluateOptions,
): { readonly loss: number; readonly metrics: Readonly<Record<string, number>> } {
  checkDataset('evaluate', data);
  const loss = resolveLoss('evaluate', options?.loss);
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RnnkitError('evaluate', `batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  const metrics = resolveMetrics('evaluate', options.metrics);
  const value = evaluateLoss(model, data, loss, batchSize);
  const prediction = metrics.length > 0 ? predict(model, data.x, { batchSize }) : undefined;
  return {
    loss: value,
    metrics: Object.fromEntries(metrics.map(([name, fn]) => [name, fn(prediction!, data.y)])),
  };
}

export interface PredictOptions {
  /** Samples per forward pass. @defaultValue 256 */
  readonly batchSize?: number;
}

/** The model's outputs for `x`, computed in batches and joined on the sample axis. */
export function predict(model: TrainableModel, x: Tensor, options: PredictOptions = {}): Tensor {
  if (!(x instanceof Tensor)) throw new RnnkitError('predict', 'x must be a Tensor');
  if (x.rank < 1 || x.shape[0] === 0) throw new RnnkitError('predict', `x needs at least one sample, got shape ${formatShape(x.shape)}`);
  checkFinite('predict', x, 'x');
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RnnkitError('predict', `batchSize must be a positive integer, got ${String(batchSize)}`);
  }
  const n = x.shape[0]!;
  if (n <= batchSize) return model.forward(x).y.clone();
  let out: Tensor | undefined;
  let rowSize = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const y = model.forward(sliceRows(x, start, end)).y;
    if (!out) {
      rowSize = y.size / y.shape[0]!;
      out = new Tensor(allocate(y.dtype, n * rowSize), [n, ...y.shape.slice(1)]);
    }
    out.data.set(y.data, start * rowSize);
  }
  return out!;
}
