/// <reference types="node" />
// Ceilings of the WebAssembly kernels on this machine: GFLOP/s of the compiled `gemmF32`
// alone (operands already in the module's memory, no copies) at the shapes of the benchmark
// rows' products (docs/benchmarks.md: W2, W4), plain and relaxed SIMD, on one thread and on
// two (the rows split in halves, each thread on its own instance over one shared memory), and
// a register-only peak (bench/assembly/peak.ts: multiply–add chains that touch no memory).
//
//   pnpm --filter @rnnkit/backend-wasm bench            full run
//   pnpm --filter @rnnkit/backend-wasm bench --quick    fewer, shorter runs
//   … bench --json                                      the figures as JSON
//   … bench --kernels old/kernels-wasm.ts               another build (a saved src/generated file)
//   … bench --only W4                                   the shapes whose label contains W4
//   … bench --blockings fixed,measure                   block sizes: fixed (96 × 576) and/or
//                                                       from the measured caches (the default)
//
// Relaxed SIMD needs Node ≥ 22 or Node 20's --experimental-wasm-relaxed-simd, which this
// script sets itself. After a warm-up, the contenders of a row (builds × threads) take turns,
// one timed run each, several times over; the figures are the median run and the best one
// (on a busy machine the best is the nearer to what the kernel can do alone).
import { Buffer } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import asc from 'assemblyscript/asc';
import { ASC_FLAGS, RELAXED_FLAGS } from '../scripts/compile-wasm.mjs';
import * as generated from '../src/generated/kernels-wasm.js';
import { type KernelExports, type ModuleKind, SHARED_MAXIMUM_PAGES, relaxedSimdSupported } from '../src/module.js';
import { FIXED_BLOCKING, blockingFor, measuredCacheSizes, setBlockingArgs } from '../src/blocking.js';

setFlagsFromString('--experimental-wasm-relaxed-simd');

const quick = process.argv.includes('--quick');
const json = process.argv.includes('--json');
const kernelsFile = process.argv.includes('--kernels') ? process.argv[process.argv.indexOf('--kernels') + 1] : undefined;
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1]! : '';
const blockingNames = (process.argv.includes('--blockings') ? process.argv[process.argv.indexOf('--blockings') + 1]! : 'measure').split(',');
if (!blockingNames.every((name) => name === 'fixed' || name === 'measure')) throw new Error(`--blockings takes fixed and/or measure, got ${blockingNames.join(',')}`);
const runs = quick ? 3 : 7;
const minRunMs = quick ? 30 : 120;
const warmUpMs = quick ? 60 : 300;

/** One product C[m×n] = op(A)·op(B) over depth k, as a row of the benchmark makes it. */
interface Shape {
  readonly label: string;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly m: number;
  readonly n: number;
  readonly k: number;
}

// W2: LSTM(100), T = 5, batch 600, 1 feature. W4: LSTM(256), 32 features, T = 50, batch 64.
// One thread takes the whole batch (the input and weight-gradient products over every step
// at once); two threads take half the batch each, step by step (see assembly/lstm.ts).
const SHAPES: Shape[] = [
  { label: 'W2 h·U (per step)', transA: false, transB: false, m: 600, n: 400, k: 100 },
  { label: 'W2 dz·Uᵀ (per step)', transA: false, transB: true, m: 600, n: 100, k: 400 },
  { label: 'W2 Hᵀ·dZ (∂U, all steps)', transA: true, transB: false, m: 100, n: 400, k: 3000 },
  { label: 'W4 X·W (all steps)', transA: false, transB: false, m: 3200, n: 1024, k: 32 },
  { label: 'W4 h·U (per step)', transA: false, transB: false, m: 64, n: 1024, k: 256 },
  { label: 'W4 dz·Uᵀ (per step)', transA: false, transB: true, m: 64, n: 256, k: 1024 },
  { label: 'W4 dZ·Wᵀ (∂x, all steps)', transA: false, transB: true, m: 3200, n: 32, k: 1024 },
  { label: 'W4 Xᵀ·dZ (∂W, all steps)', transA: true, transB: false, m: 32, n: 1024, k: 3200 },
  { label: 'W4 Hᵀ·dZ (∂U, all steps)', transA: true, transB: false, m: 256, n: 1024, k: 3200 },
  // Two threads: each runs the pass on half the batch, and its weight gradients step by step.
  { label: 'W4 h·U (half batch, per step)', transA: false, transB: false, m: 32, n: 1024, k: 256 },
  { label: 'W4 dz·Uᵀ (half batch, per step)', transA: false, transB: true, m: 32, n: 256, k: 1024 },
  { label: 'W4 Hᵀ·dZ (∂U, half batch, per step)', transA: true, transB: false, m: 256, n: 1024, k: 32 },
  { label: 'W4 Hᵀ·dZ (∂U, half batch, all steps)', transA: true, transB: false, m: 256, n: 1024, k: 1600 },
  { label: 'square 512', transA: false, transB: false, m: 512, n: 512, k: 512 },
];

/** A contender: runs its product `repeats` times, resolving with the milliseconds taken. */
type Run = (repeats: number) => Promise<number>;

/** Median and best GFLOP/s of each contender, their timed runs interleaved. */
async function measure(flopsPerCall: number, contenders: Map<string, Run>): Promise<Map<string, { median: number; best: number }>> {
  const repeats = new Map<string, number>();
  for (const [name, run] of contenders) {
    const warmUpEnd = performance.now() + warmUpMs;
    let calls = 0;
    let spent = 0;
    while (performance.now() < warmUpEnd || calls < 3) {
      spent += await run(1);
      calls++;
    }
    repeats.set(name, Math.max(1, Math.ceil(minRunMs / Math.max(spent / calls, 1e-3))));
  }
  const rates = new Map<string, number[]>([...contenders.keys()].map((name) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, run] of contenders) {
      const count = repeats.get(name)!;
      rates.get(name)!.push((flopsPerCall * count) / ((await run(count)) / 1000) / 1e9);
    }
  }
  const result = new Map<string, { median: number; best: number }>();
  for (const [name, list] of rates) {
    list.sort((x, y) => x - y);
    result.set(name, { median: list[Math.floor(list.length / 2)]!, best: list[list.length - 1]! });
  }
  return result;
}

// ---------------------------------------------------------------------------------------
// Register-only peak.

async function peakModule(relaxed: boolean): Promise<WebAssembly.Module> {
  const root = join(dirname(fileURLToPath(import.meta.url)), 'assembly');
  let binary: Uint8Array | null = null;
  const errors: string[] = [];
  const flags = [...ASC_FLAGS, ...(relaxed ? RELAXED_FLAGS : [])];
  const { error } = await asc.main(['peak.ts', '--baseDir', root, '--outFile', 'peak.wasm', ...flags], {
    readFile: (name: string, baseDir: string) => {
      try {
        return readFileSync(join(baseDir, name), 'utf8');
      } catch {
        return null;
      }
    },
    writeFile: (name: string, contents: string | Uint8Array) => {
      if (name.endsWith('.wasm') && typeof contents !== 'string') binary = contents;
    },
    listFiles: () => [],
    stdout: { write: () => true },
    stderr: { write: (text: string) => (errors.push(String(text)), true) },
  });
  if (error || binary === null) throw new Error(`asc failed on bench/assembly/peak.ts: ${error?.message ?? 'no binary'}\n${errors.join('')}`);
  return WebAssembly.compile(binary as Uint8Array<ArrayBuffer>);
}

/** The register-only peak of a build, as a contender. */
async function peakRun(relaxed: boolean): Promise<Run> {
  const instance = await WebAssembly.instantiate(await peakModule(relaxed), {});
  const peak = instance.exports.peak as (count: number, seed: number) => number;
  let sink = 0;
  return async (repeats) => {
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) sink += peak(PEAK_ROUNDS, r);
    const spent = performance.now() - t0;
    if (Number.isNaN(sink)) throw new Error('peak: NaN');
    return spent;
  };
}
const PEAK_ROUNDS = 200_000;

// ---------------------------------------------------------------------------------------
// The kernel, on one thread and on two.

/** The four builds of a generated kernels module (src/generated/kernels-wasm.ts or a saved copy). */
type Binaries = typeof generated;

function compile(binaries: Binaries, kind: ModuleKind): Promise<WebAssembly.Module> {
  const base64: Record<ModuleKind, string> = {
    own: binaries.KERNELS_WASM_BASE64,
    shared: binaries.KERNELS_SHARED_WASM_BASE64,
    'relaxed-own': binaries.KERNELS_RELAXED_WASM_BASE64,
    'relaxed-shared': binaries.KERNELS_RELAXED_SHARED_WASM_BASE64,
  };
  return WebAssembly.compile(Buffer.from(base64[kind], 'base64'));
}

/** Bytes of the operands of a shape, laid out after the scratch of `threads` threads. */
function layout(kernels: KernelExports, shape: Shape, threads: number) {
  const { m, n, k } = shape;
  const scratch = kernels.scratchBytes() + 8 * k + 64;
  let at = kernels.heapBase();
  const scratches: number[] = [];
  for (let t = 0; t < threads; t++) {
    scratches.push(at);
    at += scratch;
  }
  const a = at;
  const b = a + 4 * m * k + 64;
  const c = b + 4 * k * n + 64;
  return { scratches, a, b, c, end: c + 4 * m * n + 64 };
}

function fill(memory: WebAssembly.Memory, from: number, count: number, seed: number): void {
  const view = new Float32Array(memory.buffer, from, count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    view[i] = s / 2 ** 32 - 0.5;
  }
}

function grow(memory: WebAssembly.Memory, end: number): void {
  const pages = Math.ceil(end / 65536) - memory.buffer.byteLength / 65536;
  if (pages > 0) memory.grow(pages);
}

/**
 * Arguments of gemmF32 for rows i0 … i0+rows of C. A transposed A ([k, m]) cannot be cut
 * into row blocks that are matrices of their own (gemmF32 takes no leading dimension), so its
 * share reads a [k, rows] matrix from column i0 on: the same flops and footprint.
 */
function gemmArgs(shape: Shape, where: ReturnType<typeof layout>, thread: number, i0: number, rows: number): Parameters<KernelExports['gemmF32']> {
  const { transA, transB, n, k } = shape;
  return [transA ? 1 : 0, transB ? 1 : 0, rows, n, k, where.a + 4 * i0 * (transA ? 1 : k), where.b, 0, where.c + 4 * i0 * n, where.scratches[thread]!];
}

/** Sets a blocking on an instance (a saved build from before setBlocking keeps its fixed blocks). */
function block(kernels: KernelExports, blocking: readonly number[]): void {
  if ('setBlocking' in kernels && !kernels.setBlocking(...(blocking as [number, number, number]))) throw new Error(`setBlocking refused ${blocking.join(', ')}`);
}

/** gemmF32 on one thread, its own memory. */
async function singleRun(module: WebAssembly.Module, shape: Shape, blocking: readonly number[]): Promise<Run> {
  const kernels = (await WebAssembly.instantiate(module, {})).exports as unknown as KernelExports;
  block(kernels, blocking);
  const where = layout(kernels, shape, 1);
  grow(kernels.memory, where.end);
  fill(kernels.memory, where.a, shape.m * shape.k, 1);
  fill(kernels.memory, where.b, shape.k * shape.n, 2);
  const args = gemmArgs(shape, where, 0, 0, shape.m);
  return async (repeats) => {
    const t0 = performance.now();
    for (let r = 0; r < repeats; r++) kernels.gemmF32(...args);
    return performance.now() - t0;
  };
}

// The second thread: runs gemmF32 `repeats` times on its half whenever the main thread asks.
const WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const { module, memory, args, blocking } = workerData;
const instance = new WebAssembly.Instance(module, { env: { memory } });
if (instance.exports.setBlocking) instance.exports.setBlocking(...blocking);
parentPort.on('message', (repeats) => {
  for (let r = 0; r < repeats; r++) instance.exports.gemmF32(...args);
  parentPort.postMessage(repeats);
});
`;

/** gemmF32 on two threads, each on half the rows of C, over one shared memory. */
async function dualRun(module: WebAssembly.Module, shape: Shape, blocking: readonly number[], workers: Worker[]): Promise<Run> {
  const memory = new WebAssembly.Memory({ initial: 1, maximum: SHARED_MAXIMUM_PAGES, shared: true });
  const kernels = (await WebAssembly.instantiate(module, { env: { memory } })).exports as unknown as KernelExports;
  block(kernels, blocking);
  const where = layout(kernels, shape, 2);
  grow(memory, where.end);
  fill(memory, where.a, shape.m * shape.k, 1);
  fill(memory, where.b, shape.k * shape.n, 2);
  // The rows of C in two halves, cut at a multiple of 4 (the micro-tile's rows).
  const half = Math.max(4, Math.round(shape.m / 8) * 4);
  const mine = gemmArgs(shape, where, 0, 0, half);
  const theirs = gemmArgs(shape, where, 1, half, shape.m - half);
  const worker = new Worker(WORKER, { eval: true, workerData: { module, memory, args: theirs, blocking } });
  workers.push(worker);
  await new Promise<void>((resolve) => worker.once('online', () => resolve()));
  return async (repeats) => {
    const finished = new Promise<void>((resolve) => worker.once('message', () => resolve()));
    const t0 = performance.now();
    worker.postMessage(repeats);
    for (let r = 0; r < repeats; r++) kernels.gemmF32(...mine);
    await finished;
    return performance.now() - t0;
  };
}

// ---------------------------------------------------------------------------------------

const relaxed = relaxedSimdSupported();
const twoThreads = availableParallelism() >= 2;
const sources: { name: string; binaries: Binaries }[] = [
  { name: '', binaries: generated },
  ...(kernelsFile === undefined ? [] : [{ name: ' (--kernels)', binaries: (await import(pathToFileURL(resolve(kernelsFile)).href)) as Binaries }]),
];
const builds: { name: string; own: ModuleKind; shared: ModuleKind; relaxed: boolean }[] = [
  { name: 'plain', own: 'own', shared: 'shared', relaxed: false },
  ...(relaxed ? [{ name: 'relaxed', own: 'relaxed-own' as const, shared: 'relaxed-shared' as const, relaxed: true }] : []),
];

/** The block sizes of each blocking asked for, for one thread and for two (named when there are several). */
const blockings = blockingNames.map((name) => {
  const caches = measuredCacheSizes();
  const [one, two] = [1, 2].map((threads) => setBlockingArgs(name === 'fixed' || caches === null ? FIXED_BLOCKING : blockingFor(caches, threads)));
  return { name: blockingNames.length > 1 ? ` ${name}` : '', one: one!, two: two! };
});

/** Row label → column → GFLOP/s (median and best). */
const report: Record<string, Record<string, { median: number; best: number }>> = {};
{
  const contenders = new Map<string, Run>();
  for (const build of builds) contenders.set(`${build.name}, 1 thread`, await peakRun(build.relaxed));
  report['peak (registers), 1 thread'] = Object.fromEntries(await measure(PEAK_ROUNDS * 12 * 4 * 2, contenders));
}
for (const shape of SHAPES.filter((s) => s.label.includes(only))) {
  const contenders = new Map<string, Run>();
  const workers: Worker[] = [];
  try {
    for (const source of sources) {
      for (const build of builds) {
        for (const blocking of blockings) {
          const name = `${build.name}${source.name}${blocking.name}`;
          contenders.set(`${name}, 1 thread`, await singleRun(await compile(source.binaries, build.own), shape, blocking.one));
          if (twoThreads) contenders.set(`${name}, 2 threads`, await dualRun(await compile(source.binaries, build.shared), shape, blocking.two, workers));
        }
      }
    }
    const label = `${shape.label} ${shape.transA ? 'Aᵀ' : 'A'}·${shape.transB ? 'Bᵀ' : 'B'} ${shape.m}×${shape.n}×${shape.k}`;
    report[label] = Object.fromEntries(await measure(2 * shape.m * shape.n * shape.k, contenders));
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

if (json) {
  console.log(JSON.stringify({ node: process.version, quick, kernels: kernelsFile ?? null, caches: measuredCacheSizes(), blockings, report }, null, 2));
} else {
  const columns = [...new Set(Object.values(report).flatMap((row) => Object.keys(row)))];
  const cell = (figures: { median: number; best: number } | undefined) => (figures === undefined ? '' : `${figures.median.toFixed(1)} (${figures.best.toFixed(1)})`);
  const rows = [['GFLOP/s: median (best)', ...columns], ...Object.entries(report).map(([label, row]) => [label, ...columns.map((c) => cell(row[c]))])];
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  console.log(`@rnnkit/backend-wasm gemm ceilings (Node ${process.version}${quick ? ', --quick' : ''}${relaxed ? '' : ', no relaxed SIMD here'})`);
  const caches = measuredCacheSizes();
  const measuredText = caches === null ? 'not measurable (coarse clock)' : `L1 ${caches.l1 >> 10} KiB, L2 ${caches.l2 >> 10} KiB, L3 ${caches.l3 >> 10} KiB`;
  console.log(`caches measured: ${measuredText}; blocks (rows f32 × columns): ${blockings.map((b) => `${b.name.trim() || blockingNames[0]} ${b.one[0]} × ${b.one[2]} (2 threads ${b.two[0]} × ${b.two[2]})`).join(', ')}`);
  for (const row of rows) console.log(row.map((text, col) => (col === 0 ? text.padEnd(widths[col]!) : text.padStart(widths[col]!))).join('  '));
}
