import { type TypedArray, allocate } from '@rnnkit/tensor';
import { firstProblem, inRange, nonNegative } from './checks.js';
import { defineOptimizer } from './plugin.js';

/** Options of {@link rmsprop}. */
export interface RmspropOptions {
  /** Decay ρ of the moving average of squared gradients. @defaultValue 0.9 */
  readonly rho: number;
  /** Momentum μ applied to the increments; 0 for none. @defaultValue 0 */
  readonly momentum: number;
  /** ε added to the mean square, inside the square root (Keras 3). @defaultValue 1e-7 */
  readonly epsilon: number;
  /** Divide by the variance (mean square minus squared mean) instead of the mean square (Graves 2013). @defaultValue false */
  readonly centered: boolean;
}

/** State of {@link rmsprop} for one parameter. */
export interface RmspropState {
  /** Moving average of g². */
  readonly meanSquare: Float32Array | Float64Array;
  /** Moving average of g (used when centered, otherwise zeros). */
  readonly meanGradient: Float32Array | Float64Array;
  /** Momentum buffer (used when momentum > 0, otherwise zeros). */
  readonly momentum: Float32Array | Float64Array;
}

/**
 * RMSprop (Hinton, Lecture 6e) with Keras 3's semantics:
 * `ms ← ρ·ms + (1−ρ)·g²`; centred: `mg ← ρ·mg + (1−ρ)·g`, `d = ms − mg² + ε`, else `d = ms + ε`;
 * `Δ = lr·g/√d`; with momentum `b ← μ·b + Δ`, `p ← p − b`, otherwise `p ← p − Δ`.
 * Default learning rate 0.001.
 */
export const rmsprop = defineOptimizer({
  name: 'rmsprop',
  defaults: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false } as RmspropOptions,
  defaultLearningRate: 0.001,
  validate: (options) =>
    firstProblem(
      inRange('rho', options.rho, 0, 1),
      inRange('momentum', options.momentum, 0, 1),
      nonNegative('epsilon', options.epsilon),
    ),
  init: (param): RmspropState => ({
    meanSquare: allocate(param.value.dtype, param.value.size),
    meanGradient: allocate(param.value.dtype, param.value.size),
    momentum: allocate(param.value.dtype, param.value.size),
  }),
  update({ grad, state, lr, options, out }) {
    rmspropInto(grad, state, lr, options, out);
    return { update: out, state };
  },
  updateInPlace({ value, grad, state, lr, options, out }) {
    const { meanSquare, meanGradient, momentum } = state;
    if (
      value instanceof Float32Array &&
      grad instanceof Float32Array &&
      meanSquare instanceof Float32Array &&
      meanGradient instanceof Float32Array &&
      momentum instanceof Float32Array
    ) {
      rmspropFloat32(value, grad, meanSquare, meanGradient, momentum, lr, options);
    } else if (
      value instanceof Float64Array &&
      grad instanceof Float64Array &&
      meanSquare instanceof Float64Array &&
      meanGradient instanceof Float64Array &&
      momentum instanceof Float64Array
    ) {
      rmspropFloat64(value, grad, meanSquare, meanGradient, momentum, lr, options);
    } else {
      // Mixed dtypes (never from `init` or `loadState`, but a direct caller's): the generic path.
      rmspropInto(grad, state, lr, options, out);
      for (let i = 0; i < value.length; i++) value[i] = value[i]! + out[i]!;
    }
    return state;
  },
  // rmspropF32 of @rnnkit/backend-wasm (assembly/optimizers.ts): the loops below, operation for operation.
  kernel: {
    name: 'rnnkit.rmsprop',
    slots: ['meanSquare', 'meanGradient', 'momentum'],
    scalarCount: 6,
    scalars(options, _step, lr, out) {
      out[0] = options.rho;
      out[1] = 1 - options.rho;
      out[2] = options.momentum;
      out[3] = options.epsilon;
      out[4] = options.centered ? 1 : 0;
      out[5] = lr;
    },
  },
});

// The same maths three times: the generic `update` writes −Δ into the float64 `out`; the
// in-place kernels, one per dtype so that each loop sees a single array type, do
// `p ← p − Δ`, which equals `p + (−Δ)` bit for bit (negation is exact). Keep them in step:
// the optimizer laws and rmsprop.props.test.ts compare the paths.

function rmspropInto(
  grad: TypedArray,
  state: RmspropState,
  lr: number,
  options: Readonly<RmspropOptions>,
  out: Float64Array,
): void {
  const { rho, momentum, epsilon, centered } = options;
  const { meanSquare, meanGradient } = state;
  const buffer = state.momentum;
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i]!;
    const ms = rho * meanSquare[i]! + (1 - rho) * g * g;
    meanSquare[i] = ms;
    let denominator = ms + epsilon;
    if (centered) {
      const mg = rho * meanGradient[i]! + (1 - rho) * g;
      meanGradient[i] = mg;
      denominator -= mg * mg;
    }
    const increment = (lr * g) / Math.sqrt(denominator);
    if (momentum > 0) {
      const b = momentum * buffer[i]! + increment;
      buffer[i] = b;
      out[i] = -b;
    } else {
      out[i] = -increment;
    }
  }
}

// Exported for rmsprop.props.test.ts (which keeps the two kernels identical), not from index.ts.
export function rmspropFloat32(
  value: Float32Array,
  grad: Float32Array,
  meanSquare: Float32Array,
  meanGradient: Float32Array,
  buffer: Float32Array,
  lr: number,
  options: Readonly<RmspropOptions>,
): void {
  const { rho, momentum, epsilon, centered } = options;
  if (!centered && momentum === 0) {
    // The default settings, with nothing else in the loop (measurably faster).
    const keep = 1 - rho;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const ms = rho * meanSquare[i]! + keep * g * g;
      meanSquare[i] = ms;
      value[i] = value[i]! - (lr * g) / Math.sqrt(ms + epsilon);
    }
    return;
  }
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i]!;
    const ms = rho * meanSquare[i]! + (1 - rho) * g * g;
    meanSquare[i] = ms;
    let denominator = ms + epsilon;
    if (centered) {
      const mg = rho * meanGradient[i]! + (1 - rho) * g;
      meanGradient[i] = mg;
      denominator -= mg * mg;
    }
    const increment = (lr * g) / Math.sqrt(denominator);
    if (momentum > 0) {
      const b = momentum * buffer[i]! + increment;
      buffer[i] = b;
      value[i] = value[i]! - b;
    } else {
      value[i] = value[i]! - increment;
    }
  }
}

// Exported for rmsprop.props.test.ts (which keeps the two kernels identical), not from index.ts.
export function rmspropFloat64(
  value: Float64Array,
  grad: Float64Array,
  meanSquare: Float64Array,
  meanGradient: Float64Array,
  buffer: Float64Array,
  lr: number,
  options: Readonly<RmspropOptions>,
): void {
  const { rho, momentum, epsilon, centered } = options;
  if (!centered && momentum === 0) {
    // The default settings, with nothing else in the loop (measurably faster).
    const keep = 1 - rho;
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const ms = rho * meanSquare[i]! + keep * g * g;
      meanSquare[i] = ms;
      value[i] = value[i]! - (lr * g) / Math.sqrt(ms + epsilon);
    }
    return;
  }
  for (let i = 0; i < grad.length; i++) {
    const g = grad[i]!;
    const ms = rho * meanSquare[i]! + (1 - rho) * g * g;
    meanSquare[i] = ms;
    let denominator = ms + epsilon;
    if (centered) {
      const mg = rho * meanGradient[i]! + (1 - rho) * g;
      meanGradient[i] = mg;
      denominator -= mg * mg;
    }
    const increment = (lr * g) / Math.sqrt(denominator);
    if (momentum > 0) {
      const b = momentum * buffer[i]! + increment;
      buffer[i] = b;
      value[i] = value[i]! - b;
    } else {
      value[i] = value[i]! - increment;
    }
  }
}
