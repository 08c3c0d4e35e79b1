import { RnnkitError, type Shape, type Tensor, checkOptionKeys, describeValue, formatShape, shapeSize } from '@rnnkit/tensor';
import type { LossComputeOptions, Reduction } from './loss.js';

// Shared plumbing of every loss: option checks, input checks, and the per-position factors
// that implement reduction, sample weights and masks.

export function checkReduction(api: string, reduction: unknown): Reduction {
  if (reduction === 'mean' || reduction === 'sum') return reduction;
  throw new RnnkitError(api, `reduction must be "mean" or "sum", got ${describeValue(reduction)}`);
}

/**
 * True for a Tensor. Structural rather than `instanceof`, so a tensor made by another copy
 * of `@rnnkit/tensor` (an ESM and a CJS build loaded side by side) is still accepted.
 */
export function isTensor(value: unknown): value is Tensor {
  if (value === null || typeof value !== 'object') return false;
  const { shape, data } = value as Partial<Tensor>;
  return Array.isArray(shape) && (data instanceof Float32Array || data instanceof Float64Array) && data.length === shapeSize(shape);
}

/** Checks the predictions are a tensor with a non-empty last (feature) axis. */
export function checkPredictions(api: string, predictions: unknown): Tensor {
  if (!isTensor(predictions)) {
    throw new RnnkitError(api, `predictions must be a Tensor, got ${describeValue(predictions)}`);
  }
  if (predictions.rank === 0) {
    throw new RnnkitError(api, 'predictions must have at least one axis (the features), got a scalar');
  }
  if (predictions.size === 0) {
    throw new RnnkitError(api, `predictions ${formatShape(predictions.shape)} are empty`);
  }
  return predictions;
}

export function checkTargetsTensor(api: string, targets: unknown): Tensor {
  if (!isTensor(targets)) {
    throw new RnnkitError(api, `targets must be a Tensor, got ${describeValue(targets)}`);
  }
  return targets;
}

/** Elementwise losses: targets must have exactly the predictions' shape. */
export function checkSameShape(api: string, predictions: Tensor, targets: Tensor): void {
  const p = predictions.shape;
  const t = targets.shape;
  if (p.length !== t.length || p.some((d, i) => d !== t[i])) {
    throw new RnnkitError(api, `predictions ${formatShape(p)} and targets ${formatShape(t)} differ`);
  }
}

/** NaN or infinite targets are always a data bug: name the first one. */
export function checkFiniteTargets(api: string, targets: Tensor): void {
  const data = targets.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new RnnkitError(api, `targets must be finite, got ${v} at index ${formatShape(unravel(i, targets.shape))}`);
    }
  }
}

/** Multi-index of a flat row-major offset. */
export function unravel(flat: number, shape: Shape): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const length = shape[axis]!;
    index[axis] = flat % length;
    flat = Math.floor(flat / length);
  }
  return index;
}

/**
 * The factor each position's loss is multiplied by: `weight · mask / denominator`, where the
 * denominator is 1 for `'sum'` and the number of (unmasked) positions for `'mean'`.
 * `uniform` is that factor when no weights or mask were given, `perPosition` is null then.
 */
export interface PositionFactors {
  readonly uniform: number;
  readonly perPosition: Float64Array | null;
}

const COMPUTE_OPTIONS = ['sampleWeight', 'mask'] as const;

/**
 * Resolves reduction, sample weights and mask into per-position factors.
 * @param positions the shape of the positions (predictions without the feature axis)
 */
export function positionFactors(
  api: string,
  positions: Shape,
  reduction: Reduction,
  options: LossComputeOptions | undefined,
): PositionFactors {
  const count = shapeSize(positions);
  if (options === undefined) return { uniform: reduction === 'mean' ? 1 / count : 1, perPosition: null };
  checkOptionKeys(api, options, COMPUTE_OPTIONS);
  const { sampleWeight, mask } = options;
  if (sampleWeight === undefined && mask === undefined) {
    return { uniform: reduction === 'mean' ? 1 / count : 1, perPosition: null };
  }
  const factors = new Float64Array(count).fill(1);
  let denominator = reduction === 'mean' ? count : 1;
  if (sampleWeight !== undefined) {
    broadcastInto(api, 'sampleWeight', sampleWeight, positions, factors, (w, i) => {
      if (!Number.isFinite(w)) {
        throw new RnnkitError(api, `sampleWeight must be finite, got ${w} at index ${formatShape(i())}`);
      }
    });
  }
  if (mask !== undefined) {
    let kept = 0;
    broadcastInto(api, 'mask', mask, positions, factors, (m, i) => {
      if (m !== 0 && m !== 1) throw new RnnkitError(api, `mask must hold 0 or 1, got ${m} at index ${formatShape(i())}`);
    });
    for (let p = 0; p < count; p++) {
      // A zero weight must not make a position count as masked, so count the mask itself.
      if (maskValueAt(mask, positions, p) === 1) kept++;
    }
    if (reduction === 'mean') denominator = kept;
  }
  const scale = denominator === 0 ? 0 : 1 / denominator;
  for (let p = 0; p < count; p++) factors[p]! *= scale;
  return { uniform: 0, perPosition: factors };
}

/**
 * Multiplies `factors` (one per position) by a tensor whose shape is a prefix of the
 * positions' shape, each of its values covering a contiguous block of positions.
 */
function broadcastInto(
  api: string,
  what: string,
  values: unknown,
  positions: Shape,
  factors: Float64Array,
  check: (value: number, index: () => number[]) => void,
): void {
  const tensor = checkPrefixShape(api, what, values, positions);
  const block = factors.length / Math.max(tensor.size, 1);
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    check(v, () => unravel(i, tensor.shape));
    const start = i * block;
    for (let p = start; p < start + block; p++) factors[p]! *= v;
  }
}

function maskValueAt(mask: Tensor, positions: Shape, position: number): number {
  const block = shapeSize(positions) / Math.max(mask.size, 1);
  return mask.data[Math.floor(position / block)]!;
}

function checkPrefixShape(api: string, what: string, values: unknown, positions: Shape): Tensor {
  if (!isTensor(values)) throw new RnnkitError(api, `${what} must be a Tensor, got ${describeValue(values)}`);
  const s = values.shape;
  if (s.length > positions.length || s.some((d, i) => d !== positions[i])) {
    throw new RnnkitError(
      api,
      `${what} ${formatShape(s)} must have the positions' shape ${formatShape(positions)} or a prefix of it`,
    );
  }
  return values;
}
