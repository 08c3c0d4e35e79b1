// Block sizes of the matrix product and each thread's scratch memory, shared by every kernel.

// Micro-tile: MR rows × (VR vectors = VR·lanes columns). 4 rows × 3 vectors keeps 12
// accumulators, 3 B vectors and one broadcast A value: 16 registers, what x64 has.
export const MR: i32 = 4;
export const VR: i32 = 3;
// Block sizes: a KC×NC panel of B (≤ 1.5 MiB for f64) stays in L2, an MC×KC panel of A in L1/L2.
export const KC: i32 = 256;
export const MC: i32 = 96;
export const NC: i32 = 576; // a multiple of NR for both types (f32: 12, f64: 6)

// Scratch memory of the running thread: packed A, packed B, an edge tile, then a gathered
// vector of up to k elements. Each instance (one per thread, all sharing one memory when
// threaded) keeps its own pointers in globals, set by every exported kernel from its
// `scratch` argument, so threads never pack into each other's blocks.
const PACK_A_BYTES: usize = <usize>(MC * KC * 8);
const PACK_B_BYTES: usize = <usize>(KC * NC * 8);
const TILE_BYTES: usize = <usize>(MR * 16 * VR);
export let PACK_A: usize = 0;
export let PACK_B: usize = 0;
export let TILE: usize = 0;
export let GATHER: usize = 0;

export function useScratch(scratch: usize): void {
  PACK_A = scratch;
  PACK_B = PACK_A + PACK_A_BYTES;
  TILE = PACK_B + PACK_B_BYTES;
  GATHER = TILE + TILE_BYTES;
}

/**
 * Takes `bytes` from the start of the running thread's gathered-vector room, which then
 * starts after them (64-byte aligned): room for a kernel's own use during one call, such as
 * a whole packing of U (the JavaScript side sizes the room for it: see pass-specs.ts).
 */
export function takeScratch(bytes: usize): usize {
  const start = (GATHER + 63) & ~(63 as usize);
  GATHER = start + bytes;
  return start;
}

/** First byte after the module's static data (64-byte aligned): where the JavaScript side lays out scratch and operands. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

/** Bytes of one thread's scratch before its gathered vector (which needs 8·k more bytes). */
export function scratchBytes(): usize {
  return PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;
}
