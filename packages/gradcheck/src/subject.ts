import type { Param, Tensor } from '@rnnkit/tensor';

/**
 * Anything whose gradients can be checked: parameters, a scalar loss, and a backward pass.
 * A layer plus a loss, a whole model, or a user's own layer all fit.
 */
export interface GradientSubject {
  /** Parameters whose gradients are checked (float64 unless `allowFloat32`). */
  readonly params: readonly Param[];
  /** An input whose gradient is checked as well. */
  readonly input?: Tensor;
  /** The scalar loss at the current parameter and input values (forward only). */
  loss(): number;
  /**
   * Zeroes the parameter gradients, runs forward and backward, and leaves the analytic
   * gradient in each `Param.grad`. Returns the loss and, when `input` is set, its gradient.
   */
  gradients(): { readonly loss: number; readonly inputGrad?: Tensor };
}
