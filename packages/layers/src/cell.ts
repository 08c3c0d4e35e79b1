// The recurrent cell contract: the unit of recurrent maths. A cell defines one time step over a
// batch — forward and its backward side by side — and owns its parameters. The generic
// recurrent layer (`RNN`) runs any cell over `[batch, time, features]` and owns everything
// else: buffers (allocated once per pass, never per step), initial states and their
// gradients, returnSequences/returnState, layout changes. A backend may run a whole sequence
// of a cell it knows faster (a `RecurrentPass`); the cell's own step is the reference it must
// equal.
import type { DType, FusedKernel, Param, Random, TypedArray } from '@rnnkit/tensor';

/** A named vector every sequence of a batch has, per time step: `{ name: 'c', size: units }`. */
export interface CellVector {
  readonly name: string;
  /** Elements per sequence (per row of the batch). */
  readonly size: number;
  /**
   * Optional: the vector is these equal blocks side by side, e.g. LSTM's gates
   * `['i', 'f', 'g', 'o']`. Only read by tools that show a cell's quantities (a trace).
   */
  readonly parts?: readonly string[];
}

/**
 * The buffers of one forward pass, as a cell sees them. Every buffer is time-major, so the
 * rows of step `t` are contiguous: in a buffer of vectors of `size`, step t's row r starts at
 * `(t·batch + r)·size`. The layer reuses one object for every step of a pass and only moves
 * `t` on, so a step allocates nothing.
 */
export interface ForwardSteps {
  /** Sequences in the batch. */
  readonly batch: number;
  /** Time steps T in the pass. */
  readonly time: number;
  /** Input features per step. */
  readonly features: number;
  /** The step being computed, 0 … T − 1 (set by the layer before each `step`). */
  t: number;
  /** The input, time-major `[T, batch, features]`. Read only: it may be the caller's tensor. */
  readonly x: TypedArray;
  /**
   * One history per {@link RecurrentCell.states} entry, time-major `[T + 1, batch, size]`:
   * slot 0 holds the initial state, step t reads slot t and writes slot t + 1. State 0 is the
   * output `h_t` of each step.
   */
  readonly states: readonly TypedArray[];
  /** One buffer per {@link RecurrentCell.kept} entry, `[T, batch, size]`, zero on entry: what backward needs. */
  readonly kept: readonly TypedArray[];
}

/** The buffers of one backward pass: the forward pass's, plus the gradients. */
export interface BackwardSteps extends ForwardSteps {
  /**
   * One buffer per state, `[batch, size]`. Before `backStep` at step t it holds ∂L/∂state_{t+1}
   * (all contributions from later steps and from the outputs); `backStep` must leave ∂L/∂state_t
   * there — the gradient with respect to the states that step t read.
   */
  readonly dStates: readonly TypedArray[];
  /**
   * ∂L/∂x, time-major `[T, batch, features]`, zero on entry. A cell writes step t's rows in
   * `backStep`, or all of them at once in `afterBackward`.
   */
  readonly dx: TypedArray;
  /** One buffer per {@link RecurrentCell.gradients} entry, `[T, batch, size]`, zero on entry, for the cell's own use. */
  readonly gradients: readonly TypedArray[];
}

/**
 * The dropout masks of one training pass (Keras' `dropout` and `recurrent_dropout`): one
 * mask per sequence and gate, the same at every time step. Each entry is 0 (dropped) or
 * 1/(1 − rate) (kept, inverted scaling).
 */
export interface DropoutMasks {
  /** Sequences in the batch. */
  readonly batch: number;
  /** Masks of x_t, `[gates, batch, features]`, or null when `dropout` is 0. */
  readonly input: TypedArray | null;
  /** Masks of h_{t−1}, `[gates, batch, units]`, or null when `recurrentDropout` is 0. */
  readonly recurrent: TypedArray | null;
}

/** Options of {@link RecurrentCell.build}. */
export interface CellBuildOptions {
  /** Run the initialisers (false: parameters stay zero because weights are set next). @defaultValue true */
  readonly initialize?: boolean;
}

/** A cell's configuration as plain JSON data: its options with every default filled in. */
export type CellConfig = Readonly<Record<string, unknown>>;

/**
 * One recurrent cell: the maths of a single time step, over a batch, forward and backward.
 *
 * Parameters follow Keras' layout and order. `step` reads the states at slot t and writes
 * slot t + 1 (and the kept values of step t); `backStep` turns the gradients of the states it
 * wrote into those of the states it read, writes ∂L/∂x_t (or leaves that to `afterBackward`)
 * and *adds* its parameter gradients into each `Param.grad`.
 */
export interface RecurrentCell {
  /**
   * The cell's kind, e.g. `'lstm'`, `'gru'`, `'simple-rnn'`, `'peephole-lstm'`: how a backend's
   * fast pass recognises it, and how errors name it.
   */
  readonly kind: string;
  /** Length of the output (state 0) of each step. */
  readonly units: number;
  /** Element type of parameters and buffers. */
  readonly dtype: DType;
  /** The states carried from step to step; state 0 is the output `h`. LSTM: `[h, c]`. */
  readonly states: readonly CellVector[];
  /** What `step` keeps for `backStep`, per step (e.g. LSTM's gate activations). */
  readonly kept: readonly CellVector[];
  /** Per-step work buffers of the backward pass (e.g. ∂L/∂z of every step). @defaultValue none */
  readonly gradients?: readonly CellVector[];
  /** True once {@link build} has created the parameters. */
  readonly built: boolean;
  /** Input features the cell was built for. */
  readonly features: number;
  /** Creates the parameters for `features` inputs, drawing initial values from `random`. */
  build(features: number, random: Random, options?: CellBuildOptions): void;
  /** Parameters in Keras' order (e.g. kernel, recurrent kernel, bias). */
  params(): Param[];
  /**
   * Optional: work done for every step at once before the time loop, such as the input
   * projection x_t·W + b of all T·batch rows in one matrix product.
   */
  beforeForward?(s: ForwardSteps): void;
  /** One forward step at `s.t`. */
  step(s: ForwardSteps): void;
  /** Backpropagation through step `s.t` (called for t = T − 1 down to 0). */
  backStep(s: BackwardSteps): void;
  /**
   * Optional: work done for every step at once after the backward loop, such as
   * ∂W += Xᵀ·∂Z and ∂X = ∂Z·Wᵀ over all T·batch rows.
   */
  afterBackward?(s: BackwardSteps): void;
  /** Plain-data configuration; the cell's plugin `create` rebuilds an equal cell from it. */
  getConfig(): CellConfig;
  /** Optional: fraction of the inputs x_t dropped while training. @defaultValue 0 */
  readonly dropout?: number;
  /** Optional: fraction of the recurrent state h_{t−1} dropped while training. @defaultValue 0 */
  readonly recurrentDropout?: number;
  /**
   * Optional (cells with dropout): draws the masks of one training pass over `batch`
   * sequences from `random`, or gives null when both rates are 0.
   */
  drawDropoutMasks?(batch: number, random: Random): DropoutMasks | null;
  /**
   * Optional (cells with dropout): the masks the cell's steps apply. The recurrent layer sets
   * it for the duration of each forward and backward pass that has masks (a training pass)
   * and resets it to null after; a fused pass must not run a cell while it is set.
   */
  dropoutMasks?: DropoutMasks | null;
}

/**
 * A cell type as a plugin: the factory a saved file is resolved back to. Pass the plugins
 * a file may use to `loadModel`; nothing is registered globally.
 */
export interface CellPlugin<Options = CellConfig> {
  /** Class name in saved files, e.g. `'LSTMCell'` or `'PeepholeLSTMCell'`. */
  readonly name: string;
  /** Makes an unbuilt cell. `create(cell.getConfig())` must give an equal cell. */
  create(options: Options): RecurrentCell;
}

/** What a fused forward pass is given: the same buffers as the cell's steps, all T steps at once. */
export interface PassForward {
  readonly cell: RecurrentCell;
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly x: TypedArray;
  /** State histories `[T + 1, batch, size]`, slot 0 filled with the initial states. */
  readonly states: readonly TypedArray[];
  /** Kept buffers, as the cell's step fills them (empty arrays when `keep` is false). */
  readonly kept: readonly TypedArray[];
  /**
   * False for an inference pass: the pass must fill state 0's history (slots 1 … T) and the
   * final slot T of every other state; the rest may be left unwritten (a later backward pass
   * recomputes it).
   */
  readonly keep: boolean;
  /**
   * The step mask in processing order, time-major `[T, batch]` (1: the step counts), given
   * only to a pass with `masks: true`; absent or null when every step counts. At a masked
   * step a row's states carry over unchanged (slot t + 1 equals slot t), whatever the cell
   * would have computed.
   */
  readonly valid?: Uint8Array | null;
}

/** What a fused backward pass is given: the forward buffers (complete) and the gradients. */
export interface PassBackward extends PassForward {
  /**
   * ∂L/∂h_t for every step, `[T, batch, units]`, when every step is an output
   * (returnSequences), else null (then ∂L/∂h_T is already in `dStates[0]`). With a mask these
   * are the gradients of the history slots h_1 … h_T (at a masked step the carried state):
   * the layer has already dropped those of outputs that are zeros (before a row's first
   * valid step).
   */
  readonly dOutputs: TypedArray | null;
  /** As {@link BackwardSteps.dStates}: final-state gradients in, initial-state gradients out. */
  readonly dStates: readonly TypedArray[];
  /** ∂L/∂x, time-major `[T, batch, features]`, zero on entry. */
  readonly dx: TypedArray;
}

/**
 * A fast whole-sequence pass for some cells, registered by a kernel backend: it lists the
 * pass in its `fused` kernels, and the recurrent layer uses the first one that `supports`
 * its cell (and the cell's own steps otherwise). It must equal the cell's reference steps —
 * outputs, states, kept values and every gradient — which `recurrentKernelLaws` of
 * `@rnnkit/testing` checks.
 */
export interface RecurrentPass extends FusedKernel {
  readonly family: 'recurrent';
  /**
   * True when this pass computes exactly what `cell.step`/`cell.backStep` compute (so false
   * while the cell has `dropoutMasks` set, unless the pass applies them).
   */
  supports(cell: RecurrentCell): boolean;
  /**
   * True when the pass applies a step mask (`valid` of {@link PassForward}): a masked step
   * carries a row's states over, and backward passes that row's state gradients through
   * unchanged, adding nothing to its input or parameter gradients. Without it a masked
   * sequence runs the cell's own steps. @defaultValue false
   */
  readonly masks?: boolean;
  forward(run: PassForward): void;
  /** Adds the parameter gradients into each `Param.grad` of `run.cell`, like `backStep`. */
  backward(run: PassBackward): void;
}
