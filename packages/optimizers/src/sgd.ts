import { allocate } from '@rnnkit/tensor';
import { firstProblem, inRange } from './checks.js';
import { defineOptimizer } from './plugin.js';

/** Options of {@link sgd}. */
export interface SgdOptions {
  /** Momentum μ; 0 is plain gradient descent `p ← p − lr·g`. @defaultValue 0 */
  readonly momentum: number;
  /** Nesterov momentum (Sutskever et al. 2013, in Keras' form). @defaultValue false */
  readonly nesterov: boolean;
}

/** State of {@link sgd} for one parameter. */
export interface SgdState {
  /** The velocity v (zeros at the start). */
  readonly velocity: Float32Array | Float64Array;
}

/**
 * Stochastic gradient descent with optional momentum, as Keras' `SGD`:
 * `v ← μ·v − lr·g`, then `p ← p + v`, or with Nesterov `p ← p + μ·v − lr·g`.
 * With μ = 0 both are plain gradient descent, `p ← p − lr·g`. Default learning rate 0.01.
 */
export const sgd = defineOptimizer({
  name: 'sgd',
  defaults: { momentum: 0, nesterov: false } as SgdOptions,
  defaultLearningRate: 0.01,
  validate: (options) => firstProblem(inRange('momentum', options.momentum, 0, 1)),
  init: (param): SgdState => ({ velocity: allocate(param.value.dtype, param.value.size) }),
  update({ grad, state, lr, options, out }) {
    const { momentum, nesterov } = options;
    const velocity = state.velocity;
    for (let i = 0; i < grad.length; i++) {
      const step = lr * grad[i]!;
      const v = momentum * velocity[i]! - step;
      velocity[i] = v;
      out[i] = nesterov ? momentum * velocity[i]! - step : v;
    }
    return { update: out, state };
  },
  // sgdF32 of @rnnkit/backend-wasm (assembly/optimizers.ts): the loop above, operation for operation.
  kernel: {
    name: 'rnnkit.sgd',
    slots: ['velocity'],
    scalarCount: 3,
    scalars(options, _step, lr, out) {
      out[0] = options.momentum;
      out[1] = lr;
      out[2] = options.nesterov ? 1 : 0;
    },
  },
});
