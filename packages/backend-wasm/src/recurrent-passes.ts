// The backend's whole-sequence kernels as RecurrentPass objects of @rnnkit/layers: the
// recurrent layer finds them in `backend.fused` and hands over the buffers of a pass, which
// have the layouts the kernels use (LSTM kept [gates | tanh(c)], GRU kept [gates | a]).
import type { GRUCell, LSTMCell, RecurrentCell, RecurrentPass } from '@rnnkit/layers';
import type { GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs } from './pass-args.js';

/** The whole-pass kernels of one backend (see backend.ts). */
export interface RecurrentKernels {
  lstmForward(args: LstmForwardArgs): void;
  lstmBackward(args: LstmBackwardArgs): void;
  gruForward(args: GruForwardArgs): void;
  gruBackward(args: GruBackwardArgs): void;
}

// The kernels compute σ and tanh themselves: a cell qualifies when its activations are the
// built-in ones of those names (an Activation object must not reuse a built-in's name for a
// different function). They know no dropout: a cell whose dropout masks are set (a training
// pass with dropout) runs its own steps; at inference the masks are unset and the kernels run.

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

/** Keras 2's default GRU cell in float32: resetAfter, σ gates, tanh. */
function isStandardGru(cell: RecurrentCell): cell is GRUCell {
  const c = cell as Partial<GRUCell>;
  return (
    cell.kind === 'gru' &&
    cell.dtype === 'float32' &&
    c.resetAfter === true &&
    c.recurrentActivation?.name === 'sigmoid' &&
    c.activation?.name === 'tanh' &&
    withoutDropoutMasks(cell)
  );
}

/** The LSTM and GRU passes of a backend named `name`. */
export function recurrentPasses(kernels: RecurrentKernels, name: string): RecurrentPass[] {
  const lstm: RecurrentPass = {
    family: 'recurrent',
    name: `${name} lstm`,
    supports: isStandardLstm,
    forward(run) {
      const cell = run.cell as LSTMCell;
      const bias = cell.biasParam;
      kernels.lstmForward({
        batch: run.batch,
        time: run.time,
        features: run.features,
        units: cell.units,
        x: run.x as Float32Array,
        kernel: cell.kernelParam.value.data as Float32Array,
        recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
        bias: bias === null ? null : (bias.value.data as Float32Array),
        h: run.states[0] as Float32Array,
        c: run.states[1] as Float32Array,
        gates: run.kept[0] as Float32Array,
        cellActivation: run.kept[1] as Float32Array,
        keep: run.keep,
      });
    },
    backward(run) {
      const cell = run.cell as LSTMCell;
      kernels.lstmBackward({
        // Written out, not spread: a pass runs per batch, and spreading built slower, shape-shifting objects.
        batch: run.batch,
        time: run.time,
        features: run.features,
        units: cell.units,
        x: run.x as Float32Array,
        kernel: cell.kernelParam.value.data as Float32Array,
        recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
        dhOut: run.dOutputs as Float32Array | null,
        dx: run.dx as Float32Array,
        kernelGrad: cell.kernelParam.grad.data as Float32Array,
        recurrentKernelGrad: cell.recurrentKernelParam.grad.data as Float32Array,
        biasGrad: cell.biasParam === null ? null : (cell.biasParam.grad.data as Float32Array),
        gates: run.kept[0] as Float32Array,
        h: run.states[0] as Float32Array,
        c: run.states[1] as Float32Array,
        cellActivation: run.kept[1] as Float32Array,
        dh: run.dStates[0] as Float32Array,
        dc: run.dStates[1] as Float32Array,
      });
    },
  };
  const gru: RecurrentPass = {
    family: 'recurrent',
    name: `${name} gru`,
    supports: isStandardGru,
    forward(run) {
      const cell = run.cell as GRUCell;
      const bias = cell.biasParam;
      kernels.gruForward({
        batch: run.batch,
        time: run.time,
        features: run.features,
        units: cell.units,
        x: run.x as Float32Array,
        kernel: cell.kernelParam.value.data as Float32Array,
        recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
        bias: bias === null ? null : (bias.value.data as Float32Array),
        h: run.states[0] as Float32Array,
        gates: run.kept[0] as Float32Array,
        recurrent: run.kept[1] as Float32Array,
        keep: run.keep,
      });
    },
    backward(run) {
      const cell = run.cell as GRUCell;
      kernels.gruBackward({
        // Written out, not spread: a pass runs per batch, and spreading built slower, shape-shifting objects.
        batch: run.batch,
        time: run.time,
        features: run.features,
        units: cell.units,
        x: run.x as Float32Array,
        kernel: cell.kernelParam.value.data as Float32Array,
        recurrentKernel: cell.recurrentKernelParam.value.data as Float32Array,
        dhOut: run.dOutputs as Float32Array | null,
        dx: run.dx as Float32Array,
        kernelGrad: cell.kernelParam.grad.data as Float32Array,
        recurrentKernelGrad: cell.recurrentKernelParam.grad.data as Float32Array,
        biasGrad: cell.biasParam === null ? null : (cell.biasParam.grad.data as Float32Array),
        gates: run.kept[0] as Float32Array,
        recurrent: run.kept[1] as Float32Array,
        h: run.states[0] as Float32Array,
        dh: run.dStates[0] as Float32Array,
      });
    },
  };
  return [lstm, gru];
}
