import { type KernelBackend, type TypedArray, RnnkitError, jsBackend, setBackend } from '@rnnkit/tensor';
import { KERNELS_SHARED_WASM_BASE64, KERNELS_WASM_BASE64 } from './generated/kernels-wasm.js';
import type { GruBackwardArgs, GruForwardArgs, LstmBackwardArgs, LstmForwardArgs } from './pass-args.js';
import { recurrentPasses } from './recurrent-passes.js';
import { checkGemm, checkPassBuffers, checkPassSizes } from './checks.js';
import { align, bump } from './layout.js';
import { type ThreadPool, MAX_ARGUMENTS, availableCores, startThreads, threadsUnavailable } from './threads.js';

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
  /**
   * Threads that share the work of LSTM layers (each taking a part of the batch) and of
   * large matrix products (each taking a block of rows or of depth): `1` runs
   * everything on the calling thread; `n > 1` starts `n − 1` worker threads on the same
   * WebAssembly memory; `'auto'` uses every core (and 1 where threads are unavailable).
   * Threads need `SharedArrayBuffer`: always there in Node, in browsers only on
   * cross-origin isolated pages. Small passes stay on the calling thread, where waking a
   * worker would cost more than it saves. Results do not depend on the thread count
   * beyond float32 rounding of the weight gradients' sums.
   * @defaultValue 1
   */
  readonly threads?: number | 'auto';
  /**
   * With several threads: the multiply–adds a thread must get for a pass to be shared out
   * (a pass of fewer runs on fewer threads, down to the calling one alone), since waking
   * a worker and waiting for it costs tens of microseconds. 0 shares every pass whose
   * batch has more than 4 sequences.
   * @defaultValue 524288
   */
  readonly minParallelMultiplyAdds?: number;
}

/** The backend {@link createWasmBackend} returns: a {@link KernelBackend} with threads to release. */
export interface WasmBackend extends KernelBackend {
  /** Threads in use, the calling one included (1 without workers). */
  readonly threads: number;
  /**
   * Stops the worker threads. The backend keeps working on the calling thread alone.
   * Idle workers do not keep a Node process alive but hold the backend's memory; a backend
   * dropped without this has its workers stopped when it is garbage-collected.
   */
  dispose(): Promise<void>;
}

/** What the compiled module exports (see assembly/index.ts). */
interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  scratchBytes(): number;
  gemmF32(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, beta: number, c: number, scratch: number): void;
  gemmF64(transA: number, transB: number, m: number, n: number, k: number, a: number, b: number, beta: number, c: number, scratch: number): void;
  lstmForward(...args: number[]): void;
  lstmBackward(...args: number[]): void;
  gruForward(...args: number[]): void;
  gruBackward(...args: number[]): void;
  addF32(target: number, source: number, count: number): void;
  addF64(target: number, source: number, count: number): void;
}

/** Exports a worker thread may run, by index (the pool's kernel numbers). */
const THREAD_KERNELS = ['lstmForward', 'lstmBackward', 'gemmF32', 'gemmF64', 'gruForward', 'gruBackward'] as const;
const LSTM_FORWARD = 0;
const LSTM_BACKWARD = 1;
const GEMM_F32 = 2;
const GEMM_F64 = 3;
const GRU_FORWARD = 4;
const GRU_BACKWARD = 5;

const API = 'createWasmBackend';
const OPTION_KEYS = new Set(['minMultiplyAdds', 'name', 'threads', 'minParallelMultiplyAdds']);
const PAGE = 65536;
/** Pages of the shared memory (fixed when it is created): 2 GiB, as compiled in. */
const SHARED_MAXIMUM_PAGES = 32768;
/** Pages a WebAssembly memory of 32-bit addresses can have: 4 GiB. */
const MAXIMUM_PAGES = 65536;
// Below this many elements a plain loop copies faster than `set(subarray(…))`, and it
// allocates no view object.
const COPY_LOOP_MAX = 2048;
const MAX_THREADS = 64;

interface Settings {
  readonly minMultiplyAdds: number;
  readonly name: string;
  readonly threads: number | 'auto';
  readonly minParallelMultiplyAdds: number;
}

/**
 * Stops the workers of a threaded backend that was dropped without `dispose()`: they hold
 * its memory (and, idle, would sleep forever). Single-threaded backends need nothing: their
 * memory goes with them.
 */
const abandoned = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => void pool.terminate()) : null;

const binaries: Record<'own' | 'shared', Uint8Array<ArrayBuffer> | null> = { own: null, shared: null };
const compiled: Record<'own' | 'shared', Promise<WebAssembly.Module> | null> = { own: null, shared: null };

function kernelBytes(kind: 'own' | 'shared'): Uint8Array<ArrayBuffer> {
  let bytes = binaries[kind];
  if (bytes === null) {
    const text = atob(kind === 'own' ? KERNELS_WASM_BASE64 : KERNELS_SHARED_WASM_BASE64);
    bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    binaries[kind] = bytes;
  }
  return bytes;
}

function compile(kind: 'own' | 'shared'): Promise<WebAssembly.Module> {
  return (compiled[kind] ??= WebAssembly.compile(kernelBytes(kind)));
}

/**
 * True when this JavaScript engine can run the kernels: WebAssembly with 128-bit SIMD
 * (Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89, Safari ≥ 16.4).
 */
export function wasmSimdSupported(): boolean {
  return typeof WebAssembly === 'object' && typeof WebAssembly.validate === 'function' && WebAssembly.validate(kernelBytes('own'));
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return Array.isArray(value) ? 'an array' : 'an object';
  return String(value);
}

function checkOptions(options: WasmBackendOptions): Settings {
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
  const threads = options.threads ?? 1;
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new RnnkitError(API, `threads must be an integer from 1 to ${MAX_THREADS} or 'auto', got ${describe(threads)}`);
  }
  const minParallelMultiplyAdds = options.minParallelMultiplyAdds ?? 1 << 19;
  if (typeof minParallelMultiplyAdds !== 'number' || !(minParallelMultiplyAdds >= 0)) {
    throw new RnnkitError(API, `minParallelMultiplyAdds must be a number ≥ 0, got ${describe(minParallelMultiplyAdds)}`);
  }
  return { minMultiplyAdds, name, threads, minParallelMultiplyAdds };
}

/**
 * Creates a kernel backend running `gemm` in WebAssembly with 128-bit SIMD. Select it with
 * `setBackend(await createWasmBackend())` (or {@link useWasmBackend}); every later product
 * of `@rnnkit/tensor` — `matmul`, `tensordot`, the layers' forward and backward passes —
 * then runs in WebAssembly, with results equal to the JS backend's within float32 rounding.
 * Recurrent layers over Keras' default LSTM or GRU cell (float32) run each whole pass in
 * one call, split across `threads` (the passes in `fused`, see recurrent-passes.ts).
 *
 * Operands are copied into the module's own memory (grown as needed) and the results are
 * copied back, so tensors stay ordinary typed arrays. Each backend has its own memory.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const settings = checkOptions(options);
  if (!wasmSimdSupported()) {
    throw new RnnkitError(
      API,
      'this JavaScript engine cannot run WebAssembly with 128-bit SIMD (needs Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89 or Safari ≥ 16.4); keep the default JS backend',
    );
  }
  let threads = settings.threads === 'auto' ? (threadsUnavailable() === null ? await availableCores() : 1) : settings.threads;
  threads = Math.min(threads, MAX_THREADS);
  if (threads === 1) {
    const instance = await WebAssembly.instantiate(await compile('own'), {});
    const exports = instance.exports as unknown as KernelExports;
    return wasmKernels(exports, exports.memory, null, settings);
  }
  const reason = threadsUnavailable();
  if (reason !== null) throw new RnnkitError(API, `threads: ${threads} needs worker threads, but ${reason}; use threads: 1`);
  const module = await compile('shared');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const pool = await startThreads(API, module, memory, threads - 1, THREAD_KERNELS, settings.name);
  return wasmKernels(instance.exports as unknown as KernelExports, memory, pool, settings);
}

/** Creates the WebAssembly backend and selects it: `await useWasmBackend()`. Resolves with it. */
export async function useWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const backend = await createWasmBackend(options);
  setBackend(backend);
  return backend;
}

/**
 * Where share `part` of `total` rows starts when they are shared out among `parts` threads
 * in blocks of 4 (the micro-tile height) as evenly as possible, the last share taking the
 * remainder; `parts` must not exceed the number of blocks. Arithmetic only: gemm runs once
 * per time step and must not allocate.
 */
function shareStart(total: number, parts: number, part: number): number {
  const blocks = Math.ceil(total / 4);
  const base = Math.floor(blocks / parts);
  return Math.min(total, 4 * (part * base + Math.min(part, blocks % parts)));
}

/** At most `parts` threads for `total` rows: no more than one per block of 4 rows. */
function usableParts(total: number, parts: number): number {
  return Math.max(1, Math.min(parts, Math.ceil(total / 4)));
}

/** The rows of each share (see {@link shareStart}), as a list. */
export function splitRows(batch: number, parts: number): number[] {
  const count = usableParts(batch, parts);
  const rows: number[] = [];
  for (let part = 0; part < count; part++) rows.push(shareStart(batch, count, part + 1) - shareStart(batch, count, part));
  return rows;
}

function wasmKernels(exports: KernelExports, memory: WebAssembly.Memory, pool: ThreadPool | null, settings: Settings): WasmBackend {
  const small = settings.minMultiplyAdds;
  const fallback = jsBackend.gemm;
  const shared = pool !== null;
  let f32 = new Float32Array(memory.buffer);
  let f64 = new Float64Array(memory.buffer);
  // Only this code grows the memory, so its size is known without asking for the buffer.
  let capacity = memory.buffer.byteLength;
  const heapStart = align(exports.heapBase());
  const scratchBytes = exports.scratchBytes();
  let workers = pool?.workers ?? 0;

  /** Makes the memory at least `size` bytes long (growing detaches the old views). */
  function reserve(size: number): void {
    if (size <= capacity) return;
    const pages = Math.ceil((size - capacity) / PAGE);
    const maximum = (shared ? SHARED_MAXIMUM_PAGES : MAXIMUM_PAGES) * PAGE;
    const tooLarge = (): RnnkitError =>
      new RnnkitError(
        settings.name,
        `needs ${Math.ceil(size / 2 ** 20)} MiB of WebAssembly memory and could not grow to it${
          shared ? ` (the threaded build is limited to ${SHARED_MAXIMUM_PAGES / 16} MiB)` : size > maximum ? ` (WebAssembly memory is limited to ${MAXIMUM_PAGES / 16} MiB)` : ''
        }: use smaller batches or the JS backend`,
      );
    // Past the maximum, fail before asking the engine for anything.
    if (!(size <= maximum)) throw tooLarge();
    try {
      memory.grow(pages);
    } catch {
      throw tooLarge();
    }
    capacity = memory.buffer.byteLength;
    f32 = new Float32Array(memory.buffer);
    f64 = new Float64Array(memory.buffer);
  }

  /** Bytes of one thread's scratch with room for a gathered vector of `gather` elements. */
  function scratchStride(gather: number): number {
    return align(scratchBytes + gather * 8);
  }

  // Arguments of the gemm jobs handed to workers, reused (gemm must not allocate).
  const gemmJobs = Array.from({ length: workers }, () => new Array<number>(10).fill(0));

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
    checkGemm(settings.name, m, n, k, a, aOffset, b, bOffset, c, cOffset);
    if (m * n * k < small) {
      fallback(transposeA, transposeB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
      return;
    }
    const float32 = c instanceof Float32Array;
    const size = float32 ? 4 : 8;
    // Shares for threads: rows of A and C when A is not transposed (each thread's rows are
    // contiguous), depths when A is stored [k, m] and B [k, n] (each thread's slice of both
    // is contiguous, and the threads' partial products are added up at the end).
    let parts = sharesFor(m * n * k);
    const byRows = parts > 1 && !transposeA && m >= 8;
    const byDepth = !byRows && parts > 1 && transposeA && !transposeB && k >= 8;
    parts = byRows ? usableParts(m, parts) : byDepth ? usableParts(k, parts) : 1;
    const stride = scratchStride(k);
    const cPtr = heapStart + parts * stride;
    const aPtr = align(cPtr + m * n * size);
    const bPtr = align(aPtr + m * k * size);
    const partials = align(bPtr + k * n * size); // byDepth: parts − 1 partial products
    const partialBytes = align(m * n * size);
    reserve(byDepth ? partials + (parts - 1) * partialBytes : partials);
    if (float32) {
      copyIn32(f32, aPtr >>> 2, a as Float32Array, aOffset, m * k);
      copyIn32(f32, bPtr >>> 2, b as Float32Array, bOffset, k * n);
      if (beta === 1) copyIn32(f32, cPtr >>> 2, c, cOffset, m * n);
    } else {
      copyIn64(f64, aPtr >>> 3, a as Float64Array, aOffset, m * k);
      copyIn64(f64, bPtr >>> 3, b as Float64Array, bOffset, k * n);
      if (beta === 1) copyIn64(f64, cPtr >>> 3, c, cOffset, m * n);
    }
    const run = float32 ? exports.gemmF32 : exports.gemmF64;
    const tA = transposeA ? 1 : 0;
    const tB = transposeB ? 1 : 0;
    if (parts === 1) {
      run(tA, tB, m, n, k, aPtr, bPtr, beta, cPtr, heapStart);
    } else {
      const total = byRows ? m : k;
      for (let part = 1; part < parts; part++) {
        const start = shareStart(total, parts, part);
        const count = shareStart(total, parts, part + 1) - start;
        const job = gemmJobs[part - 1]!;
        job[0] = tA;
        job[1] = tB;
        job[2] = byRows ? count : m;
        job[3] = n;
        job[4] = byRows ? k : count;
        job[5] = aPtr + start * (byRows ? k : m) * size;
        job[6] = byRows ? bPtr : bPtr + start * n * size;
        job[7] = byRows ? beta : 0;
        job[8] = byRows ? cPtr + start * n * size : partials + (part - 1) * partialBytes;
        job[9] = heapStart + part * stride;
        pool!.start(part - 1, float32 ? GEMM_F32 : GEMM_F64, job);
      }
      const own = shareStart(total, parts, 1);
      let failure: unknown = null;
      const began = performance.now();
      try {
        run(tA, tB, byRows ? own : m, n, byRows ? k : own, aPtr, bPtr, beta, cPtr, heapStart);
      } catch (error) {
        failure = error;
      }
      finishWorkers(parts, failure, float32 ? GEMM_F32 : GEMM_F64, gemmJobs, performance.now() - began);
      if (byDepth) for (let part = 1; part < parts; part++) (float32 ? exports.addF32 : exports.addF64)(cPtr, partials + (part - 1) * partialBytes, m * n);
    }
    if (float32) copyOut32(f32, cPtr >>> 2, c, cOffset, m * n);
    else copyOut64(f64, cPtr >>> 3, c, cOffset, m * n);
  }

  /**
   * Waits for workers 1 … parts − 1 after this thread's share (which took `ownMilliseconds`),
   * running here any job taken back from a lost worker (`jobs[part − 1]` of kernel
   * `kernel`); throws the first failure (this thread's first).
   */
  function finishWorkers(parts: number, failure: unknown, kernel: number, jobs: readonly (readonly number[])[], ownMilliseconds: number): void {
    for (let part = 1; part < parts; part++) {
      try {
        if (!pool!.finish(part - 1, ownMilliseconds)) runKernel(kernel, jobs[part - 1]!);
      } catch (error) {
        failure ??= error;
      }
    }
    if (pool!.lost() !== null) loseWorkers();
    if (failure !== null) throw failure;
  }

  function runKernel(kernel: number, args: readonly number[]): void {
    (exports[THREAD_KERNELS[kernel]!] as (...values: readonly number[]) => void)(...args);
  }

  /**
   * After a worker is lost (it exited, failed, or stopped answering): stops the others and
   * runs everything on the calling thread from now on, with one warning.
   */
  function loseWorkers(): void {
    if (workers === 0) return;
    workers = 0;
    abandoned?.unregister(pool!);
    console.warn(`${settings.name}: ${pool!.lost()}; running on the calling thread from now on`);
    void pool!.terminate();
  }

  /** Threads worth using for `work` multiply–adds (each must get `minParallelMultiplyAdds`). */
  function sharesFor(work: number): number {
    if (workers === 0) return 1;
    if (pool!.lost() !== null) {
      loseWorkers();
      return 1;
    }
    const minimum = settings.minParallelMultiplyAdds;
    return minimum === 0 ? workers + 1 : Math.max(1, Math.min(workers + 1, Math.floor(work / minimum)));
  }

  /** How the batch is shared out for a pass of `work` multiply–adds: rows per thread. */
  function shares(batch: number, work: number): number[] {
    const parts = sharesFor(work);
    return parts === 1 ? [batch] : splitRows(batch, parts);
  }

  /**
   * Runs an LSTM kernel for each share of the batch: the shares after the first on
   * workers, the first on this thread, then waits for all. `argsOf(part, r0, rows)` builds
   * the arguments (once per layer pass, so it may allocate).
   */
  function runShares(kernel: number, rows: readonly number[], argsOf: (part: number, r0: number, rows: number) => number[]): void {
    let r0 = rows[0]!;
    const jobs: number[][] = [];
    for (let part = 1; part < rows.length; part++) {
      const args = argsOf(part, r0, rows[part]!);
      if (args.length > MAX_ARGUMENTS) throw new RnnkitError(settings.name, 'internal error: too many kernel arguments');
      jobs.push(args);
      pool!.start(part - 1, kernel, args);
      r0 += rows[part]!;
    }
    let failure: unknown = null;
    const began = performance.now();
    try {
      runKernel(kernel, argsOf(0, 0, rows[0]!));
    } catch (error) {
      failure = error;
    }
    if (rows.length > 1) finishWorkers(rows.length, failure, kernel, jobs, performance.now() - began);
    else if (failure !== null) throw failure;
  }

  function lstmForward(args: LstmForwardArgs): void {
    const { batch, time, features, units } = args;
    checkPassSizes(settings.name, 'lstmForward', args);
    const w = 4 * units;
    const step = batch * units;
    const rows = shares(batch, time * batch * w * (units + features));
    // Products with fewer columns than a SIMD vector gather a column of up to k values.
    const stride = scratchStride(Math.max(features, units));
    const { take, end } = bump(heapStart + rows.length * stride);
    const x = take(time * batch * features);
    const kernel = take(features * w);
    const recurrentKernel = take(units * w);
    const bias = take(w);
    const gates = take(time * batch * w);
    const h = take((time + 1) * step);
    const c = take((time + 1) * step);
    const activation = take(time * step);
    const recurrent = rows.map((count) => take(count * w));
    reserve(end());
    checkPassBuffers(settings.name, 'lstmForward', args, [
      ['x', args.x, time * batch * features], ['kernel', args.kernel, features * w], ['recurrentKernel', args.recurrentKernel, units * w],
      ['bias', args.bias, w], ['h', args.h, (time + 1) * step], ['c', args.c, (time + 1) * step],
      ['gates', args.gates, args.keep ? time * batch * w : 0], ['cellActivation', args.cellActivation, args.keep ? time * step : 0],
    ]);
    copyIn32(f32, x >>> 2, args.x, 0, time * batch * features);
    copyIn32(f32, kernel >>> 2, args.kernel, 0, features * w);
    copyIn32(f32, recurrentKernel >>> 2, args.recurrentKernel, 0, units * w);
    if (args.bias === null) f32.fill(0, bias >>> 2, (bias >>> 2) + w);
    else copyIn32(f32, bias >>> 2, args.bias, 0, w);
    copyIn32(f32, h >>> 2, args.h, 0, step);
    copyIn32(f32, c >>> 2, args.c, 0, step);
    runShares(LSTM_FORWARD, rows, (part, r0, count) => [
      r0, count, batch, time, features, units,
      x, kernel, recurrentKernel, bias, gates, h, c, activation,
      recurrent[part]!, heapStart + part * stride,
    ]);
    copyOut32(f32, (h >>> 2) + step, args.h, step, time * step);
    if (!args.keep) {
      copyOut32(f32, (c >>> 2) + time * step, args.c, time * step, step); // c_T: the final state
      return;
    }
    copyOut32(f32, (c >>> 2) + step, args.c, step, time * step);
    copyOut32(f32, gates >>> 2, args.gates, 0, time * batch * w);
    copyOut32(f32, activation >>> 2, args.cellActivation, 0, time * step);
  }

  /**
   * Where a backward pass's threads sum the weight gradients: thread 0 adds into copies of
   * the caller's kernel gradients, the others into zeroed partial sums; every thread sums
   * its own bias gradient (the kernels zero it).
   */
  interface GradientSlots {
    readonly kernel: number[];
    readonly recurrent: number[];
    readonly bias: number[];
    readonly sizes: readonly [number, number, number];
  }

  function takeGradients(take: (elements: number) => number, parts: number, kernel: number, recurrent: number, bias: number): GradientSlots {
    return {
      kernel: Array.from({ length: parts }, () => take(kernel)),
      recurrent: Array.from({ length: parts }, () => take(recurrent)),
      bias: Array.from({ length: parts }, () => take(bias)),
      sizes: [kernel, recurrent, bias],
    };
  }

  /** Copies the caller's gradients into thread 0's slots and zeroes the others' (after `reserve`). */
  function loadGradients(g: GradientSlots, kernelGrad: Float32Array, recurrentKernelGrad: Float32Array): void {
    const [kernel, recurrent] = g.sizes;
    copyIn32(f32, g.kernel[0]! >>> 2, kernelGrad, 0, kernel);
    copyIn32(f32, g.recurrent[0]! >>> 2, recurrentKernelGrad, 0, recurrent);
    for (let part = 1; part < g.kernel.length; part++) {
      f32.fill(0, g.kernel[part]! >>> 2, (g.kernel[part]! >>> 2) + kernel);
      f32.fill(0, g.recurrent[part]! >>> 2, (g.recurrent[part]! >>> 2) + recurrent);
    }
  }

  /** Adds the threads' partial sums together and hands the totals back to the caller. */
  function storeGradients(g: GradientSlots, kernelGrad: Float32Array, recurrentKernelGrad: Float32Array, biasGrad: Float32Array | null): void {
    const [kernel, recurrent, bias] = g.sizes;
    for (let part = 1; part < g.kernel.length; part++) {
      exports.addF32(g.kernel[0]!, g.kernel[part]!, kernel);
      exports.addF32(g.recurrent[0]!, g.recurrent[part]!, recurrent);
      exports.addF32(g.bias[0]!, g.bias[part]!, bias);
    }
    copyOut32(f32, g.kernel[0]! >>> 2, kernelGrad, 0, kernel);
    copyOut32(f32, g.recurrent[0]! >>> 2, recurrentKernelGrad, 0, recurrent);
    if (biasGrad === null) return;
    const from = g.bias[0]! >>> 2;
    for (let k = 0; k < bias; k++) biasGrad[k] = biasGrad[k]! + f32[from + k]!;
  }

  function lstmBackward(args: LstmBackwardArgs): void {
    const { batch, time, features, units } = args;
    checkPassSizes(settings.name, 'lstmBackward', args);
    const w = 4 * units;
    const step = batch * units;
    const rows = shares(batch, 3 * time * batch * w * (units + features));
    const parts = rows.length;
    // Weight gradients with Aᵀ and fewer than 4 rows gather a column of up to time·batch values.
    const stride = scratchStride(time * batch);
    const { take, end } = bump(heapStart + parts * stride);
    const x = take(time * batch * features);
    const kernel = take(features * w);
    const recurrentKernel = take(units * w);
    const gates = take(time * batch * w);
    const h = take((time + 1) * step);
    const c = take((time + 1) * step);
    const activation = take(time * step);
    const dhOut = args.dhOut === null ? 0 : take(time * step);
    const dh = take(step);
    const dc = take(step);
    const dz = take(time * batch * w);
    const dx = take(time * batch * features);
    // Thread 0 adds into copies of the gradients; the others into zeroed partial sums.
    const grads = takeGradients(take, parts, features * w, units * w, w);
    reserve(end());
    checkPassBuffers(settings.name, 'lstmBackward', args, [
      ['x', args.x, time * batch * features], ['kernel', args.kernel, features * w], ['recurrentKernel', args.recurrentKernel, units * w],
      ['gates', args.gates, time * batch * w], ['h', args.h, (time + 1) * step], ['c', args.c, (time + 1) * step],
      ['cellActivation', args.cellActivation, time * step], ['dhOut', args.dhOut, time * step], ['dh', args.dh, step], ['dc', args.dc, step],
      ['dx', args.dx, time * batch * features], ['kernelGrad', args.kernelGrad, features * w],
      ['recurrentKernelGrad', args.recurrentKernelGrad, units * w], ['biasGrad', args.biasGrad, w],
    ]);
    copyIn32(f32, x >>> 2, args.x, 0, time * batch * features);
    copyIn32(f32, kernel >>> 2, args.kernel, 0, features * w);
    copyIn32(f32, recurrentKernel >>> 2, args.recurrentKernel, 0, units * w);
    copyIn32(f32, gates >>> 2, args.gates, 0, time * batch * w);
    copyIn32(f32, h >>> 2, args.h, 0, (time + 1) * step);
    copyIn32(f32, c >>> 2, args.c, 0, (time + 1) * step);
    copyIn32(f32, activation >>> 2, args.cellActivation, 0, time * step);
    if (args.dhOut !== null) copyIn32(f32, dhOut >>> 2, args.dhOut, 0, time * step);
    copyIn32(f32, dh >>> 2, args.dh, 0, step);
    copyIn32(f32, dc >>> 2, args.dc, 0, step);
    loadGradients(grads, args.kernelGrad, args.recurrentKernelGrad);
    runShares(LSTM_BACKWARD, rows, (part, r0, count) => [
      r0, count, batch, time, features, units,
      x, kernel, recurrentKernel, gates, h, c, activation,
      dhOut, dh, dc, dz, dx,
      grads.kernel[part]!, grads.recurrent[part]!, grads.bias[part]!,
      heapStart + part * stride,
    ]);
    copyOut32(f32, dh >>> 2, args.dh, 0, step);
    copyOut32(f32, dc >>> 2, args.dc, 0, step);
    copyOut32(f32, dx >>> 2, args.dx, 0, time * batch * features);
    storeGradients(grads, args.kernelGrad, args.recurrentKernelGrad, args.biasGrad);
  }

  function gruForward(args: GruForwardArgs): void {
    const { batch, time, features, units } = args;
    checkPassSizes(settings.name, 'gruForward', args);
    const w = 3 * units;
    const step = batch * units;
    const rows = shares(batch, time * batch * w * (units + features));
    // Products with fewer columns than a SIMD vector gather a column of up to k values.
    const stride = scratchStride(Math.max(features, units));
    const { take, end } = bump(heapStart + rows.length * stride);
    const x = take(time * batch * features);
    const kernel = take(features * w);
    const recurrentKernel = take(units * w);
    const bias = take(2 * w);
    const gates = take(time * batch * w);
    const h = take((time + 1) * step);
    const recurrent = take(time * batch * w);
    reserve(end());
    checkPassBuffers(settings.name, 'gruForward', args, [
      ['x', args.x, time * batch * features], ['kernel', args.kernel, features * w], ['recurrentKernel', args.recurrentKernel, units * w],
      ['bias', args.bias, 2 * w], ['h', args.h, (time + 1) * step],
      ['gates', args.gates, args.keep ? time * batch * w : 0], ['recurrent', args.recurrent, args.keep ? time * batch * w : 0],
    ]);
    copyIn32(f32, x >>> 2, args.x, 0, time * batch * features);
    copyIn32(f32, kernel >>> 2, args.kernel, 0, features * w);
    copyIn32(f32, recurrentKernel >>> 2, args.recurrentKernel, 0, units * w);
    if (args.bias === null) f32.fill(0, bias >>> 2, (bias >>> 2) + 2 * w);
    else copyIn32(f32, bias >>> 2, args.bias, 0, 2 * w);
    copyIn32(f32, h >>> 2, args.h, 0, step);
    runShares(GRU_FORWARD, rows, (part, r0, count) => [
      r0, count, batch, time, features, units,
      x, kernel, recurrentKernel, bias, gates, h, recurrent, heapStart + part * stride,
    ]);
    copyOut32(f32, (h >>> 2) + step, args.h, step, time * step);
    if (!args.keep) return;
    copyOut32(f32, gates >>> 2, args.gates, 0, time * batch * w);
    copyOut32(f32, recurrent >>> 2, args.recurrent, 0, time * batch * w);
  }

  function gruBackward(args: GruBackwardArgs): void {
    const { batch, time, features, units } = args;
    checkPassSizes(settings.name, 'gruBackward', args);
    const w = 3 * units;
    const step = batch * units;
    const rows = shares(batch, 3 * time * batch * w * (units + features));
    const parts = rows.length;
    const stride = scratchStride(time * batch);
    const { take, end } = bump(heapStart + parts * stride);
    const x = take(time * batch * features);
    const kernel = take(features * w);
    const recurrentKernel = take(units * w);
    const gates = take(time * batch * w);
    const recurrent = take(time * batch * w);
    const h = take((time + 1) * step);
    const dhOut = args.dhOut === null ? 0 : take(time * step);
    const dh = take(step);
    const dz = take(time * batch * w);
    const dRec = take(time * batch * w);
    const dx = take(time * batch * features);
    const grads = takeGradients(take, parts, features * w, units * w, 2 * w);
    reserve(end());
    checkPassBuffers(settings.name, 'gruBackward', args, [
      ['x', args.x, time * batch * features], ['kernel', args.kernel, features * w], ['recurrentKernel', args.recurrentKernel, units * w],
      ['gates', args.gates, time * batch * w], ['recurrent', args.recurrent, time * batch * w], ['h', args.h, (time + 1) * step],
      ['dhOut', args.dhOut, time * step], ['dh', args.dh, step], ['dx', args.dx, time * batch * features],
      ['kernelGrad', args.kernelGrad, features * w], ['recurrentKernelGrad', args.recurrentKernelGrad, units * w], ['biasGrad', args.biasGrad, 2 * w],
    ]);
    copyIn32(f32, x >>> 2, args.x, 0, time * batch * features);
    copyIn32(f32, kernel >>> 2, args.kernel, 0, features * w);
    copyIn32(f32, recurrentKernel >>> 2, args.recurrentKernel, 0, units * w);
    copyIn32(f32, gates >>> 2, args.gates, 0, time * batch * w);
    copyIn32(f32, recurrent >>> 2, args.recurrent, 0, time * batch * w);
    copyIn32(f32, h >>> 2, args.h, 0, (time + 1) * step);
    if (args.dhOut !== null) copyIn32(f32, dhOut >>> 2, args.dhOut, 0, time * step);
    copyIn32(f32, dh >>> 2, args.dh, 0, step);
    loadGradients(grads, args.kernelGrad, args.recurrentKernelGrad);
    runShares(GRU_BACKWARD, rows, (part, r0, count) => [
      r0, count, batch, time, features, units,
      x, kernel, recurrentKernel, gates, recurrent, h,
      dhOut, dh, dz, dRec, dx,
      grads.kernel[part]!, grads.recurrent[part]!, grads.bias[part]!,
      heapStart + part * stride,
    ]);
    copyOut32(f32, dh >>> 2, args.dh, 0, step);
    copyOut32(f32, dx >>> 2, args.dx, 0, time * batch * features);
    storeGradients(grads, args.kernelGrad, args.recurrentKernelGrad, args.biasGrad);
  }

  const backend: WasmBackend = {
    name: settings.name,
    gemm,
    fused: recurrentPasses({ lstmForward, lstmBackward, gruForward, gruBackward }, settings.name),
    get threads() {
      return workers + 1;
    },
    async dispose() {
      workers = 0;
      if (pool === null) return;
      abandoned?.unregister(pool);
      await pool.terminate();
    },
  };
  if (pool !== null) abandoned?.register(backend, pool, pool);
  return Object.freeze(backend);
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
