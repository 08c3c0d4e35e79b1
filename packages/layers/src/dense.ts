import { type DType, type InitializerSpec, type Random, type TypedArray, Param, RnnkitError, Tensor, allocate, formatShape, gemm } from '@rnnkit/tensor';
import { type Activation, type ActivationName, getActivation } from './activations.js';
import {
  type InitializerConfigValue,
  type ResolvedInitializer,
  initializerConfigOf,
  booleanOption,
  checkOptionKeys,
  checkOutputGradient,
  checkSymbolicShape,
  describeValue,
  dtypeOption,
  formatSymbolic,
  initParam,
  initializerOption,
  nameOption,
  positiveInteger,
  setParamValues,
  addBiasRows,
  addColumnSums,
} from './common.js';
import type { BuildOptions, ForwardOptions, ForwardResult, Layer, LayerConfig, LayerStepper, SymbolicShape } from './layer.js';
import { checkStepperArguments, statelessStepper } from './stepper.js';

const API = 'Dense';

/** Options of {@link Dense}. */
export interface DenseOptions {
  /** Number of output features. */
  readonly units: number;
  /** Applied to `xW + b`, by name or as an {@link Activation}. @defaultValue 'linear' */
  readonly activation?: ActivationName | Activation;
  /** Whether to add a bias. @defaultValue true */
  readonly useBias?: boolean;
  /** Initialiser of the kernel, by name (`'glorotNormal'`), config or function (anything `getInitializer` of `@rnnkit/tensor` resolves). @defaultValue 'glorotUniform' */
  readonly kernelInitializer?: InitializerSpec;
  /** Initialiser of the bias. @defaultValue 'zeros' */
  readonly biasInitializer?: InitializerSpec;
  /** Element type of weights and outputs; `'float64'` for gradient checks. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'dense' */
  readonly name?: string;
}

/** The configuration of a {@link Dense} layer: its options with every default filled in. */
export interface DenseConfig extends LayerConfig {
  readonly name: string;
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerConfigValue;
  readonly biasInitializer: InitializerConfigValue;
  readonly dtype: DType;
}

/** What {@link Dense.forward} keeps for the backward pass. */
export interface DenseCache {
  /** The input, as given (its storage is read again by `backward`). */
  readonly x: Tensor;
  /** The output after the activation. */
  readonly y: Tensor;
}

const OPTION_KEYS = ['units', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'dtype', 'name'] as const;

/**
 * A fully connected layer, `y = activation(x·W + b)`, applied to the last axis: it maps
 * `[batch, features]` to `[batch, units]` and `[batch, time, features]` to
 * `[batch, time, units]` (every time step with the same weights, like Keras' Dense).
 * Weights in Keras' order: kernel `[features, units]`, bias `[units]`.
 */
export class Dense implements Layer<DenseCache> {
  readonly className = 'Dense';
  readonly name: string;
  readonly units: number;
  readonly dtype: DType;
  readonly activation: Activation;
  readonly useBias: boolean;
  #kernelInit: ResolvedInitializer;
  #biasInit: ResolvedInitializer;
  #kernel: Param | null = null;
  #bias: Param | null = null;
  #inputFeatures = 0;
  /** Backward's ∂L/∂z, reused between calls. */
  #dz: TypedArray | null = null;

  constructor(options: DenseOptions) {
    checkOptionKeys(API, options, OPTION_KEYS);
    this.units = positiveInteger(API, 'units', options.units);
    this.activation = getActivation(options.activation ?? 'linear', API, 'activation');
    this.useBias = booleanOption(API, 'useBias', options.useBias, true);
    this.#kernelInit = initializerOption(API, 'kernelInitializer', options.kernelInitializer, 'glorotUniform');
    this.#biasInit = initializerOption(API, 'biasInitializer', options.biasInitializer, 'zeros');
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'dense');
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): Dense {
    return new Dense(config as unknown as DenseOptions);
  }

  get built(): boolean {
    return this.#kernel !== null;
  }

  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    const shape = checkSymbolicShape(API, inputShape);
    const features = shape[shape.length - 1];
    if (shape.length < 2 || typeof features !== 'number') {
      throw new RnnkitError(API, `expected an input shape [batch, …, features] with known features, got ${formatSymbolic(shape)}`);
    }
    if (this.#kernel !== null) {
      if (features !== this.#inputFeatures) {
        throw new RnnkitError(API, `already built for ${this.#inputFeatures} input features, got shape ${formatSymbolic(shape)}`);
      }
      return;
    }
    const initialize = options.initialize !== false;
    const kernel = initParam(API, 'kernel', this.#kernelInit.fn, [features, this.units], random, this.dtype, initialize);
    this.#bias = this.useBias ? initParam(API, 'bias', this.#biasInit.fn, [this.units], random, this.dtype, initialize) : null;
    this.#inputFeatures = features;
    this.#kernel = kernel;
  }

  params(): Param[] {
    if (this.#kernel === null) return [];
    return this.#bias === null ? [this.#kernel] : [this.#kernel, this.#bias];
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length < 2) throw new RnnkitError(API, `expected an input shape [batch, …, features], got ${formatSymbolic(shape)}`);
    if (this.built) this.#checkFeatures(shape[shape.length - 1] ?? null, shape);
    return [...shape.slice(0, -1), this.units];
  }

  /** A mask passes through unchanged: the layer acts on each step on its own. */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return mask;
  }

  forward(x: Tensor, _options?: ForwardOptions): ForwardResult<DenseCache> {
    const kernel = this.#requireBuilt();
    if (!(x instanceof Tensor)) throw new RnnkitError(API, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (x.rank < 2) throw new RnnkitError(API, `expected input [batch, …, ${this.#inputFeatures}], got ${formatShape(x.shape)}`);
    this.#checkFeatures(x.shape[x.rank - 1]!, x.shape);
    this.#checkDType(x, 'input');
    const features = this.#inputFeatures;
    const units = this.units;
    const rows = x.size / features;
    const out = allocate(this.dtype, rows * units);
    // z = x·W + b over every leading index at once, then the activation row by row
    // (row by row because softmax normalises each row).
    gemm(false, false, rows, units, features, x.data, 0, kernel.value.data, 0, 0, out, 0);
    if (this.#bias !== null) addBiasRows(out, 0, rows, units, this.#bias.value.data, 0);
    for (let r = 0; r < rows; r++) this.activation.forward(out, r * units, out, r * units, units);
    const y = new Tensor(out, [...x.shape.slice(0, -1), units]);
    return { y, cache: { x, y } };
  }

  backward(dy: Tensor, cache: DenseCache): Tensor {
    const kernel = this.#requireBuilt();
    const { x, y } = cache;
    checkOutputGradient(API, dy, y.shape);
    this.#checkDType(dy, 'output gradient');
    const features = this.#inputFeatures;
    const units = this.units;
    const rows = x.size / features;
    // dz = dy ⊙ activation′, from the kept outputs, in a buffer kept between calls (it never
    // leaves the layer; allocating it costs more than the work for small batches).
    let dz = this.#dz;
    if (dz === null || dz.length !== dy.size) dz = this.#dz = allocate(this.dtype, dy.size);
    dz.set(dy.data);
    for (let r = 0; r < rows; r++) this.activation.backward(y.data, r * units, dz, r * units, units);
    // dW += xᵀ·dz, db += Σ_rows dz, dx = dz·Wᵀ.
    gemm(true, false, features, units, rows, x.data, 0, dz, 0, 1, kernel.grad.data, 0);
    if (this.#bias !== null) addColumnSums(dz, 0, rows, units, this.#bias.grad.data, 0);
    const dx = allocate(this.dtype, x.size);
    gemm(false, true, rows, features, units, dz, 0, kernel.value.data, 0, 0, dx, 0);
    return new Tensor(dx, x.shape);
  }

  /** One time step of `batch` rows: `forward` on `[batch, features]`, into the caller's buffer. */
  stepper(batch: number, features: number): LayerStepper {
    const kernel = this.#requireBuilt();
    const rows = checkStepperArguments(API, batch, features, this.#inputFeatures);
    const units = this.units, bias = this.#bias, activation = this.activation;
    return statelessStepper(features, units, (input, inputOffset, output, outputOffset) => {
      gemm(false, false, rows, units, features, input, inputOffset, kernel.value.data, 0, 0, output, outputOffset);
      if (bias !== null) addBiasRows(output, outputOffset, rows, units, bias.value.data, 0);
      for (let r = 0; r < rows; r++) activation.forward(output, outputOffset + r * units, output, outputOffset + r * units, units);
    });
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.#requireBuilt();
    setParamValues(API, this.params(), weights);
  }

  getConfig(): DenseConfig {
    return {
      name: this.name,
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: initializerConfigOf(API, 'kernelInitializer', this.#kernelInit),
      biasInitializer: initializerConfigOf(API, 'biasInitializer', this.#biasInit),
      dtype: this.dtype,
    };
  }

  #requireBuilt(): Param {
    if (this.#kernel === null) {
      throw new RnnkitError(API, `layer "${this.name}" is not built; call build([batch, features], random) first`);
    }
    return this.#kernel;
  }

  /** `shape` is formatted only when the check fails (forward runs this every call). */
  #checkFeatures(features: number | null, shape: SymbolicShape): void {
    if (features !== this.#inputFeatures) {
      throw new RnnkitError(API, `expected input [batch, …, ${this.#inputFeatures}], got ${formatSymbolic(shape)}`);
    }
  }

  #checkDType(t: Tensor, what: string): void {
    if (t.dtype !== this.dtype) {
      throw new RnnkitError(API, `expected a ${this.dtype} ${what} (the layer's dtype), got ${t.dtype}`);
    }
  }
}

/** Creates a {@link Dense} layer: `dense({ units: 1 })`. */
export function dense(options: DenseOptions): Dense {
  return new Dense(options);
}
