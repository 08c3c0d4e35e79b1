// What makes a step all-or-nothing: a copy of the values and the plugin state taken before
// the step, put back when the step fails or leaves a value that is NaN or infinite. Without
// it a divergent step writes Infinity into the weights and the error surfaces a batch later,
// blaming the loss of data that did nothing wrong.
import { type Param, type TypedArray, RnnkitError, firstNonFinite, formatShape } from '@rnnkit/tensor';
import type { StateValue } from './plugin.js';

/**
 * Copies plugin state into `target`, reusing its typed arrays, arrays and objects where
 * the structure matches (so steady-state steps allocate nothing), and returns the copy.
 */
export function copyState(source: StateValue, target: StateValue | undefined): StateValue {
  if (source instanceof Float32Array || source instanceof Float64Array) {
    const sameType = source instanceof Float32Array ? target instanceof Float32Array : target instanceof Float64Array;
    if (sameType && (target as TypedArray).length === source.length) {
      (target as Float32Array | Float64Array).set(source);
      return target as Float32Array | Float64Array;
    }
    return source.slice();
  }
  if (Array.isArray(source)) {
    const out = Array.isArray(target) && target.length === source.length ? (target as StateValue[]) : [];
    for (let i = 0; i < source.length; i++) out[i] = copyState(source[i] as StateValue, out[i]);
    return out;
  }
  if (typeof source === 'object' && source !== null) {
    const isObject = typeof target === 'object' && target !== null && !Array.isArray(target) && !ArrayBuffer.isView(target);
    const out = (isObject ? target : {}) as Record<string, StateValue>;
    const from = source as Record<string, StateValue>;
    // for…in rather than Object.entries: no array per step. State is plain data (checked
    // when the optimizer is made), so every enumerable key is its own.
    for (const key in out) if (!Object.hasOwn(from, key)) delete out[key];
    for (const key in from) out[key] = copyState(from[key]!, out[key]);
    return out;
  }
  return source;
}

/** The part of the runner's per-parameter record that saving and undoing a step use. */
export interface RollbackSlot {
  readonly key: string;
  readonly included: boolean;
  readonly param: Param;
  readonly context: { readonly value: TypedArray };
  state: unknown;
  /** The values before the step in progress (a buffer reused from step to step). */
  savedValue: TypedArray | null;
  /** The plugin state before the step in progress. */
  savedState: StateValue | undefined;
  /** Set by whoever last wrote the values: true when that write checked them all finite. */
  knownFinite: boolean;
}

/** Copies the values and state of every slot the step will change (trainable, included) and returns those slots. */
export function saveSlots<Slot extends RollbackSlot>(slots: readonly Slot[]): Slot[] {
  const saved: Slot[] = [];
  for (const slot of slots) {
    if (!slot.included || !slot.param.trainable) continue;
    const value = slot.context.value;
    if (slot.savedValue === null) slot.savedValue = value instanceof Float32Array ? new Float32Array(value.length) : new Float64Array(value.length);
    slot.savedValue.set(value);
    slot.savedState = copyState(slot.state as StateValue, slot.savedState);
    slot.knownFinite = false;
    saved.push(slot);
  }
  return saved;
}

/** The error for the first non-finite value among the saved slots' values, or undefined when all are finite. */
export function nonFiniteError(
  api: string,
  saved: readonly RollbackSlot[],
  step: number,
  phase: string,
): NonFiniteStepError | undefined {
  for (const slot of saved) {
    if (slot.knownFinite) continue;
    const bad = firstNonFinite(slot.context.value);
    if (bad >= 0) return new NonFiniteStepError(api, slot.key, slot.param.value.shape, bad, slot.context.value[bad]!, step, phase);
  }
  return undefined;
}

/** Puts back the values and state that {@link saveSlots} copied. */
export function restoreSlots(saved: readonly RollbackSlot[]): void {
  for (const slot of saved) {
    slot.context.value.set(slot.savedValue!);
    slot.state = slot.savedState;
    // The saved copy is now the live state: the next save makes a fresh one.
    slot.savedState = undefined;
  }
}

/** The multi-index of a flat offset into `shape`. */
function indexOf(offset: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    index[axis] = offset % shape[axis]!;
    offset = Math.floor(offset / shape[axis]!);
  }
  return index;
}

/**
 * Thrown by `optimizer.step()` (and `beforeGradient()`) when the update would leave a
 * parameter value NaN or infinite. The step has been undone: every value, the plugin state
 * and the step count are as they were before it, so training can go on (with a lower
 * learning rate, say) from a model that is intact.
 */
export class NonFiniteStepError extends RnnkitError {
  /** The key of the first parameter found with a non-finite value (`lstm/kernel`). */
  readonly parameter: string;
  /** Where in that parameter, as a multi-index. */
  readonly index: readonly number[];
  /** The value the step would have written (NaN, Infinity or -Infinity). */
  readonly value: number;
  /** The 1-based number of the step that was undone. */
  readonly step: number;

  constructor(api: string, parameter: string, shape: readonly number[], offset: number, value: number, step: number, phase: string) {
    const index = indexOf(offset, shape);
    super(
      api,
      `${phase} ${step} would write ${value} into ${parameter} at ${formatShape(index)}; the step was undone ` +
        '(values and optimizer state are as before it). Lower the learning rate or clip gradients',
    );
    this.parameter = parameter;
    this.index = Object.freeze(index);
    this.value = value;
    this.step = step;
  }
}
