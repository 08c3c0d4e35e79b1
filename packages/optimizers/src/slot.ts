// One parameter as the runner holds it: its key, its buffers (clipped gradient, the copy a
// failed step is undone from) and the context handed to the plugin, built once and refilled
// every step; and adding what the plugin returns to the parameter's values.
import { type Param, RnnkitError, type TypedArray, describeValue } from '@rnnkit/tensor';
import type { OptimizerPlugin, OptionsShape, StateShape, StateValue, UpdateContext, UpdateResult } from './plugin.js';
import { checkPlainState } from './state.js';

/** The runner's record of one parameter. */
export interface Slot<Options, State> {
  readonly key: string;
  readonly param: Param;
  readonly size: number;
  readonly included: boolean;
  /** The clipped gradient (only when clipping is configured). */
  readonly clipped: TypedArray | null;
  /** One mutable context per parameter, refilled every step instead of reallocated. */
  readonly context: { -readonly [K in keyof UpdateContext<Options, State>]: UpdateContext<Options, State>[K] };
  state: State | undefined;
  /** The values and state before the step in progress, to undo it (see rollback.ts). */
  savedValue: TypedArray | null;
  savedState: StateValue | undefined;
  /** Whether the values are known to be finite since they were last written (false: scan them). */
  knownFinite: boolean;
}

/**
 * The slot of one parameter: the plugin's initial state when `included` (checked to be plain
 * data now rather than at the first save), and a buffer for the clipped gradient when `clipBuffer`.
 */
export function createSlot<Options extends OptionsShape<Options>, State extends StateShape<State>>(
  api: string,
  plugin: OptimizerPlugin<Options, State>,
  options: Readonly<Options>,
  key: string,
  param: Param,
  included: boolean,
  clipBuffer: boolean,
): Slot<Options, State> {
  const value = param.value.data;
  const grad = param.grad.data;
  // Clipping writes into a buffer of its own, so Param.grad keeps the true gradient.
  let clipped: TypedArray | null = null;
  if (clipBuffer) {
    clipped = grad instanceof Float64Array ? new Float64Array(grad.length) : new Float32Array(grad.length);
  }
  const state = included ? plugin.init(param, options) : undefined;
  if (included) checkPlainState(api, state as StateValue, `state of "${key}"`); // refuse non-plain state early
  return {
    key,
    param,
    size: value.length,
    included,
    clipped,
    state,
    savedValue: null,
    savedState: undefined,
    knownFinite: false,
    context: {
      value,
      grad: clipped ?? grad,
      state: state as State,
      step: 0,
      lr: 0,
      options,
      out: new Float64Array(value.length),
      param,
    },
  };
}

// `value[i] += update[i]`, one function per dtype so that each loop sees one array type.
// Each also says whether every new value is finite: `x * 0` is 0 for a finite x and NaN
// otherwise, summed in two accumulators, so the check costs nothing beside the add (the
// loop runs no slower than a plain add; see allFinite in @rnnkit/tensor).
function addToFloat32(value: Float32Array, update: ArrayLike<number>): boolean {
  const n = value.length;
  const pairs = n - (n % 2);
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i < pairs; i += 2) {
    // Rounded to float32 before the check: a sum finite in float64 can overflow in float32.
    const a = Math.fround(value[i]! + update[i]!);
    const b = Math.fround(value[i + 1]! + update[i + 1]!);
    value[i] = a;
    value[i + 1] = b;
    s0 += a * 0;
    s1 += b * 0;
  }
  if (i < n) {
    const a = Math.fround(value[i]! + update[i]!);
    value[i] = a;
    s0 += a * 0;
  }
  return s0 + s1 === 0;
}

function addToFloat64(value: Float64Array, update: ArrayLike<number>): boolean {
  const n = value.length;
  const pairs = n - (n % 2);
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i < pairs; i += 2) {
    const a = (value[i] = value[i]! + update[i]!);
    const b = (value[i + 1] = value[i + 1]! + update[i + 1]!);
    s0 += a * 0;
    s1 += b * 0;
  }
  if (i < n) s0 += (value[i] = value[i]! + update[i]!) * 0;
  return s0 + s1 === 0;
}

/**
 * Adds the plugin's update to the values, `value[i] += update[i]`, and keeps its new state;
 * `method` (`update`, `beforeGradient`) names what returned `result` in errors.
 */
export function applyUpdate<State>(api: string, slot: Slot<unknown, State>, result: UpdateResult<State>, method: string): void {
  const update = result?.update;
  if (update === undefined || update === null || update.length !== slot.size) {
    throw new RnnkitError(
      api,
      `${method} must return { update, state } with ${slot.size} update values for "${slot.key}", got ${
        update === undefined || update === null ? describeValue(update) : `${update.length}`
      }`,
    );
  }
  if (typeof result.state !== 'object' || result.state === null) {
    throw new RnnkitError(api, `${method} must return the state object for "${slot.key}", got ${describeValue(result.state)}`);
  }
  const value = slot.context.value;
  slot.knownFinite = value instanceof Float32Array ? addToFloat32(value, update) : addToFloat64(value, update);
  slot.state = result.state;
}

/** Keeps the state a plugin's `updateInPlace` returned (it has changed the values itself). */
export function setInPlaceState<State>(api: string, slot: Slot<unknown, State>, state: State): void {
  if (typeof state !== 'object' || state === null) {
    throw new RnnkitError(api, `updateInPlace must return the state object for "${slot.key}", got ${describeValue(state)}`);
  }
  slot.knownFinite = false; // the plugin wrote the values itself: rollback.ts scans them
  slot.state = state;
}
