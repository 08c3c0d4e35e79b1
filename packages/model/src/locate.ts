// NaN to its source: when a training step produces a non-finite loss or gradient, the batch is
// run again through a float64 copy of the model with every recurrent layer traced
// (traceSequence), and the first quantity that is not finite — or, for a float32 model, that
// is beyond the float32 range, which is where float32 overflowed — is named: the layer, the
// time step, the sample and the gate or state (e.g. "the cell state c exceeds the float32
// range (4.1e+39) at time step 37, sample 4"). Forward quantities are searched first, in
// time order, then the backward ones from the last step back.
import { Sequential } from '@rnnkit/layers';
import type { Loss } from '@rnnkit/losses';
import { RnnkitError, Tensor } from '@rnnkit/tensor';
import { type RecurrentTrace, traceSequence } from './trace.js';

const FLOAT32_MAX = 3.4028234663852886e38;

/** Words for the blocks and vectors cells name (LSTM i, f, g, o; GRU z, r, h; states h, c). */
const WORDS: Readonly<Record<string, string>> = {
  'gates.i': 'the input gate i',
  'gates.f': 'the forget gate f',
  'gates.g': 'the candidate g',
  'gates.o': 'the output gate o',
  'gates.z': 'the update gate z',
  'gates.r': 'the reset gate r',
  'gates.h': 'the candidate h̃',
  'dz.i': 'the gradient of the input-gate pre-activation ∂L/∂z_i',
  'dz.f': 'the gradient of the forget-gate pre-activation ∂L/∂z_f',
  'dz.g': 'the gradient of the candidate pre-activation ∂L/∂z_g',
  'dz.o': 'the gradient of the output-gate pre-activation ∂L/∂z_o',
  'dz.z': 'the gradient of the update-gate pre-activation ∂L/∂z_z',
  'dz.r': 'the gradient of the reset-gate pre-activation ∂L/∂z_r',
  'dz.h': 'the gradient of the candidate pre-activation ∂L/∂z_h',
  h: 'the output h',
  c: 'the cell state c',
  cellActivation: 'tanh(c)',
};

const word = (name: string): string => WORDS[name] ?? name;

/** The first (step, sample) whose `[batch, slots, size]` rows hold a bad value, in `order` of slots. */
function firstBad(t: Tensor, order: readonly number[], limit: number): { slot: number; sample: number; value: number } | undefined {
  const [batch, slots, size] = t.shape as [number, number, number];
  for (const slot of order) {
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < size; k++) {
        const v = t.data[(b * slots + slot) * size + k]!;
        if (!Number.isFinite(v) || Math.abs(v) > limit) return { slot, sample: b, value: v };
      }
    }
  }
  return undefined;
}

/** Entries of a record, blocks (`gates.f`) before their whole vector (`gates`), so a gate is named when it can be. */
function byBlock(record: Readonly<Record<string, Tensor>>): [string, Tensor][] {
  const entries = Object.entries(record);
  return [...entries.filter(([n]) => n.includes('.')), ...entries.filter(([n]) => !n.includes('.'))];
}

function describeValue(value: number, limit: number): string {
  if (!Number.isFinite(value)) return `is ${value}`;
  return limit < Infinity ? `exceeds the float32 range (${value.toExponential(1)})` : `is ${value}`;
}

/** Where in one traced layer the first bad value is, or undefined. */
function inLayer(trace: RecurrentTrace, label: string, limit: number): string | undefined {
  const T = trace.time;
  const forwardSteps = Array.from({ length: T }, (_, t) => t);
  // Forward, step by step: what the step kept (its gates), then the states it wrote (slot t + 1).
  for (const t of forwardSteps) {
    for (const [name, tensor] of byBlock(trace.kept)) {
      const bad = firstBad(tensor, [t], limit);
      if (bad) return `${label}: ${word(name)} ${describeValue(bad.value, limit)} at time step ${t}, sample ${bad.sample}`;
    }
    for (const [name, tensor] of Object.entries(trace.states)) {
      const bad = firstBad(tensor, [t + 1], limit);
      if (bad) return `${label}: ${word(name)} ${describeValue(bad.value, limit)} at time step ${t}, sample ${bad.sample}`;
    }
  }
  // Backward, from the last step back: ∂L/∂state reaching step t, then the cell's own gradients of step t.
  for (const t of [...forwardSteps].reverse()) {
    for (const [name, tensor] of Object.entries(trace.stateGradients)) {
      const bad = firstBad(tensor, [t + 1], limit);
      if (bad) return `${label}: the gradient ∂L/∂${name} ${describeValue(bad.value, limit)} at time step ${t}, sample ${bad.sample} (going backwards)`;
    }
    for (const [name, tensor] of byBlock(trace.gradients)) {
      const bad = firstBad(tensor, [t], limit);
      if (bad) return `${label}: ${word(name)} ${describeValue(bad.value, limit)} at time step ${t}, sample ${bad.sample} (going backwards)`;
    }
  }
  return undefined;
}

/** Every "float32" in a plain-data configuration turned into "float64". */
function inFloat64(value: unknown): unknown {
  if (value === 'float32') return 'float64';
  if (Array.isArray(value)) return value.map(inFloat64);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, inFloat64(v)]));
  return value;
}

/**
 * Where the first non-finite (or, for float32 models, out-of-range) value of a training step on
 * `x`, `y` appears in the recurrent layers, as a phrase — or undefined when the model is not a
 * Sequential, cannot be copied, or no recurrent quantity is bad (then the cause is elsewhere).
 */
export function locateNonFinite(model: unknown, x: Tensor, y: Tensor, loss: Loss): string | undefined {
  if (!(model instanceof Sequential)) return undefined;
  try {
    const copy = Sequential.fromConfig(inFloat64(model.getConfig()) as never);
    if (!copy.built) copy.build([null, ...x.shape.slice(1)]);
    copy.setWeights(model.getWeights().map((w) => new Tensor(Float64Array.from(w.data), w.shape)));
    const limit = model.dtype === 'float32' ? FLOAT32_MAX : Infinity;
    const x64 = new Tensor(Float64Array.from(x.data), x.shape);
    const y64 = new Tensor(Float64Array.from(y.data), y.shape);
    const trace = traceSequence(copy, x64, y64, { loss });
    for (const layer of trace.layers) {
      const found = inLayer(layer, `layer ${layer.index + 1} "${layer.name}"`, limit);
      if (found !== undefined) return `traced in float64, ${found}`;
    }
    return undefined;
  } catch {
    // The diagnosis is a courtesy on top of an error already being reported: never replace it.
    return undefined;
  }
}

/**
 * fit's error for a non-finite loss or gradient, with where the batch's first bad value appears
 * in the recurrent layers added (see locateNonFinite); an optimizer step that was undone (its
 * error has a cause) or any other error passes unchanged.
 */
export function withLocation(error: unknown, model: unknown, x: Tensor, y: Tensor, loss: Loss): unknown {
  if (!(error instanceof RnnkitError) || error.cause !== undefined || error.api !== 'fit') return error;
  const where = locateNonFinite(model, x, y, loss);
  return where === undefined ? error : new RnnkitError('fit', `${error.message.slice('fit: '.length)}; ${where}`);
}
