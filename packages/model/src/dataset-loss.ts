// The loss of a whole dataset, batch by batch, as evaluate and fit's validation compute it.
import type { Loss } from '@rnnkit/losses';
import { RnnkitError, type Tensor } from '@rnnkit/tensor';
import { type Dataset, sliceRows } from './data.js';
import { checkOutputFinite } from './finite.js';
import type { TrainableModel } from './fit.js';
import { countKept, lossOptions, outputMask } from './weights.js';

/**
 * Mean loss over a dataset, in batches, without touching gradients: each batch's loss
 * weighted by its number of samples, or with an output mask by its number of unmasked
 * positions — so that with a loss that averages (`'mean'`) the result is the loss of the whole
 * dataset taken as one batch, whatever the batch size. An output holding NaN or an infinity is
 * an error of `api` naming where it came from.
 */
export function evaluateLoss(
  model: TrainableModel,
  data: Dataset,
  sampleWeight: Tensor | undefined,
  loss: Loss,
  batchSize: number,
  api: string,
): number {
  const n = data.x.shape[0]!;
  let sum = 0;
  let total = 0;
  for (let start = 0; start < n; start += batchSize) {
    const end = Math.min(n, start + batchSize);
    const whole = end - start === n;
    const x = whole ? data.x : sliceRows(data.x, start, end);
    const y = whole ? data.y : sliceRows(data.y, start, end);
    const weight = sampleWeight === undefined || whole ? sampleWeight : sliceRows(sampleWeight, start, end);
    const { y: prediction, cache } = model.forward(x);
    checkOutputFinite(api, model, x, prediction, start);
    const mask = outputMask(cache);
    const options = lossOptions(mask, weight);
    const value = options === undefined ? loss.value(prediction, y) : loss.value(prediction, y, options);
    if (!Number.isFinite(value)) throw new RnnkitError(api, `the loss of samples ${start}–${end - 1} is ${value} although every output is finite: the loss overflowed`);
    const share = mask === null ? end - start : countKept(mask);
    sum += value * share;
    total += share;
  }
  return total === 0 ? 0 : sum / total;
}
