// What the built-in cells share besides their maths: the options every Keras recurrent cell
// has, the three parameters (kernel W, recurrent kernel U, bias b) in Keras' layout, building
// them, and reused per-step scratch rows.
import { type DType, type InitializerSpec, type Param, type Random, type Shape, type TypedArray, RnnkitError, allocate } from '@rnnkit/tensor';
import { type Activation, type ActivationName, getActivation } from '../activations.js';
import type { CellBuildOptions } from '../cell.js';
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
}

export const CELL_OPTION_KEYS = ['units', 'activation', 'useBias', 'kernelInitializer', 'recurrentInitializer', 'biasInitializer', 'dtype'] as const;

/** The configuration every built-in cell records (its options with the defaults filled in). */
export interface BaseCellConfig {
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerConfigValue;
  readonly recurrentInitializer: InitializerConfigValue;
  readonly biasInitializer: InitializerConfigValue;
  readonly dtype: DType;
  readonly [key: string]: unknown;
}

/** Base of the built-in cells: `gates` blocks of `units` columns in W `[features, gates·u]` and U `[u, gates·u]`. */
export abstract class GatedCell {
  readonly units: number;
  readonly dtype: DType;
  readonly activation: Activation;
  readonly useBias: boolean;
  protected readonly kernelInit: ResolvedInitializer;
  protected readonly recurrentInit: ResolvedInitializer;
  protected readonly biasInit: ResolvedInitializer;
  protected kernel: Param | null = null;
  protected recurrentKernel: Param | null = null;
  protected bias: Param | null = null;
  #features = 0;
  #scratch: TypedArray[] = [];

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

  protected baseConfig(): BaseCellConfig {
    return {
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: initializerConfigOf(this.api, 'kernelInitializer', this.kernelInit),
      recurrentInitializer: initializerConfigOf(this.api, 'recurrentInitializer', this.recurrentInit),
      biasInitializer: initializerConfigOf(this.api, 'biasInitializer', this.biasInit),
      dtype: this.dtype,
    };
  }
}
