// `rnnkit-demo explain lstm | gru | rnn`: one forward step and one backward step of a tiny
// trained model, equation by equation, with its real numbers — in the spirit of the write-ups'
// step-by-step walkthroughs. The numbers come from traceSequence, which reads them off the
// reference cells themselves; the pre-activations z, which the cells do not keep, are
// recomputed here from the weights and checked against the gate values the cell kept.
import { Dense, GRU, LSTM, type Layer, Sequential, SimpleRNN } from '@rnnkit/layers';
import { fit, traceSequence, type RecurrentTrace } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { DemoError } from './errors.js';

export type ExplainKind = 'lstm' | 'gru' | 'rnn';
export const EXPLAIN_KINDS: readonly ExplainKind[] = ['lstm', 'gru', 'rnn'];

/** One equation with its inputs and its result, each a vector of the sequence shown. */
export interface ExplainedEquation {
  readonly equation: string;
  readonly inputs: Readonly<Record<string, number[]>>;
  readonly result: Readonly<Record<string, number[]>>;
}

export interface Explanation {
  readonly kind: ExplainKind;
  readonly units: number;
  readonly time: number;
  /** The step shown (1-based, the last one) and the sequence of the batch (0). */
  readonly step: number;
  readonly forward: readonly ExplainedEquation[];
  readonly backward: readonly ExplainedEquation[];
  /** How far the recomputed gate values are from those the cell kept (a check: about 1e-16). */
  readonly recomputedGap: number;
}

const UNITS = 2;
const TIME = 4;
const σ = (v: number): number => 1 / (1 + Math.exp(-v));

/** A tiny model of `kind`, trained for a few epochs to predict the next point of a sine (float64). */
async function trainedModel(kind: ExplainKind, seed: number): Promise<{ model: Sequential; x: Tensor; y: Tensor }> {
  const options = { units: UNITS, dtype: 'float64' as const };
  const recurrent: Layer = kind === 'lstm' ? new LSTM(options) : kind === 'gru' ? new GRU(options) : new SimpleRNN(options);
  const model = new Sequential({ layers: [recurrent, new Dense({ units: 1, dtype: 'float64' })], inputShape: [TIME, 1], seed, dtype: 'float64' });
  const count = 16;
  const x = new Float64Array(count * TIME);
  const y = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    for (let t = 0; t < TIME; t++) x[s * TIME + t] = Math.sin(0.5 * (s + t));
    y[s] = Math.sin(0.5 * (s + TIME));
  }
  const data = { x: new Tensor(x, [count, TIME, 1]), y: new Tensor(y, [count, 1]) };
  await fit(model, data, { loss: 'mse', optimizer: 'adam', optimizerOptions: { learningRate: 0.05 }, epochs: 20, batchSize: 'full', seed });
  return { model, x: new Tensor(x.slice(0, TIME), [1, TIME, 1]), y: new Tensor(y.slice(0, 1), [1, 1]) };
}

/** Row `slot` of sequence 0 of a `[batch, slots, size]` tensor, or block `part` of it. */
function at(t: Tensor | undefined, slot: number, part = 0, parts = 1): number[] {
  if (t === undefined) return [];
  const size = t.shape[2]!;
  const width = size / parts;
  return Array.from(t.data.subarray(slot * size + part * width, slot * size + (part + 1) * width));
}

/** z = x·W + h·U (+ b) for one row, all gate blocks; `recurrentBias` for GRU's second bias row. */
function preActivation(x: number[], h: number[], weights: readonly Tensor[], width: number, useRecurrent = true): { input: number[]; recurrent: number[] } {
  const [kernel, recurrentKernel, bias] = weights as [Tensor, Tensor, Tensor | undefined];
  const input = Array.from({ length: width }, (_, j) => x.reduce((sum, v, k) => sum + v * kernel.data[k * width + j]!, bias ? bias.data[j]! : 0));
  const recurrent = Array.from({ length: width }, (_, j) =>
    useRecurrent ? h.reduce((sum, v, k) => sum + v * recurrentKernel.data[k * width + j]!, bias && bias.size === 2 * width ? bias.data[width + j]! : 0) : 0,
  );
  return { input, recurrent };
}

const add = (a: number[], b: number[]): number[] => a.map((v, i) => v + b[i]!);
const gap = (a: number[], b: number[]): number => Math.max(0, ...a.map((v, i) => Math.abs(v - b[i]!)));

export async function explain(kind: string, seed = 1): Promise<Explanation> {
  if (!EXPLAIN_KINDS.includes(kind as ExplainKind)) throw new DemoError(`explain expects one of ${EXPLAIN_KINDS.join(', ')}, got "${kind}"`, 2);
  const k = kind as ExplainKind;
  const { model, x, y } = await trainedModel(k, seed);
  const trace: RecurrentTrace = traceSequence(model, x, y, { loss: 'mse' }).layers[0]!;
  const weights = model.layers[0]!.getWeights();
  const t = TIME - 1; // the last step: its slot in the histories is t + 1
  const xt = [x.data[t]!];
  const hPrev = at(trace.states.h, t);
  const hNext = at(trace.states.h, t + 1);
  const dhNext = at(trace.stateGradients.h, t + 1);
  const dhPrev = at(trace.stateGradients.h, t);
  const forward: ExplainedEquation[] = [];
  const backward: ExplainedEquation[] = [];
  let recomputedGap: number;
  const u = UNITS;

  if (k === 'lstm') {
    const { input, recurrent } = preActivation(xt, hPrev, weights, 4 * u);
    const z = add(input, recurrent);
    const block = (g: number): number[] => z.slice(g * u, (g + 1) * u);
    const [i, f, g, o] = ['i', 'f', 'g', 'o'].map((name) => at(trace.kept[`gates.${name}`], t));
    recomputedGap = Math.max(gap(block(0).map(σ), i!), gap(block(1).map(σ), f!), gap(block(2).map(Math.tanh), g!), gap(block(3).map(σ), o!));
    const cPrev = at(trace.states.c, t);
    const cNext = at(trace.states.c, t + 1);
    forward.push(
      { equation: 'z = x_t·W + h_{t−1}·U + b', inputs: { x_t: xt, 'h_{t−1}': hPrev }, result: { z_i: block(0), z_f: block(1), z_g: block(2), z_o: block(3) } },
      { equation: 'i = σ(z_i), f = σ(z_f), g = tanh(z_g), o = σ(z_o)', inputs: {}, result: { i: i!, f: f!, g: g!, o: o! } },
      { equation: 'c_t = f ⊙ c_{t−1} + i ⊙ g', inputs: { f: f!, 'c_{t−1}': cPrev, i: i!, g: g! }, result: { c_t: cNext } },
      { equation: 'h_t = o ⊙ tanh(c_t)', inputs: { o: o!, c_t: cNext }, result: { h_t: hNext } },
    );
    const dz = ['i', 'f', 'g', 'o'].map((name) => at(trace.gradients[`dz.${name}`], t));
    backward.push(
      { equation: '∂L/∂h_t (from the Dense head and the loss)', inputs: {}, result: { '∂L/∂h_t': dhNext } },
      {
        equation: '∂L/∂c_t = ∂L/∂h_t ⊙ o ⊙ (1 − tanh²c_t) (+ ∂L/∂c from step t + 1: none, this is the last step)',
        inputs: { '∂L/∂h_t': dhNext, o: o!, c_t: cNext },
        result: { '∂L/∂c_t': dhNext.map((d, j) => d * o![j]! * (1 - Math.tanh(cNext[j]!) ** 2)) },
      },
      {
        equation: '∂L/∂z_i = ∂L/∂c_t ⊙ g ⊙ i(1 − i), ∂L/∂z_f = ∂L/∂c_t ⊙ c_{t−1} ⊙ f(1 − f), ∂L/∂z_g = ∂L/∂c_t ⊙ i ⊙ (1 − g²), ∂L/∂z_o = ∂L/∂h_t ⊙ tanh(c_t) ⊙ o(1 − o)',
        inputs: {},
        result: { '∂L/∂z_i': dz[0]!, '∂L/∂z_f': dz[1]!, '∂L/∂z_g': dz[2]!, '∂L/∂z_o': dz[3]! },
      },
      { equation: '∂L/∂c_{t−1} = ∂L/∂c_t ⊙ f', inputs: { f: f! }, result: { '∂L/∂c_{t−1}': at(trace.stateGradients.c, t) } },
      { equation: '∂L/∂h_{t−1} = ∂L/∂z·Uᵀ', inputs: {}, result: { '∂L/∂h_{t−1}': dhPrev } },
    );
  } else if (k === 'gru') {
    const { input, recurrent } = preActivation(xt, hPrev, weights, 3 * u);
    const zr = add(input, recurrent);
    const [z, r, candidate] = ['z', 'r', 'h'].map((name) => at(trace.kept[`gates.${name}`], t));
    const candidatePre = input.slice(2 * u).map((v, j) => v + r![j]! * recurrent[2 * u + j]!);
    recomputedGap = Math.max(gap(zr.slice(0, u).map(σ), z!), gap(zr.slice(u, 2 * u).map(σ), r!), gap(candidatePre.map(Math.tanh), candidate!));
    forward.push(
      { equation: 'x̂ = x_t·W + b, a = h_{t−1}·U + b′', inputs: { x_t: xt, 'h_{t−1}': hPrev }, result: { x̂: input, a: recurrent } },
      { equation: 'z = σ(x̂_z + a_z), r = σ(x̂_r + a_r)', inputs: {}, result: { z: z!, r: r! } },
      { equation: 'h̃ = tanh(x̂_h + r ⊙ a_h)', inputs: { r: r! }, result: { h̃: candidate! } },
      { equation: 'h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃', inputs: { z: z!, 'h_{t−1}': hPrev, h̃: candidate! }, result: { h_t: hNext } },
    );
    const dz = ['z', 'r', 'h'].map((name) => at(trace.gradients[`dz.${name}`], t));
    backward.push(
      { equation: '∂L/∂h_t (from the Dense head and the loss)', inputs: {}, result: { '∂L/∂h_t': dhNext } },
      {
        equation: '∂L/∂h̃ = ∂L/∂h_t ⊙ (1 − z), ∂L/∂z = ∂L/∂h_t ⊙ (h_{t−1} − h̃)',
        inputs: {},
        result: { '∂L/∂h̃': dhNext.map((d, j) => d * (1 - z![j]!)), '∂L/∂z': dhNext.map((d, j) => d * (hPrev[j]! - candidate![j]!)) },
      },
      { equation: 'through the activations: ∂L/∂(x̂ + a) per gate', inputs: {}, result: { '∂L/∂pre_z': dz[0]!, '∂L/∂pre_r': dz[1]!, '∂L/∂pre_h': dz[2]! } },
      { equation: '∂L/∂h_{t−1} = ∂L/∂h_t ⊙ z + (∂ through a)·Uᵀ', inputs: {}, result: { '∂L/∂h_{t−1}': dhPrev } },
    );
  } else {
    const { input, recurrent } = preActivation(xt, hPrev, weights, u);
    const z = add(input, recurrent);
    recomputedGap = gap(z.map(Math.tanh), hNext);
    forward.push(
      { equation: 'z = x_t·W + h_{t−1}·U + b', inputs: { x_t: xt, 'h_{t−1}': hPrev }, result: { z } },
      { equation: 'h_t = tanh(z)', inputs: {}, result: { h_t: hNext } },
    );
    backward.push(
      { equation: '∂L/∂h_t (from the Dense head and the loss)', inputs: {}, result: { '∂L/∂h_t': dhNext } },
      { equation: '∂L/∂z = ∂L/∂h_t ⊙ (1 − h_t²)', inputs: { h_t: hNext }, result: { '∂L/∂z': at(trace.gradients.dz, t) } },
      { equation: '∂L/∂h_{t−1} = ∂L/∂z·Uᵀ', inputs: {}, result: { '∂L/∂h_{t−1}': dhPrev } },
    );
  }
  const shareOfW = trace.stepContributions.kernel!;
  const width = shareOfW.size / TIME;
  backward.push({ equation: 'this step adds to ∂L/∂W: x_tᵀ·∂L/∂z', inputs: { x_t: xt }, result: { '∂L/∂W (step t)': Array.from(shareOfW.data.subarray(t * width, (t + 1) * width)) } });
  return { kind: k, units: u, time: TIME, step: TIME, forward, backward, recomputedGap };
}

const fmt = (values: number[]): string => `[${values.map((v) => (v >= 0 ? ' ' : '') + v.toFixed(4)).join(', ')}]`;

/** The explanation as terminal text. */
export function formatExplanation(e: Explanation): string {
  const lines = [
    `${e.kind.toUpperCase()} with ${e.units} units, trained briefly to continue a sine; sequence 0, step t = ${e.step} of ${e.time} (float64, numbers from the reference cell).`,
    '',
    'Forward:',
  ];
  const write = (list: readonly ExplainedEquation[]): void => {
    list.forEach((q, n) => {
      lines.push(`  (${n + 1}) ${q.equation}`);
      for (const [name, v] of Object.entries(q.inputs)) lines.push(`        ${name.padEnd(14)} ${fmt(v)}`);
      for (const [name, v] of Object.entries(q.result)) lines.push(`      → ${name.padEnd(14)} ${fmt(v)}`);
    });
  };
  write(e.forward);
  lines.push('', 'Backward (loss: mean squared error of the next point):');
  write(e.backward);
  lines.push('', `Gate values recomputed from the weights differ from the cell's by at most ${e.recomputedGap.toExponential(1)}.`);
  return lines.join('\n');
}
