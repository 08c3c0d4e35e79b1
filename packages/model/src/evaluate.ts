import type { Loss } from '@rnnkit/losses';
import { Tensor, allocate, checkOptionKeys } from '@rnnkit/tensor';
import { type Dataset, checkDataset, checkInput, sliceRows } from './data.js';
import { checkOutputFinite } from './finite.js';
import { positiveInteger } from './fit-options.js';
import { evaluateLoss } from './dataset-loss.js';
import { type TrainableModel, checkModel, resolveLoss } from './fit.js';
import { type MetricFunction, resolveMetrics } from './metrics.js';
import { checkSampleWeight, outputMask, positionWeights } from './weights.js';

export interface EvaluateOptions {
  /** A loss object or a Keras name such as `'mse'`. */
  readonly loss: Loss | string;
  /** Samples per forward pass. @defaultValue 256 */
  readonly batchSize?: number;
  readonly metrics?: readonly string[] | Readonly<Record<string, MetricFunction>>;
  /**
   * A weight per sample (`[samples]`) or per time step of a sequence output
   * (`[samples, time]`), finite and ≥ 0, as in `fit`: the loss is Σ weight · loss over the
   * positions divided by their number, and the metrics are weighted means.
   */
  readonly sampleWeight?: Tensor;
}

const EVALUATE_KEYS = ['loss', 'batchSize', 'metrics', 'sampleWeight'] as const;
const PREDICT_KEYS = ['batchSize'] as const;

/**
 * The loss (mean over samples) and metrics of a model on a dataset. No gradients are
 * touched. Steps the model's output masks (`cache.mask` of a Sequential) count in neither.
 * An output holding NaN or an infinity is an error naming where it came from.
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
  const sampleWeight = options.sampleWeight === undefined ? undefined : checkSampleWeight(api, options.sampleWeight, data.x);
  const value = evaluateLoss(model, data, sampleWeight, loss, batchSize, api);
  if (metrics.length === 0) return { loss: value, metrics: {} };
  const { y: prediction, mask } = forwardInBatches(api, model, data.x, batchSize);
  const weights = positionWeights(prediction, mask, sampleWeight);
  return {
    loss: value,
    metrics: Object.fromEntries(metrics.map(([name, fn]) => [name, weights === undefined ? fn(prediction, data.y) : fn(prediction, data.y, weights)])),
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
  return forwardInBatches(api, model, x, batchSize).y;
}

/** The model's outputs for `x` in batches, joined on the sample axis, with their mask (null when the output has none). */
function forwardInBatches(api: string, model: TrainableModel, x: Tensor, batchSize: number): { y: Tensor; mask: Tensor | null } {
  const n = x.shape[0]!;
  if (n <= batchSize) {
    const { y, cache } = model.forward(x);
    checkOutputFinite(api, model, x, y);
    const mask = outputMask(cache);
    return { y: y.clone(), mask: mask === null ? null : mask.clone() };
  }
  let out: Tensor | undefined;
  let masks: Tensor | null = null;
  let rowSize = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const batch = sliceRows(x, start, end);
    const { y, cache } = model.forward(batch);
    checkOutputFinite(api, model, batch, y, start);
    if (!out) {
      rowSize = y.size / y.shape[0]!;
      out = new Tensor(allocate(y.dtype, n * rowSize), [n, ...y.shape.slice(1)]);
    }
    out.data.set(y.data, start * rowSize);
    const mask = outputMask(cache);
    if (mask !== null) {
      masks ??= new Tensor(new Float64Array(n * (mask.size / mask.shape[0]!)), [n, ...mask.shape.slice(1)]);
      masks.data.set(mask.data, start * (mask.size / mask.shape[0]!));
    }
  }
  return { y: out!, mask: masks };
}
