import { firstProblem, inRange, nonNegative } from './checks.js';
import { defineOptimizer, zerosLike } from './plugin.js';

/** Options of {@link adadelta}; the defaults are Keras'. */
export interface AdadeltaOptions {
  /** Decay ρ of both moving averages. @defaultValue 0.95 */
  readonly rho: number;
  /** ε inside both root-mean-squares. @defaultValue 1e-7 */
  readonly epsilon: number;
}

/** State of {@link adadelta} for one parameter. */
export interface AdadeltaState {
  /** Moving average of g², E[g²]. */
  readonly meanSquareGradient: Float32Array | Float64Array;
  /** Moving average of the squared updates, E[Δx²]. */
  readonly meanSquareDelta: Float32Array | Float64Array;
}

/**
 * Adadelta (Zeiler 2012, Algorithm 1), as Keras, learning rate included:
 * `E[g²] ← ρ·E[g²] + (1−ρ)·g²`, `Δx = −√(E[Δx²] + ε)/√(E[g²] + ε) · g`,
 * `E[Δx²] ← ρ·E[Δx²] + (1−ρ)·Δx²`, `p ← p + lr·Δx`. Default learning rate 0.001 (Keras;
 * the paper's rule is learning rate 1).
 */
export const adadelta = defineOptimizer({
  name: 'adadelta',
  defaults: { rho: 0.95, epsilon: 1e-7 } as AdadeltaOptions,
  defaultLearningRate: 0.001,
  validate: (options) => firstProblem(inRange('rho', options.rho, 0, 1), nonNegative('epsilon', options.epsilon)),
  init: (param): AdadeltaState => ({
    meanSquareGradient: zerosLike(param),
    meanSquareDelta: zerosLike(param),
  }),
  update({ grad, state, lr, options, out }) {
    const { rho, epsilon } = options;
    const { meanSquareGradient, meanSquareDelta } = state;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const msg = rho * meanSquareGradient[i]! + (1 - rho) * g * g;
      meanSquareGradient[i] = msg;
      const delta = (-Math.sqrt(meanSquareDelta[i]! + epsilon) / Math.sqrt(msg + epsilon)) * g;
      meanSquareDelta[i] = rho * meanSquareDelta[i]! + (1 - rho) * delta * delta;
      out[i] = lr * delta;
    }
    return { update: out, state };
  },
  // adadeltaF32 of @rnnkit/backend-wasm (assembly/optimizers.ts): the loop above, operation for operation.
  kernel: {
    name: 'rnnkit.adadelta',
    slots: ['meanSquareGradient', 'meanSquareDelta'],
    scalarCount: 4,
    scalars(options, _step, lr, out) {
      out[0] = options.rho;
      out[1] = 1 - options.rho;
      out[2] = options.epsilon;
      out[3] = lr;
    },
  },
});
