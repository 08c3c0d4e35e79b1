// The pieces of one optimizer step of `fit`, shared by whole batches and by the chunks of
// truncated backpropagation through time: the look-ahead, the loss and its gradient, and the
// checked step. Every NaN or infinity is an error naming where it first appeared.
import type { Loss, LossComputeOptions } from '@rnnkit/losses';
import { NonFiniteStepError } from '@rnnkit/optimizers';
import { type Param, RnnkitError, type Tensor, firstNonFinite, formatShape } from '@rnnkit/tensor';
import { unravel } from './data.js';
import { describePosition } from './finite.js';
import type { AnyOptimizer } from './fit-options.js';

const API = 'fit';

/** Moves a look-ahead optimizer to the point its gradient is taken at (others do nothing). */
export function lookAhead(optimizer: AnyOptimizer, at: string): void {
  try {
    optimizer.beforeGradient();
  } catch (error) {
    throw undoneStep(error, `the optimizer's look-ahead ${at}`);
  }
}

/** The loss of a prediction and its gradient; a non-finite loss is an error naming the first non-finite prediction. */
export function lossAndGradient(
  loss: Loss,
  prediction: Tensor,
  target: Tensor,
  options: LossComputeOptions | undefined,
  at: string,
): { readonly value: number; readonly grad: Tensor } {
  const { value, grad } = options === undefined ? loss.compute(prediction, target) : loss.compute(prediction, target, options);
  if (!Number.isFinite(value)) {
    const bad = firstNonFinite(prediction.data);
    const where =
      bad >= 0
        ? `; the first non-finite prediction is ${prediction.data[bad]} at ${describePosition(prediction.shape, bad)}`
        : '; every prediction is finite, so the loss itself overflowed';
    throw new RnnkitError(API, `the loss became ${value} ${at}${where}. Lower the learning rate or clip gradients (globalClipNorm)`);
  }
  return { value, grad };
}

/**
 * After backward: checks every gradient is finite, takes the optimizer step (all or nothing)
 * and zeroes the gradients for the next step.
 */
export function checkedStep(params: readonly Param[], optimizer: AnyOptimizer, value: number, at: string): void {
  // Backward runs from the last layer to the first, so checking parameters in reverse
  // order names the parameter where a non-finite gradient first appeared.
  for (let k = params.length - 1; k >= 0; k--) {
    const param = params[k]!;
    const bad = firstNonFinite(param.grad.data);
    if (bad >= 0) {
      throw new RnnkitError(
        API,
        `the gradient of ${param.name} holds ${param.grad.data[bad]} at ${formatShape(unravel(bad, param.grad.shape))} ` +
          `${at} (the loss was ${value}). Lower the learning rate or clip gradients`,
      );
    }
  }
  try {
    optimizer.step();
  } catch (error) {
    throw undoneStep(error, `the optimizer step ${at}`, ` (the loss was ${value})`);
  }
  optimizer.zeroGrad();
}

/** fit's account of a step the optimizer refused and undid (other errors pass unchanged). */
function undoneStep(error: unknown, what: string, detail = ''): unknown {
  if (!(error instanceof NonFiniteStepError)) return error;
  return new RnnkitError(
    API,
    `${what} would write ${error.value} into ${error.parameter} at ${formatShape(error.index)}${detail}; ` +
      'the step was undone, so the weights and the optimizer are as before this batch. ' +
      'Lower the learning rate or clip gradients (globalClipNorm)',
    { cause: error },
  );
}
