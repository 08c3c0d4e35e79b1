// Keras' GlobalAveragePooling1D and GlobalMaxPooling1D: `[batch, time, features]` to
// `[batch, features]`, the mean or the maximum of each feature over the time axis. Given a
// mask they pool the valid steps only and use it up (the output has no time axis).
//
// Masks: the average is Keras' (2 and 3): Σ_t m_t·x_t / Σ_t m_t. The maximum over the valid
// steps is what a masked max should be, but Keras 3's GlobalMaxPooling1D ignores the mask
// (padding included) and TF.js 4.22's pooling layers refuse one; without a mask all three
// agree. A sample with no valid step pools to zeros (Keras' average would give 0/0 = NaN).
import { type DType, RnnkitError, Tensor, allocate, formatShape, sameShape } from '@rnnkit/tensor';
import { checkOptionKeys, checkOutputGradient, checkSymbolicShape, describeValue, dtypeOption, formatSymbolic, nameOption } from './common.js';
import type { ForwardOptions, ForwardResult, Layer, LayerConfig, SymbolicShape } from './layer.js';
import { WeightlessLayer } from './weightless-layer.js';

/** Options of {@link GlobalAveragePooling1D} and {@link GlobalMaxPooling1D}. */
export interface GlobalPooling1DOptions {
  /** Element type of outputs. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'global_average_pooling1d' or 'global_max_pooling1d' */
  readonly name?: string;
}

/** The configuration of a global pooling layer. */
export interface GlobalPooling1DConfig extends LayerConfig {
  readonly name: string;
  readonly dtype: DType;
}

/** What {@link GlobalAveragePooling1D.forward} keeps: the input shape, and each step's weight in the mean (`m_t / Σ m`, per sample and step). */
export interface GlobalAveragePooling1DCache {
  readonly inputShape: readonly [number, number, number];
  readonly weights: Float64Array;
}

/** What {@link GlobalMaxPooling1D.forward} keeps: the input shape, and the step each maximum came from (−1: no valid step). */
export interface GlobalMaxPooling1DCache {
  readonly inputShape: readonly [number, number, number];
  readonly argmax: Int32Array;
}

const OPTION_KEYS = ['dtype', 'name'] as const;

/** What the two layers share: options, shapes, checks; no parameters. */
abstract class GlobalPooling1D<Cache extends { readonly inputShape: readonly [number, number, number] }> extends WeightlessLayer implements Layer<Cache> {
  abstract readonly className: string;
  readonly name: string;
  readonly dtype: DType;
  /** The class name, in errors. */
  protected readonly api: string;

  constructor(api: string, options: GlobalPooling1DOptions, defaultName: string) {
    super(api);
    this.api = api;
    checkOptionKeys(api, options, OPTION_KEYS);
    this.dtype = dtypeOption(api, options.dtype);
    this.name = nameOption(api, options.name, defaultName);
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(this.api, inputShape);
    if (shape.length !== 3) throw new RnnkitError(this.api, `expected an input shape [batch, time, features], got ${formatSymbolic(shape)}`);
    return [shape[0]!, shape[2]!];
  }

  /** The output has no time axis: no mask goes on. */
  computeMask(_x: Tensor, _mask: Tensor | null): null {
    return null;
  }

  abstract forward(x: Tensor, options?: ForwardOptions): ForwardResult<Cache>;
  abstract backward(dy: Tensor, cache: Cache): Tensor;

  getConfig(): GlobalPooling1DConfig {
    return { name: this.name, dtype: this.dtype };
  }

  /** Checks the input and the mask of `forward`; returns the shape and the mask's values (null: every step counts). */
  protected checkForward(x: Tensor, options: ForwardOptions): { shape: [number, number, number]; mask: ArrayLike<number> | null } {
    checkOptionKeys(this.api, options, ['training', 'initialState', 'mask']);
    if (!(x instanceof Tensor)) throw new RnnkitError(this.api, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (x.rank !== 3) throw new RnnkitError(this.api, `expected input [batch, time, features], got ${formatShape(x.shape)}`);
    if (x.dtype !== this.dtype) throw new RnnkitError(this.api, `expected a ${this.dtype} input (the layer's dtype), got ${x.dtype}`);
    const [batch, time] = x.shape as [number, number, number];
    const { mask } = options;
    if (mask !== undefined && (!(mask instanceof Tensor) || !sameShape(mask.shape, [batch, time]))) {
      throw new RnnkitError(this.api, `expected a mask of shape [${batch}, ${time}], got ${mask instanceof Tensor ? formatShape(mask.shape) : describeValue(mask)}`);
    }
    return { shape: x.shape as [number, number, number], mask: mask === undefined ? null : mask.data };
  }

  /** Checks `dy` against the cache: `[batch, features]` of the layer's dtype. */
  protected checkBackward(dy: Tensor, cache: Cache): [number, number, number] {
    const [batch, time, features] = cache.inputShape;
    checkOutputGradient(this.api, dy, [batch, features]);
    if (dy.dtype !== this.dtype) throw new RnnkitError(this.api, `expected a ${this.dtype} output gradient (the layer's dtype), got ${dy.dtype}`);
    return [batch, time, features];
  }
}

/** Keras' `GlobalAveragePooling1D()`: the mean over time of each feature (over the valid steps with a mask). */
export class GlobalAveragePooling1D extends GlobalPooling1D<GlobalAveragePooling1DCache> {
  readonly className = 'GlobalAveragePooling1D';

  constructor(options: GlobalPooling1DOptions = {}) {
    super('GlobalAveragePooling1D', options, 'global_average_pooling1d');
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): GlobalAveragePooling1D {
    return new GlobalAveragePooling1D(config as unknown as GlobalPooling1DOptions);
  }

  /** y[b, f] = Σ_t w[b, t]·x[b, t, f] with w = m / Σ_t m (1/time without a mask). */
  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<GlobalAveragePooling1DCache> {
    const { shape, mask } = this.checkForward(x, options);
    const [batch, time, features] = shape;
    const weights = new Float64Array(batch * time);
    for (let b = 0; b < batch; b++) {
      let count = 0;
      for (let t = 0; t < time; t++) count += mask === null || mask[b * time + t] !== 0 ? 1 : 0;
      for (let t = 0; t < time; t++) weights[b * time + t] = count > 0 && (mask === null || mask[b * time + t] !== 0) ? 1 / count : 0;
    }
    const out = allocate(this.dtype, batch * features);
    for (let s = 0; s < batch * time; s++) {
      const w = weights[s]!;
      if (w === 0) continue;
      const row = Math.floor(s / time) * features;
      for (let f = 0; f < features; f++) out[row + f]! += w * x.data[s * features + f]!;
    }
    return { y: new Tensor(out, [batch, features]), cache: { inputShape: shape, weights } };
  }

  /** ∂x[b, t, f] = w[b, t]·dy[b, f]. */
  backward(dy: Tensor, cache: GlobalAveragePooling1DCache): Tensor {
    const [batch, time, features] = this.checkBackward(dy, cache);
    const dx = allocate(this.dtype, batch * time * features);
    for (let s = 0; s < batch * time; s++) {
      const w = cache.weights[s]!;
      const row = Math.floor(s / time) * features;
      for (let f = 0; f < features; f++) dx[s * features + f] = w * dy.data[row + f]!;
    }
    return new Tensor(dx, cache.inputShape);
  }
}

/** Keras' `GlobalMaxPooling1D()`: the maximum over time of each feature (over the valid steps with a mask; see the file's note). */
export class GlobalMaxPooling1D extends GlobalPooling1D<GlobalMaxPooling1DCache> {
  readonly className = 'GlobalMaxPooling1D';

  constructor(options: GlobalPooling1DOptions = {}) {
    super('GlobalMaxPooling1D', options, 'global_max_pooling1d');
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): GlobalMaxPooling1D {
    return new GlobalMaxPooling1D(config as unknown as GlobalPooling1DOptions);
  }

  /** y[b, f] = max over the valid t of x[b, t, f]; the first step holding it is kept for backward. */
  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<GlobalMaxPooling1DCache> {
    const { shape, mask } = this.checkForward(x, options);
    const [batch, time, features] = shape;
    const argmax = new Int32Array(batch * features).fill(-1);
    const out = allocate(this.dtype, batch * features);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < time; t++) {
        if (mask !== null && mask[b * time + t] === 0) continue;
        const step = (b * time + t) * features;
        for (let f = 0; f < features; f++) {
          const k = b * features + f;
          const v = x.data[step + f]!;
          // `!(v <= max)` takes a NaN, as Math.max would.
          if (argmax[k] === -1 || !(v <= out[k]!)) {
            out[k] = v;
            argmax[k] = t;
          }
        }
      }
    }
    return { y: new Tensor(out, [batch, features]), cache: { inputShape: shape, argmax } };
  }

  /** The gradient goes to the step each maximum came from (the first one on a tie). */
  backward(dy: Tensor, cache: GlobalMaxPooling1DCache): Tensor {
    const [batch, time, features] = this.checkBackward(dy, cache);
    const dx = allocate(this.dtype, batch * time * features);
    for (let k = 0; k < batch * features; k++) {
      const t = cache.argmax[k]!;
      if (t === -1) continue;
      const b = Math.floor(k / features);
      dx[(b * time + t) * features + (k % features)] = dy.data[k]!;
    }
    return new Tensor(dx, cache.inputShape);
  }
}

/** Creates a {@link GlobalAveragePooling1D} layer. */
export function globalAveragePooling1D(options?: GlobalPooling1DOptions): GlobalAveragePooling1D {
  return new GlobalAveragePooling1D(options);
}

/** Creates a {@link GlobalMaxPooling1D} layer. */
export function globalMaxPooling1D(options?: GlobalPooling1DOptions): GlobalMaxPooling1D {
  return new GlobalMaxPooling1D(options);
}
