/// <reference types="node" />
// Matrix-product throughput of @rnnkit/tensor: GFLOP/s of the raw `gemm` kernel, of
// `matmul` (tensor API, includes allocating the result) and of a naive triple loop, for
// square n×n products in float32 and float64.
//
//   pnpm --filter @rnnkit/tensor bench            full run
//   pnpm --filter @rnnkit/tensor bench --quick    fewer, shorter runs
//
// Each figure is the median of several timed runs after a warm-up (so V8 has optimised
// the kernels); a run repeats the product until it lasts long enough to time reliably.
import { type DType, type TypedArray, fromTypedArray, gemm, getBackend, matmul } from '../src/index.js';

const quick = process.argv.includes('--quick');
const sizes = [64, 256, 512];
const dtypes: DType[] = ['float32', 'float64'];
const runs = quick ? 3 : 7;
const minRunMs = quick ? 20 : 100;
const warmUpMs = quick ? 50 : 300;

/** The textbook loop (i, p, j order so the innermost loop walks rows), for reference. */
function naive(n: number, a: TypedArray, b: TypedArray, c: TypedArray): void {
  c.fill(0);
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < n; p++) {
      const aip = a[i * n + p]!;
      for (let j = 0; j < n; j++) c[i * n + j]! += aip * b[p * n + j]!;
    }
  }
}

/** Median GFLOP/s of `product`, which performs one n×n×n product per call. */
function measure(n: number, product: () => void): number {
  const flops = 2 * n * n * n;
  const warmUpEnd = performance.now() + warmUpMs;
  let repeats = 0;
  const started = performance.now();
  do {
    product();
    repeats++;
  } while (performance.now() < warmUpEnd || repeats < 3);
  const perCall = (performance.now() - started) / repeats;
  const callsPerRun = Math.max(1, Math.ceil(minRunMs / Math.max(perCall, 1e-3)));
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    for (let c = 0; c < callsPerRun; c++) product();
    const seconds = (performance.now() - t0) / 1000;
    rates.push((flops * callsPerRun) / seconds / 1e9);
  }
  rates.sort((x, y) => x - y);
  return rates[Math.floor(rates.length / 2)]!;
}

function randomArray(dtype: DType, size: number, seed: number): TypedArray {
  const out = dtype === 'float64' ? new Float64Array(size) : new Float32Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

const rows: string[][] = [['n', 'dtype', 'gemm GFLOP/s', 'matmul GFLOP/s', 'naive GFLOP/s', 'gemm ÷ naive']];
for (const n of sizes) {
  for (const dtype of dtypes) {
    const a = randomArray(dtype, n * n, 1);
    const b = randomArray(dtype, n * n, 2);
    const c = dtype === 'float64' ? new Float64Array(n * n) : new Float32Array(n * n);
    const ta = fromTypedArray(a, [n, n]);
    const tb = fromTypedArray(b, [n, n]);
    const gemmRate = measure(n, () => gemm(false, false, n, n, n, a, 0, b, 0, 0, c, 0));
    const matmulRate = measure(n, () => matmul(ta, tb));
    const naiveRate = measure(n, () => naive(n, a, b, c));
    rows.push([String(n), dtype, gemmRate.toFixed(2), matmulRate.toFixed(2), naiveRate.toFixed(2), `${(gemmRate / naiveRate).toFixed(1)}×`]);
  }
}

const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
console.log(`@rnnkit/tensor matmul benchmark (backend "${getBackend().name}", Node ${process.version}${quick ? ', --quick' : ''})`);
console.log(`median of ${runs} runs after a ${warmUpMs} ms warm-up; one core\n`);
rows.forEach((row, r) => {
  console.log(row.map((cell, col) => (col < 2 ? cell.padEnd(widths[col]!) : cell.padStart(widths[col]!))).join('  '));
  if (r === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
});
