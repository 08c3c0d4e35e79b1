// The backend's whole-sequence kernels as RecurrentPass objects of @rnnkit/layers: the
// recurrent layer finds them in `backend.fused` and hands over the buffers of a pass, which
// have the layouts the kernels use (LSTM kept [gates | tanh(c)], GRU kept [gates | a] or,
// reset before, [gates | r ⊙ h], SimpleRNN nothing), and the step mask of a masked sequence
// (the passes apply masks: `masks: true`).
import type { GRUCell, LSTMCell, PassBackward, PassForward, RecurrentCell, RecurrentPass, SimpleRNNCell } from '@rnnkit/layers';
import type {
  GruBackwardArgs,
  GruForwardArgs,
  GruResetBeforeBackwardArgs,
  GruResetBeforeForwardArgs,
  LstmBackwardArgs,
  LstmForwardArgs,
  SimpleRnnActivation,
  SimpleRnnBackwardArgs,
  SimpleRnnForwardArgs,
} from './pass-args.js';

/** The whole-pass kernels of one backend (see backend.ts). */
export interface RecurrentKernels {
  lstmForward(args: LstmForwardArgs): void;
  lstmBackward(args: LstmBackwardArgs): void;
  gruForward(args: GruForwardArgs): void;
  gruBackward(args: GruBackwardArgs): void;
  gruResetBeforeForward(args: GruResetBeforeForwardArgs): void;
  gruResetBeforeBackward(args: GruResetBeforeBackwardArgs): void;
  simpleRnnForward(args: SimpleRnnForwardArgs): void;
  simpleRnnBackward(args: SimpleRnnBackwardArgs): void;
}

// The kernels compute σ and tanh themselves: a cell qualifies when its activations are the
// built-in ones of those names (an Activation object must not reuse a built-in's name for a
// different function). They know no dropout: a cell whose dropout masks are set (a training
// pass with dropout) runs its own steps; at inference the masks are unset and the kernels run.
// Step masks (padding) are another matter: the kernels apply them.

/** Whether the cell has no dropout masks set (the layer sets them only during a training pass with dropout). */
function withoutDropoutMasks(cell: RecurrentCell): boolean {
  return cell.dropoutMasks === undefined || cell.dropoutMasks === null;
}

/** Keras' default LSTM cell in float32: σ gates, tanh, h = o ⊙ tanh(c). */
function isStandardLstm(cell: RecurrentCell): cell is LSTMCell {
  const c = cell as Partial<LSTMCell>;
  return (
    cell.kind === 'lstm' &&
    cell.dtype === 'float32' &&
    c.recurrentActivation?.name === 'sigmoid' &&
    c.activation?.name === 'tanh' &&
    c.cellOutput === 'activation' &&
    withoutDropoutMasks(cell)
  );
}

/** A GRU cell in float32 with σ gates and tanh, of the given form (resetAfter: Keras 2's default; reset before: Keras 1's and TF.js'). */
function isStandardGru(cell: RecurrentCell, resetAfter: boolean): cell is GRUCell {
  const c = cell as Partial<GRUCell>;
  return (
    cell.kind === 'gru' &&
    cell.dtype === 'float32' &&
    c.resetAfter === resetAfter &&
    c.recurrentActivation?.name === 'sigmoid' &&
    c.activation?.name === 'tanh' &&
    withoutDropoutMasks(cell)
  );
}

/** The SimpleRNN kernels' activation for a cell: its own if they compute it, else null. */
function simpleRnnActivation(cell: RecurrentCell): SimpleRnnActivation | null {
  const name = (cell as Partial<SimpleRNNCell>).activation?.name;
  return name === 'tanh' || name === 'sigmoid' ? name : null;
}

/** A SimpleRNN cell in float32 whose activation is tanh or σ. */
function isKnownSimpleRnn(cell: RecurrentCell): cell is SimpleRNNCell {
  return cell.kind === 'simple-rnn' && cell.dtype === 'float32' && simpleRnnActivation(cell) !== null && withoutDropoutMasks(cell);
}

// The arguments of the gated cells' kernels, built by one function per direction so each is
// written once: the cells share every buffer but their second state and kept buffer — the
// LSTM's c and tanh(c), the GRU's a_t (`recurrent`) or r ⊙ h_{t−1} (`resetHidden`; the GRU
// has no c). Each object has every
// field of both, so all four calls build objects of one shape per direction (written out,
// not spread: a pass runs per batch, and spreading built slower, shape-shifting objects).

/** Stands in for the GRU's absent c and ∂c (the GRU's kernels never read them). */
const NO_STATE = new Float32Array(0);

function forwardArgs(run: PassForward): LstmForwardArgs & GruForwardArgs & GruResetBeforeForwardArgs {
  const cell = run.cell as LSTMCell | GRUCell;
  const bias = cell.biasParam;
  const second = run.kept[1] as Float32Array;
  return {
    batch: run.batch,
    time: run.time,
    features: run.features,
    units: cell.units,
    x: run.x as Float32Array,
    kernel: cell.kernelParam.value.data as Float32Array,
    recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
    mask: run.valid ?? null,
    bias: bias === null ? null : (bias.value.data as Float32Array),
    h: run.states[0] as Float32Array,
    c: (run.states[1] ?? NO_STATE) as Float32Array,
    gates: run.kept[0] as Float32Array,
    cellActivation: second,
    recurrent: second,
    resetHidden: second,
    keep: run.keep,
  };
}

function backwardArgs(run: PassBackward): LstmBackwardArgs & GruBackwardArgs & GruResetBeforeBackwardArgs {
  const cell = run.cell as LSTMCell | GRUCell;
  const bias = cell.biasParam;
  const second = run.kept[1] as Float32Array;
  return {
    batch: run.batch,
    time: run.time,
    features: run.features,
    units: cell.units,
    x: run.x as Float32Array,
    kernel: cell.kernelParam.value.data as Float32Array,
    recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
    mask: run.valid ?? null,
    dhOut: run.dOutputs as Float32Array | null,
    dx: run.dx as Float32Array,
    kernelGrad: cell.kernelParam.grad.data as Float32Array,
    recurrentKernelGrad: cell.recurrentKernelParam.grad.data as Float32Array,
    biasGrad: bias === null ? null : (bias.grad.data as Float32Array),
    gates: run.kept[0] as Float32Array,
    h: run.states[0] as Float32Array,
    c: (run.states[1] ?? NO_STATE) as Float32Array,
    cellActivation: second,
    recurrent: second,
    resetHidden: second,
    dh: run.dStates[0] as Float32Array,
    dc: (run.dStates[1] ?? NO_STATE) as Float32Array,
  };
}

function simpleRnnForwardArgs(run: PassForward): SimpleRnnForwardArgs {
  const cell = run.cell as SimpleRNNCell;
  const bias = cell.biasParam;
  return {
    batch: run.batch,
    time: run.time,
    features: run.features,
    units: cell.units,
    activation: simpleRnnActivation(cell)!,
    x: run.x as Float32Array,
    kernel: cell.kernelParam.value.data as Float32Array,
    recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
    mask: run.valid ?? null,
    bias: bias === null ? null : (bias.value.data as Float32Array),
    h: run.states[0] as Float32Array,
  };
}

function simpleRnnBackwardArgs(run: PassBackward): SimpleRnnBackwardArgs {
  const cell = run.cell as SimpleRNNCell;
  const bias = cell.biasParam;
  return {
    batch: run.batch,
    time: run.time,
    features: run.features,
    units: cell.units,
    activation: simpleRnnActivation(cell)!,
    x: run.x as Float32Array,
    kernel: cell.kernelParam.value.data as Float32Array,
    recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
    mask: run.valid ?? null,
    h: run.states[0] as Float32Array,
    dhOut: run.dOutputs as Float32Array | null,
    dh: run.dStates[0] as Float32Array,
    dx: run.dx as Float32Array,
    kernelGrad: cell.kernelParam.grad.data as Float32Array,
    recurrentKernelGrad: cell.recurrentKernelParam.grad.data as Float32Array,
    biasGrad: bias === null ? null : (bias.grad.data as Float32Array),
  };
}

/** The LSTM, GRU (both forms) and SimpleRNN passes of a backend named `name`. */
export function recurrentPasses(kernels: RecurrentKernels, name: string): RecurrentPass[] {
  const lstm: RecurrentPass = {
    family: 'recurrent',
    name: `${name} lstm`,
    masks: true,
    supports: isStandardLstm,
    forward: (run) => kernels.lstmForward(forwardArgs(run)),
    backward: (run) => kernels.lstmBackward(backwardArgs(run)),
  };
  const gru: RecurrentPass = {
    family: 'recurrent',
    name: `${name} gru`,
    masks: true,
    supports: (cell) => isStandardGru(cell, true),
    forward: (run) => kernels.gruForward(forwardArgs(run)),
    backward: (run) => kernels.gruBackward(backwardArgs(run)),
  };
  const gruResetBefore: RecurrentPass = {
    family: 'recurrent',
    name: `${name} gru-reset-before`,
    masks: true,
    supports: (cell) => isStandardGru(cell, false),
    forward: (run) => kernels.gruResetBeforeForward(forwardArgs(run)),
    backward: (run) => kernels.gruResetBeforeBackward(backwardArgs(run)),
  };
  const simpleRnn: RecurrentPass = {
    family: 'recurrent',
    name: `${name} simple-rnn`,
    masks: true,
    supports: isKnownSimpleRnn,
    forward: (run) => kernels.simpleRnnForward(simpleRnnForwardArgs(run)),
    backward: (run) => kernels.simpleRnnBackward(simpleRnnBackwardArgs(run)),
  };
  return [lstm, gru, gruResetBefore, simpleRnn];
}
