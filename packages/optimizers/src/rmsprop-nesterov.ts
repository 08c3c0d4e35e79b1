import { defineOptimizer, zerosLike } from './plugin.js';
import { validateRmsprop } from './rmsprop.js';

/** Options of {@link rmspropNesterov}; the defaults are reference experiment 4's hyperparameters. */
export interface RmspropNesterovOptions {
  /** Decay λ of the moving average of squared gradients. @defaultValue 0.5 */
  readonly rho: number;
  /** Momentum μ. @defaultValue 0.8 */
  readonly momentum: number;
  /** ε. @defaultValue 1e-6 */
  readonly epsilon: number;
  /**
   * Experiment 4's quirk: add ε after the division, `δ = lr·g/√ms + ε`, instead of the usual
   * `δ = lr·g/(√ms + ε)`. With it every step moves each value by at least ε even where the
   * gradient is zero (and a zero gradient with a zero mean square gives NaN), so a learning
   * rate of 0 no longer leaves values unchanged. Set it only to reproduce experiment 4.
   * @defaultValue false
   */
  readonly epsilonAfterDivision: boolean;
}

/** State of {@link rmspropNesterov} for one parameter. */
export interface RmspropNesterovState {
  /** The velocity v. Between `beforeGradient` and `update` it holds v' = μ·v. */
  readonly velocity: Float32Array | Float64Array;
  /** Moving average of g², `ms`. */
  readonly meanSquare: Float32Array | Float64Array;
}

/**
 * RMSprop with Nesterov momentum exactly as reference experiment 4 trains its tensor RNN:
 *
 * 1. `v' = μ·v`; move `p ← p + v'`  — in `beforeGradient`, before the gradient is computed;
 * 2. the gradient `g` is computed at that look-ahead point (the user's backward pass);
 * 3. `ms ← λ·ms + (1−λ)·g²`; `δ = lr·g/(√ms + ε)` (or `lr·g/√ms + ε` with
 *    `epsilonAfterDivision`); `v ← v' − δ`; `p ← p − δ`  — in `update`.
 *
 * So every step must be `optimizer.beforeGradient()`, gradients, `optimizer.step()`; `step()`
 * without the look-ahead is an error. With μ = 0 it is plain RMSprop in the form
 * `p ← p − lr·g/(√ms + ε)` (ε outside the root, unlike Keras 3's `rmsprop`). Default
 * learning rate 0.05.
 */
export const rmspropNesterov = defineOptimizer({
  name: 'rmspropNesterov',
  defaults: { rho: 0.5, momentum: 0.8, epsilon: 1e-6, epsilonAfterDivision: false } as RmspropNesterovOptions,
  defaultLearningRate: 0.05,
  validate: (options) => validateRmsprop(options),
  init: (param): RmspropNesterovState => ({
    velocity: zerosLike(param),
    meanSquare: zerosLike(param),
  }),
  beforeGradient({ state, options, out }) {
    const velocity = state.velocity;
    for (let i = 0; i < velocity.length; i++) {
      velocity[i] = options.momentum * velocity[i]!;
      out[i] = velocity[i]!; // p ← p + v', with v' exactly as stored
    }
    return { update: out, state };
  },
  update({ grad, state, lr, options, out }) {
    const { rho, epsilon, epsilonAfterDivision } = options;
    const { velocity, meanSquare } = state;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const ms = rho * meanSquare[i]! + (1 - rho) * g * g;
      meanSquare[i] = ms;
      const delta = epsilonAfterDivision ? (lr * g) / Math.sqrt(ms) + epsilon : (lr * g) / (Math.sqrt(ms) + epsilon);
      velocity[i] = velocity[i]! - delta;
      out[i] = -delta;
    }
    return { update: out, state };
  },
});
