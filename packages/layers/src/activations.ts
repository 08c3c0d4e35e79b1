import { RnnkitError, type TypedArray, describeValue } from '@rnnkit/tensor';
import { sigmoidFloat32, tanhFloat32 } from './float32-math.js';

/** Names of the built-in activations (TF.js' camelCase spelling). */
export type ActivationName = 'linear' | 'sigmoid' | 'hardSigmoid' | 'tanh' | 'relu' | 'softmax';

/**
 * An activation function on raw typed arrays, in the out/in-place style of the hot loops:
 * neither method allocates.
 *
 * Both methods work on a run of `length` consecutive elements. For the element-wise
 * activations the run is any block of values; for `softmax` it is one row, normalised as a
 * whole, so callers pass one row (the last axis) per call.
 */
export interface Activation {
  /** Name used in configs and error messages. */
  readonly name: string;
  /**
   * `out[outOffset + i] = f(x[xOffset + i])` for `i < length`. `out` may be `x` (in place)
   * when the offsets are equal.
   */
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void;
  /**
   * The derivative, as a vector–Jacobian product computed from the *outputs* `y = f(x)`:
   * `grad[gradOffset + i] ← Σ_j grad[gradOffset + j] · ∂y_j/∂x_i`, in place. For the
   * element-wise activations that is `grad[i] · f′(x_i)`. Every built-in activation's
   * derivative can be written in terms of its output, which is why layers keep outputs
   * (not inputs) for the backward pass.
   */
  backward(y: TypedArray, yOffset: number, grad: TypedArray, gradOffset: number, length: number): void;
}

/** f(x) = x. */
const linear: Activation = Object.freeze({
  name: 'linear',
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void {
    if (x !== out || xOffset !== outOffset) out.set(x.subarray(xOffset, xOffset + length), outOffset);
  },
  backward(): void {
    // f′ = 1: the gradient passes through unchanged.
  },
});

/**
 * σ(x) = 1 / (1 + e^(−x)), evaluated without overflow: for x < 0 the equal form
 * e^x / (1 + e^x) keeps the exponent's argument non-positive. σ′ = σ(1 − σ).
 * Float32 data takes the faster float32-accurate path of float32-math.ts.
 */
const sigmoid: Activation = Object.freeze({
  name: 'sigmoid',
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void {
    if (x instanceof Float32Array && out instanceof Float32Array) {
      sigmoidFloat32(x, xOffset, out, outOffset, length);
      return;
    }
    for (let i = 0; i < length; i++) {
      const v = x[xOffset + i]!;
      if (v >= 0) {
        out[outOffset + i] = 1 / (1 + Math.exp(-v));
      } else {
        const e = Math.exp(v);
        out[outOffset + i] = e / (1 + e);
      }
    }
  },
  backward(y: TypedArray, yOffset: number, grad: TypedArray, gradOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const s = y[yOffset + i]!;
      grad[gradOffset + i]! *= s * (1 - s);
    }
  },
});

/**
 * The piecewise-linear sigmoid of Keras 2 and TF.js: clip(0.2·x + 0.5, 0, 1). Its
 * derivative is 0.2 where the output lies strictly inside (0, 1) and 0 where it is clipped.
 */
const hardSigmoid: Activation = Object.freeze({
  name: 'hardSigmoid',
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const v = 0.2 * x[xOffset + i]! + 0.5;
      // Written so that NaN propagates (both comparisons are false for NaN).
      out[outOffset + i] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  },
  backward(y: TypedArray, yOffset: number, grad: TypedArray, gradOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const s = y[yOffset + i]!;
      grad[gradOffset + i]! *= s > 0 && s < 1 ? 0.2 : s !== s ? s : 0;
    }
  },
});

/** tanh(x), with tanh′ = 1 − tanh² (float32 data: the float32-accurate path of float32-math.ts). */
const tanh: Activation = Object.freeze({
  name: 'tanh',
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void {
    if (x instanceof Float32Array && out instanceof Float32Array) {
      tanhFloat32(x, xOffset, out, outOffset, length);
      return;
    }
    for (let i = 0; i < length; i++) out[outOffset + i] = Math.tanh(x[xOffset + i]!);
  },
  backward(y: TypedArray, yOffset: number, grad: TypedArray, gradOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const t = y[yOffset + i]!;
      grad[gradOffset + i]! *= 1 - t * t;
    }
  },
});

/** max(0, x); the derivative at 0 is taken as 0, as in TF.js and Keras. */
const relu: Activation = Object.freeze({
  name: 'relu',
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const v = x[xOffset + i]!;
      out[outOffset + i] = v < 0 ? 0 : v; // keeps NaN as NaN
    }
  },
  backward(y: TypedArray, yOffset: number, grad: TypedArray, gradOffset: number, length: number): void {
    for (let i = 0; i < length; i++) {
      const s = y[yOffset + i]!;
      grad[gradOffset + i]! *= s > 0 ? 1 : s !== s ? s : 0;
    }
  },
});

/**
 * softmax over one row: y_i = e^(x_i − m) / Σ_j e^(x_j − m) with m = max_j x_j, so no
 * exponent overflows. Its vector–Jacobian product is g_i ← y_i (g_i − Σ_j g_j y_j).
 */
const softmax: Activation = Object.freeze({
  name: 'softmax',
  forward(x: TypedArray, xOffset: number, out: TypedArray, outOffset: number, length: number): void {
    let max = -Infinity;
    for (let i = 0; i < length; i++) {
      const v = x[xOffset + i]!;
      if (v > max || v !== v) max = v;
    }
    let sum = 0;
    for (let i = 0; i < length; i++) {
      const e = Math.exp(x[xOffset + i]! - max);
      out[outOffset + i] = e;
      sum += e;
    }
    for (let i = 0; i < length; i++) out[outOffset + i]! /= sum;
  },
  backward(y: TypedArray, yOffset: number, grad: TypedArray, gradOffset: number, length: number): void {
    let dot = 0;
    for (let i = 0; i < length; i++) dot += grad[gradOffset + i]! * y[yOffset + i]!;
    for (let i = 0; i < length; i++) {
      grad[gradOffset + i] = y[yOffset + i]! * (grad[gradOffset + i]! - dot);
    }
  },
});

/** The built-in activations by name. */
export const activations: Readonly<Record<ActivationName, Activation>> = Object.freeze({
  linear,
  sigmoid,
  hardSigmoid,
  tanh,
  relu,
  softmax,
});

/** Keras' snake_case spellings, accepted so that Keras configs resolve too. */
const ALIASES: Readonly<Record<string, ActivationName>> = Object.freeze({ hard_sigmoid: 'hardSigmoid' });

/** The names {@link getActivation} accepts (besides Keras' `hard_sigmoid`). */
export const activationNames: readonly ActivationName[] = Object.freeze(
  Object.keys(activations) as ActivationName[],
);

/** Whether `value` has the shape of an {@link Activation} object. */
export function isActivation(value: unknown): value is Activation {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<Activation>;
  return (
    typeof v.name === 'string' && typeof v.forward === 'function' && typeof v.backward === 'function'
  );
}

/**
 * Resolves an activation given by name (`'tanh'`, `'hardSigmoid'`, …) or as an
 * {@link Activation} object (returned as is). Unknown names are an error that lists the
 * known ones; `api` names the caller in that error (e.g. `"LSTM"`), `option` the option.
 */
export function getActivation(
  nameOrActivation: ActivationName | Activation | string,
  api = 'getActivation',
  option = 'activation',
): Activation {
  if (isActivation(nameOrActivation)) return nameOrActivation;
  if (typeof nameOrActivation === 'string') {
    const name = ALIASES[nameOrActivation] ?? nameOrActivation;
    if (Object.prototype.hasOwnProperty.call(activations, name)) return activations[name as ActivationName];
  }
  throw new RnnkitError(
    api,
    `${option} must be one of ${activationNames.map((n) => `"${n}"`).join(', ')} or an Activation object, ` +
      `got ${describeValue(nameOrActivation)}`,
  );
}
