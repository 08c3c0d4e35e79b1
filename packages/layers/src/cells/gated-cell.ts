// What the built-in cells share besides their maths: the options every Keras recurrent cell
// has, the three parameters (kernel W, recurrent kernel U, bias b) in Keras' layout, building
// them, reused per-step scratch rows, and the products x·W and h·U with their gradients —
// each gate's own dropout masks applied while a training pass has them (cell-dropout.ts).
import { type DType, type InitializerSpec, type Param, type Random, type Shape, type TypedArray, RnnkitError, allocate, gemm } from '@rnnkit/tensor';
import { type Activation, type ActivationName, getActivation } from '../activations.js';
import type { CellBuildOptions, DropoutMasks } from '../cell.js';
import {
  type InitializerConfigValue,
  type ResolvedInitializer,
  booleanOption,
  dtypeOption,
  initParam,
  initializerConfigOf,
  initializerOption,
  positiveInteger,
} from '../common.js';
import { type GateProduct, GateProducts, drawDropoutMasks, dropoutRate } from './cell-dropout.js';

/** Options every built-in cell takes. */
export interface CellOptions {
  /** Length of the hidden state (and of each output step). */
  readonly units: number;
  /** Activation of the state update (LSTM: of the candidate and the cell output). @defaultValue 'tanh' */
  readonly activation?: ActivationName | Activation;
  /** Whether to add biases. @defaultValue true */
  readonly useBias?: boolean;
  /** Initialiser of the input kernel (anything `getInitializer` of `@rnnkit/tensor` resolves). @defaultValue 'glorotUniform' */
  readonly kernelInitializer?: InitializerSpec;
  /** Initialiser of the recurrent kernel. @defaultValue 'orthogonal' */
  readonly recurrentInitializer?: InitializerSpec;
  /** Initialiser of the bias. @defaultValue 'zeros' */
  readonly biasInitializer?: InitializerSpec;
  /** Element type of parameters and buffers; `'float64'` for gradient checks. @defaultValue 'float32' */
  readonly dtype?: DType;
  /**
   * Fraction of the inputs x_t dropped while training (`forward(x, { training: true })`), in
   * [0, 1): each gate gets its own mask per sequence, fixed over the time steps of a pass,
   * kept entries scaled by 1/(1 − rate). The identity at inference.
   * @defaultValue 0
   */
  readonly dropout?: number;
  /** As `dropout`, for the recurrent state h_{t−1} that enters each gate. @defaultValue 0 */
  readonly recurrentDropout?: number;
}

export const CELL_OPTION_KEYS = [
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
  'dtype',
  'dropout',
  'recurrentDropout',
] as const;

/** The configuration every built-in cell records (its options with the defaults filled in). */
export interface BaseCellConfig {
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerConfigValue;
  readonly recurrentInitializer: InitializerConfigValue;
  readonly biasInitializer: InitializerConfigValue;
  readonly dtype: DType;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly [key: string]: unknown;
}

/** Base of the built-in cells: `gates` blocks of `units` columns in W `[features, gates·u]` and U `[u, gates·u]`. */
export abstract class GatedCell {
  readonly units: number;
  readonly dtype: DType;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** The masks of the current training pass (set by the recurrent layer), else null. */
  dropoutMasks: DropoutMasks | null = null;
  protected readonly kernelInit: ResolvedInitializer;
  protected readonly recurrentInit: ResolvedInitializer;
  protected readonly biasInit: ResolvedInitializer;
  protected kernel: Param | null = null;
  protected recurrentKernel: Param | null = null;
  protected bias: Param | null = null;
  #features = 0;
  #scratch: TypedArray[] = [];
  #products: GateProducts;

  protected constructor(
    protected readonly api: string,
    options: CellOptions,
    private readonly gates: number,
  ) {
    this.units = positiveInteger(api, 'units', options.units);
    this.activation = getActivation(options.activation ?? 'tanh', api, 'activation');
    this.useBias = booleanOption(api, 'useBias', options.useBias, true);
    this.kernelInit = initializerOption(api, 'kernelInitializer', options.kernelInitializer, 'glorotUniform');
    this.recurrentInit = initializerOption(api, 'recurrentInitializer', options.recurrentInitializer, 'orthogonal');
    this.biasInit = initializerOption(api, 'biasInitializer', options.biasInitializer, 'zeros');
    this.dtype = dtypeOption(api, options.dtype);
    this.dropout = dropoutRate(api, 'dropout', options.dropout);
    this.recurrentDropout = dropoutRate(api, 'recurrentDropout', options.recurrentDropout);
    this.#products = new GateProducts(this.dtype);
  }

  get built(): boolean {
    return this.kernel !== null;
  }

  get features(): number {
    return this.#features;
  }

  /** Shape of the bias (GRU with `resetAfter` has two rows). */
  protected biasShape(): Shape {
    return [this.gates * this.units];
  }

  /** Hook for initial bias values beyond the initialiser (LSTM's unit forget bias). */
  protected adjustInitialBias(_bias: TypedArray): void {}

  build(features: number, random: Random, options: CellBuildOptions = {}): void {
    positiveInteger(this.api, 'features', features);
    if (this.kernel !== null) {
      if (features !== this.#features) throw new RnnkitError(this.api, `already built for ${this.#features} features, got ${features}`);
      return;
    }
    const width = this.gates * this.units;
    const initialize = options.initialize !== false;
    const kernel = initParam(this.api, 'kernel', this.kernelInit.fn, [features, width], random, this.dtype, initialize);
    this.recurrentKernel = initParam(this.api, 'recurrentKernel', this.recurrentInit.fn, [this.units, width], random, this.dtype, initialize);
    if (this.useBias) {
      this.bias = initParam(this.api, 'bias', this.biasInit.fn, this.biasShape(), random, this.dtype, initialize);
      if (initialize) this.adjustInitialBias(this.bias.value.data);
    }
    this.#features = features;
    this.kernel = kernel;
  }

  /** Keras' order: kernel, recurrent kernel, bias. */
  params(): Param[] {
    const list: Param[] = [];
    for (const p of [this.kernel, this.recurrentKernel, this.bias]) if (p !== null) list.push(p);
    return list;
  }

  /** The kernel W (once built). */
  get kernelParam(): Param {
    return this.kernel ?? this.notBuilt();
  }

  /** The recurrent kernel U (once built). */
  get recurrentKernelParam(): Param {
    return this.recurrentKernel ?? this.notBuilt();
  }

  /** The bias, or null (useBias false, or not built). */
  get biasParam(): Param | null {
    return this.bias;
  }

  private notBuilt(): never {
    throw new RnnkitError(this.api, 'the cell is not built; call build(features, random) first');
  }

  /**
   * Scratch buffer number `slot` of at least `length` elements, reused from pass to pass: for
   * values a step uses and drops (a step never allocates). Contents are left over.
   */
  scratch(slot: number, length: number): TypedArray {
    let buffer = this.#scratch[slot];
    if (buffer === undefined || buffer.length < length) {
      buffer = allocate(this.dtype, length);
      this.#scratch[slot] = buffer;
    }
    return buffer;
  }

  /** One input mask and one recurrent mask per gate block, for `batch` sequences (null: no dropout). */
  drawDropoutMasks(batch: number, random: Random): DropoutMasks | null {
    const shape = { gates: this.gates, batch, features: this.features, units: this.units };
    return drawDropoutMasks(random, this.dtype, shape, this.dropout, this.recurrentDropout);
  }

  /** c (=|+=) x·W over `rows` rows of whole steps; while training with dropout, (x ⊙ m_g)·W_g per gate. */
  protected inputProduct(rows: number, batch: number, x: TypedArray, beta: 0 | 1, c: TypedArray, cOffset: number): void {
    const w = this.kernelParam.value.data, masks = this.dropoutMasks?.input ?? null;
    if (masks === null) gemm(false, false, rows, this.gates * this.units, this.features, x, 0, w, 0, beta, c, cOffset);
    else this.#products.forward(this.#gateProduct(rows, batch, this.features, masks), x, 0, w, beta, c, cOffset);
  }

  /** c (=|+=) h_{t−1}·U for one step's `batch` rows; while training with recurrent dropout, (h_{t−1} ⊙ n_g)·U_g per gate. */
  protected recurrentProduct(batch: number, h: TypedArray, hOffset: number, beta: 0 | 1, c: TypedArray, cOffset: number): void {
    const u = this.units, U = this.recurrentKernelParam.value.data, masks = this.dropoutMasks?.recurrent ?? null;
    if (masks === null) gemm(false, false, batch, this.gates * u, u, h, hOffset, U, 0, beta, c, cOffset);
    else this.#products.forward(this.#gateProduct(batch, batch, u, masks), h, hOffset, U, beta, c, cOffset);
  }

  /** ∂X = ∂Z·Wᵀ over `rows` rows of whole steps (through the input masks, if any). */
  protected inputGradient(rows: number, batch: number, dz: TypedArray, dx: TypedArray): void {
    const w = this.kernelParam.value.data, masks = this.dropoutMasks?.input ?? null;
    if (masks === null) gemm(false, true, rows, this.features, this.gates * this.units, dz, 0, w, 0, 0, dx, 0);
    else this.#products.backward(this.#gateProduct(rows, batch, this.features, masks), dz, 0, w, 0, dx, 0);
  }

  /** ∂h_{t−1} (=|+=) ∂z_t·Uᵀ for one step's `batch` rows (through the recurrent masks, if any). */
  protected recurrentGradient(batch: number, dz: TypedArray, dzOffset: number, beta: 0 | 1, dh: TypedArray): void {
    const u = this.units, U = this.recurrentKernelParam.value.data, masks = this.dropoutMasks?.recurrent ?? null;
    if (masks === null) gemm(false, true, batch, u, this.gates * u, dz, dzOffset, U, 0, beta, dh, 0);
    else this.#products.backward(this.#gateProduct(batch, batch, u, masks), dz, dzOffset, U, beta, dh, 0);
  }

  /** ∂W += Xᵀ·∂Z over `rows` rows of whole steps (the masked inputs, if any). */
  protected kernelGradient(rows: number, batch: number, x: TypedArray, dz: TypedArray): void {
    const dW = this.kernelParam.grad.data, masks = this.dropoutMasks?.input ?? null;
    if (masks === null) gemm(true, false, this.features, this.gates * this.units, rows, x, 0, dz, 0, 1, dW, 0);
    else this.#products.weightGradient(this.#gateProduct(rows, batch, this.features, masks), x, 0, dz, 0, dW);
  }

  /** ∂U += H_{0…T−1}ᵀ·∂Z over `rows` rows of whole steps (the masked states, if any). */
  protected recurrentKernelGradient(rows: number, batch: number, h: TypedArray, dz: TypedArray): void {
    const u = this.units, dU = this.recurrentKernelParam.grad.data, masks = this.dropoutMasks?.recurrent ?? null;
    if (masks === null) gemm(true, false, u, this.gates * u, rows, h, 0, dz, 0, 1, dU, 0);
    else this.#products.weightGradient(this.#gateProduct(rows, batch, u, masks), h, 0, dz, 0, dU);
  }

  /** @internal The masked products, for the GRU's split recurrent kernel (gru-reset-before.ts). */
  get gateProducts(): GateProducts {
    return this.#products;
  }

  #gateProduct(rows: number, batch: number, n: number, masks: TypedArray): GateProduct {
    return { rows, batch, n, u: this.units, gates: this.gates, masks, first: 0 };
  }

  protected baseConfig(): BaseCellConfig {
    return {
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: initializerConfigOf(this.api, 'kernelInitializer', this.kernelInit),
      recurrentInitializer: initializerConfigOf(this.api, 'recurrentInitializer', this.recurrentInit),
      biasInitializer: initializerConfigOf(this.api, 'biasInitializer', this.biasInit),
      dtype: this.dtype,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
    };
  }
}
