// Keras' Flatten: `[batch, …]` to `[batch, product of the rest]`, the values in the same
// (row-major) order; backward gives the gradient the input's shape back.
import { type DType, RnnkitError, Tensor, formatShape } from '@rnnkit/tensor';
import { checkOptionKeys, checkOutputGradient, checkSymbolicShape, describeValue, dtypeOption, formatSymbolic, nameOption } from './common.js';
import type { ForwardOptions, ForwardResult, Layer, LayerConfig, SymbolicShape } from './layer.js';
import { WeightlessLayer } from './weightless-layer.js';

const API = 'Flatten';

/** Options of {@link Flatten}. */
export interface FlattenOptions {
  /** Element type of outputs. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'flatten' */
  readonly name?: string;
}

/** The configuration of a {@link Flatten} layer. */
export interface FlattenConfig extends LayerConfig {
  readonly name: string;
  readonly dtype: DType;
}

/** What {@link Flatten.forward} keeps: the input's shape. */
export interface FlattenCache {
  readonly inputShape: readonly number[];
}

const OPTION_KEYS = ['dtype', 'name'] as const;

/** Keras' `Flatten()`: `[batch, d1, d2, …]` to `[batch, d1·d2·…]`; no parameters. */
export class Flatten extends WeightlessLayer implements Layer<FlattenCache> {
  readonly className = 'Flatten';
  readonly name: string;
  readonly dtype: DType;

  constructor(options: FlattenOptions = {}) {
    super(API);
    checkOptionKeys(API, options, OPTION_KEYS);
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'flatten');
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): Flatten {
    return new Flatten(config as unknown as FlattenOptions);
  }

  /** `[batch, product]`; every length after the batch must be known (as in Keras and TF.js). */
  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length < 2) throw new RnnkitError(API, `expected an input shape [batch, …], got ${formatSymbolic(shape)}`);
    const rest = shape.slice(1);
    if (rest.some((d) => d === null)) {
      throw new RnnkitError(API, `every length after the batch must be known to flatten, got ${formatSymbolic(shape)} (give the model a fixed inputShape)`);
    }
    return [shape[0]!, (rest as number[]).reduce((a, b) => a * b, 1)];
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<FlattenCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    if (!(x instanceof Tensor)) throw new RnnkitError(API, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (x.rank < 2) throw new RnnkitError(API, `expected input [batch, …], got ${formatShape(x.shape)}`);
    if (x.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} input (the layer's dtype), got ${x.dtype}`);
    const batch = x.shape[0]!;
    return { y: new Tensor(x.data.slice(), [batch, batch === 0 ? 0 : x.size / batch]), cache: { inputShape: x.shape } };
  }

  /** The output gradient in the input's shape. */
  backward(dy: Tensor, cache: FlattenCache): Tensor {
    const batch = cache.inputShape[0]!;
    const size = cache.inputShape.reduce((a, b) => a * b, 1);
    const expected = [batch, batch === 0 ? 0 : size / batch];
    checkOutputGradient(API, dy, expected);
    if (dy.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} output gradient (the layer's dtype), got ${dy.dtype}`);
    return new Tensor(dy.data.slice(), cache.inputShape);
  }

  getConfig(): FlattenConfig {
    return { name: this.name, dtype: this.dtype };
  }
}

/** Creates a {@link Flatten} layer. */
export function flatten(options?: FlattenOptions): Flatten {
  return new Flatten(options);
}
