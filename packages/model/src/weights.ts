// Sample weights and output masks in the loss and the metrics. The loss itself does the
// weighting (@rnnkit/losses takes `sampleWeight` and `mask` per call); this module checks a
// user's weights, finds the mask of a model's output, and combines both for the metrics.
import type { LossComputeOptions } from '@rnnkit/losses';
import { RnnkitError, Tensor, formatShape } from '@rnnkit/tensor';
import { unravel } from './data.js';

/**
 * Checks `sampleWeight` of `fit` or `evaluate`: `[samples]` (one weight per sample) or
 * `[samples, time]` (one per time step of a sequence output, `time` being the input's), each
 * finite and ≥ 0.
 */
export function checkSampleWeight(api: string, weight: unknown, x: Tensor): Tensor {
  const samples = x.shape[0]!;
  const perStep = x.rank === 3 ? ` or [${samples}, ${x.shape[1]}]` : '';
  if (!(weight instanceof Tensor)) {
    throw new RnnkitError(api, `sampleWeight must be a Tensor [${samples}]${perStep}, got ${weight === null ? 'null' : typeof weight}`);
  }
  const shape = weight.shape;
  const fits = shape[0] === samples && (shape.length === 1 || (shape.length === 2 && x.rank === 3 && shape[1] === x.shape[1]));
  if (!fits) {
    throw new RnnkitError(api, `sampleWeight must have shape [${samples}]${perStep} (per sample${perStep ? ' or per time step' : ''}), got ${formatShape(shape)}`);
  }
  const data = weight.data;
  for (let i = 0; i < data.length; i++) {
    const w = data[i]!;
    if (!Number.isFinite(w) || w < 0) {
      throw new RnnkitError(api, `sampleWeight must be finite and ≥ 0, got ${w} at index ${formatShape(unravel(i, shape))}`);
    }
  }
  return weight;
}

/**
 * The mask of a model's output, from the cache of its forward pass (a Sequential keeps it in
 * `cache.mask`); null when there is none.
 */
export function outputMask(cache: unknown): Tensor | null {
  if (cache === null || typeof cache !== 'object') return null;
  const mask = (cache as { readonly mask?: unknown }).mask;
  return mask instanceof Tensor ? mask : null;
}

/** The per-call options of the loss: undefined (the loss's plain call) when there is neither weight nor mask. */
export function lossOptions(mask: Tensor | null, sampleWeight: Tensor | undefined): LossComputeOptions | undefined {
  if (mask === null && sampleWeight === undefined) return undefined;
  return { ...(mask === null ? {} : { mask }), ...(sampleWeight === undefined ? {} : { sampleWeight }) };
}

/**
 * The weight of each position of `prediction` (every axis but the last) for the metrics:
 * mask × sample weight, a sample's weight covering each of its steps; undefined when there
 * is neither.
 */
export function positionWeights(prediction: Tensor, mask: Tensor | null, sampleWeight: Tensor | undefined): Tensor | undefined {
  if (mask === null && sampleWeight === undefined) return undefined;
  const positions = prediction.shape.slice(0, -1);
  const count = positions.reduce((a, b) => a * b, 1);
  const weights = new Float64Array(count).fill(1);
  for (const factor of [mask, sampleWeight]) {
    if (factor === null || factor === undefined) continue;
    const prefix = factor.shape.every((d, i) => d === positions[i]) && factor.rank <= positions.length;
    if (!prefix) {
      throw new RnnkitError('metrics', `weights ${formatShape(factor.shape)} do not fit the output positions ${formatShape(positions)}`);
    }
    const block = count / factor.size;
    for (let i = 0; i < factor.size; i++) {
      const value = factor.data[i]!;
      for (let p = i * block; p < (i + 1) * block; p++) weights[p]! *= value;
    }
  }
  return new Tensor(weights, positions);
}

/** How many positions of a mask count (its 1s). */
export function countKept(mask: Tensor): number {
  let kept = 0;
  for (let i = 0; i < mask.size; i++) if (mask.data[i] === 1) kept++;
  return kept;
}
