// Byte arithmetic of the WebAssembly memory layout, in plain numbers (exact up to 2^53):
// JavaScript's bitwise operators work on 32-bit integers, so `(byte + 63) & ~63` turns an
// address past 2 GiB negative — the layout must never use them.

/** `byte` rounded up to a multiple of 64 (a cache line, and more than any SIMD alignment). */
export function align(byte: number): number {
  return Math.ceil(byte / 64) * 64;
}

/** Lays out float32 buffers one after another from `start`, each 64-byte aligned. */
export function bump(start: number): { take(elements: number): number; end(): number } {
  let top = start;
  return {
    take(elements) {
      const at = top;
      top = align(top + elements * 4);
      return at;
    },
    end: () => top,
  };
}
