// The WebAssembly kernel backend: createWasmBackend and useWasmBackend, and wasmKernels,
// which runs products and fused recurrent passes in the module's memory (grown as needed),
// sharing them out among worker threads. The module itself is in module.ts, the options in
// options.ts.
import { type KernelBackend, RnnkitError, checkGemm, jsBackend, setBackend } from '@rnnkit/tensor';
import type {
  GruBackwardArgs,
  GruForwardArgs,
  GruResetBeforeBackwardArgs,
  GruResetBeforeForwardArgs,
  LstmBackwardArgs,
  LstmForwardArgs,
  SimpleRnnBackwardArgs,
  SimpleRnnForwardArgs,
} from './pass-args.js';
import { type Blocking, blockingOption, setBlockingArgs } from './blocking.js';
import { compileOptimizerModule, optimizerKernels } from './optimizer-kernels.js';
import { recurrentPasses } from './recurrent-passes.js';
import { type PassBufferCheck, type PassSizes, checkPassBuffers, checkPassSizes } from './checks.js';
import {
  GRU_BACKWARD,
  GRU_FORWARD,
  GRU_RESET_BEFORE_BACKWARD,
  GRU_RESET_BEFORE_FORWARD,
  LSTM_BACKWARD,
  LSTM_FORWARD,
  type PassShape,
  type PassSpec,
  SIMPLE_RNN_BACKWARD,
  SIMPLE_RNN_FORWARD,
} from './pass-specs.js';
import { copyBytesIn32, copyIn32, copyIn64, copyOut32, copyOut64 } from './copies.js';
import { align, bump } from './layout.js';
import { type GradientSlots, loadGradients, storeGradients, takeGradients } from './gradient-slots.js';
import {
  GEMM_F32,
  GEMM_F64,
  type KernelExports,
  MAXIMUM_PAGES,
  PAGE,
  SHARED_MAXIMUM_PAGES,
  THREAD_KERNELS,
  compile,
  relaxedSimdSupported,
  wasmSimdSupported,
} from './module.js';
import { API, MAX_THREADS, type Settings, type WasmBackendOptions, checkOptions } from './options.js';
import { shareStart, splitRows, usableParts } from './shares.js';
import { type ThreadPool, MAX_ARGUMENTS, availableCores, startThreads, threadsUnavailable } from './threads.js';

/** The backend {@link createWasmBackend} returns: a {@link KernelBackend} with threads to release. */
export interface WasmBackend extends KernelBackend {
  /** Threads in use, the calling one included (1 without workers). */
  readonly threads: number;
  /** Whether it runs the relaxed-SIMD build of the kernels (see the `relaxedSimd` option). */
  readonly relaxedSimd: boolean;
  /** The block sizes of its matrix products (see the `cacheSizes` option). */
  readonly blocking: Blocking;
  /**
   * Stops the worker threads. The backend keeps working on the calling thread alone.
   * Idle workers do not keep a Node process alive but hold the backend's memory; a backend
   * dropped without this has its workers stopped when it is garbage-collected.
   */
  dispose(): Promise<void>;
}

/**
 * Stops the workers of a threaded backend that was dropped without `dispose()`: they hold
 * its memory (and, idle, would sleep forever). Single-threaded backends need nothing: their
 * memory goes with them.
 */
const abandoned = typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<ThreadPool>((pool) => void pool.terminate()) : null;

/**
 * Creates a kernel backend running `gemm` in WebAssembly with 128-bit SIMD. Select it with
 * `setBackend(await createWasmBackend())` (or {@link useWasmBackend}); every later product
 * of `@rnnkit/tensor` — `matmul`, `tensordot`, the layers' forward and backward passes —
 * then runs in WebAssembly, with results equal to the JS backend's within float32 rounding.
 * Recurrent layers over Keras' default LSTM cell, either GRU form or a tanh or σ SimpleRNN
 * (float32) run each whole pass in one call, split across `threads`, padded (masked)
 * sequences included (the passes in `fused`, see recurrent-passes.ts).
 *
 * Operands are copied into the module's own memory (grown as needed) and the results are
 * copied back, so tensors stay ordinary typed arrays. Each backend has its own memory.
 */
export async function createWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const checked = checkOptions(options);
  if (!wasmSimdSupported()) {
    throw new RnnkitError(
      API,
      'this JavaScript engine cannot run WebAssembly with 128-bit SIMD (needs Node ≥ 16.4, Chrome ≥ 91, Firefox ≥ 89 or Safari ≥ 16.4); keep the default JS backend',
    );
  }
  const relaxed = checked.relaxedSimd === 'auto' ? relaxedSimdSupported() : checked.relaxedSimd;
  if (relaxed && !relaxedSimdSupported()) {
    throw new RnnkitError(
      API,
      'relaxedSimd: true, but this JavaScript engine cannot run relaxed SIMD (Chrome/Edge ≥ 114, Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd); use relaxedSimd: \'auto\' or false',
    );
  }
  const settings: NamedSettings = { ...checked, name: checked.name ?? (relaxed ? 'wasm-relaxed-simd' : 'wasm-simd'), relaxed };
  await compileOptimizerModule();
  let threads = settings.threads === 'auto' ? (threadsUnavailable() === null ? await availableCores() : 1) : settings.threads;
  threads = Math.min(threads, MAX_THREADS);
  const blocking = blockingOption(settings.cacheSizes, threads);
  if (threads === 1) {
    const instance = await WebAssembly.instantiate(await compile(relaxed ? 'relaxed-own' : 'own'), {});
    const exports = instance.exports as unknown as KernelExports;
    return wasmKernels(exports, exports.memory, null, settings, blocking);
  }
  const reason = threadsUnavailable();
  if (reason !== null) throw new RnnkitError(API, `threads: ${threads} needs worker threads, but ${reason}; use threads: 1`);
  const module = await compile(relaxed ? 'relaxed-shared' : 'shared');
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
  const instance = await WebAssembly.instantiate(module, { env: { memory } });
  const pool = await startThreads(API, module, memory, threads - 1, THREAD_KERNELS, settings.name, undefined, ['setBlocking', ...setBlockingArgs(blocking)]);
  return wasmKernels(instance.exports as unknown as KernelExports, memory, pool, settings, blocking);
}

/** Creates the WebAssembly backend and selects it: `await useWasmBackend()`. Resolves with it. */
export async function useWasmBackend(options: WasmBackendOptions = {}): Promise<WasmBackend> {
  const backend = await createWasmBackend(options);
  setBackend(backend);
  return backend;
}

/** The settings with the name resolved and the build chosen. */
interface NamedSettings extends Settings {
  readonly name: string;
  readonly relaxed: boolean;
}

function wasmKernels(exports: KernelExports, memory: WebAssembly.Memory, pool: ThreadPool | null, settings: NamedSettings, blocking: Blocking): WasmBackend {
  // Before the scratch is sized: it holds one block of A and one of B.
  if (!exports.setBlocking(...setBlockingArgs(blocking))) throw new RnnkitError(API, `internal error: the kernels refused the blocking ${JSON.stringify(blocking)}`);
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
    // The growing is a function of its own: its closure would make every call allocate a context.
    if (size > capacity) grow(size);
  }

  function grow(size: number): void {
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

  // The contract's own signature (parameters typed by it): the arguments are checked by tensor's checkGemm.
  const gemm: KernelBackend['gemm'] = (transposeA, transposeB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset) => {
    checkGemm(`${settings.name}.gemm`, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
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
  };

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
   * Runs a pass kernel for each share of the batch: the shares after the first on
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

  /**
   * Runs the fused pass `spec` describes (see pass-specs.ts): lays its buffers out after the
   * threads' scratch, checks and copies in the caller's arrays, runs the kernel on each
   * share of the batch, and copies the results (and the summed weight gradients) back.
   */
  function runPass<A extends PassSizes>(spec: PassSpec<A>, args: A): void {
    checkPassSizes(settings.name, spec.name, args);
    const { batch, time, features, units } = args;
    const w = spec.gates * units;
    const shape: PassShape = { batch, time, features, units, w, step: batch * units };
    const buffers = spec.buffers;
    const arrays: (Float32Array | Uint8Array | null)[] = [];
    // Which of the buffers that get no room when absent are absent: part of the layout.
    let absent = 0;
    for (let i = 0; i < buffers.length; i++) {
      const array = buffers[i]!.array?.(args) ?? null;
      arrays.push(array);
      if (array === null && buffers[i]!.whenNull === 'none') absent |= 1 << i;
    }
    const layout = passLayout(spec, shape, shares(batch, spec.work(shape)), absent);
    const grads = spec.gradients?.of(args) ?? null;
    const slots = layout.slots;
    reserve(layout.end);
    const checks: PassBufferCheck[] = [];
    for (let i = 0; i < buffers.length; i++) {
      const buffer = buffers[i]!;
      if (buffer.array) checks.push([buffer.name, arrays[i]!, buffer.needs?.(shape, args) ?? layout.sizes[i]!, buffer.bytes ? Uint8Array : Float32Array]);
    }
    if (grads && slots) {
      const [kernel, recurrent, bias] = slots.sizes as [number, number, number];
      checks.push(['kernelGrad', grads.kernelGrad, kernel], ['recurrentKernelGrad', grads.recurrentKernelGrad, recurrent], ['biasGrad', grads.biasGrad, bias]);
    }
    checkPassBuffers(settings.name, spec.name, args, checks);
    for (let i = 0; i < buffers.length; i++) {
      const buffer = buffers[i]!, array = arrays[i]!, size = layout.sizes[i]!;
      const start = layout.addresses[i]! >>> 2;
      if (array === null) {
        if (buffer.whenNull === 'zeros') f32.fill(0, start, start + size);
        continue;
      }
      if (buffer.bytes) {
        copyBytesIn32(f32, start, array as Uint8Array, size);
        continue;
      }
      const range = buffer.copyIn ? buffer.copyIn(shape) : null;
      if (!buffer.copyIn) copyIn32(f32, start, array as Float32Array, 0, size);
      else if (range !== null) copyIn32(f32, start + range[0], array as Float32Array, range[0], range[1]);
    }
    if (grads && slots) loadGradients(f32, slots, grads.kernelGrad, grads.recurrentKernelGrad);
    const kernelArgs = layout.kernelArgs;
    if (spec.mode) {
      const mode = spec.mode(args);
      for (let part = 0; part < kernelArgs.length; part++) kernelArgs[part]![MODE_ARGUMENT] = mode;
    }
    runShares(THREAD_KERNELS.indexOf(spec.name), layout.rows, (part) => kernelArgs[part]!);
    for (let i = 0; i < buffers.length; i++) {
      const array = arrays[i]!;
      const range = array && buffers[i]!.copyOut?.(shape, args);
      if (range) copyOut32(f32, (layout.addresses[i]! >>> 2) + range[0], array as Float32Array, range[0], range[1]);
    }
    if (grads && slots) storeGradients(f32, exports, slots, grads.kernelGrad, grads.recurrentKernelGrad, grads.biasGrad);
  }

  /** The memory layout and kernel arguments of a pass, kept per pass from call to call (a training loop repeats one shape). */
  interface PassLayout {
    readonly shape: PassShape;
    readonly rows: readonly number[];
    readonly absent: number;
    /** Per buffer: its values, and its address (thread 0's for a per-thread one). */
    readonly sizes: readonly number[];
    readonly addresses: readonly number[];
    readonly slots: GradientSlots | null;
    readonly end: number;
    /** The kernel's positional arguments for each share of the batch. */
    readonly kernelArgs: readonly number[][];
  }
  const passLayouts = new Map<string, PassLayout>();
  /** Where a kernel's mode argument goes (see PassSpec.mode): after r0, rows and the four sizes. */
  const MODE_ARGUMENT = 6;

  function passLayout<A>(spec: PassSpec<A>, shape: PassShape, rows: readonly number[], absent: number): PassLayout {
    const kept = passLayouts.get(spec.name);
    if (
      kept !== undefined && kept.absent === absent && kept.shape.batch === shape.batch && kept.shape.time === shape.time &&
      kept.shape.features === shape.features && kept.shape.units === shape.units && kept.rows.length === rows.length &&
      kept.rows.every((count, i) => count === rows[i])
    ) {
      return kept;
    }
    const stride = scratchStride(spec.gather(shape));
    const { take, end } = bump(heapStart + rows.length * stride);
    const sizes: number[] = [];
    const perThread: number[][] = [];
    spec.buffers.forEach((buffer, i) => {
      const size = buffer.size(shape, 0);
      sizes.push(size);
      perThread.push(buffer.perThread ? rows.map((count) => take(buffer.size(shape, count))) : [(absent >> i) & 1 ? 0 : take(size)]);
    });
    const slots = spec.gradients ? takeGradients(take, rows.length, shape.features * shape.w, shape.units * shape.w, spec.gradients.bias(shape)) : null;
    const kernelArgs: number[][] = [];
    let r0 = 0;
    rows.forEach((count, part) => {
      kernelArgs.push([
        r0, count, shape.batch, shape.time, shape.features, shape.units,
        ...(spec.mode ? [0] : []), // at MODE_ARGUMENT, set by each call
        ...spec.buffers.map((buffer, i) => perThread[i]![buffer.perThread ? part : 0]!),
        ...(slots ? [slots.kernel[part]!, slots.recurrent[part]!, slots.bias[part]!] : []),
        heapStart + part * stride,
      ]);
      r0 += count;
    });
    const layout: PassLayout = { shape, rows, absent, sizes, addresses: perThread.map((at) => at[0]!), slots, end: end(), kernelArgs };
    passLayouts.set(spec.name, layout);
    return layout;
  }

  const lstmForward = (args: LstmForwardArgs): void => runPass(LSTM_FORWARD, args);
  const lstmBackward = (args: LstmBackwardArgs): void => runPass(LSTM_BACKWARD, args);
  const gruForward = (args: GruForwardArgs): void => runPass(GRU_FORWARD, args);
  const gruBackward = (args: GruBackwardArgs): void => runPass(GRU_BACKWARD, args);
  const gruResetBeforeForward = (args: GruResetBeforeForwardArgs): void => runPass(GRU_RESET_BEFORE_FORWARD, args);
  const gruResetBeforeBackward = (args: GruResetBeforeBackwardArgs): void => runPass(GRU_RESET_BEFORE_BACKWARD, args);
  const simpleRnnForward = (args: SimpleRnnForwardArgs): void => runPass(SIMPLE_RNN_FORWARD, args);
  const simpleRnnBackward = (args: SimpleRnnBackwardArgs): void => runPass(SIMPLE_RNN_BACKWARD, args);

  const backend: WasmBackend = {
    name: settings.name,
    gemm,
    fused: [
      ...recurrentPasses(
        { lstmForward, lstmBackward, gruForward, gruBackward, gruResetBeforeForward, gruResetBeforeBackward, simpleRnnForward, simpleRnnBackward },
        settings.name,
      ),
      optimizerKernels(settings.name),
    ],
    relaxedSimd: settings.relaxed,
    blocking,
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
