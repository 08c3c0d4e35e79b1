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

/** A float32 cell of `kind` with no dropout masks set (the layer sets them only during a training pass with dropout). */
function float32WithoutDropout(cell: RecurrentCell, kind: RecurrentCell['kind']): boolean {
  return cell.kind === kind && cell.dtype === 'float32' && (cell.dropoutMasks === undefined || cell.dropoutMasks === null);
}

/** Keras' default LSTM cell in float32: σ gates, tanh, h = o ⊙ tanh(c). */
function isStandardLstm(cell: RecurrentCell): cell is LSTMCell {
  const c = cell as Partial<LSTMCell>;
  return float32WithoutDropout(cell, 'lstm') && c.recurrentActivation?.name === 'sigmoid' && c.activation?.name === 'tanh' && c.cellOutput === 'activation';
}

/** A GRU cell in float32 with σ gates and tanh, of the given form (resetAfter: Keras 2's default; reset before: Keras 1's and TF.js'). */
function isStandardGru(cell: RecurrentCell, resetAfter: boolean): cell is GRUCell {
  const c = cell as Partial<GRUCell>;
  return float32WithoutDropout(cell, 'gru') && c.resetAfter === resetAfter && c.recurrentActivation?.name === 'sigmoid' && c.activation?.name === 'tanh';
}

/** The SimpleRNN kernels' activation for a cell: its own if they compute it, else null. */
function simpleRnnActivation(cell: RecurrentCell): SimpleRnnActivation | null {
  const name = (cell as Partial<SimpleRNNCell>).activation?.name;
  return name === 'tanh' || name === 'sigmoid' ? name : null;
}

/** A SimpleRNN cell in float32 whose activation is tanh or σ. */
function isKnownSimpleRnn(cell: RecurrentCell): cell is SimpleRNNCell {
  return float32WithoutDropout(cell, 'simple-rnn') && simpleRnnActivation(cell) !== null;
}

// The arguments of the kernels, built by one function so each field is written once: the
// cells share every buffer but their second state and kept buffers — the LSTM's c and tanh(c),
// the GRU's a_t (`recurrent`) or r ⊙ h_{t−1} (`resetHidden`; the GRU has no c), the
// SimpleRNN's activation (it keeps nothing) — and a backward pass adds the gradients. Each
// object has every field of all eight kernels, so all the calls build objects of one shape
// (written out, not spread: a pass runs per batch, and spreading built slower, shape-shifting
// objects).

/** Stands in for the buffers a kernel lacks (the GRU's c and ∂c, the SimpleRNN's kept values, a forward pass's gradients): it never reads them. */
const NO_STATE = new Float32Array(0);

/** The arguments of every pass kernel, forward and backward. */
type PassArgs = LstmForwardArgs &
  GruForwardArgs &
  GruResetBeforeForwardArgs &
  SimpleRnnForwardArgs &
  LstmBackwardArgs &
  GruBackwardArgs &
  GruResetBeforeBackwardArgs &
  SimpleRnnBackwardArgs;

function passArgs(run: PassForward | PassBackward): PassArgs {
  const cell = run.cell as LSTMCell | GRUCell | SimpleRNNCell;
  const bias = cell.biasParam;
  const second = (run.kept[1] ?? NO_STATE) as Float32Array;
  const backward = 'dStates' in run ? run : null;
  return {
    batch: run.batch,
    time: run.time,
    features: run.features,
    units: cell.units,
    // Read by the SimpleRNN kernels only (the gated cells' kernels compute tanh).
    activation: simpleRnnActivation(cell) ?? 'tanh',
    x: run.x as Float32Array,
    kernel: cell.kernelParam.value.data as Float32Array,
    recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
    mask: run.valid ?? null,
    bias: bias === null ? null : (bias.value.data as Float32Array),
    h: run.states[0] as Float32Array,
    c: (run.states[1] ?? NO_STATE) as Float32Array,
    gates: (run.kept[0] ?? NO_STATE) as Float32Array,
    cellActivation: second,
    recurrent: second,
    resetHidden: second,
    keep: run.keep,
    dhOut: backward === null ? null : (backward.dOutputs as Float32Array | null),
    dh: (backward?.dStates[0] ?? NO_STATE) as Float32Array,
    dc: (backward?.dStates[1] ?? NO_STATE) as Float32Array,
    dx: (backward?.dx ?? NO_STATE) as Float32Array,
    kernelGrad: cell.kernelParam.grad.data as Float32Array,
    recurrentKernelGrad: cell.recurrentKernelParam.grad.data as Float32Array,
    biasGrad: bias === null ? null : (bias.grad.data as Float32Array),
  };
}

/** The LSTM, GRU (both forms) and SimpleRNN passes of a backend named `name`. */
export function recurrentPasses(kernels: RecurrentKernels, name: string): RecurrentPass[] {
  const pass = (cell: string, supports: (cell: RecurrentCell) => boolean, forward: (args: PassArgs) => void, backward: (args: PassArgs) => void): RecurrentPass => ({
    family: 'recurrent',
    name: `${name} ${cell}`,
    masks: true,
    supports,
    forward: (run) => forward(passArgs(run)),
    backward: (run) => backward(passArgs(run)),
  });
  return [
    pass('lstm', isStandardLstm, (args) => kernels.lstmForward(args), (args) => kernels.lstmBackward(args)),
    pass('gru', (cell) => isStandardGru(cell, true), (args) => kernels.gruForward(args), (args) => kernels.gruBackward(args)),
    pass('gru-reset-before', (cell) => isStandardGru(cell, false), (args) => kernels.gruResetBeforeForward(args), (args) => kernels.gruResetBeforeBackward(args)),
    pass('simple-rnn', isKnownSimpleRnn, (args) => kernels.simpleRnnForward(args), (args) => kernels.simpleRnnBackward(args)),
  ];
}
