// Looking inside a recurrent layer: run its reference cell (cells/*-cell.ts of
// @rnnkit/layers) one time step at a time on one sequence, with the layer's current
// weights, and read every gate and state out of the cell's buffers, so the page can draw
// them as heat maps. The layer itself may run the same pass fused in WebAssembly and keep
// only what backward needs.
import { type ForwardSteps, type RecurrentCell, GRU, LSTM, SimpleRNN } from '@rnnkit/layers';
import { RnnkitError, type Tensor, allocate } from '@rnnkit/tensor';

/** The recurrent layers the probe can look into. */
export type ProbeKind = 'SimpleRNN' | 'LSTM' | 'GRU';

/**
 * How a trace's values range, which decides its colour scale: `unit` for gates (σ, in
 * [0, 1]), `signed` for values in [−1, 1] (tanh outputs) and `unbounded` for the LSTM's
 * cell state, which may grow beyond ±1 (and for its h when `cellOutput` is `'none'`).
 */
export type TraceRange = 'unit' | 'signed' | 'unbounded';

/** One recorded quantity over the sequence. */
export interface ProbeTrace {
  /** Short symbol: `i`, `f`, `o`, `c`, `h`, `z`, `r`, `g` (candidate). */
  readonly name: string;
  /** What it is, in words. */
  readonly label: string;
  readonly range: TraceRange;
  /** Time-major `[time, units]`: the value of unit k at step t is `values[t·units + k]`. */
  readonly values: Float64Array;
}

/** Every gate and state of one sequence, step by step. */
export interface Probe {
  readonly kind: ProbeKind;
  readonly units: number;
  readonly time: number;
  /** LSTM: i, f, o, g (candidate c̃), c, h. GRU: z, r, g (candidate h̃), h. SimpleRNN: h. */
  readonly traces: readonly ProbeTrace[];
}

/**
 * Probes a built layer of rnnkit on one sequence `x` (`[time, features]` or
 * `[1, time, features]`), using its current weights: the layer's own reference cell runs one
 * step at a time from zero initial states, and every gate and state is read out of the
 * buffers the cell keeps (LSTM: the gates [i | f | g | o] and the states h, c; GRU: the gates
 * [z | r | h̃] and h). The layer must use the default activations (tanh, and sigmoid gates),
 * which the traces' colour scales assume.
 */
export function probeLayer(layer: SimpleRNN | LSTM | GRU, x: Tensor): Probe {
  const api = 'probeLayer';
  if (!layer.built) throw new RnnkitError(api, `layer "${layer.name}" is not built`);
  const shape = x.rank === 3 && x.shape[0] === 1 ? x.shape.slice(1) : x.shape;
  const cell: RecurrentCell = layer.cell;
  const features = cell.features;
  if (shape.length !== 2 || shape[1] !== features) {
    throw new RnnkitError(api, `expected one sequence [time, ${features}], got [${x.shape.join(', ')}]`);
  }
  if (layer.activation.name !== 'tanh') {
    throw new RnnkitError(api, `the probe writes out tanh activations, but "${layer.name}" uses ${layer.activation.name}`);
  }
  if ((layer instanceof LSTM || layer instanceof GRU) && layer.recurrentActivation.name !== 'sigmoid') {
    throw new RnnkitError(api, `the probe writes out sigmoid gates, but "${layer.name}" uses ${layer.recurrentActivation.name}`);
  }
  if (layer.learnableInitialState) {
    throw new RnnkitError(api, 'the probe starts from h₀ = 0; a learnable initial state is not supported');
  }
  const time = shape[0]!;
  const u = layer.units;
  // One sequence (batch 1), time-major is the sequence itself; the cell reads x in its dtype.
  const xs = allocate(layer.dtype, time * features);
  xs.set(x.data.subarray(0, time * features));
  const frame: ForwardSteps = {
    batch: 1,
    time,
    features,
    t: 0,
    x: xs,
    states: cell.states.map((s) => allocate(layer.dtype, (time + 1) * s.size)),
    kept: cell.kept.map((k) => allocate(layer.dtype, time * k.size)),
  };
  cell.beforeForward?.(frame);
  for (let t = 0; t < time; t++) {
    frame.t = t;
    cell.step(frame);
  }
  /** Block `block` (of `u` values) of every step's row of width `width` in `buffer`, from `first`. */
  const column = (buffer: ArrayLike<number>, width: number, block: number, first = 0): Float64Array => {
    const values = new Float64Array(time * u);
    for (let t = 0; t < time; t++) for (let k = 0; k < u; k++) values[t * u + k] = buffer[first + t * width + block * u + k]!;
    return values;
  };
  const state = (index: number): Float64Array => column(frame.states[index]!, u, 0, u); // slots 1 … T
  // h = o ⊙ c (an LSTM with cellOutput 'none') is as unbounded as c.
  const hRange: TraceRange = layer instanceof LSTM && layer.cellOutput === 'none' ? 'unbounded' : 'signed';
  const h: ProbeTrace = { name: 'h', label: 'hidden state h', range: hRange, values: state(0) };
  const kind = layer.className as ProbeKind;
  const gates = frame.kept[0]!;
  if (layer instanceof LSTM) {
    const traces: ProbeTrace[] = [
      { name: 'i', label: 'input gate i', range: 'unit', values: column(gates, 4 * u, 0) },
      { name: 'f', label: 'forget gate f', range: 'unit', values: column(gates, 4 * u, 1) },
      { name: 'o', label: 'output gate o', range: 'unit', values: column(gates, 4 * u, 3) },
      { name: 'g', label: 'candidate c̃', range: 'signed', values: column(gates, 4 * u, 2) },
      { name: 'c', label: 'cell state c', range: 'unbounded', values: state(1) },
      h,
    ];
    return { kind, units: u, time, traces };
  }
  if (layer instanceof GRU) {
    const traces: ProbeTrace[] = [
      { name: 'z', label: 'update gate z', range: 'unit', values: column(gates, 3 * u, 0) },
      { name: 'r', label: 'reset gate r', range: 'unit', values: column(gates, 3 * u, 1) },
      { name: 'g', label: 'candidate h̃', range: 'signed', values: column(gates, 3 * u, 2) },
      h,
    ];
    return { kind, units: u, time, traces };
  }
  return { kind, units: u, time, traces: [h] };
}

/** The trace called `name` (e.g. `'h'`) of a probe. */
export function traceOf(probe: Probe, name: string): ProbeTrace {
  const found = probe.traces.find((t) => t.name === name);
  if (!found) throw new RnnkitError('traceOf', `no trace "${name}" in a ${probe.kind} probe (has ${probe.traces.map((t) => t.name).join(', ')})`);
  return found;
}
