import { type DType, RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import { type Activation, type ActivationName, getActivation } from './activations.js';
import { checkOptionKeys, checkSymbolicShape, describeValue, dtypeOption, formatSymbolic, nameOption } from './common.js';
import type { ForwardOptions, ForwardResult, Layer, LayerConfig, LayerStepper, SymbolicShape } from './layer.js';
import { WeightlessLayer } from './weightless-layer.js';
import { checkStepperArguments, statelessStepper } from './stepper.js';

const API = 'Activation';

/** Options of {@link ActivationLayer}. */
export interface ActivationLayerOptions {
  /** The function applied to every element (softmax: to each row of the last axis). */
  readonly activation: ActivationName | Activation;
  /** Element type of outputs. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'activation' */
  readonly name?: string;
}

/** The configuration of an {@link ActivationLayer}. */
export interface ActivationLayerConfig extends LayerConfig {
  readonly name: string;
  readonly activation: string;
  readonly dtype: DType;
}

/** What {@link ActivationLayer.forward} keeps for `backward`: the output (every activation's derivative is a function of it). */
export interface ActivationLayerCache {
  readonly y: Tensor;
}

const OPTION_KEYS = ['activation', 'dtype', 'name'] as const;

/**
 * Keras' `Activation` layer: `y = activation(x)`, no parameters, any input of rank ≥ 2
 * (`[batch, …, features]`). Element-wise activations act on every value; softmax
 * normalises each row of the last axis. Its class name is `"Activation"`, as in Keras and
 * saved files; the TypeScript name avoids a clash with the {@link Activation} function type.
 */
export class ActivationLayer extends WeightlessLayer implements Layer<ActivationLayerCache> {
  readonly className = 'Activation';
  readonly name: string;
  readonly dtype: DType;
  readonly activation: Activation;

  constructor(options: ActivationLayerOptions) {
    super(API);
    checkOptionKeys(API, options, OPTION_KEYS);
    if (options.activation === undefined) {
      throw new RnnkitError(API, 'activation is required, e.g. { activation: "relu" }');
    }
    this.activation = getActivation(options.activation, API, 'activation');
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'activation');
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): ActivationLayer {
    return new ActivationLayer(config as unknown as ActivationLayerOptions);
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length < 2) throw new RnnkitError(API, `expected an input shape [batch, …, features], got ${formatSymbolic(shape)}`);
    return [...shape];
  }

  /** A mask passes through unchanged: the layer acts on each step on its own. */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return mask;
  }

  forward(x: Tensor, _options?: ForwardOptions): ForwardResult<ActivationLayerCache> {
    const width = this.#checkInput(x, 'input');
    const out = allocate(this.dtype, x.size);
    // Row by row over the last axis, because softmax normalises each row as a whole.
    for (let offset = 0; width > 0 && offset < x.size; offset += width) this.activation.forward(x.data, offset, out, offset, width);
    const y = new Tensor(out, x.shape);
    return { y, cache: { y } };
  }

  backward(dy: Tensor, cache: ActivationLayerCache): Tensor {
    const { y } = cache;
    const width = this.#checkInput(dy, 'output gradient');
    if (formatShape(dy.shape) !== formatShape(y.shape)) {
      throw new RnnkitError(API, `expected an output gradient of shape ${formatShape(y.shape)}, got ${formatShape(dy.shape)}`);
    }
    // dx = dy ⊙ f′, as a vector–Jacobian product from the kept outputs (softmax per row).
    const dx = dy.data.slice();
    for (let offset = 0; width > 0 && offset < dx.length; offset += width) this.activation.backward(y.data, offset, dx, offset, width);
    return new Tensor(dx, dy.shape);
  }

  /** One time step of `batch` rows of `features` values: the activation of each row. */
  stepper(batch: number, features: number): LayerStepper {
    const rows = checkStepperArguments(API, batch, features);
    const activation = this.activation;
    return statelessStepper(features, features, (input, inputOffset, output, outputOffset) => {
      for (let r = 0; r < rows; r++) activation.forward(input, inputOffset + r * features, output, outputOffset + r * features, features);
    });
  }

  getConfig(): ActivationLayerConfig {
    return { name: this.name, activation: this.activation.name, dtype: this.dtype };
  }

  /** Checks a tensor's type, rank and dtype; returns the length of its last axis. */
  #checkInput(t: Tensor, what: string): number {
    if (!(t instanceof Tensor)) throw new RnnkitError(API, `expected the ${what} to be a Tensor, got ${describeValue(t)}`);
    if (t.rank < 2) throw new RnnkitError(API, `expected ${what} [batch, …, features], got ${formatShape(t.shape)}`);
    if (t.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} ${what} (the layer's dtype), got ${t.dtype}`);
    return t.shape[t.rank - 1]!;
  }
}

/** Creates an {@link ActivationLayer}: `activationLayer({ activation: 'relu' })`. */
export function activationLayer(options: ActivationLayerOptions): ActivationLayer {
  return new ActivationLayer(options);
}
