// Gradient flow: how strongly the loss of one sample reaches back to each time step's state,
// ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖ for an LSTM) against t, read from @rnnkit/model's
// `traceSequence` (of the first sequence of the batch given: pass one). A curve that falls steeply towards t = 1 is the vanishing gradient of
// backpropagation through time (Bengio, Simard & Frasconi 1994); the LSTM's cell state is
// the path meant to keep it flat (Hochreiter & Schmidhuber 1997). Free of DOM globals.
import type { Sequential } from '@rnnkit/layers';
import { type RecurrentTrace, traceSequence } from '@rnnkit/model';
import { RnnkitError, type Tensor } from '@rnnkit/tensor';

/** One state's gradient norm per time step. */
export interface GradientSeries {
  /** `h`, or `c` for the LSTM's cell state. */
  readonly state: 'h' | 'c';
  /** ‖∂L/∂state_t‖ for t = 1 … time (index t − 1). */
  readonly norms: Float64Array;
}

/** The gradient flow of one sample through the model's first recurrent layer. */
export interface GradientFlow {
  /** The layer's cell kind, e.g. `lstm`. */
  readonly kind: string;
  readonly time: number;
  /** The loss of the sample. */
  readonly loss: number;
  readonly series: readonly GradientSeries[];
}

/**
 * ∂L/∂c_t of step t (0-based `j`) of sequence 0, whole: what the trace records for c at slot
 * j + 1 is the gradient reaching c_t from the later steps only (∂L/∂c_{t+1} ⊙ f_{t+1}); c_t
 * also reaches the loss through h_t = o_t ⊙ tanh(c_t), which adds ∂L/∂h_t ⊙ o_t ⊙ (1 − tanh²c_t).
 */
export function cellStateGradient(layer: RecurrentTrace, j: number): Float64Array {
  const dc = layer.stateGradients.c!, dh = layer.stateGradients.h!;
  const o = layer.kept['gates.o']!, tanhC = layer.kept.cellActivation!;
  const units = dc.shape[2]!;
  const slot = (j + 1) * units, step = j * units;
  return Float64Array.from({ length: units }, (_, k) => {
    const a = tanhC.data[step + k]!;
    return dc.data[slot + k]! + dh.data[slot + k]! * o.data[step + k]! * (1 - a * a);
  });
}

/**
 * Traces `model` on one sample (`x` `[1, time, features]`, `y` its target) and returns the
 * norm of the loss's gradient with respect to each state at each step t = 1 … time (the
 * initial state is left out). The model is left as it was. An LSTM must keep the default
 * tanh cell output (as the probe requires), for ∂L/∂c_t.
 */
export function gradientFlow(model: Sequential, x: Tensor, y: Tensor, loss: string): GradientFlow {
  const trace = traceSequence(model, x, y, { loss });
  const layer = trace.layers[0];
  if (layer === undefined) throw new RnnkitError('gradientFlow', 'the model has no recurrent layer to trace');
  // ∂L/∂h_t as traced (slot t) is whole: h_t reaches the loss through the output and step t + 1.
  const series: GradientSeries[] = [{ state: 'h', norms: Float64Array.from(layer.gradientNorms.h!.slice(1)) }];
  if (layer.stateGradients.c !== undefined) {
    if (layer.kept.cellActivation === undefined) throw new RnnkitError('gradientFlow', 'the LSTM must use its tanh cell output');
    const norms = Float64Array.from({ length: layer.time }, (_, j) => Math.hypot(...cellStateGradient(layer, j)));
    series.push({ state: 'c', norms });
  }
  return { kind: layer.kind, time: layer.time, loss: trace.loss, series };
}

/** The rows a chart draws: one per state and step with a positive, finite norm (a log scale shows no zeros). */
export function gradientRows(flow: GradientFlow, label?: string): { t: number; norm: number; state: string; series: string }[] {
  const rows: { t: number; norm: number; state: string; series: string }[] = [];
  for (const { state, norms } of flow.series) {
    const name = `‖∂L/∂${state}_t‖`;
    norms.forEach((norm, k) => {
      if (norm > 0 && Number.isFinite(norm)) rows.push({ t: k + 1, norm, state, series: label === undefined ? name : `${label} ${name}` });
    });
  }
  return rows;
}
