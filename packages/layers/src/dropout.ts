import { type DType, Random, RnnkitError, Tensor, allocate, formatShape, type TypedArray } from '@rnnkit/tensor';
import { checkOptionKeys, checkSymbolicShape, describeValue, dtypeOption, formatSymbolic, nameOption } from './common.js';
import type { ForwardOptions, ForwardResult, Layer, LayerConfig, LayerStepper, SymbolicShape } from './layer.js';
import { WeightlessLayer } from './weightless-layer.js';
import { checkStepperArguments, statelessStepper } from './stepper.js';

const API = 'Dropout';

/** Options of {@link Dropout}. */
export interface DropoutOptions {
  /** Fraction of the inputs set to zero while training, in [0, 1). */
  readonly rate: number;
  /**
   * Seed of the layer's own generator of dropout masks, so training runs repeat exactly.
   * @defaultValue 0
   */
  readonly seed?: number;
  /** Element type of outputs. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'dropout' */
  readonly name?: string;
}

/** The configuration of a {@link Dropout} layer. */
export interface DropoutConfig extends LayerConfig {
  readonly name: string;
  readonly rate: number;
  readonly seed: number;
  readonly dtype: DType;
}

/** What {@link Dropout.forward} keeps: the mask's scale factors (0 or 1/(1 − rate)), or null at inference. */
export interface DropoutCache {
  readonly scale: TypedArray | null;
  readonly shape: readonly number[];
}

const OPTION_KEYS = ['rate', 'seed', 'dtype', 'name'] as const;

/**
 * Inverted dropout (Srivastava et al., 2014), as Keras' `Dropout`: at inference
 * (`forward(x)`) the identity; while training (`forward(x, { training: true })`) each
 * element is kept with probability 1 − rate and scaled by 1/(1 − rate), so expected
 * values are unchanged, and zeroed otherwise. The masks come from the layer's own
 * generator seeded by `seed` (each training forward draws a new mask); `backward` applies
 * the mask of its cache.
 */
export class Dropout extends WeightlessLayer implements Layer<DropoutCache> {
  readonly className = 'Dropout';
  readonly name: string;
  readonly dtype: DType;
  readonly rate: number;
  readonly seed: number;
  #random: Random;

  constructor(options: DropoutOptions) {
    super(API);
    checkOptionKeys(API, options, OPTION_KEYS);
    const { rate } = options;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) {
      throw new RnnkitError(API, `rate must be a number in [0, 1), got ${describeValue(rate)}`);
    }
    const seed = options.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new RnnkitError(API, `seed must be a finite number, got ${describeValue(seed)}`);
    }
    this.rate = rate;
    this.seed = seed;
    this.#random = new Random(seed);
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'dropout');
  }

  /** Rebuilds a layer from {@link getConfig}'s output (with a fresh mask generator). */
  static fromConfig(config: LayerConfig): Dropout {
    return new Dropout(config as unknown as DropoutOptions);
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length < 2) throw new RnnkitError(API, `expected an input shape [batch, …], got ${formatSymbolic(shape)}`);
    return [...shape];
  }

  /** A mask passes through unchanged: the layer acts on each step on its own. */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return mask;
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<DropoutCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    this.#check(x, 'input');
    if (options.training !== true || this.rate === 0) {
      return { y: x.clone(), cache: { scale: null, shape: x.shape } };
    }
    const keep = 1 / (1 - this.rate);
    const scale = allocate(this.dtype, x.size);
    const out = allocate(this.dtype, x.size);
    for (let i = 0; i < scale.length; i++) {
      const s = this.#random.uniform() < this.rate ? 0 : keep;
      scale[i] = s;
      out[i] = x.data[i]! * s;
    }
    return { y: new Tensor(out, x.shape), cache: { scale, shape: x.shape } };
  }

  backward(dy: Tensor, cache: DropoutCache): Tensor {
    this.#check(dy, 'output gradient');
    if (formatShape(dy.shape) !== formatShape(cache.shape)) {
      throw new RnnkitError(API, `expected an output gradient of shape ${formatShape(cache.shape)}, got ${formatShape(dy.shape)}`);
    }
    const { scale } = cache;
    if (scale === null) return dy.clone();
    // y = x ⊙ s, so dx = dy ⊙ s with the same mask.
    const dx = allocate(this.dtype, dy.size);
    for (let i = 0; i < dx.length; i++) dx[i] = dy.data[i]! * scale[i]!;
    return new Tensor(dx, dy.shape);
  }

  /** Streaming is inference, where dropout is the identity: a copy of each step's rows. */
  stepper(batch: number, features: number): LayerStepper {
    const size = checkStepperArguments(API, batch, features) * features;
    return statelessStepper(features, features, (input, inputOffset, output, outputOffset) => {
      for (let i = 0; i < size; i++) output[outputOffset + i] = input[inputOffset + i]!;
    });
  }

  getConfig(): DropoutConfig {
    return { name: this.name, rate: this.rate, seed: this.seed, dtype: this.dtype };
  }

  #check(t: Tensor, what: string): void {
    if (!(t instanceof Tensor)) throw new RnnkitError(API, `expected the ${what} to be a Tensor, got ${describeValue(t)}`);
    if (t.rank < 2) throw new RnnkitError(API, `expected ${what} [batch, …], got ${formatShape(t.shape)}`);
    if (t.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} ${what} (the layer's dtype), got ${t.dtype}`);
  }
}

/** Creates a {@link Dropout} layer: `dropout({ rate: 0.2 })`. */
export function dropout(options: DropoutOptions): Dropout {
  return new Dropout(options);
}
