import { defineOptimizer } from '@rnnkit/optimizers';

/** Options of {@link lion}. */
export interface LionOptions {
  /** β1: how much of the momentum (vs. the fresh gradient) decides the sign of the update. @defaultValue 0.9 */
  readonly beta1: number;
  /** β2: decay of the momentum that is carried to the next step. @defaultValue 0.99 */
  readonly beta2: number;
  /** λ: decoupled weight decay, `p ← p − lr·λ·p` every step. @defaultValue 0 */
  readonly weightDecay: number;
}

/** State of {@link lion} for one parameter: the momentum m. */
export interface LionState {
  readonly momentum: Float32Array | Float64Array;
}

/**
 * Lion, "EvoLved Sign Momentum" (Chen et al. 2023, "Symbolic Discovery of Optimization
 * Algorithms", Algorithm 2). Per step, with gradient g:
 *
 *   c = β1·m + (1−β1)·g            interpolate momentum and gradient
 *   p ← p − lr·(sign(c) + λ·p)     every coordinate moves by exactly lr (plus the decay)
 *   m ← β2·m + (1−β2)·g            then update the momentum, with a different β
 *
 * Because the update is a sign, its size does not depend on the gradient's scale: use a
 * learning rate 3–10× smaller than Adam's (default 1e-4).
 */
export const lion = defineOptimizer({
  name: 'lion',
  defaults: { beta1: 0.9, beta2: 0.99, weightDecay: 0 } as LionOptions,
  defaultLearningRate: 1e-4,

  // Checks beyond the types (the runner already refuses unknown keys, wrong types and NaN).
  validate(options) {
    for (const key of ['beta1', 'beta2'] as const) {
      if (!(options[key] >= 0 && options[key] < 1)) return `${key} must be in [0, 1), got ${options[key]}`;
    }
    if (!(options.weightDecay >= 0)) return `weightDecay must be ≥ 0, got ${options.weightDecay}`;
    return undefined;
  },

  // One momentum buffer per parameter, allocated once, in the parameter's precision.
  init(param): LionState {
    const size = param.value.size;
    return { momentum: param.value.dtype === 'float64' ? new Float64Array(size) : new Float32Array(size) };
  },

  // Write the change into the preallocated `out` and update the state in place: no
  // allocation per step. The runner adds `out` to the values.
  update({ value, grad, state, lr, options, out }) {
    const { beta1, beta2, weightDecay } = options;
    const m = state.momentum;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const c = beta1 * m[i]! + (1 - beta1) * g;
      out[i] = -lr * (Math.sign(c) + weightDecay * value[i]!);
      m[i] = beta2 * m[i]! + (1 - beta2) * g;
    }
    return { update: out, state };
  },
});
