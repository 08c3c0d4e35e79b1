// The options of createWasmBackend: their documentation, their checks and defaults, and
// the settings a backend is made with once they have passed.
import { RnnkitError, checkOptionKeys, describeValue } from '@rnnkit/tensor';

/** Options of {@link createWasmBackend} and {@link useWasmBackend}. */
export interface WasmBackendOptions {
  /**
   * Products with fewer multiply–adds (m·n·k) than this run on the plain-JS kernels of
   * `@rnnkit/tensor` instead: for them, copying the operands into WebAssembly memory costs
   * more than the SIMD kernels save. 0 sends every product to WebAssembly.
   * @defaultValue 1024
   */
  readonly minMultiplyAdds?: number;
  /**
   * The backend's name, shown by `getBackend().name` and in benchmarks.
   * @defaultValue 'wasm-relaxed-simd' when it runs the relaxed-SIMD kernels, else 'wasm-simd'
   */
  readonly name?: string;
  /**
   * Run the build of the kernels made with relaxed SIMD, whose matrix products use
   * `relaxed_madd` (one fused multiply–add with a single rounding where the hardware has
   * it: x86 with FMA, ARM): `'auto'` where the engine validates it (Chrome and Edge ≥ 114,
   * Node ≥ 22; Node 20 with `--experimental-wasm-relaxed-simd`), `true` to require it (an
   * error where it is missing), `false` for the 128-bit SIMD build everywhere. Products
   * then differ from the other build's in the last bits (one rounding instead of two per
   * multiply–add); each build gives the same bits every time on a given machine.
   * @defaultValue 'auto'
   */
  readonly relaxedSimd?: boolean | 'auto';
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
  /**
   * The cache sizes the matrix products are blocked for: `'measure'` times a pointer chase
   * over growing working sets once per process (at the first backend created; 50–200
   * milliseconds; nothing where `performance.now()` is coarser than 20 µs, as on browser
   * pages that are not cross-origin isolated: the fixed blocks then) and blocks for what it finds; `{ l2, l3 }` gives them in bytes (the
   * largest working sets that still read at L2's and L3's speed); `'fixed'` uses the same
   * blocks on every machine (96 rows × 576 columns). The blocking never changes a result,
   * only which tiles of a product are computed together: the depth of a block, which decides
   * the rounding, is the same everywhere. `backend.blocking` shows the sizes in use.
   * @defaultValue 'measure'
   */
  readonly cacheSizes?: 'measure' | 'fixed' | { readonly l2: number; readonly l3: number };
}

export const API = 'createWasmBackend';
const OPTION_KEYS = ['minMultiplyAdds', 'name', 'threads', 'minParallelMultiplyAdds', 'relaxedSimd', 'cacheSizes'];
/** Most threads a backend may have, the calling one included. */
export const MAX_THREADS = 64;

/** The checked options, defaults filled in. */
export interface Settings {
  readonly minMultiplyAdds: number;
  /** The name asked for, or undefined for the default of the build in use. */
  readonly name: string | undefined;
  readonly relaxedSimd: boolean | 'auto';
  readonly threads: number | 'auto';
  readonly minParallelMultiplyAdds: number;
  readonly cacheSizes: 'measure' | 'fixed' | { readonly l2: number; readonly l3: number };
}

/** Checks {@link WasmBackendOptions} (as `createWasmBackend`) and fills in the defaults. */
export function checkOptions(options: WasmBackendOptions): Settings {
  checkOptionKeys(API, options, OPTION_KEYS);
  const minMultiplyAdds = options.minMultiplyAdds ?? 1024;
  if (typeof minMultiplyAdds !== 'number' || !(minMultiplyAdds >= 0)) {
    throw new RnnkitError(API, `minMultiplyAdds must be a number ≥ 0, got ${describeValue(minMultiplyAdds)}`);
  }
  const name = options.name;
  if (name !== undefined && (typeof name !== 'string' || name === '')) {
    throw new RnnkitError(API, `name must be a non-empty string, got ${describeValue(name)}`);
  }
  const relaxedSimd = options.relaxedSimd ?? 'auto';
  if (relaxedSimd !== 'auto' && typeof relaxedSimd !== 'boolean') {
    throw new RnnkitError(API, `relaxedSimd must be true, false or 'auto', got ${describeValue(relaxedSimd)}`);
  }
  const threads = options.threads ?? 1;
  if (threads !== 'auto' && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw new RnnkitError(API, `threads must be an integer from 1 to ${MAX_THREADS} or 'auto', got ${describeValue(threads)}`);
  }
  const minParallelMultiplyAdds = options.minParallelMultiplyAdds ?? 1 << 19;
  if (typeof minParallelMultiplyAdds !== 'number' || !(minParallelMultiplyAdds >= 0)) {
    throw new RnnkitError(API, `minParallelMultiplyAdds must be a number ≥ 0, got ${describeValue(minParallelMultiplyAdds)}`);
  }
  const cacheSizes = options.cacheSizes ?? 'measure';
  if (cacheSizes !== 'measure' && cacheSizes !== 'fixed') {
    const expected = "cacheSizes must be 'measure', 'fixed' or { l2, l3 } in bytes (integers from 1024 to 2^32)";
    if (typeof cacheSizes !== 'object' || cacheSizes === null || Array.isArray(cacheSizes)) throw new RnnkitError(API, `${expected}, got ${describeValue(cacheSizes)}`);
    checkOptionKeys(API, cacheSizes, ['l2', 'l3'], 'cacheSizes key');
    for (const key of ['l2', 'l3'] as const) {
      const value = cacheSizes[key];
      if (!(Number.isInteger(value) && value >= 1024 && value <= 2 ** 32)) throw new RnnkitError(API, `${expected}; ${key} is ${describeValue(value)}`);
    }
  }
  return { minMultiplyAdds, name, relaxedSimd, threads, minParallelMultiplyAdds, cacheSizes };
}
