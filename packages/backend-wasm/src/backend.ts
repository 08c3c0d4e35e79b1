import { type KernelBackend, type LstmCellForward, type TypedArray, RnnkitError, jsBackend, setBackend } from '@rnnkit/tensor';
import { KERNELS_WASM_BASE64 } from './generated/kernels-wasm.js';

/** Options of {@link createWasmBackend} and {@link useWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Products with fewer multiply–adds (m·n·k) than this run on the plain-JS kernels of
   * `@rnnkit/tensor` instead: for them, copying the operands into WebAssembly memory costs
   * more than the SIMD kernels save. 0 sends every product to WebAssembly.
   * @defaultValue 1024
   */
  readonly minMultiplyAdds?: number;
  /** The backend's name, shown by `getBackend().name` and in benchmarks. @defaultValue 'wasm-simd' */
  readonly name?: string;
}

/** What the compiled module exports (see assembly/index.ts). */
interface KernelExports {
  readonly memory: WebAssembly.Memory;
  operandBase(gatherElements: number): number;
  gemmF32(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, beta: number, c: number): void;
  gemmF64(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, beta: number, c: number): void;
  lstmCellForward(rows: number, units: number, gates: number, recurrent: number, bias: number, cPrevious: number, cNext: number, activation: number, h: number): void;
}

const API = 'createWasmBackend';
const OPTION_KEYS = new Set(['minMultiplyAdds', 'name']);
const PAGE = 65536;
// Below this many elements a plain loop copies faster than `set(subarray(…))`, and it
// allocates no view object (layers call gemm once per time step).
const COPY_LOOP_MAX = 2048;

let bytes: Uint8Array<ArrayBuffer> | null = null;
let compiled: Promise<WebAssembly.Module> | null = null;

function kernelBytes(): Uint8Array<ArrayBuffer> {
  if (bytes === null) {
    const text = atob(KERNELS_WASM_BASE64);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  }
  return bytes;
}

/**
 * True when this JavaScript engine can run the kernels: WebAssembly with 128-bit SIMD
 * (Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4).
 */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(kernelBytes());
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function checkOptions(options: WasmBackendOptions): { minMultiplyAdds: number; name: string } {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new RnnkitError(API, `expected an options object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw new RnnkitError(API, `unknown option "${key}"; valid options are ${[...OPTION_KEYS].join(', ')}`);
    }
  }
  const minMultiplyAdds = options.minMultiplyAdds ?? 1024;
  if (typeof minMultiplyAdds !== 'number' || !(minMultiplyAdds >= 0)) {
    throw new RnnkitError(API, `minMultiplyAdds must be a number ≥ 0, got ${describe(minMultiplyAdds)}`);
  }
  const name = options.name ?? 'wasm-simd';
  if (typeof name !== 'string' || name === '') throw new RnnkitError(API, `name must be a non-empty string, got ${describe(name)}`);
  return { minMultiplyAdds, name };
}

/**
 * Creates a kernel backend running `gemm` in WebAssembly with 128-bit SIMD. Select it with
 * `setBackend(await createWasmBackend())` (or {@link useWasmBackend}); every later product
 * of `@rnnkit/tensor` — `matmul`, `tensordot`, the layers' forward and backward passes —
 * then runs in WebAssembly, with results equal to the JS backend's within float32 rounding.
 *
 * Operands are copied into the module's own memory (grown as needed) and the result is
 * copied back, so tensors stay ordinary typed arrays. Each backend has its own memory.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<KernelBackend> {
  const settings = checkOptions(options);
  if (!wasmSimdSupported()) {
    throw new RnnkitError(
      API,
      'this JavaScript engine cannot run WebAssembly with 128-bit SIMD (needs Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89 or Safari ≥ 16.4); keep the default JS backend',
    );
  }
  compiled ??= WebAssembly.compile(kernelBytes());
  const instance = await WebAssembly.instantiate(await compiled, {});
  return wasmKernels(instance.exports as unknown as KernelExports, settings);
}

/** Creates the WebAssembly backend and selects it: `await useWasmBackend()`. Resolves with it. */
export async function useWasmBackend(options: WasmBackendOptions = {}): Promise<KernelBackend> {
  const backend = await createWasmBackend(options);
  setBackend(backend);
  return backend;
}

function wasmKernels(exports: KernelExports, settings: { minMultiplyAdds: number; name: string }): KernelBackend {
  const { memory } = exports;
  const small = settings.minMultiplyAdds;
  const fallback = jsBackend.gemm;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);
  // Only this code grows the memory, so its size is known without asking for the buffer.
  let capacity = memory.buffer.byteLength;
  const operandStart = exports.operandBase(0);

  /** Makes the memory at least `size` bytes long (growing detaches the old views). */
  function reserve(size: number): void {
    if (size <= capacity) return;
    memory.grow(Math.ceil((size - capacity) / PAGE));
    capacity = memory.buffer.byteLength;
    f32 = new Float32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
  }

  function gemm(
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    a: TypedArray,
    aOffset: number,
    b: TypedArray,
    bOffset: number,
    beta: 0 | 1,
    c: TypedArray,
    cOffset: number,
  ): void {
    if (m * n * k < small) {
      fallback(transposeA, transposeB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
      return;
    }
    const aSize = m * k;
    const bSize = k * n;
    const cSize = m * n;
    // Layout after the module's scratch: room for one gathered vector of k elements, then
    // C, A and B, each 64-byte aligned.
    const cPtr = align(operandStart + k * 8);
    if (c instanceof Float32Array) {
      const aPtr = align(cPtr + cSize * 4);
      const bPtr = align(aPtr + aSize * 4);
      reserve(bPtr + bSize * 4);
      copyIn32(f32, aPtr >> 2, a as Float32Array, aOffset, aSize);
      copyIn32(f32, bPtr >> 2, b as Float32Array, bOffset, bSize);
      if (beta === 1) copyIn32(f32, cPtr >> 2, c, cOffset, cSize);
      exports.gemmF32(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, aPtr, bPtr, beta, cPtr);
      copyOut32(f32, cPtr >> 2, c, cOffset, cSize);
    } else {
      const aPtr = align(cPtr + cSize * 8);
      const bPtr = align(aPtr + aSize * 8);
      reserve(bPtr + bSize * 8);
      copyIn64(f64, aPtr >> 3, a as Float64Array, aOffset, aSize);
      copyIn64(f64, bPtr >> 3, b as Float64Array, bOffset, bSize);
      if (beta === 1) copyIn64(f64, cPtr >> 3, c, cOffset, cSize);
      exports.gemmF64(transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, aPtr, bPtr, beta, cPtr);
      copyOut64(f64, cPtr >> 3, c, cOffset, cSize);
    }
  }

  const lstmCellForward: LstmCellForward = (
    rows,
    units,
    gates,
    gatesOffset,
    recurrent,
    recurrentOffset,
    bias,
    c,
    previousOffset,
    nextOffset,
    cellActivation,
    activationOffset,
    h,
    hOffset,
  ) => {
    const zSize = rows * 4 * units;
    const size = rows * units;
    const zPtr = align(operandStart);
    const recurrentPtr = align(zPtr + zSize * 4);
    const biasPtr = align(recurrentPtr + zSize * 4);
    const previousPtr = align(biasPtr + 16 * units);
    const nextPtr = align(previousPtr + size * 4);
    const activationPtr = align(nextPtr + size * 4);
    const hPtr = align(activationPtr + size * 4);
    reserve(hPtr + size * 4);
    copyIn32(f32, zPtr >> 2, gates, gatesOffset, zSize);
    copyIn32(f32, recurrentPtr >> 2, recurrent, recurrentOffset, zSize);
    copyIn32(f32, biasPtr >> 2, bias, 0, 4 * units);
    copyIn32(f32, previousPtr >> 2, c, previousOffset, size);
    exports.lstmCellForward(rows, units, zPtr, recurrentPtr, biasPtr, previousPtr, nextPtr, activationPtr, hPtr);
    copyOut32(f32, zPtr >> 2, gates, gatesOffset, zSize);
    copyOut32(f32, nextPtr >> 2, c, nextOffset, size);
    copyOut32(f32, activationPtr >> 2, cellActivation, activationOffset, size);
    copyOut32(f32, hPtr >> 2, h, hOffset, size);
  };

  return Object.freeze({ name: settings.name, gemm, lstmCellForward });
}

function align(byte: number): number {
  return (byte + 63) & ~63;
}

// One copy per element type keeps each loop monomorphic.

function copyIn32(memory: Float32Array, at: number, source: Float32Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) memory[at + i] = source[offset + i]!;
  } else if (offset === 0 && size === source.length) {
    memory.set(source, at);
  } else {
    memory.set(source.subarray(offset, offset + size), at);
  }
}

function copyOut32(memory: Float32Array, at: number, target: Float32Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) target[offset + i] = memory[at + i]!;
  } else {
    target.set(memory.subarray(at, at + size), offset);
  }
}

function copyIn64(memory: Float64Array, at: number, source: Float64Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) memory[at + i] = source[offset + i]!;
  } else if (offset === 0 && size === source.length) {
    memory.set(source, at);
  } else {
    memory.set(source.subarray(offset, offset + size), at);
  }
}

function copyOut64(memory: Float64Array, at: number, target: Float64Array, offset: number, size: number): void {
  if (size <= COPY_LOOP_MAX) {
    for (let i = 0; i < size; i++) target[offset + i] = memory[at + i]!;
  } else {
    target.set(memory.subarray(at, at + size), offset);
  }
}
