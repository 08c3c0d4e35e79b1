// The part every recurrent layer shares: options, parameters, shape checks, initial states,
// the batch-major ↔ time-major layout change, outputs and serialisation. The cell maths
// (forward time loop and backpropagation through time) lives in each layer's own file.
import {
  type DType,
  type InitializerSpec,
  type Random,
  type Shape,
  type TypedArray,
  Param,
  RnnkitError,
  Tensor,
  allocate,
  formatShape,
  sameShape,
} from '@rnnkit/tensor';
import { type Activation, type ActivationName, getActivation } from './activations.js';
import {
  type InitializerConfigValue,
  type ResolvedInitializer,
  initializerConfigOf,
  booleanOption,
  checkOptionKeys,
  allocateBlocks,
  checkSymbolicShape,
  describe,
  dtypeOption,
  formatSymbolic,
  initParam,
  initializerOption,
  nameOption,
  positiveInteger,
  setParamValues,
  swapLeadingAxes,
} from './common.js';
import type {
  BackwardOptions,
  BackwardResult,
  BuildOptions,
  ForwardOptions,
  ForwardResult,
  LayerConfig,
  RecurrentLayer,
  SymbolicShape,
} from './layer.js';

/** Options shared by {@link SimpleRNN}, {@link LSTM} and {@link GRU}. */
export interface RecurrentOptions {
  /** Length of the hidden state (and of each output step). */
  readonly units: number;
  /** Activation of the state update (LSTM: of the candidate and the cell output). @defaultValue 'tanh' */
  readonly activation?: ActivationName | Activation;
  /** Whether to add biases. @defaultValue true */
  readonly useBias?: boolean;
  /** Initialiser of the input kernel, by name (`'glorotNormal'`), config or function (anything `getInitializer` of `@rnnkit/tensor` resolves). @defaultValue 'glorotUniform' */
  readonly kernelInitializer?: InitializerSpec;
  /** Initialiser of the recurrent kernel. @defaultValue 'orthogonal' */
  readonly recurrentInitializer?: InitializerSpec;
  /** Initialiser of the bias. @defaultValue 'zeros' */
  readonly biasInitializer?: InitializerSpec;
  /** Output every step, `[batch, time, units]`, rather than the last, `[batch, units]`. @defaultValue false */
  readonly returnSequences?: boolean;
  /** Also return the final state(s) from `forward` (`states`), for chunked sequences or encoders. @defaultValue false */
  readonly returnState?: boolean;
  /** Element type of weights and outputs; `'float64'` for gradient checks. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue the class name in snake case, e.g. 'lstm' */
  readonly name?: string;
}

/** The configuration of a recurrent layer: its options with every default filled in. */
export interface RecurrentConfig extends LayerConfig {
  readonly name: string;
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerConfigValue;
  readonly recurrentInitializer: InitializerConfigValue;
  readonly biasInitializer: InitializerConfigValue;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly dtype: DType;
}

export const RECURRENT_OPTION_KEYS = [
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
  'returnSequences',
  'returnState',
  'dtype',
  'name',
] as const;

/** Sizes and the time-major input of one forward pass. */
export interface SequenceShape {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
}

/** What every cell's forward loop keeps: the hidden states `h_0 … h_T`, time-major `[T + 1, batch, units]`. */
export interface CellRun {
  readonly h: TypedArray;
}

/** What a recurrent layer's `forward` keeps for `backward`. */
export interface RecurrentCache<Run extends CellRun = CellRun> {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  /**
   * The input, time-major `[time, batch, features]`. For a batch of one (or one step) that
   * layout is the input's own, so this is then the input tensor's storage itself, as Dense
   * keeps its input: read it, never write it.
   */
  readonly x: TypedArray;
  /** Buffers of the cell's forward loop. */
  readonly run: Run;
  /** True when the learnable initial state supplied `h_0` (its gradient is then accumulated). */
  readonly initialFromParam: boolean;
}

/** Backward's reused internal buffers for one input shape. */
interface BackwardScratch {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  /** Output gradients, time-major (returnSequences only; empty otherwise). */
  readonly dhTime: TypedArray;
  /** The input gradient, time-major, when that differs from batch-major (empty otherwise). */
  readonly dxTime: TypedArray;
  /** Gradients of the final states, carried back through time. */
  readonly dState: TypedArray[];
}

/**
 * Base of the recurrent layers. A subclass supplies the number of gates, the cell's forward
 * loop and its backpropagation through time, all on time-major buffers so that the slice
 * of one time step is contiguous and can go straight into `gemm`.
 */
export abstract class Recurrent<Run extends CellRun> implements RecurrentLayer<RecurrentCache<Run>> {
  abstract readonly className: string;
  readonly name: string;
  readonly units: number;
  readonly dtype: DType;
  readonly activation: Activation;
  readonly useBias: boolean;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  /** Number of state tensors: 1 (`[h]`) or 2 (LSTM's `[h, c]`). */
  abstract readonly stateCount: number;
  protected readonly kernelInit: ResolvedInitializer;
  protected readonly recurrentInit: ResolvedInitializer;
  protected readonly biasInit: ResolvedInitializer;
  protected kernel: Param | null = null;
  protected recurrentKernel: Param | null = null;
  protected bias: Param | null = null;
  /** A learnable `h_0` of shape `[units]`, shared by every sequence of a batch (SimpleRNN option). */
  protected initialState: Param | null = null;
  protected inputFeatures = 0;
  /** Zero initial states of the last batch size, shared by every pass (cells only read them). */
  #zeroStates: { readonly size: number; readonly buffers: TypedArray[] } | null = null;
  /** Backward's internal buffers for the last input shape, reused (see `backwardScratch`). */
  #scratch: BackwardScratch | null = null;

  protected constructor(
    protected readonly api: string,
    options: RecurrentOptions,
    extraKeys: readonly string[],
    defaultName: string,
  ) {
    checkOptionKeys(api, options, [...RECURRENT_OPTION_KEYS, ...extraKeys]);
    this.units = positiveInteger(api, 'units', options.units);
    this.activation = getActivation(options.activation ?? 'tanh', api, 'activation');
    this.useBias = booleanOption(api, 'useBias', options.useBias, true);
    this.kernelInit = initializerOption(api, 'kernelInitializer', options.kernelInitializer, 'glorotUniform');
    this.recurrentInit = initializerOption(api, 'recurrentInitializer', options.recurrentInitializer, 'orthogonal');
    this.biasInit = initializerOption(api, 'biasInitializer', options.biasInitializer, 'zeros');
    this.returnSequences = booleanOption(api, 'returnSequences', options.returnSequences, false);
    this.returnState = booleanOption(api, 'returnState', options.returnState, false);
    this.dtype = dtypeOption(api, options.dtype);
    this.name = nameOption(api, options.name, defaultName);
  }

  /** Gate blocks in the kernels: 1 (SimpleRNN), 3 (GRU) or 4 (LSTM). */
  protected abstract readonly gateCount: number;

  /** Shape of the bias (GRU with `resetAfter` has two rows). */
  protected biasShape(): Shape {
    return [this.gateCount * this.units];
  }

  /** Hook for initial bias values beyond the initialiser (LSTM's unit forget bias). */
  protected adjustInitialBias(_bias: TypedArray): void {}

  /** Whether this layer has a learnable initial state. */
  protected get hasLearnableInitialState(): boolean {
    return false;
  }

  /**
   * Runs the cell over all time steps; `initial` holds the `stateCount` initial states, each
   * `[batch, units]`. `keep` is false for inference passes: a layer may then keep less, as
   * long as its `backward` can still run (by recomputing). Only read `initial` and `x`: the
   * zero states are shared between passes, and `x` may be the caller's input.
   */
  protected abstract forwardSteps(shape: SequenceShape, x: TypedArray, initial: readonly TypedArray[], keep: boolean): Run;

  /**
   * Backpropagation through time. `dhOut` is the gradient of the loss with respect to each
   * output `h_t` (time-major `[T, batch, units]`), or null when only the last step is an
   * output (its gradient is then already in `dState[0]`). `dState` enters holding the
   * gradients of the final states and must leave holding those of the initial states.
   * Writes the input gradient (time-major) into `dx` and adds parameter gradients.
   */
  protected abstract backwardSteps(
    shape: SequenceShape,
    x: TypedArray,
    run: Run,
    dhOut: TypedArray | null,
    dState: readonly TypedArray[],
    dx: TypedArray,
  ): void;

  /** The final state `stateIndex` (0: h) as a view into the run's buffers. */
  protected finalState(shape: SequenceShape, run: Run, _stateIndex: number): TypedArray {
    const size = shape.batch * this.units;
    return run.h.subarray(shape.time * size, (shape.time + 1) * size);
  }

  get built(): boolean {
    return this.kernel !== null;
  }

  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    const shape = checkSymbolicShape(this.api, inputShape);
    const features = shape[2];
    if (shape.length !== 3 || typeof features !== 'number') {
      throw new RnnkitError(
        this.api,
        `expected an input shape [batch, time, features] with known features, got ${formatSymbolic(shape)}`,
      );
    }
    if (this.kernel !== null) {
      if (features !== this.inputFeatures) {
        throw new RnnkitError(this.api, `already built for input [batch, time, ${this.inputFeatures}], got ${formatSymbolic(shape)}`);
      }
      return;
    }
    const width = this.gateCount * this.units;
    const dtype = this.dtype;
    const initialize = options.initialize !== false;
    const kernel = initParam(this.api, 'kernel', this.kernelInit.fn, [features, width], random, dtype, initialize);
    this.recurrentKernel = initParam(this.api, 'recurrentKernel', this.recurrentInit.fn, [this.units, width], random, dtype, initialize);
    if (this.useBias) {
      this.bias = initParam(this.api, 'bias', this.biasInit.fn, this.biasShape(), random, dtype, initialize);
      if (initialize) this.adjustInitialBias(this.bias.value.data);
    }
    if (this.hasLearnableInitialState) this.initialState = new Param('initialState', new Tensor(allocate(dtype, this.units), [this.units]));
    this.inputFeatures = features;
    this.kernel = kernel;
  }

  /** Keras' order: kernel, recurrent kernel, bias (then the learnable initial state, if any). */
  params(): Param[] {
    const list: Param[] = [];
    for (const p of [this.kernel, this.recurrentKernel, this.bias, this.initialState]) if (p !== null) list.push(p);
    return list;
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(this.api, inputShape);
    if (shape.length !== 3) {
      throw new RnnkitError(this.api, `expected an input shape [batch, time, features], got ${formatSymbolic(shape)}`);
    }
    if (this.built && shape[2] !== this.inputFeatures) {
      throw new RnnkitError(this.api, `expected input [batch, time, ${this.inputFeatures}], got ${formatSymbolic(shape)}`);
    }
    return this.returnSequences ? [shape[0]!, shape[1]!, this.units] : [shape[0]!, this.units];
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<RecurrentCache<Run>> {
    this.requireBuilt();
    checkOptionKeys(this.api, options, ['training', 'initialState']);
    if (!(x instanceof Tensor)) throw new RnnkitError(this.api, `expected the input to be a Tensor, got ${describe(x)}`);
    if (x.rank !== 3 || x.shape[2] !== this.inputFeatures) {
      throw new RnnkitError(this.api, `expected input [batch, time, ${this.inputFeatures}], got ${formatShape(x.shape)}`);
    }
    this.checkDType(x, 'input');
    const [batch, time, features] = x.shape as [number, number, number];
    const shape: SequenceShape = { batch, time, features };
    const units = this.units;

    const { initial, fromParam } = this.initialStates(batch, options.initialState);
    // Batch-major and time-major coincide for a batch of one (or one step): no copy then.
    let xTime = x.data;
    if (batch > 1 && time > 1) {
      xTime = allocate(this.dtype, x.size);
      swapLeadingAxes(x.data, batch, time, features, xTime);
    }
    const run = this.forwardSteps(shape, xTime, initial, options.training === true);

    let y: Tensor;
    if (this.returnSequences) {
      const out = allocate(this.dtype, batch * time * units);
      swapLeadingAxes(run.h.subarray(batch * units), time, batch, units, out);
      y = new Tensor(out, [batch, time, units]);
    } else {
      y = new Tensor(this.finalState(shape, run, 0).slice(), [batch, units]);
    }
    const cache: RecurrentCache<Run> = { batch, time, features, x: xTime, run, initialFromParam: fromParam };
    if (!this.returnState) return { y, cache };
    const states: Tensor[] = [];
    for (let s = 0; s < this.stateCount; s++) states.push(new Tensor(this.finalState(shape, run, s).slice(), [batch, units]));
    return { y, states, cache };
  }

  backward(dy: Tensor, cache: RecurrentCache<Run>, options?: BackwardOptions): Tensor {
    // The state gradients are not returned here, so they can live in reused buffers.
    return this.backwardPass(dy, cache, options ?? {}, false).dx;
  }

  backwardWithStates(dy: Tensor, cache: RecurrentCache<Run>, options: BackwardOptions = {}): BackwardResult {
    return this.backwardPass(dy, cache, options, true);
  }

  /** Backpropagation; `returnStates` false lets the state gradients use the reused buffers. */
  private backwardPass(
    dy: Tensor,
    cache: RecurrentCache<Run>,
    options: BackwardOptions,
    returnStates: boolean,
  ): BackwardResult {
    this.requireBuilt();
    checkOptionKeys(this.api, options, ['stateGrads']);
    const { batch, time, features } = cache;
    const units = this.units;
    const size = batch * units;
    const yShape = this.returnSequences ? [batch, time, units] : [batch, units];
    if (!(dy instanceof Tensor) || !sameShape(dy.shape, yShape)) {
      throw new RnnkitError(
        this.api,
        `expected an output gradient of shape ${formatShape(yShape)}, got ${dy instanceof Tensor ? formatShape(dy.shape) : describe(dy)}`,
      );
    }
    this.checkDType(dy, 'output gradient');

    // Gradients of the final states: given ones, plus dy itself when only h_T is output.
    const scratch = this.backwardScratch(batch, time, features);
    const dState: TypedArray[] = returnStates ? [] : scratch.dState;
    const given = options.stateGrads ?? [];
    if (!Array.isArray(given) || given.length > this.stateCount || (given.length > 0 && !this.returnState)) {
      throw new RnnkitError(
        this.api,
        this.returnState
          ? `stateGrads must list at most ${this.stateCount} tensors, got ${describe(given)}`
          : 'stateGrads needs a layer built with returnState: true',
      );
    }
    for (let s = 0; s < this.stateCount; s++) {
      let buffer: TypedArray;
      if (returnStates) {
        buffer = allocate(this.dtype, size);
        dState.push(buffer);
      } else {
        buffer = dState[s]!;
        buffer.fill(0);
      }
      const g = given[s];
      if (g !== undefined) {
        if (!(g instanceof Tensor) || !sameShape(g.shape, [batch, units])) {
          throw new RnnkitError(this.api, `stateGrads[${s}] must have shape ${formatShape([batch, units])}, got ${g instanceof Tensor ? formatShape(g.shape) : describe(g)}`);
        }
        this.checkDType(g, `stateGrads[${s}]`);
        buffer.set(g.data);
      }
    }
    // Time-major work buffers: the output gradients (returnSequences) and the input gradient,
    // which for a batch of one (or one step) is already in the input's layout.
    const dhTime = scratch.dhTime;
    const inPlace = batch === 1 || time === 1;
    const dx = allocate(this.dtype, time * batch * features);
    const dxTime = inPlace ? dx : scratch.dxTime;
    if (!inPlace) dxTime.fill(0);
    let dhOut: TypedArray | null = null;
    if (this.returnSequences) {
      dhOut = dhTime;
      swapLeadingAxes(dy.data, batch, time, units, dhOut);
    } else {
      const dh = dState[0]!;
      for (let i = 0; i < size; i++) dh[i]! += dy.data[i]!;
    }

    this.backwardSteps({ batch, time, features }, cache.x, cache.run, dhOut, dState, dxTime);
    if (!inPlace) swapLeadingAxes(dxTime, time, batch, features, dx);

    if (cache.initialFromParam && this.initialState !== null) {
      // h_0 was the learnable vector broadcast over the batch: its gradient is the batch sum.
      const grad = this.initialState.grad.data;
      const dh0 = dState[0]!;
      for (let b = 0; b < batch; b++) for (let k = 0; k < units; k++) grad[k]! += dh0[b * units + k]!;
    }
    return {
      dx: new Tensor(dx, [batch, time, features]),
      initialStateGrads: returnStates ? dState.map((d) => new Tensor(d, [batch, units])) : [],
    };
  }

  /**
   * Backward's internal buffers for this shape, kept from the previous call when the shape
   * is the same (a training loop's batches): they never leave the layer, and a pass over a
   * batch of one would otherwise spend more time allocating them than using them.
   */
  private backwardScratch(batch: number, time: number, features: number): BackwardScratch {
    const kept = this.#scratch;
    if (kept !== null && kept.batch === batch && kept.time === time && kept.features === features) return kept;
    const size = batch * this.units;
    const lengths = [this.returnSequences ? time * size : 0, batch > 1 && time > 1 ? time * batch * features : 0];
    for (let s = 0; s < this.stateCount; s++) lengths.push(size);
    const [dhTime, dxTime, ...dState] = allocateBlocks(this.dtype, lengths) as [TypedArray, TypedArray, ...TypedArray[]];
    const scratch: BackwardScratch = { batch, time, features, dhTime, dxTime, dState };
    this.#scratch = scratch;
    return scratch;
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.requireBuilt();
    setParamValues(this.api, this.params(), weights);
  }

  getConfig(): RecurrentConfig {
    return {
      name: this.name,
      units: this.units,
      activation: this.activation.name,
      useBias: this.useBias,
      kernelInitializer: initializerConfigOf(this.api, 'kernelInitializer', this.kernelInit),
      recurrentInitializer: initializerConfigOf(this.api, 'recurrentInitializer', this.recurrentInit),
      biasInitializer: initializerConfigOf(this.api, 'biasInitializer', this.biasInit),
      returnSequences: this.returnSequences,
      returnState: this.returnState,
      dtype: this.dtype,
    };
  }

  /** The parameters, once built (a cell's loops use these). */
  protected weights(): { kernel: Param; recurrentKernel: Param; bias: Param | null } {
    const kernel = this.requireBuilt();
    return { kernel, recurrentKernel: this.recurrentKernel!, bias: this.bias };
  }

  protected requireBuilt(): Param {
    if (this.kernel === null) {
      throw new RnnkitError(this.api, `layer "${this.name}" is not built; call build([batch, time, features], random) first`);
    }
    return this.kernel;
  }

  protected checkDType(t: Tensor, what: string): void {
    if (t.dtype !== this.dtype) {
      throw new RnnkitError(this.api, `expected a ${this.dtype} ${what} (the layer's dtype), got ${t.dtype}`);
    }
  }

  /** The initial states: given ones, the learnable one broadcast over the batch, or zeros. */
  private initialStates(
    batch: number,
    given: readonly Tensor[] | undefined,
  ): { initial: TypedArray[]; fromParam: boolean } {
    const size = batch * this.units;
    const names = this.stateCount === 2 ? '[h, c]' : '[h]';
    if (given !== undefined) {
      if (!Array.isArray(given) || given.length !== this.stateCount) {
        throw new RnnkitError(
          this.api,
          `initialState must be ${names}: ${this.stateCount} tensor${this.stateCount > 1 ? 's' : ''} of shape [batch, ${this.units}], got ${describe(given)}`,
        );
      }
      const initial = given.map((t, s) => {
        if (!(t instanceof Tensor) || !sameShape(t.shape, [batch, this.units])) {
          throw new RnnkitError(
            this.api,
            `initialState[${s}] must have shape ${formatShape([batch, this.units])}, got ${t instanceof Tensor ? formatShape(t.shape) : describe(t)}`,
          );
        }
        this.checkDType(t, `initialState[${s}]`);
        return t.data;
      });
      return { initial, fromParam: false };
    }
    if (this.initialState !== null) {
      const initial = allocateBlocks(this.dtype, this.stateCount === 2 ? [size, size] : [size]);
      const h0 = initial[0]!;
      for (let b = 0; b < batch; b++) h0.set(this.initialState.value.data, b * this.units);
      return { initial, fromParam: true };
    }
    // Zeros, never written (forwardSteps only reads `initial`): one set per batch size.
    let zeros = this.#zeroStates;
    if (zeros === null || zeros.size !== size) {
      zeros = { size, buffers: allocateBlocks(this.dtype, this.stateCount === 2 ? [size, size] : [size]) };
      this.#zeroStates = zeros;
    }
    return { initial: zeros.buffers, fromParam: false };
  }
}
