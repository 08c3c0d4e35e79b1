import { firstProblem, nonNegative } from './checks.js';
import { defineOptimizer, zerosLike } from './plugin.js';

/** Options of {@link adagrad}; the defaults are Keras'. */
export interface AdagradOptions {
  /** Starting value of the accumulator. @defaultValue 0.1 */
  readonly initialAccumulatorValue: number;
  /** ε added to the accumulator, inside the square root. @defaultValue 1e-7 */
  readonly epsilon: number;
}

/** State of {@link adagrad} for one parameter. */
export interface AdagradState {
  /** Sum of squared gradients (plus the initial value). */
  readonly accumulator: Float32Array | Float64Array;
}

/**
 * Adagrad (Duchi et al. 2011), as Keras: `a ← a + g²`, `p ← p − lr·g/√(a + ε)`.
 * Default learning rate 0.001.
 */
export const adagrad = defineOptimizer({
  name: 'adagrad',
  defaults: { initialAccumulatorValue: 0.1, epsilon: 1e-7 } as AdagradOptions,
  defaultLearningRate: 0.001,
  validate: (options) =>
    firstProblem(
      nonNegative('initialAccumulatorValue', options.initialAccumulatorValue),
      nonNegative('epsilon', options.epsilon),
    ),
  init: (param, options): AdagradState => {
    const accumulator = zerosLike(param);
    accumulator.fill(options.initialAccumulatorValue);
    return { accumulator };
  },
  update({ grad, state, lr, options, out }) {
    const { epsilon } = options;
    const accumulator = state.accumulator;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const a = accumulator[i]! + g * g;
      accumulator[i] = a;
      out[i] = (-lr * g) / Math.sqrt(a + epsilon);
    }
    return { update: out, state };
  },
  // adagradF32 of @rnnkit/backend-wasm (assembly/optimizers.ts): the loop above, operation for operation.
  kernel: {
    name: 'rnnkit.adagrad',
    slots: ['accumulator'],
    scalarCount: 2,
    scalars(options, _step, lr, out) {
      out[0] = -lr;
      out[1] = options.epsilon;
    },
  },
});
