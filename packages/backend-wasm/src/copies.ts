// Copies between the caller's typed arrays and the WebAssembly memory (`at`: an index of
// the memory's view). One function per element type and direction keeps each loop
// monomorphic.

// Below this many elements a plain loop copies faster than `set(subarray(…))`, and it
// allocates no view object.
const COPY_LOOP_MAX = 2048;

export function copyIn32(memory: Float32Array, at: number, source: Float32Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) memory[at + i] = source[offset + i]!;
  } else if (offset === 0 && size === source.length) {
    memory.set(source, at);
  } else {
    memory.set(source.subarray(offset, offset + size), at);
  }
}

/** Copies bytes (a step mask of 0s and 1s) into float32 memory as the same values. */
export function copyBytesIn32(memory: Float32Array, at: number, source: Uint8Array, size: number): void {
  for (let i = 0; i < size; i++) memory[at + i] = source[i]!;
}

export function copyOut32(memory: Float32Array, at: number, target: Float32Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) target[offset + i] = memory[at + i]!;
  } else {
    target.set(memory.subarray(at, at + size), offset);
  }
}

export function copyIn64(memory: Float64Array, at: number, source: Float64Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) memory[at + i] = source[offset + i]!;
  } else if (offset === 0 && size === source.length) {
    memory.set(source, at);
  } else {
    memory.set(source.subarray(offset, offset + size), at);
  }
}

export function copyOut64(memory: Float64Array, at: number, target: Float64Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) target[offset + i] = memory[at + i]!;
  } else {
    target.set(memory.subarray(at, at + size), offset);
  }
}
