// Keras' RepeatVector: `[batch, features]` to `[batch, n, features]`, the input repeated at
// each of n steps (an encoder's summary fed to every step of a decoder). Backward sums the n
// steps' gradients.
import { type DType, RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import { checkOptionKeys, checkOutputGradient, checkSymbolicShape, describeValue, dtypeOption, formatSymbolic, nameOption, positiveInteger } from './common.js';
import type { ForwardOptions, ForwardResult, Layer, LayerConfig, SymbolicShape } from './layer.js';
import { WeightlessLayer } from './weightless-layer.js';

const API = 'RepeatVector';

/** Options of {@link RepeatVector}. */
export interface RepeatVectorOptions {
  /** How many times to repeat the input (the output's time length). */
  readonly n: number;
  /** Element type of outputs. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'repeat_vector' */
  readonly name?: string;
}

/** The configuration of a {@link RepeatVector} layer. */
export interface RepeatVectorConfig extends LayerConfig {
  readonly name: string;
  readonly n: number;
  readonly dtype: DType;
}

/** What {@link RepeatVector.forward} keeps: the input's shape. */
export interface RepeatVectorCache {
  readonly inputShape: readonly [number, number];
}

const OPTION_KEYS = ['n', 'dtype', 'name'] as const;

/** Keras' `RepeatVector({ n })`: `[batch, f]` to `[batch, n, f]`; no parameters. */
export class RepeatVector extends WeightlessLayer implements Layer<RepeatVectorCache> {
  readonly className = 'RepeatVector';
  readonly name: string;
  readonly dtype: DType;
  readonly n: number;

  constructor(options: RepeatVectorOptions) {
    super(API);
    checkOptionKeys(API, options, OPTION_KEYS);
    this.n = positiveInteger(API, 'n', options.n);
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'repeat_vector');
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): RepeatVector {
    return new RepeatVector(config as unknown as RepeatVectorOptions);
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length !== 2) throw new RnnkitError(API, `expected an input shape [batch, features], got ${formatSymbolic(shape)}`);
    return [shape[0]!, this.n, shape[1]!];
  }

  /** y[b, t, f] = x[b, f] for t < n. */
  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<RepeatVectorCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    if (!(x instanceof Tensor)) throw new RnnkitError(API, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (x.rank !== 2) throw new RnnkitError(API, `expected input [batch, features], got ${formatShape(x.shape)}`);
    if (x.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} input (the layer's dtype), got ${x.dtype}`);
    const [batch, features] = x.shape as [number, number];
    const out = allocate(this.dtype, batch * this.n * features);
    for (let b = 0; b < batch; b++) {
      const row = x.data.subarray(b * features, (b + 1) * features);
      for (let t = 0; t < this.n; t++) out.set(row, (b * this.n + t) * features);
    }
    return { y: new Tensor(out, [batch, this.n, features]), cache: { inputShape: [batch, features] } };
  }

  /** ∂x[b, f] = Σ_t dy[b, t, f]. */
  backward(dy: Tensor, cache: RepeatVectorCache): Tensor {
    const [batch, features] = cache.inputShape;
    checkOutputGradient(API, dy, [batch, this.n, features]);
    if (dy.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} output gradient (the layer's dtype), got ${dy.dtype}`);
    const dx = allocate(this.dtype, batch * features);
    for (let b = 0; b < batch; b++) {
      for (let t = 0; t < this.n; t++) {
        const step = (b * this.n + t) * features;
        for (let f = 0; f < features; f++) dx[b * features + f]! += dy.data[step + f]!;
      }
    }
    return new Tensor(dx, cache.inputShape);
  }

  getConfig(): RepeatVectorConfig {
    return { name: this.name, n: this.n, dtype: this.dtype };
  }
}

/** Creates a {@link RepeatVector} layer: `repeatVector({ n: 10 })`. */
export function repeatVector(options: RepeatVectorOptions): RepeatVector {
  return new RepeatVector(options);
}
