// Block sizes of the matrix products from the cache sizes of the machine, measured at run
// time. A product C = A·B works on a block of A (rows × depth) against a block of B (depth ×
// columns) at a time (assembly/gemm.ts): the A block should stay in L2 while every column
// panel of the B block passes by it, and the B block in L3 while every A block passes by it.
// The depth of a block is fixed (it decides where a sum is cut into partial sums, so it
// decides the rounding, and a product must give the same bits on every machine); rows and
// columns only decide which tiles are computed together, never how, so they may follow the
// machine.
//
// The caches are measured the way a program meets them: a chase through a random cycle of
// 64-byte lines over growing working sets, each load's address the value of the last (so the
// loads cannot overlap), timed per load. A level's latency holds while the working set fits
// and jumps when it no longer does; the size reported for a level is the largest working set
// that still reads at (about) its latency — what a block can count on, usually half to all
// of what the processor's data sheet says, less where other programs share the cache.

/** Bytes of the data caches, as measured: the largest working set read at each level's speed. */
export interface CacheSizes {
  readonly l1: number;
  readonly l2: number;
  readonly l3: number;
}

/** Block sizes of the products: rows of an A block (per element size), columns of a B block. */
export interface Blocking {
  readonly rows: { readonly float32: number; readonly float64: number };
  readonly columns: number;
  /** The depth of a block: fixed, see above. */
  readonly depth: number;
}

/** The depth of a block (KC in assembly/scratch.ts). */
export const BLOCK_DEPTH = 256;
/** Rows of an A block are a multiple of the micro-tile's rows, columns of its widest panel. */
const ROW_STEP = 4;
const COLUMN_STEP = 12;
/** What assembly/scratch.ts's setBlocking accepts. */
export const MAX_BLOCK_ROWS = 1024;
export const MAX_BLOCK_COLUMNS = 4608;
const MIN_BLOCK_ROWS = 16;
const MIN_BLOCK_COLUMNS = 48;

/** The block sizes used before they were measured, and with `cacheSizes: 'fixed'`. */
export const FIXED_BLOCKING: Blocking = Object.freeze({ rows: Object.freeze({ float32: 96, float64: 96 }), columns: 576, depth: BLOCK_DEPTH });

const roundDown = (value: number, step: number, min: number, max: number): number => Math.min(max, Math.max(min, Math.floor(value / step) * step));

/**
 * Block sizes for caches of these sizes, with `threads` threads each packing its own B
 * block (they share L3): an A block of rows × depth elements fills L2, a B block of
 * depth × columns float32 elements fills L3's share.
 */
export function blockingFor(caches: CacheSizes, threads: number): Blocking {
  const rows = (bytes: number): number => roundDown(caches.l2 / (BLOCK_DEPTH * bytes), ROW_STEP, MIN_BLOCK_ROWS, MAX_BLOCK_ROWS);
  const columns = roundDown(caches.l3 / threads / (BLOCK_DEPTH * 4), COLUMN_STEP, MIN_BLOCK_COLUMNS, MAX_BLOCK_COLUMNS);
  return { rows: { float32: rows(4), float64: rows(8) }, columns, depth: BLOCK_DEPTH };
}

/** A latency measured for one working set. */
export interface Latency {
  readonly bytes: number;
  readonly nanoseconds: number;
}

/**
 * How much slower than a level's latency a working set may read and still count as fitting,
 * for L1, L2 and L3: the larger levels' latencies climb within them (TLB misses, a cache
 * shared with other cores), so they are given more room.
 */
const WITHIN_LEVEL = [1.3, 1.5, 2] as const;

/**
 * The cache sizes a latency curve shows (working sets ascending from 4 KiB, each twice the
 * last): L1 lasts while loads take at most 1.3× the middle of the first three points'
 * latency; the next level's latency is read at four times the last level's size (past the
 * transition, where some loads still hit the smaller cache) and it lasts while loads stay
 * within 1.5× of that; likewise L3, within 2×. A level that never
 * ends within the curve is given the largest working set measured. A point slower than a
 * later one counts at the later one's latency (it met an interruption).
 */
export function cacheSizesFrom(measuredCurve: readonly Latency[]): CacheSizes {
  // A load never gets faster with a larger working set: a point above a later one met an
  // interruption, and counts at the later one's latency.
  const curve = measuredCurve.map((point, i) => ({ bytes: point.bytes, nanoseconds: Math.min(...measuredCurve.slice(i).map((p) => p.nanoseconds)) }));
  const sizes: number[] = [];
  // L1's latency: the middle of the first three working sets (4 to 16 KiB: every L1 holds them).
  let level = [...curve.slice(0, 3)].map((point) => point.nanoseconds).sort((a, b) => a - b)[Math.min(1, curve.length - 1)]!;
  let index = 0;
  while (sizes.length < 3) {
    const within = WITHIN_LEVEL[sizes.length]!;
    while (index + 1 < curve.length && curve[index + 1]!.nanoseconds <= level * within) index++;
    sizes.push(curve[index]!.bytes);
    // The next level's latency, past the transition (or the last point measured).
    const next = Math.min(index + 2, curve.length - 1);
    level = curve[next]!.nanoseconds;
    index = Math.min(index + 1, curve.length - 1);
  }
  return { l1: sizes[0]!, l2: Math.max(sizes[0]!, sizes[1]!), l3: Math.max(sizes[0]!, sizes[1]!, sizes[2]!) };
}

/** Working sets of the probe: 4 KiB to 8 MiB (past 8 MiB of L3 the blocking no longer changes). */
const SMALLEST = 4 << 10;
const LARGEST = 8 << 20;
/** Loads timed at least per repetition (in chunks), and repetitions (the fastest counts: the others met interruptions). */
const STEPS = 1 << 14;
const CHUNK = 1 << 12;
const REPETITIONS = 3;
/** A timed run lasts at least this many ticks of the clock, so that its rounding stays within 2 %. */
const TICKS_PER_RUN = 50;
/**
 * The coarsest clock the probe uses (milliseconds): browsers coarsen `performance.now()` to
 * 5–20 µs on cross-origin isolated pages and to 100 µs–1 ms elsewhere, where timing every
 * working set long enough would take seconds; there the products keep the fixed blocks.
 */
export const COARSEST_CLOCK = 0.02;

/** A clock in milliseconds (`performance.now`, or a stand-in in tests). */
export type Clock = () => number;

/** The smallest step of `clock` seen over a few readings, in milliseconds. */
export function clockResolution(clock: Clock): number {
  let smallest = Infinity;
  for (let i = 0; i < 10; i++) {
    const start = clock();
    let next = clock();
    while (next === start) next = clock();
    smallest = Math.min(smallest, next - start);
  }
  return smallest;
}

/**
 * Nanoseconds per load of a pointer chase through `bytes` of memory: a random cycle through
 * its 64-byte lines (a fixed-seed linear congruential shuffle: the order only has to defeat
 * the prefetchers), one lap to fill the caches, then the fastest of three timed runs, each of
 * at least 16,384 loads and 50 ticks of the clock.
 */
function chase(bytes: number, clock: Clock, minimumMs: number): number {
  const lines = bytes >>> 6;
  const memory = new Int32Array(bytes >>> 2);
  const order = new Int32Array(lines);
  for (let i = 0; i < lines; i++) order[i] = i;
  let seed = 0x2545f491;
  for (let i = lines - 1; i > 0; i--) {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    const j = seed % (i + 1);
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  for (let i = 0; i < lines; i++) memory[order[i]! << 4] = order[(i + 1) % lines]! << 4;
  let at = 0;
  for (let i = 0; i < lines; i++) at = memory[at]!;
  let best = Infinity;
  for (let r = 0; r < REPETITIONS; r++) {
    const start = clock();
    let steps = 0;
    let elapsed: number;
    do {
      for (let i = 0; i < CHUNK; i++) at = memory[at]!;
      steps += CHUNK;
      elapsed = clock() - start;
    } while (steps < STEPS || elapsed < minimumMs);
    best = Math.min(best, (elapsed * 1e6) / steps);
  }
  // `at` is used, so the chase cannot be optimised away.
  return at < 0 ? Number.NaN : best;
}

/** Whether a curve being measured has gone one working set past the end of L3: nothing past it is used. */
export function pastL3(curve: readonly Latency[]): boolean {
  return curve.length >= 3 && cacheSizesFrom(curve).l3 <= curve.at(-1)!.bytes / 2;
}

/**
 * Measures the latency curve up to the working set where L3 is seen to end (at most 8 MiB),
 * in some tens of milliseconds; null where `clock` is coarser than {@link COARSEST_CLOCK}.
 */
export function measureLatencies(clock: Clock = () => performance.now()): Latency[] | null {
  const resolution = clockResolution(clock);
  if (!(resolution <= COARSEST_CLOCK)) return null;
  const minimumMs = TICKS_PER_RUN * resolution;
  // The chase compiled before it is timed: the first runs of a function are interpreted,
  // then compiled in tiers, and an early figure from a slower tier would read as a larger L1.
  const warm = clock();
  while (clock() - warm < 10) chase(SMALLEST, clock, minimumMs);
  const curve: Latency[] = [];
  for (let bytes = SMALLEST; bytes <= LARGEST; bytes *= 2) {
    curve.push({ bytes, nanoseconds: chase(bytes, clock, minimumMs) });
    if (pastL3(curve)) break;
  }
  // Once more over the same working sets up to the one after L3's end, each keeping its
  // faster figure: a point slowed by an interruption or a compiler tier shows in one pass only.
  const { l3 } = cacheSizesFrom(curve);
  for (const point of curve) {
    if (point.bytes > 2 * l3) break;
    const again = chase(point.bytes, clock, minimumMs);
    if (again < point.nanoseconds) (point as { nanoseconds: number }).nanoseconds = again;
  }
  return curve;
}

let measured: { readonly sizes: CacheSizes | null } | null = null;

/**
 * The cache sizes of this machine, measured at the first call in a process (see above), or
 * null where the clock is too coarse to measure them (a browser page that is not cross-origin
 * isolated): the products then keep the fixed blocks.
 */
export function measuredCacheSizes(): CacheSizes | null {
  if (measured === null) {
    const curve = measureLatencies();
    measured = { sizes: curve === null ? null : cacheSizesFrom(curve) };
  }
  return measured.sizes;
}

/** The block sizes for a `cacheSizes` option (see WasmBackendOptions) and thread count. */
export function blockingOption(option: 'measure' | 'fixed' | { readonly l2: number; readonly l3: number }, threads: number): Blocking {
  if (option === 'fixed') return FIXED_BLOCKING;
  const caches = option === 'measure' ? measuredCacheSizes() : { l1: 0, ...option };
  return caches === null ? FIXED_BLOCKING : blockingFor(caches, threads);
}

/** The arguments of the kernels' `setBlocking` export for these block sizes. */
export function setBlockingArgs(blocking: Blocking): [number, number, number] {
  return [blocking.rows.float32, blocking.rows.float64, blocking.columns];
}
