// The compiled kernels: the WebAssembly binaries (one with its own memory, one importing a
// shared memory for threads, and both again built with relaxed SIMD), compiled once per
// process, what they export, and the limits of their memory.
import {
  KERNELS_RELAXED_SHARED_WASM_BASE64,
  KERNELS_RELAXED_WASM_BASE64,
  KERNELS_SHARED_WASM_BASE64,
  KERNELS_WASM_BASE64,
} from './generated/kernels-wasm.js';

/** What the compiled module exports (see assembly/index.ts). */
export interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(): number;
  /** Rows of an A block (float32, float64) and columns of a B block; false (and no change) when out of range. */
  setBlocking(rowsF32: number, rowsF64: number, columns: number): number;
  gemmF32(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, beta: number, c: number, scratch: number): void;
  gemmF64(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, beta: number, c: number, scratch: number): void;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  gruForward(...args: number[]): void;
  gruBackward(...args: number[]): void;
  gruResetBeforeForward(...args: number[]): void;
  gruResetBeforeBackward(...args: number[]): void;
  simpleRnnForward(...args: number[]): void;
  simpleRnnBackward(...args: number[]): void;
  addF32(target: number, source: number, count: number): void;
  addF64(target: number, source: number, count: number): void;
}

/** Exports a worker thread may run, by index (the pool's kernel numbers). */
export const THREAD_KERNELS = [
  'lstmForward',
  'lstmBackward',
  'gemmF32',
  'gemmF64',
  'gruForward',
  'gruBackward',
  'gruResetBeforeForward',
  'gruResetBeforeBackward',
  'simpleRnnForward',
  'simpleRnnBackward',
] as const;
export const GEMM_F32 = 2;
export const GEMM_F64 = 3;

export const PAGE = 65536;
/** Pages of the shared memory (fixed when it is created): 2 GiB, as compiled in. */
export const SHARED_MAXIMUM_PAGES = 32768;
/** Pages a WebAssembly memory of 32-bit addresses can have: 4 GiB. */
export const MAXIMUM_PAGES = 65536;

/** A build of the kernels: its own memory or a shared one, 128-bit SIMD or relaxed SIMD. */
export type ModuleKind = 'own' | 'shared' | 'relaxed-own' | 'relaxed-shared';

const BASE64: Record<ModuleKind, string> = {
  own: KERNELS_WASM_BASE64,
  shared: KERNELS_SHARED_WASM_BASE64,
  'relaxed-own': KERNELS_RELAXED_WASM_BASE64,
  'relaxed-shared': KERNELS_RELAXED_SHARED_WASM_BASE64,
};
const binaries = new Map<ModuleKind, Uint8Array<ArrayBuffer>>();
const compiled = new Map<ModuleKind, Promise<WebAssembly.Module>>();

function kernelBytes(kind: ModuleKind): Uint8Array<ArrayBuffer> {
  let bytes = binaries.get(kind);
  if (bytes === undefined) {
    const text = atob(BASE64[kind]);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    binaries.set(kind, bytes);
  }
  return bytes;
}

/** The module of kind `kind`, compiled on first use and shared by every backend after. */
export function compile(kind: ModuleKind): Promise<WebAssembly.Module> {
  let module = compiled.get(kind);
  if (module === undefined) {
    module = WebAssembly.compile(kernelBytes(kind));
    compiled.set(kind, module);
  }
  return module;
}

/**
 * True when this JavaScript engine can run the kernels: WebAssembly with 128-bit SIMD
 * (Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4).
 */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(kernelBytes('own'));
}

/**
 * True when this JavaScript engine can run the relaxed-SIMD build of the kernels (fused
 * multiply–add in the matrix products): Chrome and Edge ≥ 114, Node ≥ 22; Node 20 only
 * with `--experimental-wasm-relaxed-simd`. Asked again on every call (cheap: the module is
 * validated, not compiled), so a flag set at run time counts.
 */
export function relaxedSimdSupported(): boolean {
  return wasmSimdSupported() && WebAssembly.validate(kernelBytes('relaxed-own'));
}
