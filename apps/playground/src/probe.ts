// Looking inside a recurrent layer: run its cell one time step at a time on the layer's
// current weights and record every gate and state on the way. The layers themselves fuse
// and batch this work for speed and keep only what backward needs; the probe spells the
// same equations out for one sequence, so the page can draw them as heat maps.
import { GRU, LSTM, SimpleRNN } from '@rnnkit/layers';
import { RnnkitError, type Tensor } from '@rnnkit/tensor';

/** The recurrent layers the probe can look into. */
export type ProbeKind = 'SimpleRNN' | 'LSTM' | 'GRU';

/**
 * How a trace's values range, which decides its colour scale: `unit` for gates (σ, in
 * [0, 1]), `signed` for values in [−1, 1] (tanh outputs) and `unbounded` for the LSTM's
 * cell state, which may grow beyond ±1.
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

/** A cell's weights in Keras' layout, as flat row-major arrays. */
export interface CellWeights {
  /** `[features, gates·units]`. */
  readonly kernel: ArrayLike<number>;
  /** `[units, gates·units]`. */
  readonly recurrentKernel: ArrayLike<number>;
  /** `[gates·units]`, GRU with reset-after `[2, 3·units]` (input row, recurrent row), or null without bias. */
  readonly bias: ArrayLike<number> | null;
}

/** What {@link probeCell} needs to know about the layer. */
export interface CellSpec {
  readonly kind: ProbeKind;
  readonly units: number;
  readonly features: number;
  /** GRU: reset gate applied after the recurrent product (Keras 2's default). @defaultValue true */
  readonly resetAfter?: boolean;
  /** LSTM: `h = o ⊙ tanh(c)` (`'activation'`, Keras) or `h = o ⊙ c` (`'none'`). @defaultValue 'activation' */
  readonly cellOutput?: 'activation' | 'none';
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

/**
 * `out[j] = b[j] + Σ_f x[f]·W[f, j] + Σ_k h[k]·U[k, j]` for the `width` columns of the
 * fused gate blocks; `U` is skipped when `h` is null (GRU's reset-before candidate).
 */
function preActivation(
  out: Float64Array,
  x: ArrayLike<number>,
  xOffset: number,
  features: number,
  h: Float64Array,
  { kernel, recurrentKernel, bias }: CellWeights,
  width: number,
): void {
  for (let j = 0; j < width; j++) {
    let sum = bias === null ? 0 : bias[j]!;
    for (let f = 0; f < features; f++) sum += x[xOffset + f]! * kernel[f * width + j]!;
    for (let k = 0; k < h.length; k++) sum += h[k]! * recurrentKernel[k * width + j]!;
    out[j] = sum;
  }
}

/**
 * Runs one cell over a sequence `x` (`[time, features]`, row-major) from zero initial
 * states, and records each gate and state at every step (Keras' equations, σ = sigmoid):
 *
 * - SimpleRNN: `h_t = tanh(x_t·W + h_{t−1}·U + b)`.
 * - LSTM: `z = x_t·W + h_{t−1}·U + b` split i, f, g, o; `i = σ(z_i)`, `f = σ(z_f)`,
 *   `g = tanh(z_g)`, `o = σ(z_o)`; `c_t = f ⊙ c_{t−1} + i ⊙ g`; `h_t = o ⊙ tanh(c_t)`.
 * - GRU: `z = σ(x·W_z + h·U_z + b_z)`, `r = σ(x·W_r + h·U_r + b_r)`,
 *   `g = tanh(x·W_g + b_g + r ⊙ (h·U_g + b′_g))` (reset after; before: `(r ⊙ h)·U_g`),
 *   `h_t = z ⊙ h_{t−1} + (1 − z) ⊙ g`.
 *
 * Written for clarity, not speed: plain loops in float64, one step at a time.
 */
export function probeCell(spec: CellSpec, weights: CellWeights, x: ArrayLike<number>): Probe {
  const { kind, units: u, features } = spec;
  if (features < 1 || x.length % features !== 0) {
    throw new RnnkitError('probeCell', `expected a sequence of [time, ${features}] values, got ${x.length} values`);
  }
  const time = x.length / features;
  const trace = (name: string, label: string, range: TraceRange): ProbeTrace => ({
    name,
    label,
    range,
    values: new Float64Array(time * u),
  });
  const h = new Float64Array(u); // h_{t−1}, then h_t

  if (kind === 'SimpleRNN') {
    const hs = trace('h', 'hidden state h', 'signed');
    const z = new Float64Array(u);
    for (let t = 0; t < time; t++) {
      preActivation(z, x, t * features, features, h, weights, u);
      for (let k = 0; k < u; k++) h[k] = Math.tanh(z[k]!);
      hs.values.set(h, t * u);
    }
    return { kind, units: u, time, traces: [hs] };
  }

  if (kind === 'LSTM') {
    const [i, f, o, g, c, hs] = [
      trace('i', 'input gate i', 'unit'),
      trace('f', 'forget gate f', 'unit'),
      trace('o', 'output gate o', 'unit'),
      trace('g', 'candidate c̃', 'signed'),
      trace('c', 'cell state c', 'unbounded'),
      trace('h', 'hidden state h', 'signed'),
    ];
    const squash = (spec.cellOutput ?? 'activation') === 'activation';
    const z = new Float64Array(4 * u);
    const cell = new Float64Array(u);
    for (let t = 0; t < time; t++) {
      preActivation(z, x, t * features, features, h, weights, 4 * u);
      for (let k = 0; k < u; k++) {
        const gi = sigmoid(z[k]!);
        const gf = sigmoid(z[u + k]!);
        const gg = Math.tanh(z[2 * u + k]!);
        const go = sigmoid(z[3 * u + k]!);
        cell[k] = gf * cell[k]! + gi * gg;
        h[k] = go * (squash ? Math.tanh(cell[k]!) : cell[k]!);
        const at = t * u + k;
        i.values[at] = gi;
        f.values[at] = gf;
        g.values[at] = gg;
        o.values[at] = go;
      }
      c.values.set(cell, t * u);
      hs.values.set(h, t * u);
    }
    return { kind, units: u, time, traces: [i, f, o, g, c, hs] };
  }

  // GRU. The input side x·W + b_in of all three blocks, then the recurrent side h·U (+ b′).
  const after = spec.resetAfter ?? true;
  const [zs, rs, gs, hs] = [
    trace('z', 'update gate z', 'unit'),
    trace('r', 'reset gate r', 'unit'),
    trace('g', 'candidate h̃', 'signed'),
    trace('h', 'hidden state h', 'signed'),
  ];
  const width = 3 * u;
  const bias = weights.bias;
  const inputSide = new Float64Array(width);
  const recurrentSide = new Float64Array(width);
  const none = new Float64Array(0);
  const resetH = new Float64Array(u);
  for (let t = 0; t < time; t++) {
    preActivation(inputSide, x, t * features, features, none, weights, width);
    for (let j = 0; j < width; j++) {
      let sum = after && bias !== null ? bias[width + j]! : 0;
      for (let k = 0; k < u; k++) sum += h[k]! * weights.recurrentKernel[k * width + j]!;
      recurrentSide[j] = sum;
    }
    for (let k = 0; k < u; k++) {
      const z = sigmoid(inputSide[k]! + recurrentSide[k]!);
      const r = sigmoid(inputSide[u + k]! + recurrentSide[u + k]!);
      zs.values[t * u + k] = z;
      rs.values[t * u + k] = r;
      resetH[k] = r * h[k]!;
    }
    for (let k = 0; k < u; k++) {
      let candidate: number;
      if (after) {
        candidate = inputSide[2 * u + k]! + rs.values[t * u + k]! * recurrentSide[2 * u + k]!;
      } else {
        candidate = inputSide[2 * u + k]!;
        for (let m = 0; m < u; m++) candidate += resetH[m]! * weights.recurrentKernel[m * width + 2 * u + k]!;
      }
      gs.values[t * u + k] = Math.tanh(candidate);
    }
    for (let k = 0; k < u; k++) {
      const z = zs.values[t * u + k]!;
      h[k] = z * h[k]! + (1 - z) * gs.values[t * u + k]!;
    }
    hs.values.set(h, t * u);
  }
  return { kind, units: u, time, traces: [zs, rs, gs, hs] };
}

/**
 * Probes a built layer of rnnkit on one sequence `x` (`[time, features]` or
 * `[1, time, features]`), using its current weights. The layer must use the default
 * activations (tanh, and sigmoid gates), which are the equations {@link probeCell} writes out.
 */
export function probeLayer(layer: SimpleRNN | LSTM | GRU, x: Tensor): Probe {
  const api = 'probeLayer';
  if (!layer.built) throw new RnnkitError(api, `layer "${layer.name}" is not built`);
  const shape = x.rank === 3 && x.shape[0] === 1 ? x.shape.slice(1) : x.shape;
  const [kernel, recurrentKernel] = layer.getWeights();
  const features = kernel!.shape[0]!;
  if (shape.length !== 2 || shape[1] !== features) {
    throw new RnnkitError(api, `expected one sequence [time, ${features}], got [${x.shape.join(', ')}]`);
  }
  if (layer.activation.name !== 'tanh') {
    throw new RnnkitError(api, `the probe writes out tanh activations, but "${layer.name}" uses ${layer.activation.name}`);
  }
  if ((layer instanceof LSTM || layer instanceof GRU) && layer.recurrentActivation.name !== 'sigmoid') {
    throw new RnnkitError(api, `the probe writes out sigmoid gates, but "${layer.name}" uses ${layer.recurrentActivation.name}`);
  }
  if (layer instanceof SimpleRNN && layer.learnableInitialState) {
    throw new RnnkitError(api, 'the probe starts from h₀ = 0; a learnable initial state is not supported');
  }
  const bias = layer.useBias ? layer.getWeights()[2]!.data : null;
  const weights: CellWeights = { kernel: kernel!.data, recurrentKernel: recurrentKernel!.data, bias };
  const spec: CellSpec = {
    kind: layer.className as ProbeKind,
    units: layer.units,
    features,
    ...(layer instanceof GRU ? { resetAfter: layer.resetAfter } : {}),
    ...(layer instanceof LSTM ? { cellOutput: layer.cellOutput } : {}),
  };
  return probeCell(spec, weights, x.data);
}

/** The trace called `name` (e.g. `'h'`) of a probe. */
export function traceOf(probe: Probe, name: string): ProbeTrace {
  const found = probe.traces.find((t) => t.name === name);
  if (!found) throw new RnnkitError('traceOf', `no trace "${name}" in a ${probe.kind} probe (has ${probe.traces.map((t) => t.name).join(', ')})`);
  return found;
}
