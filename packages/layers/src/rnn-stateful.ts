// What the generic recurrent layer adds for time series: `stateful` (Keras' semantics — the
// final states of one call are the initial states of the next, so sequence i of batch k + 1
// continues sequence i of batch k) and a stepper that runs the cell one step at a time for
// streaming inference. Kept apart from rnn.ts, which owns the passes themselves.
import { type DType, type Param, type TypedArray, RnnkitError, Tensor, allocate, formatShape, sameShape } from '@rnnkit/tensor';
import type { ForwardSteps, RecurrentCell } from './cell.js';
import { allocateBlocks, booleanOption, describeValue } from './common.js';
import type { LayerStepper } from './layer.js';
import { checkStepperArguments } from './stepper.js';

/** The option {@link RNN} and SimpleRNN, LSTM and GRU take for carried states. */
export interface StatefulOptions {
  /**
   * Carry the final states of each `forward` over as the initial states of the next (Keras'
   * `stateful`): row i of the next batch continues sequence i of this one, so the batch size
   * stays fixed until {@link StatefulRecurrentLayer.resetStates} (another size is an error).
   * The carried states are constants for `backward`: gradients stop at the batch boundary
   * (truncated backpropagation through time). An `initialState` passed to `forward` wins.
   * @defaultValue false
   */
  readonly stateful?: boolean;
}

/** What a recurrent layer's config records of {@link StatefulOptions}. */
export interface StatefulConfig {
  readonly stateful: boolean;
}

/**
 * The stateful part of {@link RNN}: the carried states and the stepper. Subclassed by RNN
 * only; its members are RNN's public API.
 */
export abstract class StatefulRecurrentLayer {
  /** Whether `forward` carries its final states over to the next call. */
  readonly stateful: boolean;
  abstract readonly cell: RecurrentCell;
  abstract readonly name: string;
  abstract readonly learnableInitialState: boolean;
  abstract get dtype(): DType;
  abstract get built(): boolean;
  abstract params(): Param[];
  /** The carried states `[batch, size]` each, or null: the next call starts afresh. */
  #carried: TypedArray[] | null = null;
  #carriedBatch = 0;
  readonly #api: string;

  constructor(api: string, options: unknown) {
    this.#api = api;
    const given = options !== null && typeof options === 'object' ? (options as StatefulOptions).stateful : undefined;
    this.stateful = booleanOption(api, 'stateful', given, false);
  }

  /** Stateful layers: the batch size of the carried states, which the next call must have; null when nothing is carried. */
  get statefulBatch(): number | null {
    return this.#carried === null ? null : this.#carriedBatch;
  }

  /**
   * Stateful layers: forget the carried states, so the next `forward` starts from the
   * initial states (zeros, or the learnable ones) with any batch size; or, given
   * `states` (`[h]`, or `[h, c]` for LSTM, each `[batch, size]`), carry those instead.
   */
  resetStates(states?: readonly Tensor[]): void {
    const api = this.#api;
    if (!this.stateful) throw new RnnkitError(api, `resetStates needs a layer made with stateful: true ("${this.name}" is not)`);
    if (states === undefined) {
      this.#carried = null;
      return;
    }
    const cell = this.cell;
    const names = `[${cell.states.map((s) => s.name).join(', ')}]`;
    if (!Array.isArray(states) || states.length !== cell.states.length || !(states[0] instanceof Tensor)) {
      throw new RnnkitError(api, `resetStates expected the states ${names}, each [batch, size], got ${describeValue(states)}`);
    }
    const batch = states[0].shape[0]!;
    states.forEach((t, s) => {
      const shape = [batch, cell.states[s]!.size];
      if (!(t instanceof Tensor) || !sameShape(t.shape, shape) || t.dtype !== this.dtype) {
        const got = t instanceof Tensor ? `${t.dtype} ${formatShape(t.shape)}` : describeValue(t);
        throw new RnnkitError(api, `resetStates: state ${s} (${cell.states[s]!.name}) must be a ${this.dtype} tensor ${formatShape(shape)}, got ${got}`);
      }
    });
    this.#carried = states.map((t) => t.data.slice());
    this.#carriedBatch = batch;
  }

  /** The states a stateful layer's next pass starts from (undefined: the usual initial states). */
  protected carriedStates(inputShape: readonly number[]): Tensor[] | undefined {
    if (!this.stateful || this.#carried === null) return undefined;
    const batch = inputShape[0]!;
    if (batch !== this.#carriedBatch) {
      throw new RnnkitError(
        this.#api,
        `stateful layer "${this.name}" carries states for a batch of ${this.#carriedBatch}, got a batch of ${batch} ` +
          `(input ${formatShape(inputShape)}); keep the batch size fixed, or call resetStates() to start new sequences`,
      );
    }
    const cell = this.cell;
    return this.#carried.map((data, s) => new Tensor(data, [batch, cell.states[s]!.size]));
  }

  /** Stateful layers: keeps the final states (slot `time` of each history) for the next call. */
  protected carryFinalStates(histories: readonly TypedArray[], batch: number, time: number): void {
    if (!this.stateful) return;
    const sizes = this.cell.states.map((s) => batch * s.size);
    if (this.#carried === null || this.#carriedBatch !== batch) this.#carried = allocateBlocks(this.dtype, sizes);
    this.#carriedBatch = batch;
    for (let s = 0; s < sizes.length; s++) this.#carried[s]!.set(histories[s]!.subarray(time * sizes[s]!, (time + 1) * sizes[s]!));
  }

  /**
   * Runs the cell one step at a time over `batch` sequences: its own states (starting as
   * `forward`'s do without `initialState`: the learnable initial states, or zeros — not a
   * stateful layer's carried ones) in two-slot histories made here, so a step allocates
   * nothing. Step t's output is h_t, what `forward` returns at time t.
   */
  stepper(batch: number, features: number): LayerStepper {
    const api = this.#api;
    if (!this.built) throw new RnnkitError(api, `layer "${this.name}" is not built; build it before making a stepper`);
    const cell = this.cell;
    const rows = checkStepperArguments(api, batch, features, cell.features);
    const initial = this.learnableInitialState ? this.params().slice(cell.params().length).map((p) => p.value.data) : [];
    const x = allocate(this.dtype, rows * features);
    const states = allocateBlocks(this.dtype, cell.states.map((s) => 2 * rows * s.size));
    const kept = allocateBlocks(this.dtype, cell.kept.map((k) => rows * k.size));
    const frame: ForwardSteps = { batch: rows, time: 1, features, t: 0, x, states, kept };
    const units = cell.units;
    const reset = (): void => {
      for (let s = 0; s < states.length; s++) {
        const history = states[s]!;
        history.fill(0);
        const value = initial[s];
        if (value !== undefined) for (let b = 0; b < rows; b++) history.set(value, b * value.length);
      }
    };
    reset();
    return {
      inputSize: features,
      outputSize: units,
      step(input, inputOffset, output, outputOffset) {
        // Plain loops, not subarray(): a view is an object on the heap, and a step allocates nothing.
        for (let i = 0, n = x.length; i < n; i++) x[i] = input[inputOffset + i]!;
        // The cell sees a fresh pass of one step: slot 1 and the kept values start at zero.
        for (let s = 0; s < states.length; s++) states[s]!.fill(0, rows * cell.states[s]!.size);
        for (let k = 0; k < kept.length; k++) kept[k]!.fill(0);
        cell.beforeForward?.(frame);
        cell.step(frame);
        // Slot 1 becomes slot 0 of the next step.
        for (let s = 0; s < states.length; s++) {
          const size = rows * cell.states[s]!.size;
          states[s]!.copyWithin(0, size, 2 * size);
        }
        const h = states[0]!;
        for (let i = 0, n = rows * units; i < n; i++) output[outputOffset + i] = h[i]!;
      },
      reset,
    };
  }
}
