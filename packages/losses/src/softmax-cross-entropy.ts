import { RnnkitError, Tensor, type TypedArray, allocate, checkOptionKeys, formatShape, sameShape } from '@rnnkit/tensor';
import type { Loss, LossComputeOptions, LossResult, Reduction } from './loss.js';
import {
  checkFiniteTargets,
  checkPredictions,
  checkReduction,
  checkTargetsTensor,
  positionFactors,
  unravel,
} from './reduce.js';

/** Options of {@link softmaxCrossEntropy}. */
export interface SoftmaxCrossEntropyOptions {
  /** How positions (samples, time steps) combine; see {@link Reduction}. @defaultValue 'mean' */
  readonly reduction?: Reduction;
}

const API = 'softmaxCrossEntropy';

/**
 * Cross-entropy of a softmax over the last axis, taking logits z (Keras'
 * `categorical_crossentropy` / `sparse_categorical_crossentropy` with `from_logits=True`).
 *
 * Per position, with `lse = log Σ_c e^(z_c)` computed after subtracting the maximum (so no
 * logit overflows): the loss is `Σ_c y_c·(lse − z_c)` and its gradient `softmax(z)·Σ_c y_c − y`,
 * which is `softmax(z) − y` for one-hot targets. The classes are summed, not averaged.
 *
 * Targets are either
 * - class labels: integers in `[0, classes)` with the positions' shape (`[batch]`,
 *   `[batch, time]`) or with a last axis of length 1 (`[batch, 1]`), or
 * - one-hot vectors (or any non-negative class weights) with the predictions' shape.
 */
export function softmaxCrossEntropy(options: SoftmaxCrossEntropyOptions = {}): Loss {
  checkOptionKeys(API, options, ['reduction']);
  const reduction = checkReduction(API, options.reduction ?? 'mean');

  const evaluate = (
    predictions: Tensor,
    targets: Tensor,
    callOptions: LossComputeOptions | undefined,
    withGrad: boolean,
  ): { value: number; grad: TypedArray | null } => {
    checkPredictions(API, predictions);
    checkTargetsTensor(API, targets);
    const labels = targetKind(predictions, targets) === 'labels';
    checkFiniteTargets(API, targets);
    const classes = predictions.shape[predictions.rank - 1]!;
    const positions = predictions.shape.slice(0, -1);
    const count = predictions.size / classes;
    checkTargetValues(targets, labels, classes);
    const { uniform, perPosition } = positionFactors(API, positions, reduction, callOptions);
    const z = predictions.data;
    const y = targets.data;
    const grad = withGrad ? allocate(predictions.dtype, predictions.size) : null;
    let total = 0;
    for (let position = 0; position < count; position++) {
      const factor = perPosition === null ? uniform : perPosition[position]!;
      if (factor === 0) continue;
      const offset = position * classes;
      let max = -Infinity;
      for (let c = 0; c < classes; c++) if (z[offset + c]! > max) max = z[offset + c]!;
      let sumExp = 0;
      for (let c = 0; c < classes; c++) sumExp += Math.exp(z[offset + c]! - max);
      const lse = max + Math.log(sumExp);
      if (labels) {
        const label = y[position]!;
        total += factor * (lse - z[offset + label]!);
        if (grad !== null) {
          for (let c = 0; c < classes; c++) grad[offset + c] = factor * Math.exp(z[offset + c]! - lse);
          grad[offset + label]! -= factor;
        }
      } else {
        let loss = 0;
        let mass = 0;
        for (let c = 0; c < classes; c++) {
          const t = y[offset + c]!;
          if (t !== 0) loss += t * (lse - z[offset + c]!); // skip 0·(lse − z), NaN if z = ±∞
          mass += t;
        }
        total += factor * loss;
        if (grad !== null) {
          for (let c = 0; c < classes; c++) {
            grad[offset + c] = factor * (Math.exp(z[offset + c]! - lse) * mass - y[offset + c]!);
          }
        }
      }
    }
    return { value: total, grad };
  };

  return {
    name: 'softmax_cross_entropy',
    compute(predictions: Tensor, targets: Tensor, callOptions?: LossComputeOptions): LossResult {
      const { value, grad } = evaluate(predictions, targets, callOptions, true);
      return { value, grad: new Tensor(grad!, predictions.shape) };
    },
    value(predictions: Tensor, targets: Tensor, callOptions?: LossComputeOptions): number {
      return evaluate(predictions, targets, callOptions, false).value;
    },
    getConfig: () => ({ name: 'softmax_cross_entropy', reduction }),
  };
}

function targetKind(predictions: Tensor, targets: Tensor): 'labels' | 'distribution' {
  const p = predictions.shape;
  const t = targets.shape;
  const positions = p.slice(0, -1);
  if (sameShape(p, t)) return 'distribution';
  if (sameShape(t, positions)) return 'labels';
  if (sameShape(t, [...positions, 1])) return 'labels'; // Keras' sparse style [batch, 1]
  throw new RnnkitError(
    API,
    `targets ${formatShape(t)} fit neither class labels ${formatShape(positions)} nor one-hot ` +
      `targets ${formatShape(p)} for predictions ${formatShape(p)}`,
  );
}

function checkTargetValues(targets: Tensor, labels: boolean, classes: number): void {
  const data = targets.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    const bad = labels ? !Number.isInteger(v) || v < 0 || v >= classes : v < 0;
    if (bad) {
      const expected = labels ? `class labels must be integers in [0, ${classes})` : 'one-hot targets must be ≥ 0';
      throw new RnnkitError(API, `${expected}, got ${v} at index ${formatShape(unravel(i, targets.shape))}`);
    }
  }
}
