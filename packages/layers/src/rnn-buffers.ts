// The recurrent layer's layout changes and initial states, apart from its passes: reading a
// batch-major input into the time-major buffer the cells and fused passes run over (in
// reverse time order for goBackwards), writing the input gradient back, and filling slot 0
// of the state histories; backward's reused work buffers.
import { type DType, type Param, type TypedArray, RnnkitError, Tensor, allocate, formatShape, sameShape } from '@rnnkit/tensor';
import type { RecurrentCell } from './cell.js';
import { allocateBlocks, describeValue, swapLeadingAxes } from './common.js';

/**
 * Whether the time-major layout of `[batch, time, features]` differs from the batch-major
 * one: it coincides for a batch of one or one step, unless the time axis is read backwards.
 */
export function layoutDiffers(batch: number, time: number, reverse: boolean): boolean {
  return time > 1 && (batch > 1 || reverse);
}

/**
 * Copies batch-major `[batch, time, width]` storage into time-major `[time, batch, width]`,
 * or, with `reverse`, into processing order of a backward pass: row t of the target holds
 * step T − 1 − t of the source. The same loop turns a time-major gradient back
 * (`toBatchMajor`): reversal is its own inverse.
 */
function copyReordered(source: TypedArray, batch: number, time: number, width: number, reverse: boolean, target: TypedArray, toTimeMajor: boolean): void {
  if (!reverse) {
    if (toTimeMajor) swapLeadingAxes(source, batch, time, width, target);
    else swapLeadingAxes(source, time, batch, width, target);
    return;
  }
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const batchMajor = (b * time + (time - 1 - t)) * width;
      const timeMajor = (t * batch + b) * width;
      const from = toTimeMajor ? batchMajor : timeMajor;
      const to = toTimeMajor ? timeMajor : batchMajor;
      for (let k = 0; k < width; k++) target[to + k] = source[from + k]!;
    }
  }
}

/**
 * The input in the time-major layout of the passes, steps in processing order (last step
 * first with `reverse`). When the layouts coincide this is the tensor's own storage: read
 * it, never write it.
 */
export function timeMajorInput(x: Tensor, dtype: DType, reverse: boolean): TypedArray {
  const [batch, time, features] = x.shape as [number, number, number];
  if (!layoutDiffers(batch, time, reverse)) return x.data;
  const target = allocate(dtype, x.size);
  copyReordered(x.data, batch, time, features, reverse, target, true);
  return target;
}

/** Writes a time-major gradient (processing order) into batch-major `target` `[batch, time, width]`. */
export function toBatchMajor(source: TypedArray, batch: number, time: number, width: number, reverse: boolean, target: TypedArray): void {
  copyReordered(source, batch, time, width, reverse, target, false);
}

/** What {@link setInitialStates} needs of the layer. */
export interface InitialStateSource {
  readonly api: string;
  readonly cell: RecurrentCell;
  /** The learnable initial states (empty without learnableInitialState). */
  readonly learnable: readonly Param[];
  checkDType(t: Tensor, what: string): void;
}

/**
 * Writes the initial states into slot 0 of the histories: given ones, the learnable ones
 * broadcast over the batch, or zeros (the histories start zeroed). True for the learnable ones.
 */
export function setInitialStates(layer: InitialStateSource, batch: number, given: readonly Tensor[] | undefined, states: readonly TypedArray[]): boolean {
  const { api, cell } = layer;
  const count = cell.states.length;
  if (given !== undefined) {
    if (!Array.isArray(given) || given.length !== count) {
      const names = `[${cell.states.map((s) => s.name).join(', ')}]`;
      throw new RnnkitError(api, `initialState must be ${names}: ${count} tensor${count > 1 ? 's' : ''} of shape [batch, ${cell.units}], got ${describeValue(given)}`);
    }
    // Check them all before writing any.
    given.forEach((t, s) => {
      const shape = [batch, cell.states[s]!.size];
      if (!(t instanceof Tensor) || !sameShape(t.shape, shape)) {
        throw new RnnkitError(api, `initialState[${s}] must have shape ${formatShape(shape)}, got ${t instanceof Tensor ? formatShape(t.shape) : describeValue(t)}`);
      }
      layer.checkDType(t, `initialState[${s}]`);
    });
    for (let s = 0; s < count; s++) states[s]!.set(given[s]!.data);
    return false;
  }
  if (layer.learnable.length === 0) return false;
  for (let s = 0; s < count; s++) {
    const value = layer.learnable[s]!.value.data;
    for (let b = 0; b < batch; b++) states[s]!.set(value, b * value.length);
  }
  return true;
}

/** Copies `[batch, time, width]` storage into `target` with the time axis reversed (step t ↔ T − 1 − t). */
export function reverseTimeAxis(source: TypedArray, batch: number, time: number, width: number, target: TypedArray): void {
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < time; t++) {
      const from = (b * time + t) * width;
      target.set(source.subarray(from, from + width), (b * time + (time - 1 - t)) * width);
    }
  }
}

/**
 * Backward's reused internal buffers for one input shape: the output gradients, time-major
 * (returnSequences only, else empty), the input gradient, time-major (when that differs from
 * batch-major, else empty), the state gradients and the cell's per-step gradient buffers.
 */
export interface BackwardScratch {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly dhTime: TypedArray;
  readonly dxTime: TypedArray;
  readonly dStates: TypedArray[];
  readonly gradients: TypedArray[];
}

/**
 * Backward's internal buffers for this shape: `previous` when the shape is the same (a
 * training loop's batches), else new ones. They never leave the layer, and a pass over a
 * batch of one would otherwise spend more time allocating them than using them.
 */
export function backwardScratch(
  previous: BackwardScratch | null,
  cell: RecurrentCell,
  shape: { batch: number; time: number; features: number },
  returnSequences: boolean,
  goBackwards: boolean,
): BackwardScratch {
  const { batch, time, features } = shape;
  if (previous !== null && previous.batch === batch && previous.time === time && previous.features === features) return previous;
  const stateCount = cell.states.length;
  const gradients = cell.gradients ?? [];
  const lengths = [
    returnSequences ? time * batch * cell.units : 0,
    layoutDiffers(batch, time, goBackwards) ? time * batch * features : 0,
    ...cell.states.map((s) => batch * s.size),
    ...gradients.map((g) => time * batch * g.size),
  ];
  const [dhTime, dxTime, ...rest] = allocateBlocks(cell.dtype, lengths) as [TypedArray, TypedArray, ...TypedArray[]];
  return { batch, time, features, dhTime, dxTime, dStates: rest.slice(0, stateCount), gradients: rest.slice(stateCount) };
}
