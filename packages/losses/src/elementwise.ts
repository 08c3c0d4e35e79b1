import { RnnkitError, Tensor, type TypedArray, allocate, checkOptionKeys, formatShape } from '@rnnkit/tensor';
import type { Loss, LossComputeOptions, LossConfig, LossResult, Reduction } from './loss.js';
import {
  checkFiniteTargets,
  checkPredictions,
  checkReduction,
  checkSameShape,
  checkTargetsTensor,
  positionFactors,
  unravel,
} from './reduce.js';

/**
 * One row (the feature axis of one position) of an elementwise loss: returns the sum of the
 * per-element terms and, when `grad` is given, writes `factor · ∂term/∂prediction` for each
 * element. Each loss has its own row function so that its inner loop stays monomorphic.
 */
type RowKernel = (
  predictions: TypedArray,
  targets: TypedArray,
  grad: TypedArray | null,
  offset: number,
  length: number,
  factor: number,
) => number;

interface ElementwiseSpec {
  /** API name used in errors, e.g. `"meanSquaredError"`. */
  readonly api: string;
  readonly config: LossConfig;
  readonly reduction: Reduction;
  /** How the feature axis of one position is combined (Keras averages it). */
  readonly features: 'mean' | 'sum';
  readonly row: RowKernel;
  /** Extra domain checks (e.g. cross-entropy targets must lie in [0, 1]). */
  readonly check?: (predictions: Tensor, targets: Tensor) => void;
}

/** A loss that applies a scalar function to each (prediction, target) pair. */
function elementwiseLoss(spec: ElementwiseSpec): Loss {
  const { api, reduction, row } = spec;
  const evaluate = (
    predictions: Tensor,
    targets: Tensor,
    options: LossComputeOptions | undefined,
    withGrad: boolean,
  ): { value: number; grad: TypedArray | null } => {
    checkPredictions(api, predictions);
    checkTargetsTensor(api, targets);
    checkSameShape(api, predictions, targets);
    checkFiniteTargets(api, targets);
    spec.check?.(predictions, targets);
    const width = predictions.shape[predictions.rank - 1]!;
    const positions = predictions.shape.slice(0, -1);
    const count = predictions.size / width;
    const { uniform, perPosition } = positionFactors(api, positions, reduction, options);
    const featureScale = spec.features === 'mean' ? 1 / width : 1;
    const p = predictions.data;
    const t = targets.data;
    const grad = withGrad ? allocate(predictions.dtype, predictions.size) : null;
    let total = 0;
    for (let position = 0; position < count; position++) {
      const factor = (perPosition === null ? uniform : perPosition[position]!) * featureScale;
      // Weight 0 or masked: contributes nothing, not even a NaN from padded predictions.
      if (factor === 0) continue;
      total += factor * row(p, t, grad, position * width, width, factor);
    }
    return { value: total, grad };
  };
  return {
    name: spec.config.name,
    compute(predictions: Tensor, targets: Tensor, options?: LossComputeOptions): LossResult {
      const { value, grad } = evaluate(predictions, targets, options, true);
      return { value, grad: new Tensor(grad!, predictions.shape) };
    },
    value(predictions: Tensor, targets: Tensor, options?: LossComputeOptions): number {
      return evaluate(predictions, targets, options, false).value;
    },
    getConfig: () => ({ ...spec.config }),
  };
}

// ---------------------------------------------------------------------------------------
// Squared and absolute errors
// ---------------------------------------------------------------------------------------

/** Options of {@link meanSquaredError} and {@link meanAbsoluteError}. */
export interface ErrorLossOptions {
  /** How positions (samples, time steps) combine; see {@link Reduction}. @defaultValue 'mean' */
  readonly reduction?: Reduction;
}

/** Options of {@link halfSumOfSquares}. */
export interface HalfSumOfSquaresOptions {
  /**
   * How positions combine. `'sum'` gives ½·Σ(ŷ − y)² over every element, the loss of
   * experiment 5; `'mean'` divides that by the number of positions. @defaultValue 'sum'
   */
  readonly reduction?: Reduction;
}

// (ŷ − y)², d/dŷ = 2(ŷ − y).
const squaredErrorRow: RowKernel = (p, t, grad, offset, length, factor) => {
  let sum = 0;
  for (let k = offset; k < offset + length; k++) {
    const diff = p[k]! - t[k]!;
    sum += diff * diff;
    if (grad !== null) grad[k] = factor * 2 * diff;
  }
  return sum;
};

// ½(ŷ − y)², d/dŷ = ŷ − y.
const halfSquaredErrorRow: RowKernel = (p, t, grad, offset, length, factor) => {
  let sum = 0;
  for (let k = offset; k < offset + length; k++) {
    const diff = p[k]! - t[k]!;
    sum += 0.5 * diff * diff;
    if (grad !== null) grad[k] = factor * diff;
  }
  return sum;
};

// |ŷ − y|, d/dŷ = sign(ŷ − y), taken as 0 at ŷ = y (the subgradient Keras/TF use).
const absoluteErrorRow: RowKernel = (p, t, grad, offset, length, factor) => {
  let sum = 0;
  for (let k = offset; k < offset + length; k++) {
    const diff = p[k]! - t[k]!;
    sum += Math.abs(diff);
    if (grad !== null) grad[k] = diff > 0 ? factor : diff < 0 ? -factor : 0;
  }
  return sum;
};

/**
 * Mean squared error: `mean over the last axis of (ŷ − y)²`, reduced over positions.
 * With `reduction: 'mean'` (default) that is the mean over every element, as Keras' `mse`.
 *
 * @example
 * meanSquaredError().compute(predictions, targets) // { value, grad }
 */
export function meanSquaredError(options: ErrorLossOptions = {}): Loss {
  const api = 'meanSquaredError';
  checkOptionKeys(api, options, ['reduction']);
  const reduction = checkReduction(api, options.reduction ?? 'mean');
  return elementwiseLoss({
    api,
    config: { name: 'mean_squared_error', reduction },
    reduction,
    features: 'mean',
    row: squaredErrorRow,
  });
}

/**
 * Half the sum of squared errors, `½·Σ(ŷ − y)²` over the last axis (summed, not averaged)
 * and, by default, summed over positions too: experiment 5's loss, whose gradient is
 * simply `ŷ − y`.
 */
export function halfSumOfSquares(options: HalfSumOfSquaresOptions = {}): Loss {
  const api = 'halfSumOfSquares';
  checkOptionKeys(api, options, ['reduction']);
  const reduction = checkReduction(api, options.reduction ?? 'sum');
  return elementwiseLoss({
    api,
    config: { name: 'half_sum_of_squares', reduction },
    reduction,
    features: 'sum',
    row: halfSquaredErrorRow,
  });
}

/**
 * Mean absolute error: `mean over the last axis of |ŷ − y|`, reduced over positions
 * (Keras' `mae`). The gradient at `ŷ = y` is taken as 0.
 */
export function meanAbsoluteError(options: ErrorLossOptions = {}): Loss {
  const api = 'meanAbsoluteError';
  checkOptionKeys(api, options, ['reduction']);
  const reduction = checkReduction(api, options.reduction ?? 'mean');
  return elementwiseLoss({
    api,
    config: { name: 'mean_absolute_error', reduction },
    reduction,
    features: 'mean',
    row: absoluteErrorRow,
  });
}

// ---------------------------------------------------------------------------------------
// Binary cross-entropy
// ---------------------------------------------------------------------------------------

/** Options of {@link binaryCrossentropy}. */
export interface BinaryCrossentropyOptions {
  /** How positions combine; see {@link Reduction}. @defaultValue 'mean' */
  readonly reduction?: Reduction;
  /**
   * True when the predictions are logits (pre-sigmoid values of any size) rather than
   * probabilities. The logit form is computed stably and is what to use with a linear
   * output layer. @defaultValue false
   */
  readonly fromLogits?: boolean;
  /**
   * Probabilities are clamped to `[epsilon, 1 − epsilon]` before the logarithms, as Keras
   * does, so a saturated prediction gives a large but finite loss. Ignored with
   * `fromLogits`. @defaultValue 1e-7
   */
  readonly epsilon?: number;
}

/**
 * Binary cross-entropy on probabilities,
 * `−(y·log p + (1 − y)·log(1 − p))` with `p` clamped to `[ε, 1 − ε]`. Where the clamp is
 * active the gradient is 0 (it is the gradient of the clamped function, as in Keras);
 * elsewhere it is `(p − y) / (p·(1 − p))`.
 */
function probabilityRow(epsilon: number): RowKernel {
  const low = epsilon;
  const high = 1 - epsilon;
  return (p, t, grad, offset, length, factor) => {
    let sum = 0;
    for (let k = offset; k < offset + length; k++) {
      const raw = p[k]!;
      const y = t[k]!;
      const q = raw < low ? low : raw > high ? high : raw;
      sum -= y * Math.log(q) + (1 - y) * Math.log(1 - q);
      if (grad !== null) grad[k] = raw >= low && raw <= high ? (factor * (q - y)) / (q * (1 - q)) : 0;
    }
    return sum;
  };
}

/**
 * Binary cross-entropy on logits x, in the overflow-free form
 * `max(x, 0) − x·y + log(1 + e^(−|x|))` (equal to `−(y·log σ(x) + (1 − y)·log(1 − σ(x)))`),
 * whose gradient is `σ(x) − y`.
 */
const logitRow: RowKernel = (p, t, grad, offset, length, factor) => {
  let sum = 0;
  for (let k = offset; k < offset + length; k++) {
    const x = p[k]!;
    const y = t[k]!;
    const e = Math.exp(-Math.abs(x)); // in (0, 1]: never overflows
    sum += (x > 0 ? x : 0) - x * y + Math.log1p(e);
    if (grad !== null) {
      const sigmoid = x >= 0 ? 1 / (1 + e) : e / (1 + e);
      grad[k] = factor * (sigmoid - y);
    }
  }
  return sum;
};

/** Targets of a binary cross-entropy are probabilities too (hard 0/1 or soft labels). */
function checkUnitInterval(api: string, what: string, tensor: Tensor, hint: string): void {
  const data = tensor.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    // NaN predictions pass: a diverged model should see a NaN loss, not an exception.
    if (v < 0 || v > 1) {
      throw new RnnkitError(
        api,
        `${what} must lie in [0, 1], got ${v} at index ${formatShape(unravel(i, tensor.shape))}${hint}`,
      );
    }
  }
}

/**
 * Binary cross-entropy, averaged over the last axis as Keras' `binary_crossentropy`, for
 * probabilities (default; clamped with `epsilon`) or logits (`fromLogits: true`; stable
 * for any magnitude). Targets must lie in [0, 1].
 */
export function binaryCrossentropy(options: BinaryCrossentropyOptions = {}): Loss {
  const api = 'binaryCrossentropy';
  checkOptionKeys(api, options, ['reduction', 'fromLogits', 'epsilon']);
  const reduction = checkReduction(api, options.reduction ?? 'mean');
  const fromLogits = options.fromLogits ?? false;
  if (typeof fromLogits !== 'boolean') {
    throw new RnnkitError(api, `fromLogits must be a boolean, got ${typeof fromLogits}`);
  }
  const epsilon = options.epsilon ?? 1e-7;
  if (typeof epsilon !== 'number' || !(epsilon > 0 && epsilon < 0.5)) {
    throw new RnnkitError(api, `epsilon must be a number in (0, 0.5), got ${String(epsilon)}`);
  }
  return elementwiseLoss({
    api,
    config: { name: 'binary_crossentropy', reduction, fromLogits, epsilon },
    reduction,
    features: 'mean',
    row: fromLogits ? logitRow : probabilityRow(epsilon),
    check: (predictions, targets) => {
      checkUnitInterval(api, 'targets', targets, '');
      if (!fromLogits) {
        checkUnitInterval(api, 'predictions', predictions, ' (pass fromLogits: true for logits)');
      }
    },
  });
}
