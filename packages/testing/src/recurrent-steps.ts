// The recurrent cell contract as the laws see it, and the reference time loop over a cell's
// own steps. The types are structural copies of `RecurrentCell` and `RecurrentPass` of
// `@rnnkit/layers` (this package must not import it: layers tests itself with these laws),
// so built-in cells, a user's own and a backend's passes all fit.
import { type DType, type Param, type Random, type TypedArray, allocate } from '@rnnkit/tensor';

/** A named per-sequence vector of a cell, e.g. `{ name: 'c', size: units }`. */
export interface CellVectorLike {
  readonly name: string;
  readonly size: number;
}

/** The buffers of one forward pass, time-major (see `ForwardSteps` of `@rnnkit/layers`). */
export interface ForwardStepsLike {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  t: number;
  readonly x: TypedArray;
  readonly states: readonly TypedArray[];
  readonly kept: readonly TypedArray[];
}

/** The buffers of one backward pass (see `BackwardSteps` of `@rnnkit/layers`). */
export interface BackwardStepsLike extends ForwardStepsLike {
  readonly dStates: readonly TypedArray[];
  readonly dx: TypedArray;
  readonly gradients: readonly TypedArray[];
}

/** The part of a recurrent cell the laws drive: structurally `RecurrentCell` of `@rnnkit/layers`. */
export interface CellUnderTest {
  readonly kind: string;
  readonly units: number;
  readonly dtype: DType;
  readonly states: readonly CellVectorLike[];
  readonly kept: readonly CellVectorLike[];
  readonly gradients?: readonly CellVectorLike[];
  readonly built: boolean;
  readonly features: number;
  build(features: number, random: Random): void;
  params(): Param[];
  beforeForward?(s: ForwardStepsLike): void;
  step(s: ForwardStepsLike): void;
  backStep(s: BackwardStepsLike): void;
  afterBackward?(s: BackwardStepsLike): void;
  getConfig(): Readonly<Record<string, unknown>>;
}

/** A fused pass's forward arguments (see `PassForward` of `@rnnkit/layers`). */
export interface PassForwardLike {
  readonly cell: CellUnderTest;
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly x: TypedArray;
  readonly states: readonly TypedArray[];
  readonly kept: readonly TypedArray[];
  readonly keep: boolean;
  /** The step mask, time-major `[T, batch]` (1: the step counts), for a pass with `masks: true`; absent or null when every step counts. */
  readonly valid?: Uint8Array | null;
}

/** A fused pass's backward arguments (see `PassBackward` of `@rnnkit/layers`). */
export interface PassBackwardLike extends PassForwardLike {
  readonly dOutputs: TypedArray | null;
  readonly dStates: readonly TypedArray[];
  readonly dx: TypedArray;
}

/** A backend's whole-sequence pass: structurally `RecurrentPass` of `@rnnkit/layers`. */
export interface RecurrentPassUnderTest {
  readonly family: string;
  readonly name: string;
  supports(cell: CellUnderTest): boolean;
  /** True when the pass applies a step mask (`valid`); the laws then check masked sequences too. */
  readonly masks?: boolean;
  forward(run: PassForwardLike): void;
  backward(run: PassBackwardLike): void;
}

/** The buffers of a forward pass over a cell's steps. */
export interface StepsForward {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  /** Time-major `[T, batch, features]`. */
  readonly x: TypedArray;
  /** Histories `[T + 1, batch, size]` per state. */
  readonly states: TypedArray[];
  /** `[T, batch, size]` per kept vector. */
  readonly kept: TypedArray[];
}

/** Buffers of a forward pass of `cell`, states' slot 0 filled from `initialStates` (`[batch, size]` each). */
export function allocateForward(
  cell: CellUnderTest,
  batch: number,
  time: number,
  x: TypedArray,
  initialStates: readonly TypedArray[],
): StepsForward {
  const states = cell.states.map((v, k) => {
    const history = allocate(cell.dtype, (time + 1) * batch * v.size);
    history.set(initialStates[k]!.subarray(0, batch * v.size));
    return history;
  });
  const kept = cell.kept.map((v) => allocate(cell.dtype, time * batch * v.size));
  return { batch, time, features: cell.features, x, states, kept };
}

/** Whether row `b` is masked at step t of `valid` (time-major `[T, batch]`, null: every step counts). */
function isMasked(valid: Uint8Array | null, t: number, batch: number, b: number): boolean {
  return valid !== null && valid[t * batch + b] === 0;
}

/**
 * The reference forward pass: `beforeForward`, then `step` for t = 0 … T − 1. With a step
 * mask `valid` (time-major `[T, batch]`, 1: the step counts), a row masked at step t keeps its
 * states (slot t + 1 becomes a copy of slot t), whatever the step computed — Keras' masking.
 */
export function forwardSteps(cell: CellUnderTest, buffers: StepsForward, valid: Uint8Array | null = null): void {
  const { batch } = buffers;
  const s: ForwardStepsLike = { ...buffers, t: 0 };
  cell.beforeForward?.(s);
  for (let t = 0; t < buffers.time; t++) {
    s.t = t;
    cell.step(s);
    for (let b = 0; b < batch; b++) {
      if (!isMasked(valid, t, batch, b)) continue;
      cell.states.forEach((v, k) => {
        const from = (t * batch + b) * v.size;
        buffers.states[k]!.copyWithin(from + batch * v.size, from, from + v.size);
      });
    }
  }
}

/**
 * The reference backward pass: before `backStep` at t, ∂L/∂h_{t+1} of the outputs
 * (`dOutputs`, time-major `[T, batch, units]`, when every step is an output) is added into
 * `dStates[0]`, which starts as the final states' gradients. Returns ∂L/∂x (time-major) and
 * leaves the initial states' gradients in `dStates`; parameter gradients are added into
 * each `Param.grad`. With a step mask `valid`, `dOutputs` are the gradients of the history
 * slots, and at a masked step a row's state gradients pass through unchanged: the cell's
 * step sees zeros for that row, so it adds nothing to its input or parameter gradients.
 */
export function backwardSteps(
  cell: CellUnderTest,
  buffers: StepsForward,
  dOutputs: TypedArray | null,
  dStates: readonly TypedArray[],
  valid: Uint8Array | null = null,
): TypedArray {
  const { batch, time, features } = buffers;
  const dx = allocate(cell.dtype, time * batch * features);
  const gradients = (cell.gradients ?? []).map((v) => allocate(cell.dtype, time * batch * v.size));
  const s: BackwardStepsLike = { ...buffers, t: time - 1, dStates, dx, gradients };
  const rows = batch * cell.units;
  for (let t = time - 1; t >= 0; t--) {
    s.t = t;
    if (dOutputs !== null) {
      const dh = dStates[0]!;
      for (let i = 0; i < rows; i++) dh[i] = dh[i]! + dOutputs[t * rows + i]!;
    }
    const passing: [number, TypedArray[]][] = [];
    for (let b = 0; b < batch; b++) {
      if (!isMasked(valid, t, batch, b)) continue;
      passing.push([b, cell.states.map((v, k) => dStates[k]!.slice(b * v.size, (b + 1) * v.size))]);
      cell.states.forEach((v, k) => dStates[k]!.fill(0, b * v.size, (b + 1) * v.size));
    }
    cell.backStep(s);
    for (const [b, rows] of passing) cell.states.forEach((v, k) => dStates[k]!.set(rows[k]!, b * v.size));
  }
  cell.afterBackward?.(s);
  return dx;
}

/**
 * Where `got` strays from `want` by more than `tolerance` times the largest magnitude of
 * `want` (at least `floor`, so that near-zero values are not held to relative precision):
 * a description of the first such element, or null. NaN is always too far.
 */
export function firstStray(got: ArrayLike<number>, want: ArrayLike<number>, tolerance: number, floor = 1e-3): string | null {
  if (got.length !== want.length) return `has ${got.length} elements, expected ${want.length}`;
  let scale = floor;
  for (let i = 0; i < want.length; i++) scale = Math.max(scale, Math.abs(want[i]!));
  for (let i = 0; i < want.length; i++) {
    if (!(Math.abs(got[i]! - want[i]!) <= tolerance * scale)) {
      return `[${i}] is ${got[i]}, expected ${want[i]} (within ${tolerance} × ${scale})`;
    }
  }
  return null;
}
