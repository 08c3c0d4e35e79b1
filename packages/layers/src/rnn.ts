// The generic recurrent layer: runs any RecurrentCell over [batch, time, features] inputs and
// owns everything that is not cell maths — shape and dtype checks, the batch-major ↔
// time-major layout change, initial states (given, learnable or zero) and their gradients,
// returnSequences/returnState, the buffers of a pass, the backend's fused passes and the
// cell's dropout masks (rnn-dropout.ts).
import {
  type DType,
  type Random,
  type TypedArray,
  Param,
  RnnkitError,
  Tensor,
  allocate,
  formatShape,
  sameShape,
} from '@rnnkit/tensor';
import type { BackwardSteps, CellConfig, DropoutMasks, ForwardSteps, RecurrentCell } from './cell.js';
import {
  allocateBlocks,
  booleanOption,
  checkOptionKeys,
  checkOutputGradient,
  checkSymbolicShape,
  describeValue,
  formatSymbolic,
  nameOption,
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
import { findPass, isCell } from './rnn-lookup.js';
import { type BackwardScratch, type InitialStateSource, backwardScratch, layoutDiffers, setInitialStates, timeMajorInput, toBatchMajor } from './rnn-buffers.js';
import { DropoutMaskSource, withDropoutMasks } from './rnn-dropout.js';
import {
  afterMaskedBackStep,
  beforeMaskedBackStep,
  carryMaskedStates,
  maskedBackward,
  maskedOutputs,
  maskedPassGradients,
  processingMask,
} from './rnn-mask.js';
import { type StatefulConfig, type StatefulOptions, StatefulRecurrentLayer } from './rnn-stateful.js';

/** Options of {@link RNN}. */
export interface RNNOptions extends StatefulOptions {
  /** The cell run at every step; it fixes the units, the states and the dtype. */
  readonly cell: RecurrentCell;
  /** Output every step, `[batch, time, units]`, rather than the last, `[batch, units]`. @defaultValue false */
  readonly returnSequences?: boolean;
  /** Also return the final state(s) from `forward` (`states`), for chunked sequences or encoders. @defaultValue false */
  readonly returnState?: boolean;
  /**
   * Learn the initial states (parameters starting at zero, shared by every sequence of a
   * batch): `initialState` for state 0 (`[units]`) and `initialState_<name>` for the others
   * (e.g. `initialState_c`). An `initialState` passed to `forward` still takes precedence.
   * @defaultValue false
   */
  readonly learnableInitialState?: boolean;
  /**
   * Process the sequence from its last step to its first (Keras' `go_backwards`): with
   * returnSequences the output steps come in that processing order, reversed in time.
   * @defaultValue false
   */
  readonly goBackwards?: boolean;
  /**
   * Seed of the layer's own generator of dropout masks (for a cell with `dropout` or
   * `recurrentDropout`). @defaultValue one drawn from the model's generator at build
   */
  readonly seed?: number;
  /** Instance name. @defaultValue 'rnn' */
  readonly name?: string;
}

/** The configuration of an {@link RNN}: the layer options and the cell's own configuration. */
export interface RNNConfig extends LayerConfig, StatefulConfig {
  readonly name: string;
  readonly cell: { readonly kind: string; readonly config: CellConfig };
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly learnableInitialState: boolean;
  readonly goBackwards: boolean;
  /** The seed of the dropout masks, when given or drawn at build. */
  readonly seed?: number;
}

/** What a recurrent layer's `forward` keeps for `backward`. */
export interface RNNCache {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  /**
   * The input, time-major `[time, batch, features]`, steps in processing order (reversed
   * with goBackwards). For a batch of one (or one step) read forwards that layout is the
   * input's own, so this is then the input tensor's storage itself, as Dense keeps its
   * input: read it, never write it.
   */
  readonly x: TypedArray;
  /** The state histories `[T + 1, batch, size]`, slot 0 holding the initial states. */
  readonly states: readonly TypedArray[];
  /** The cell's kept buffers `[T, batch, size]` (empty after an inference pass of a fused kernel). */
  kept: readonly TypedArray[];
  /**
   * False after an inference pass (`training` not set) of a backend's fused pass: only h and
   * the final states were written, and the first `backward` runs the forward pass again
   * (from the same initial states, kept in slot 0) to fill in the rest.
   */
  complete: boolean;
  /** True when the learnable initial states supplied slot 0 (their gradients are then accumulated). */
  readonly initialFromParam: boolean;
  /** The mask in processing order, time-major (1: the step counts), or null when every step counts. */
  readonly valid: Uint8Array | null;
  /** The cell's dropout masks of a training pass (the same in backward), or null. */
  readonly dropoutMasks: DropoutMasks | null;
}

/** Who is speaking in errors, and the default instance name (subclasses pass their own). */
export interface RNNIdentity {
  readonly api: string;
  readonly defaultName: string;
}

const OPTION_KEYS = ['cell', 'returnSequences', 'returnState', 'learnableInitialState', 'goBackwards', 'stateful', 'seed', 'name'];

/**
 * The generic recurrent layer: `new RNN({ cell: lstmCell({ units: 32 }) })`. It runs the
 * cell's `step` over the time axis (t = 0 … T − 1) and its `backStep` back (T − 1 … 0), or a
 * backend's fused {@link RecurrentPass} for the cell when there is one. Every buffer of a
 * pass is allocated once, before the time loop.
 */
export class RNN extends StatefulRecurrentLayer implements RecurrentLayer<RNNCache> {
  readonly className: string = 'RNN';
  readonly name: string;
  readonly cell: RecurrentCell;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly learnableInitialState: boolean;
  readonly goBackwards: boolean;
  protected readonly api: string;
  /** Learnable initial states, one per cell state (learnableInitialState only). */
  #initialStates: Param[] = [];
  #built = false;
  /** Backward's internal buffers for the last input shape, reused (see `backwardScratch`). */
  #scratch: BackwardScratch | null = null;
  readonly #dropout: DropoutMaskSource;

  constructor(options: RNNOptions, identity: RNNIdentity = { api: 'RNN', defaultName: 'rnn' }) {
    super(identity.api, options);
    const api = identity.api;
    this.api = api;
    checkOptionKeys(api, options, OPTION_KEYS);
    if (!isCell(options.cell)) {
      throw new RnnkitError(api, `cell must be a RecurrentCell (kind, states, kept, build, params, step, backStep), got ${describeValue(options.cell)}`);
    }
    this.cell = options.cell;
    if (this.cell.states[0]!.size !== this.cell.units) {
      throw new RnnkitError(api, `the cell's state 0 is its output: its size ${this.cell.states[0]!.size} must equal units (${this.cell.units})`);
    }
    this.returnSequences = booleanOption(api, 'returnSequences', options.returnSequences, false);
    this.returnState = booleanOption(api, 'returnState', options.returnState, false);
    this.learnableInitialState = booleanOption(api, 'learnableInitialState', options.learnableInitialState, false);
    this.goBackwards = booleanOption(api, 'goBackwards', options.goBackwards, false);
    this.name = nameOption(api, options.name, identity.defaultName);
    this.#dropout = new DropoutMaskSource(api, options.seed);
  }

  /** Length of the output (state 0) of each step. */
  get units(): number {
    return this.cell.units;
  }

  get dtype(): DType {
    return this.cell.dtype;
  }

  get stateCount(): number {
    return this.cell.states.length;
  }

  get built(): boolean {
    return this.#built;
  }

  /** The seed of the dropout masks (given, or drawn at build for a cell with dropout), else undefined. */
  get seed(): number | undefined {
    return this.#dropout.seed;
  }

  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    const shape = checkSymbolicShape(this.api, inputShape);
    const features = shape[2];
    if (shape.length !== 3 || typeof features !== 'number') {
      throw new RnnkitError(this.api, `expected an input shape [batch, time, features] with known features, got ${formatSymbolic(shape)}`);
    }
    const cell = this.cell;
    if (cell.built && features !== cell.features) {
      throw new RnnkitError(this.api, `already built for input [batch, time, ${cell.features}], got ${formatSymbolic(shape)}`);
    }
    if (this.#built) return;
    if (!cell.built) cell.build(features, random, { initialize: options.initialize !== false });
    this.#dropout.build(cell, random);
    if (this.learnableInitialState) {
      this.#initialStates = cell.states.map(
        (s, i) => new Param(i === 0 ? 'initialState' : `initialState_${s.name}`, new Tensor(allocate(this.dtype, s.size), [s.size])),
      );
    }
    this.#built = true;
  }

  /** The cell's parameters in Keras' order, then the learnable initial states (if any). */
  params(): Param[] {
    return [...this.cell.params(), ...this.#initialStates];
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(this.api, inputShape);
    if (shape.length !== 3) {
      throw new RnnkitError(this.api, `expected an input shape [batch, time, features], got ${formatSymbolic(shape)}`);
    }
    if (this.built && shape[2] !== this.cell.features) {
      throw new RnnkitError(this.api, `expected input [batch, time, ${this.cell.features}], got ${formatSymbolic(shape)}`);
    }
    return this.returnSequences ? [shape[0]!, shape[1]!, this.units] : [shape[0]!, this.units];
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<RNNCache> {
    this.requireBuilt();
    checkOptionKeys(this.api, options, ['training', 'initialState', 'mask']);
    const cell = this.cell;
    if (!(x instanceof Tensor)) throw new RnnkitError(this.api, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (x.rank !== 3 || x.shape[2] !== cell.features) {
      throw new RnnkitError(this.api, `expected input [batch, time, ${cell.features}], got ${formatShape(x.shape)}`);
    }
    this.checkDType(x, 'input');
    const [batch, time, features] = x.shape as [number, number, number];
    // No steps would return the initial state as if it were an answer: refused, not guessed.
    if (time === 0) throw new RnnkitError(this.api, `expected input [batch, time, ${cell.features}] with at least one time step, got ${formatShape(x.shape)}`);
    const units = this.units;

    // Batch-major and time-major coincide for a batch of one (or one step): no copy then.
    // goBackwards is only this: the steps are read last first, so cells and passes run unchanged.
    const xTime = timeMajorInput(x, this.dtype, this.goBackwards);
    const valid = options.mask === undefined ? null : processingMask(this.api, options.mask, batch, time, this.goBackwards);
    // A masked sequence needs a fused pass that applies masks; dropout masks run the cell's own steps.
    const dropoutMasks = this.#dropout.masks(cell, batch, options.training === true);
    const pass = dropoutMasks === null ? findPass(cell, valid !== null) : undefined;
    // A fused inference pass may skip what only backward needs; the cell's own steps use the
    // kept buffers as working storage, so they always get them.
    const keep = pass === undefined || options.training === true;
    const states = allocateBlocks(this.dtype, cell.states.map((s) => (time + 1) * batch * s.size));
    const kept = this.allocateKept(batch, time, keep);
    const initialFromParam = setInitialStates(this.initialStateSource(), batch, options.initialState ?? this.carriedStates(x.shape), states);

    withDropoutMasks(cell, dropoutMasks, () => {
      if (pass !== undefined) pass.forward({ cell, batch, time, features, x: xTime, states, kept, keep, valid });
      else this.forwardSteps({ batch, time, features, t: 0, x: xTime, states, kept }, valid);
    });
    this.carryFinalStates(states, batch, time);

    const h = states[0]!;
    const size = batch * units;
    let y: Tensor;
    if (valid !== null) {
      const out = maskedOutputs(h, valid, batch, time, units, this.returnSequences);
      y = new Tensor(out, this.returnSequences ? [batch, time, units] : [batch, units]);
    } else if (this.returnSequences) {
      const out = allocate(this.dtype, batch * time * units);
      swapLeadingAxes(h.subarray(size), time, batch, units, out);
      y = new Tensor(out, [batch, time, units]);
    } else {
      y = new Tensor(h.slice(time * size, (time + 1) * size), [batch, units]);
    }
    const cache: RNNCache = { batch, time, features, x: xTime, states, kept, complete: keep, initialFromParam, valid, dropoutMasks };
    if (!this.returnState) return { y, cache };
    const finals = cell.states.map((s, i) => {
      const stride = batch * s.size;
      return new Tensor(states[i]!.slice(time * stride, (time + 1) * stride), [batch, s.size]);
    });
    return { y, states: finals, cache };
  }

  /** Keras' rule: the mask goes on with the sequence (returnSequences), else it is used up. */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return this.returnSequences ? mask : null;
  }

  backward(dy: Tensor, cache: RNNCache, options?: BackwardOptions): Tensor {
    // The state gradients are not returned here, so they can live in reused buffers.
    return this.backwardPass(dy, cache, options ?? {}, false).dx;
  }

  backwardWithStates(dy: Tensor, cache: RNNCache, options: BackwardOptions = {}): BackwardResult {
    return this.backwardPass(dy, cache, options, true);
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.requireBuilt();
    setParamValues(this.api, this.params(), weights);
  }

  getConfig(): LayerConfig {
    const { name, returnSequences, returnState, learnableInitialState, goBackwards, stateful } = this;
    const cell = { kind: this.cell.kind, config: this.cell.getConfig() };
    const seed = this.#dropout.seed;
    const config: RNNConfig = { name, cell, returnSequences, returnState, learnableInitialState, goBackwards, stateful, ...(seed === undefined ? {} : { seed }) };
    return config;
  }

  protected requireBuilt(): void {
    if (!this.#built) {
      throw new RnnkitError(this.api, `layer "${this.name}" is not built; call build([batch, time, features], random) first`);
    }
  }

  /** The cell's own steps over the whole sequence (one frame object, moved on in place). */
  private forwardSteps(frame: ForwardSteps, valid: Uint8Array | null): void {
    const cell = this.cell;
    const sizes = cell.states.map((s) => s.size);
    cell.beforeForward?.(frame);
    for (let t = 0; t < frame.time; t++) {
      frame.t = t;
      cell.step(frame);
      if (valid !== null) carryMaskedStates(valid, t, frame.batch, frame.states, sizes);
    }
  }

  private allocateKept(batch: number, time: number, keep: boolean): TypedArray[] {
    return allocateBlocks(this.dtype, this.cell.kept.map((k) => (keep ? time * batch * k.size : 0)));
  }

  /** Backpropagation through the pass of `cache`, with its dropout masks on the cell. */
  private backwardPass(dy: Tensor, cache: RNNCache, options: BackwardOptions, returnStates: boolean): BackwardResult {
    const masks = (cache as Partial<RNNCache> | undefined)?.dropoutMasks;
    return withDropoutMasks(this.cell, masks, () => this.backwardWithMasks(dy, cache, options, returnStates));
  }

  /** Backpropagation; `returnStates` false lets the state gradients use the reused buffers. */
  private backwardWithMasks(dy: Tensor, cache: RNNCache, options: BackwardOptions, returnStates: boolean): BackwardResult {
    this.requireBuilt();
    checkOptionKeys(this.api, options, ['stateGrads']);
    const cell = this.cell;
    const { batch, time, features } = cache;
    const units = this.units;
    const size = batch * units;
    const stateCount = this.stateCount;
    const yShape = this.returnSequences ? [batch, time, units] : [batch, units];
    checkOutputGradient(this.api, dy, yShape);
    this.checkDType(dy, 'output gradient');
    const given = options.stateGrads ?? [];
    if (!Array.isArray(given) || given.length > stateCount || (given.length > 0 && !this.returnState)) {
      throw new RnnkitError(
        this.api,
        this.returnState
          ? `stateGrads must list at most ${stateCount} tensors, got ${describeValue(given)}`
          : 'stateGrads needs a layer built with returnState: true',
      );
    }

    // Gradients of the final states: given ones, plus dy itself when only h_T is output.
    const scratch = (this.#scratch = backwardScratch(this.#scratch, cell, { batch, time, features }, this.returnSequences, this.goBackwards));
    const dStates = returnStates ? allocateBlocks(this.dtype, cell.states.map((s) => batch * s.size)) : scratch.dStates;
    for (let s = 0; s < stateCount; s++) {
      const buffer = dStates[s]!;
      if (!returnStates) buffer.fill(0);
      const g = given[s];
      if (g === undefined) continue;
      const shape = [batch, cell.states[s]!.size];
      if (!(g instanceof Tensor) || !sameShape(g.shape, shape)) {
        throw new RnnkitError(this.api, `stateGrads[${s}] must have shape ${formatShape(shape)}, got ${g instanceof Tensor ? formatShape(g.shape) : describeValue(g)}`);
      }
      this.checkDType(g, `stateGrads[${s}]`);
      buffer.set(g.data);
    }
    // Time-major work buffers: the output gradients (returnSequences) and the input gradient,
    // which for a batch of one (or one step) is already in the input's layout.
    const inPlace = !layoutDiffers(batch, time, this.goBackwards);
    const dx = allocate(this.dtype, time * batch * features);
    const dxTime = inPlace ? dx : scratch.dxTime;
    if (!inPlace) dxTime.fill(0);
    const valid = cache.valid;
    let dOutputs: TypedArray | null = null;
    if (this.returnSequences) {
      dOutputs = scratch.dhTime;
      swapLeadingAxes(dy.data, batch, time, units, dOutputs);
    } else if (valid === null) {
      const dh = dStates[0]!;
      for (let i = 0; i < size; i++) dh[i]! += dy.data[i]!;
    }

    const pass = cache.dropoutMasks === null ? findPass(cell, valid !== null) : undefined;
    if (!cache.complete) {
      // After an inference pass of a fused kernel: run forward again, keeping everything,
      // from the same initial states (slot 0 of the histories, which no pass writes).
      const kept = this.allocateKept(batch, time, true);
      const frame = { batch, time, features, t: 0, x: cache.x, states: cache.states, kept };
      if (pass !== undefined) pass.forward({ ...frame, cell, keep: true, valid });
      else this.forwardSteps(frame, valid);
      cache.kept = kept;
      cache.complete = true;
    }
    const { x, states, kept } = cache;
    if (pass !== undefined) {
      if (valid !== null) maskedPassGradients(valid, batch, time, units, dOutputs, dy.data, dStates[0]!);
      pass.backward({ cell, batch, time, features, x, states, kept, keep: true, valid, dOutputs, dStates, dx: dxTime });
    } else {
      const gradients = scratch.gradients;
      for (let i = 0; i < gradients.length; i++) gradients[i]!.fill(0);
      const frame: BackwardSteps = { batch, time, features, t: time - 1, x, states, kept, dStates, dx: dxTime, gradients };
      const dh = dStates[0]!;
      if (valid === null) {
        for (let t = time - 1; t >= 0; t--) {
          if (dOutputs !== null) for (let i = 0, at = t * size; i < size; i++) dh[i]! += dOutputs[at + i]!;
          frame.t = t;
          cell.backStep(frame);
        }
      } else {
        const sizes = cell.states.map((s) => s.size);
        const masked = maskedBackward(this.dtype, batch, units, sizes);
        for (let t = time - 1; t >= 0; t--) {
          // The output gradient of step t: from the sequence's, or (last output only) dy at the last step.
          const dOutput = dOutputs ?? (t === time - 1 ? dy.data : null);
          beforeMaskedBackStep(masked, valid, t, batch, units, dOutput, dOutputs === null ? 0 : t * size, dStates, sizes);
          frame.t = t;
          cell.backStep(frame);
          afterMaskedBackStep(masked, valid, t, batch, dStates, sizes);
        }
      }
      cell.afterBackward?.(frame);
    }
    if (!inPlace) toBatchMajor(dxTime, batch, time, features, this.goBackwards, dx);

    if (cache.initialFromParam) {
      // Each initial state was a learnable vector broadcast over the batch: its gradient is the batch sum.
      for (let s = 0; s < this.#initialStates.length; s++) {
        const grad = this.#initialStates[s]!.grad.data;
        const d = dStates[s]!;
        const n = grad.length;
        for (let b = 0; b < batch; b++) for (let k = 0; k < n; k++) grad[k]! += d[b * n + k]!;
      }
    }
    return {
      dx: new Tensor(dx, [batch, time, features]),
      initialStateGrads: returnStates ? dStates.map((d, s) => new Tensor(d, [batch, cell.states[s]!.size])) : [],
    };
  }

  private checkDType(t: Tensor, what: string): void {
    if (t.dtype !== this.dtype) {
      throw new RnnkitError(this.api, `expected a ${this.dtype} ${what} (the layer's dtype), got ${t.dtype}`);
    }
  }

  private initialStateSource(): InitialStateSource {
    return { api: this.api, cell: this.cell, learnable: this.#initialStates, checkDType: (t, what) => this.checkDType(t, what) };
  }
}

/** Creates a generic recurrent layer over a cell: `rnn({ cell: gruCell({ units: 16 }) })`. */
export function rnn(options: RNNOptions): RNN {
  return new RNN(options);
}
