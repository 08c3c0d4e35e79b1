import { type Param, allocate } from '@rnnkit/tensor';
import { firstProblem, inRange, nonNegative } from './checks.js';
import { defineOptimizer, zerosLike } from './plugin.js';

/** Options of {@link adam}; the defaults are Keras'. */
export interface AdamOptions {
  /** Decay β1 of the first-moment average. @defaultValue 0.9 */
  readonly beta1: number;
  /** Decay β2 of the second-moment average. @defaultValue 0.999 */
  readonly beta2: number;
  /** ε added to √v̂ (reference experiment 1 used 0). @defaultValue 1e-7 */
  readonly epsilon: number;
  /** Use the running maximum of v (AMSGrad, Reddi et al. 2018). @defaultValue false */
  readonly amsgrad: boolean;
}

/** Options of {@link adamw}: Adam's, plus the decoupled weight decay. */
export interface AdamwOptions extends AdamOptions {
  /** Decoupled weight decay λ: each step also does `p ← p − lr·λ·p` (Loshchilov & Hutter 2019). @defaultValue 0.004 */
  readonly weightDecay: number;
}

/** State of {@link adam} and {@link adamw} for one parameter. */
export interface AdamState {
  /** First moment m. */
  readonly m: Float32Array | Float64Array;
  /** Second moment v. */
  readonly v: Float32Array | Float64Array;
  /** Running maximum of v (AMSGrad only; empty otherwise). */
  readonly vMax: Float32Array | Float64Array;
}

function initAdam(param: Param, options: Readonly<AdamOptions>): AdamState {
  const { dtype, size } = param.value;
  return { m: allocate(dtype, size), v: allocate(dtype, size), vMax: allocate(dtype, options.amsgrad ? size : 0) };
}

/** The option checks of Adam and Adamax. */
function validateAdam(options: Readonly<Pick<AdamOptions, 'beta1' | 'beta2' | 'epsilon'>>): string | undefined {
  return firstProblem(
    inRange('beta1', options.beta1, 0, 1),
    inRange('beta2', options.beta2, 0, 1),
    nonNegative('epsilon', options.epsilon),
  );
}

/** `−lr_t = −lr·√(1−β2^t)/(1−β1^t)`: one expression for the JS update and the kernel's scalars. */
function adamScale(beta1: number, beta2: number, step: number, lr: number): number {
  return -((lr * Math.sqrt(1 - beta2 ** step)) / (1 - beta1 ** step));
}

/** The scalars of Adam's kernel, the first seven of AdamW's: β1, β2, 1−β1, 1−β2, −lr_t, ε, AMSGrad (1 or 0). */
function adamScalars(options: Readonly<AdamOptions>, step: number, lr: number, out: Float64Array): void {
  const { beta1, beta2, epsilon, amsgrad } = options;
  out[0] = beta1;
  out[1] = beta2;
  out[2] = 1 - beta1;
  out[3] = 1 - beta2;
  out[4] = adamScale(beta1, beta2, step, lr);
  out[5] = epsilon;
  out[6] = amsgrad ? 1 : 0;
}

/**
 * Writes Adam's update into `out` (Kingma & Ba 2015, Algorithm 1 with the efficient form
 * of the bias correction, as Keras and reference experiment 1):
 * `m ← β1·m + (1−β1)·g`, `v ← β2·v + (1−β2)·g²`, `lr_t = lr·√(1−β2^t)/(1−β1^t)`,
 * update `−lr_t·m/(√v + ε)` (with v replaced by its running maximum under AMSGrad).
 */
function adamStep(
  grad: ArrayLike<number>,
  state: AdamState,
  step: number,
  lr: number,
  options: Readonly<AdamOptions>,
  out: Float64Array,
): void {
  const { beta1, beta2, epsilon, amsgrad } = options;
  const { m, v, vMax } = state;
  // The same arithmetic in two loops, hoisted constants and no AMSGrad test per element:
  // the plain loop runs about 1.5× faster so (this is most of an optimizer step's time).
  const keep1 = 1 - beta1;
  const keep2 = 1 - beta2;
  const scale = adamScale(beta1, beta2, step, lr);
  const n = grad.length;
  if (!amsgrad) {
    for (let i = 0; i < n; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + keep1 * g;
      const vi = beta2 * v[i]! + keep2 * g * g;
      m[i] = mi;
      v[i] = vi;
      out[i] = (scale * mi) / (Math.sqrt(vi) + epsilon);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const g = grad[i]!;
    const mi = beta1 * m[i]! + keep1 * g;
    const vi = beta2 * v[i]! + keep2 * g * g;
    m[i] = mi;
    v[i] = vi;
    const max = Math.max(vMax[i]!, vi);
    vMax[i] = max;
    out[i] = (scale * mi) / (Math.sqrt(max) + epsilon);
  }
}

/**
 * Adam with Keras' defaults (learning rate 0.001, β1 0.9, β2 0.999, ε 1e-7) and AMSGrad.
 * Keras' legacy `decay` is the runner's `decay` option. Its first step is ≈ `−lr·sign(g)`
 * per coordinate, whatever the gradient's scale.
 */
export const adam = defineOptimizer({
  name: 'adam',
  defaults: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false } as AdamOptions,
  defaultLearningRate: 0.001,
  validate: (options) => validateAdam(options),
  init: initAdam,
  update({ grad, state, step, lr, options, out }) {
    adamStep(grad, state, step, lr, options, out);
    return { update: out, state };
  },
  // adamF32 of @rnnkit/backend-wasm (assembly/optimizers.ts): the loops above, operation for operation.
  kernel: {
    name: 'rnnkit.adam',
    slots: ['m', 'v', 'vMax'],
    scalarCount: 7,
    scalars: adamScalars,
  },
});

/**
 * AdamW: Adam plus decoupled weight decay, `p ← p − lr·λ·p − lr_t·m/(√v + ε)`
 * (Loshchilov & Hutter 2019, with the decay scaled by the learning rate as in Keras).
 * Defaults as Keras: learning rate 0.001, weight decay 0.004.
 */
export const adamw = defineOptimizer({
  name: 'adamw',
  defaults: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false, weightDecay: 0.004 } as AdamwOptions,
  defaultLearningRate: 0.001,
  validate: (options) => firstProblem(validateAdam(options), nonNegative('weightDecay', options.weightDecay)),
  init: (param, options) => initAdam(param, options),
  update({ value, grad, state, step, lr, options, out }) {
    adamStep(grad, state, step, lr, options, out);
    const decay = lr * options.weightDecay;
    if (decay !== 0) for (let i = 0; i < value.length; i++) out[i] = out[i]! - decay * value[i]!;
    return { update: out, state };
  },
  // adamF32 of @rnnkit/backend-wasm (assembly/optimizers.ts) with the decay: adam's loops and
  // the decay loop above in one pass, operation for operation (no decay term when `decay` is 0).
  kernel: {
    name: 'rnnkit.adamw',
    slots: ['m', 'v', 'vMax'],
    scalarCount: 8,
    scalars(options, step, lr, out) {
      adamScalars(options, step, lr, out);
      out[7] = lr * options.weightDecay;
    },
  },
});

/** Options of {@link adamax}; the defaults are Keras'. */
export interface AdamaxOptions {
  /** Decay β1 of the first-moment average. @defaultValue 0.9 */
  readonly beta1: number;
  /** Decay β2 of the exponentially weighted infinity norm. @defaultValue 0.999 */
  readonly beta2: number;
  /** ε added to the norm. @defaultValue 1e-7 */
  readonly epsilon: number;
}

/** State of {@link adamax} for one parameter. */
export interface AdamaxState {
  /** First moment m. */
  readonly m: Float32Array | Float64Array;
  /** Exponentially weighted infinity norm u. */
  readonly u: Float32Array | Float64Array;
}

/** `−lr/(1−β1^t)`: one expression for Adamax's JS update and its kernel's scalars. */
function adamaxScale(beta1: number, step: number, lr: number): number {
  return -(lr / (1 - beta1 ** step));
}

/**
 * Adamax (Kingma & Ba 2015, section 7.1), as Keras: `m ← β1·m + (1−β1)·g`,
 * `u ← max(β2·u, |g|)`, `p ← p − lr/(1−β1^t) · m/(u + ε)`. Default learning rate 0.001.
 */
export const adamax = defineOptimizer({
  name: 'adamax',
  defaults: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 } as AdamaxOptions,
  defaultLearningRate: 0.001,
  validate: (options) => validateAdam(options),
  init: (param): AdamaxState => ({
    m: zerosLike(param),
    u: zerosLike(param),
  }),
  update({ grad, state, step, lr, options, out }) {
    const { beta1, beta2, epsilon } = options;
    const { m, u } = state;
    const scale = adamaxScale(beta1, step, lr);
    for (let i = 0; i < grad.length; i++) {
      const g = grad[i]!;
      const mi = beta1 * m[i]! + (1 - beta1) * g;
      const ui = Math.max(beta2 * u[i]!, Math.abs(g));
      m[i] = mi;
      u[i] = ui;
      out[i] = (scale * mi) / (ui + epsilon);
    }
    return { update: out, state };
  },
  // adamaxF32 of @rnnkit/backend-wasm (assembly/optimizers.ts): the loop above, operation for operation.
  kernel: {
    name: 'rnnkit.adamax',
    slots: ['m', 'u'],
    scalarCount: 5,
    scalars(options, step, lr, out) {
      const { beta1, beta2, epsilon } = options;
      out[0] = beta1;
      out[1] = 1 - beta1;
      out[2] = beta2;
      out[3] = adamaxScale(beta1, step, lr);
      out[4] = epsilon;
    },
  },
});
