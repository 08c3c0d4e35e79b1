// Block sizes of the matrix product and each thread's scratch memory, shared by every kernel.

// Micro-tile: MR rows × (VR vectors = VR·lanes columns). 4 rows × 3 vectors keeps 12
// accumulators, 3 B vectors and one broadcast A value: 16 registers, what x64 has.
export const MR: i32 = 4;
export const VR: i32 = 3;
// Block sizes. KC, the depth of a block, is fixed: it decides where a sum over the depth is
// cut into partial sums, so it decides the rounding, and a product must give the same bits on
// every machine. The rows of an A block (MC, per element size) and the columns of a B block
// (NC) only decide which tiles are computed together, not how: the JavaScript side sets them
// from the cache sizes it measures (setBlocking, before the first kernel runs) so that an
// MC×KC block of A stays in L2 and a KC×NC block of B in L3. The defaults are the sizes
// used before they were measured.
export const KC: i32 = 256;
let MC4: i32 = 96;
let MC8: i32 = 96;
export let NC: i32 = 576; // a multiple of NR for both types (f32: 12, f64: 6)
/** Most rows of an A block (and of its scratch) and columns of a B block setBlocking takes. */
const MAX_MC: i32 = 1024;
const MAX_NC: i32 = 4608;

/** Rows of an A block for elements of T. */
export function blockRows<T>(): i32 {
  return sizeof<T>() == 4 ? MC4 : MC8;
}

function validRows(rows: i32): bool {
  return rows >= MR && rows <= MAX_MC && rows % MR == 0;
}

/**
 * Sets the rows of an A block for f32 and for f64 elements (multiples of MR) and the
 * columns of a B block (a multiple of 12); out-of-range values leave everything as it was
 * and return false. Every instance sharing a memory must be given the same values, before
 * scratchBytes() is read.
 */
export function setBlocking(rowsF32: i32, rowsF64: i32, columns: i32): bool {
  if (!validRows(rowsF32) || !validRows(rowsF64) || columns < 12 || columns > MAX_NC || columns % 12 != 0) return false;
  MC4 = rowsF32;
  MC8 = rowsF64;
  NC = columns;
  return true;
}

// Scratch memory of the running thread: packed A, packed B, an edge tile, then a gathered
// vector of up to k elements. Each instance (one per thread, all sharing one memory when
// threaded) keeps its own pointers in globals, set by every exported kernel from its
// `scratch` argument, so threads never pack into each other's blocks.
function packABytes(): usize {
  return <usize>max(MC4 * 4, MC8 * 8) * KC;
}
function packBBytes(): usize {
  return <usize>(KC * NC * 8);
}
const TILE_BYTES: usize = <usize>(MR * 16 * VR);
export let PACK_A: usize = 0;
export let PACK_B: usize = 0;
export let TILE: usize = 0;
export let GATHER: usize = 0;

export function useScratch(scratch: usize): void {
  PACK_A = scratch;
  PACK_B = PACK_A + packABytes();
  TILE = PACK_B + packBBytes();
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
  return packABytes() + packBBytes() + TILE_BYTES;
}
