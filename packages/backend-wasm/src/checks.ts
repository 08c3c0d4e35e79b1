// Checks of a kernel call's sizes and buffers before anything enters WebAssembly, where a
// wrong size would trap ("offset is out of bounds") or silently read past an operand.
import { RnnkitError } from '@rnnkit/tensor';

/** Whether `value` is an integer from 0 to 2^31 − 1 (what a kernel's i32 argument holds). */
function isSize(value: number): boolean {
  return (value | 0) === value && value >= 0;
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
