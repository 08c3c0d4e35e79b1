// Checks of a kernel call's sizes and buffers before anything enters WebAssembly, where a
// wrong size would trap ("offset is out of bounds") or silently read past an operand.
import { RnnkitError, type TypedArray } from '@rnnkit/tensor';

/** Whether `value` is an integer from 0 to 2^31 − 1 (what a kernel's i32 argument holds). */
function isSize(value: number): boolean {
  return (value | 0) === value && value >= 0;
}

/** Whether `array` holds `size` values from `offset` (any offset when there are none). */
function holds(array: TypedArray, offset: number, size: number): boolean {
  return size === 0 || (isSize(offset) && offset + size <= array.length);
}

function operandError(name: string, call: string, label: string, array: TypedArray, offset: number, size: number): RnnkitError {
  return new RnnkitError(name, `${call}: ${label} holds ${array.length} values, needs ${size} from offset ${offset}`);
}

/**
 * Checks a gemm call: sizes are integers from 0 to 2^31 − 1, each operand holds its
 * values from its offset, and all three have the result's element type. Allocates nothing
 * unless it throws (gemm runs once per time step).
 */
export function checkGemm(
  name: string,
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOffset: number,
  b: TypedArray,
  bOffset: number,
  c: TypedArray,
  cOffset: number,
): void {
  const float32 = c instanceof Float32Array;
  if (
    isSize(m) && isSize(n) && isSize(k) &&
    holds(a, aOffset, m * k) && holds(b, bOffset, k * n) && holds(c, cOffset, m * n) &&
    a instanceof Float32Array === float32 && b instanceof Float32Array === float32
  ) {
    return;
  }
  const call = `gemm with m=${m}, n=${n}, k=${k}`;
  if (!(isSize(m) && isSize(n) && isSize(k))) throw new RnnkitError(name, `${call}: sizes must be integers from 0 to 2147483647`);
  if (!holds(a, aOffset, m * k)) throw operandError(name, call, 'a', a, aOffset, m * k);
  if (!holds(b, bOffset, k * n)) throw operandError(name, call, 'b', b, bOffset, k * n);
  if (!holds(c, cOffset, m * n)) throw operandError(name, call, 'c', c, cOffset, m * n);
  const kind = (array: TypedArray): string => array.constructor.name;
  throw new RnnkitError(name, `${call}: operands must share one element type, got a ${kind(a)}, b ${kind(b)} and c ${kind(c)}`);
}

/** The sizes of a recurrent pass (batch, time, features, units). */
export interface PassSizes {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly units: number;
}

function passCall(kernel: string, sizes: PassSizes): string {
  return `${kernel} with batch=${sizes.batch}, time=${sizes.time}, features=${sizes.features}, units=${sizes.units}`;
}

/** Checks that a pass's sizes are integers from 0 to 2^31 − 1 (before its layout is computed). */
export function checkPassSizes(name: string, kernel: string, sizes: PassSizes): void {
  const { batch, time, features, units } = sizes;
  if (isSize(batch) && isSize(time) && isSize(features) && isSize(units)) return;
  throw new RnnkitError(name, `${passCall(kernel, sizes)}: sizes must be integers from 0 to 2147483647`);
}

/** One buffer of a pass to check: its label, the caller's array (null: absent, nothing to check), the values needed, and its type (default Float32Array). */
export type PassBufferCheck = readonly [label: string, array: Float32Array | Uint8Array | null, values: number, type?: typeof Float32Array | typeof Uint8Array];

/** Checks that each of a pass's buffers has its type and holds the values the pass reads or writes. */
export function checkPassBuffers(name: string, kernel: string, sizes: PassSizes, buffers: readonly PassBufferCheck[]): void {
  for (const [label, array, size, type = Float32Array] of buffers) {
    if (array === null) continue;
    if (!(array instanceof type)) {
      throw new RnnkitError(name, `${passCall(kernel, sizes)}: ${label} must be a ${type.name}, got ${Object.prototype.toString.call(array)}`);
    }
    if (array.length < size) throw new RnnkitError(name, `${passCall(kernel, sizes)}: ${label} holds ${array.length} values, needs ${size}`);
  }
}
