// Masked steps in the generic recurrent layer, with the semantics of Keras and TF.js: a step
// whose mask is 0 leaves that sequence's states as they were, and its output repeats the last
// valid output (zeros before the first valid step). The cell still computes every step for
// every row — what a masked row computed is then overwritten by the carried state — so any
// cell works unchanged. Backward mirrors it: through a masked step a row's state gradients pass
// straight to the step before and the cell's step sees zero gradients for that row (so it adds
// nothing to the parameter or input gradients); an output gradient at a masked step flows to
// the step whose output was repeated. A backend's fused pass that applies masks itself
// (`masks: true`) gets the mask and output gradients prepared by `maskedPassGradients`.
import { type TypedArray, RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import { describeValue } from './common.js';

/**
 * The mask in processing order, time-major: `valid[t·batch + b]` is 1 when step t of
 * sequence b counts (t counted in processing order: reversed for goBackwards). Null when
 * every step counts, so the unmasked path (and a backend's fused pass) runs unchanged.
 */
export function processingMask(api: string, mask: unknown, batch: number, time: number, reverse: boolean): Uint8Array | null {
  if (!(mask instanceof Tensor) || mask.rank !== 2 || mask.shape[0] !== batch || mask.shape[1] !== time) {
    const got = mask instanceof Tensor ? formatShape(mask.shape) : describeValue(mask);
    throw new RnnkitError(api, `mask must be a Tensor of shape [${batch}, ${time}] (1 for a step that counts, 0 for padding), got ${got}`);
  }
  const data = mask.data;
  const valid = new Uint8Array(batch * time);
  let all = true;
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const m = data[b * time + t]!;
      if (m !== 0 && m !== 1) throw new RnnkitError(api, `mask values must be 0 or 1, got ${String(m)} at sample ${b}, step ${t}`);
      const step = reverse ? time - 1 - t : t;
      valid[step * batch + b] = m;
      if (m === 0) all = false;
    }
  }
  return all ? null : valid;
}

/** After the cell's step t: each masked row keeps its states from before the step. */
export function carryMaskedStates(valid: Uint8Array, t: number, batch: number, states: readonly TypedArray[], sizes: readonly number[]): void {
  for (let b = 0; b < batch; b++) {
    if (valid[t * batch + b] === 1) continue;
    for (let s = 0; s < states.length; s++) {
      const size = sizes[s]!;
      const before = (t * batch + b) * size;
      states[s]!.copyWithin(before + batch * size, before, before + size);
    }
  }
}

/**
 * The layer's output from the histories of h (`[T + 1, batch, units]`, slot 0 initial):
 * at a valid step h_t, at a masked one the last valid output (zeros before the first).
 * `[batch, time, units]` for sequences, else `[batch, units]` (the last output).
 */
export function maskedOutputs(h: TypedArray, valid: Uint8Array, batch: number, time: number, units: number, sequences: boolean): TypedArray {
  const out = allocate(h instanceof Float32Array ? 'float32' : 'float64', sequences ? batch * time * units : batch * units);
  for (let b = 0; b < batch; b++) {
    let last = -1; // the slot of h holding the last valid output, -1 before the first
    for (let t = 0; t < time; t++) {
      if (valid[t * batch + b] === 1) last = t + 1;
      if (sequences && last >= 0) copyRow(h, (last * batch + b) * units, out, (b * time + t) * units, units);
    }
    if (!sequences && last >= 0) copyRow(h, (last * batch + b) * units, out, b * units, units);
  }
  return out;
}

/** Buffers of a masked backward pass, one batch's worth each. */
export interface MaskedBackward {
  /** Gradient of the outputs that repeat a step's output, waiting to reach that step. */
  readonly pending: TypedArray;
  /** The state gradients of masked rows, set aside while the cell's step runs. */
  readonly stash: TypedArray[];
}

export function maskedBackward(dtype: 'float32' | 'float64', batch: number, units: number, sizes: readonly number[]): MaskedBackward {
  return { pending: allocate(dtype, batch * units), stash: sizes.map((size) => allocate(dtype, batch * size)) };
}

/**
 * Before the cell's backward step t: the output gradient of step t (`dOutput` at `at`, or
 * none) joins the row's pending gradient, which a valid step adds to ∂h; a masked row's state
 * gradients are set aside and zeroed, so the cell's step adds nothing for it.
 */
export function beforeMaskedBackStep(
  m: MaskedBackward,
  valid: Uint8Array,
  t: number,
  batch: number,
  units: number,
  dOutput: TypedArray | null,
  at: number,
  dStates: readonly TypedArray[],
  sizes: readonly number[],
): void {
  const pending = m.pending, dh = dStates[0]!;
  if (dOutput !== null) for (let i = 0; i < batch * units; i++) pending[i]! += dOutput[at + i]!;
  for (let b = 0; b < batch; b++) {
    if (valid[t * batch + b] === 1) {
      for (let k = b * units; k < (b + 1) * units; k++) {
        dh[k]! += pending[k]!;
        pending[k] = 0;
      }
      continue;
    }
    for (let s = 0; s < dStates.length; s++) {
      const size = sizes[s]!, from = b * size;
      copyRow(dStates[s]!, from, m.stash[s]!, from, size);
      dStates[s]!.fill(0, from, from + size);
    }
  }
}

/** After the cell's backward step t: a masked row's state gradients pass through unchanged. */
export function afterMaskedBackStep(m: MaskedBackward, valid: Uint8Array, t: number, batch: number, dStates: readonly TypedArray[], sizes: readonly number[]): void {
  for (let b = 0; b < batch; b++) {
    if (valid[t * batch + b] === 1) continue;
    for (let s = 0; s < dStates.length; s++) {
      const size = sizes[s]!, from = b * size;
      copyRow(m.stash[s]!, from, dStates[s]!, from, size);
    }
  }
}

/**
 * The output gradients as a masked fused pass reads them: gradients of the history slots
 * h_1 … h_T. A masked step's output equals its slot (the carried h), so its gradient may go
 * there and pass through with the state gradient — except before a row's first valid step,
 * where the output is zeros, not the initial state: those gradients are dropped. With
 * returnSequences `dOutputs` (time-major) is changed in place; else (null) the last output's
 * gradient `dy` `[batch, units]` is added to ∂h_T, for the rows with a valid step.
 */
export function maskedPassGradients(
  valid: Uint8Array,
  batch: number,
  time: number,
  units: number,
  dOutputs: TypedArray | null,
  dy: TypedArray,
  dh: TypedArray,
): void {
  for (let b = 0; b < batch; b++) {
    let first = 0; // the row's first valid step (time when there is none)
    while (first < time && valid[first * batch + b] !== 1) first++;
    if (dOutputs !== null) {
      for (let t = 0; t < first; t++) dOutputs.fill(0, (t * batch + b) * units, (t * batch + b + 1) * units);
    } else if (first < time) {
      for (let k = b * units; k < (b + 1) * units; k++) dh[k]! += dy[k]!;
    }
  }
}

function copyRow(source: TypedArray, from: number, target: TypedArray, to: number, count: number): void {
  for (let k = 0; k < count; k++) target[to + k] = source[from + k]!;
}
