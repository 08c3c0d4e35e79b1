// The blocking of the products from cache sizes: reading a latency curve, the rule from
// sizes to blocks, the `cacheSizes` option, and the one promise that makes it safe to
// follow the machine: results do not depend on the blocking, bit for bit.
import { Random } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { type Latency, BLOCK_DEPTH, COARSEST_CLOCK, FIXED_BLOCKING, blockingFor, cacheSizesFrom, clockResolution, measureLatencies, pastL3 } from './blocking.js';
import { type WasmBackend, createWasmBackend, measuredCacheSizes } from './index.js';
import { KERNELS_SHARED_WASM_BASE64 } from './generated/kernels-wasm.js';
import { startThreads } from './threads.js';

const KiB = 1024;
const MiB = 1024 * KiB;
/** performance.now() rounded down to steps of `ms`, as browsers coarsen it. */
const coarseClock = (ms: number) => () => Math.floor(performance.now() / ms) * ms;
/** A curve from 4 KiB up, each working set twice the last. */
const curve = (nanoseconds: number[]): Latency[] => nanoseconds.map((ns, i) => ({ bytes: (4 * KiB) << i, nanoseconds: ns }));

describe('cacheSizesFrom', () => {
  it('should read L1, L2 and L3 where the latency leaves each level (a curve measured on a 2-core EPYC VM)', () => {
    // 4K … 4M: 2 ns in L1, 4.5–6 ns in L2, 15–18 ns in L3, 160 ns past it.
    const measured = curve([2.0, 2.0, 2.0, 3.0, 4.6, 4.8, 5.8, 9.5, 15.9, 17.5, 160]);
    expect(cacheSizesFrom(measured)).toEqual({ l1: 16 * KiB, l2: 256 * KiB, l3: 2 * MiB });
  });

  it('should count a point slower than a later one at the later latency (an interruption, not a cache)', () => {
    const spiked = curve([2.0, 2.0, 2.0, 3.0, 4.6, 4.8, 5.8, 25.0, 15.9, 17.5, 160]);
    expect(cacheSizesFrom(spiked)).toEqual({ l1: 16 * KiB, l2: 256 * KiB, l3: 2 * MiB });
    const slowStart = curve([9.0, 2.0, 2.0, 3.0, 4.6, 4.8, 5.8, 9.5, 15.9, 17.5, 160]);
    expect(cacheSizesFrom(slowStart).l2).toBe(256 * KiB);
  });

  it('should give a level that never ends within the curve the largest working set measured', () => {
    expect(cacheSizesFrom(curve([2, 2, 2, 2, 2]))).toEqual({ l1: 64 * KiB, l2: 64 * KiB, l3: 64 * KiB });
    expect(cacheSizesFrom(curve([2, 2, 2, 5, 5, 5, 5]))).toEqual({ l1: 16 * KiB, l2: 256 * KiB, l3: 256 * KiB });
  });
});

describe('blockingFor', () => {
  it('should fill L2 with an A block and L3 (shared by the threads) with a B block', () => {
    expect(blockingFor({ l1: 32 * KiB, l2: 512 * KiB, l3: 2 * MiB }, 1)).toEqual({ rows: { float32: 512, float64: 256 }, columns: 2040, depth: BLOCK_DEPTH });
    expect(blockingFor({ l1: 32 * KiB, l2: 512 * KiB, l3: 2 * MiB }, 2).columns).toBe(1020);
    // Whole micro-tiles: rows a multiple of 4, columns of 12.
    expect(blockingFor({ l1: 0, l2: 300 * KiB, l3: 1000 * KiB }, 1)).toEqual({ rows: { float32: 300, float64: 148 }, columns: 996, depth: BLOCK_DEPTH });
  });

  it('should keep the blocks within what the kernels take, for tiny and huge caches', () => {
    expect(blockingFor({ l1: 0, l2: 1 * KiB, l3: 1 * KiB }, 64)).toEqual({ rows: { float32: 16, float64: 16 }, columns: 48, depth: BLOCK_DEPTH });
    expect(blockingFor({ l1: 0, l2: 1 << 30, l3: 2 ** 32 }, 1)).toEqual({ rows: { float32: 1024, float64: 1024 }, columns: 4608, depth: BLOCK_DEPTH });
  });
});

describe('measuredCacheSizes', () => {
  it('should find three levels, each at least the last, within the working sets probed (4 KiB to 8 MiB)', () => {
    const sizes = measuredCacheSizes()!;
    expect(sizes.l1).toBeGreaterThanOrEqual(4 * KiB);
    expect(sizes.l2).toBeGreaterThanOrEqual(sizes.l1);
    expect(sizes.l3).toBeGreaterThanOrEqual(sizes.l2);
    expect(sizes.l3).toBeLessThanOrEqual(8 * MiB);
    for (const size of [sizes.l1, sizes.l2, sizes.l3]) expect(Math.log2(size) % 1).toBe(0);
    // Measured once per process.
    expect(measuredCacheSizes()).toBe(sizes);
  });

  it('should time every working set from 4 KiB up to at most 8 MiB', () => {
    const latencies = measureLatencies()!;
    expect(latencies.length).toBeGreaterThanOrEqual(3);
    expect(latencies.at(-1)!.bytes).toBeLessThanOrEqual(8 * MiB);
    latencies.forEach((point, i) => {
      expect(point.bytes).toBe((4 * KiB) << i);
      expect(point.nanoseconds).toBeGreaterThan(0);
    });
  });

  it('should stop measuring one working set past the end of L3, and not before', () => {
    // (The curve measured stops there, then a second pass may lower its points: only the
    // rule itself is exact.)
    const levels = [2.0, 2.0, 2.0, 3.0, 4.6, 4.8, 5.8, 9.5, 15.9, 17.5, 160];
    for (let length = 1; length <= levels.length; length++) {
      expect(pastL3(curve(levels.slice(0, length))), `${length} points`).toBe(length === levels.length);
    }
    expect(pastL3(curve([2, 2, 2, 2, 2]))).toBe(false);
  });
});

describe('the probe on a coarse clock', () => {
  it('should read the clock in steps of its resolution', () => {
    expect(clockResolution(coarseClock(0.1))).toBeCloseTo(0.1, 6);
    expect(clockResolution(() => performance.now())).toBeLessThanOrEqual(COARSEST_CLOCK);
  });

  it('should measure nothing on a clock coarser than 20 µs (a browser page that is not cross-origin isolated), and time runs of 50 ticks on one fine enough', () => {
    expect(measureLatencies(coarseClock(0.1))).toBeNull();
    expect(measureLatencies(coarseClock(0.025))).toBeNull();
    const curve = measureLatencies(coarseClock(0.016))!;
    expect(curve.length).toBeGreaterThanOrEqual(3);
    // Each figure is at least 50 ticks of 16 µs over a run's loads, so never 0 from rounding.
    for (const point of curve) expect(point.nanoseconds).toBeGreaterThan(0);
  });
});

describe('the cacheSizes option', () => {
  it('should block for the sizes given, the fixed sizes, or those measured', async () => {
    const given = await createWasmBackend({ cacheSizes: { l2: 256 * KiB, l3: 3 * MiB } });
    expect(given.blocking).toEqual(blockingFor({ l1: 0, l2: 256 * KiB, l3: 3 * MiB }, 1));
    expect((await createWasmBackend({ cacheSizes: 'fixed' })).blocking).toEqual(FIXED_BLOCKING);
    expect((await createWasmBackend()).blocking).toEqual(blockingFor(measuredCacheSizes()!, 1));
    const threaded = await createWasmBackend({ threads: 2, cacheSizes: { l2: 256 * KiB, l3: 3 * MiB } });
    try {
      expect(threaded.blocking.columns).toBe(1536);
    } finally {
      await threaded.dispose();
    }
  });

  it('should refuse anything else in one line naming the option', async () => {
    const cases: [unknown, RegExp][] = [
      ['auto', /^createWasmBackend: cacheSizes must be 'measure', 'fixed' or \{ l2, l3 \} in bytes \(integers from 1024 to 2\^32\), got "auto"$/],
      [{ l2: 512 * KiB }, /^createWasmBackend: cacheSizes must be .*; l3 is undefined$/],
      [{ l2: 512.5, l3: MiB }, /; l2 is number 512\.5$/],
      [{ l2: 100, l3: MiB }, /; l2 is number 100$/],
      [{ l2: MiB, l3: MiB, l1: 32 * KiB }, /^createWasmBackend: unknown cacheSizes key "l1"; valid cacheSizes keys are l2, l3$/],
      [[MiB, MiB], /, got \[1048576, 1048576\]$/],
    ];
    for (const [value, message] of cases) {
      await expect(createWasmBackend({ cacheSizes: value as never })).rejects.toThrow(message);
    }
  });

  it('should fail the start of a worker that refuses its blocking, saying so', async () => {
    const module = await WebAssembly.compile(Uint8Array.from(atob(KERNELS_SHARED_WASM_BASE64), (ch) => ch.charCodeAt(0)));
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true });
    await expect(startThreads('test', module, memory, 1, ['gemmF32'], 'test', undefined, ['setBlocking', 6, 96, 576])).rejects.toThrow(
      /^test: a worker thread could not instantiate the kernels: setBlocking refused 6, 96, 576$/,
    );
  });
});

describe('results do not depend on the blocking', () => {
  /** The bits of op(A)·op(B) (transposed by `flags`' two bits) on a backend, random operands. */
  function product(backend: WasmBackend, dtype: 'float32' | 'float64', m: number, n: number, k: number, flags: number): Uint8Array {
    const random = new Random(m + n + k + flags);
    const array = (length: number) => {
      const values = dtype === 'float32' ? new Float32Array(length) : new Float64Array(length);
      for (let i = 0; i < length; i++) values[i] = random.normal();
      return values;
    };
    const c = dtype === 'float32' ? new Float32Array(m * n) : new Float64Array(m * n);
    backend.gemm((flags & 1) === 1, (flags & 2) === 2, m, n, k, array(m * k), 0, array(k * n), 0, 0, c, 0);
    return new Uint8Array(c.buffer);
  }

  /** The first byte where two results differ, or -1. */
  const firstDifference = (x: Uint8Array, y: Uint8Array): number => (x.length !== y.length ? 0 : x.findIndex((byte, i) => byte !== y[i]));

  it('should give the same bits with small, fixed and measured blocks, on one thread and on three', async () => {
    const small = { l2: 16 * KiB, l3: 3 * 48 * KiB };
    const made = await Promise.all([
      createWasmBackend({ cacheSizes: 'fixed', minMultiplyAdds: 0 }),
      createWasmBackend({ cacheSizes: small, minMultiplyAdds: 0 }),
      createWasmBackend({ minMultiplyAdds: 0 }),
      createWasmBackend({ cacheSizes: small, minMultiplyAdds: 0, threads: 3, minParallelMultiplyAdds: 0 }),
    ]);
    try {
      // Shapes across several A blocks (rows), B blocks (columns) and depth blocks.
      // A not transposed (flags 0, 2) is shared out by rows on three threads, bit-identically;
      // Aᵀ·B by depth, whose partial sums round differently, so only the one-thread backends
      // are held to each other there.
      for (const [m, n, k] of [[37, 53, 300], [200, 700, 260], [13, 1200, 40], [130, 97, 513]] as const) {
        for (const dtype of ['float32', 'float64'] as const) {
          for (const flags of [0, 1, 2, 3]) {
            const [reference, ...others] = made.slice(0, flags & 1 ? 3 : 4).map((backend) => product(backend, dtype, m, n, k, flags));
            others.forEach((other, i) => expect(firstDifference(other, reference!), `${dtype} ${m}×${n}×${k} flags ${flags}, backend ${i + 1}`).toBe(-1));
          }
        }
      }
    } finally {
      await made[3]!.dispose();
    }
  });
});
