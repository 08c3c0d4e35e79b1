import { RnnkitError } from './errors.js';
import type { TypedArray } from './tensor.js';

/**
 * General matrix product on raw row-major storage, the one kernel the hot paths share:
 *
 *     C[m×n] = beta·C + op(A)[m×k] · op(B)[k×n]      (beta is 0 or 1)
 *
 * where op(A) is A (stored `[m, k]`) or Aᵀ (A stored `[k, m]`) and likewise for B. The
 * operands start at the given offsets and are contiguous from there, so a layer can point
 * at one time step of a time-major buffer without copying. `beta = 1` accumulates, which
 * is how backward passes sum weight gradients over time steps.
 *
 * A, B and C must share a dtype, and C must not overlap A or B. The arguments are checked
 * (sizes, offsets, dtypes, overlap) and the product is computed by the current
 * {@link KernelBackend} (see {@link setBackend}); the default is {@link jsBackend}.
 */
export function gemm(
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
  checkGemm('gemm', m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
  // The kernels write C while they read A and B. This check stays out of checkGemm: it reads
  // each array's buffer, which costs a small typed array an allocation, and a backend's own
  // memory-safety check (run again on every call) need not pay for it.
  if (m * n > 0 && (overlaps(c, cOffset, m * n, a, aOffset, m * k) || overlaps(c, cOffset, m * n, b, bOffset, k * n))) {
    throw new RnnkitError('gemm', 'C must not overlap A or B');
  }
  currentBackend.gemm(transposeA, transposeB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
}

/** A fused kernel a backend offers: a plain object whose `family` says who reads it. */
export interface FusedKernel {
  /** Which package's contract the kernel fulfils, e.g. `'recurrent'`. */
  readonly family: string;
  /** Shown in benchmarks and errors, e.g. `'wasm-simd recurrent pass'`. */
  readonly name: string;
}

/**
 * Where the numeric kernels run. A backend receives arguments that {@link gemm} has already
 * checked, so it can trust sizes, offsets and dtypes (a backend whose `gemm` must stay safe
 * when called directly runs {@link checkGemm} itself, as the WebAssembly backend does). The plain-JS {@link jsBackend} is the
 * default; a WebAssembly backend can replace it with {@link setBackend} without any change
 * to the code that calls `gemm` (layers, `matmul`, `tensordot`).
 */
export interface KernelBackend {
  /** Shown in benchmarks and errors, e.g. `"js"` or `"wasm-simd"`. */
  readonly name: string;
  /** Same contract as {@link gemm}; called only with checked arguments. */
  readonly gemm: typeof gemm;
  /**
   * Fused kernels this backend offers to higher packages (e.g. whole recurrent passes that
   * `@rnnkit/layers` looks up by `family`). This package only carries the list: what a family
   * means is defined by the package that reads it.
   */
  readonly fused?: readonly FusedKernel[];
}

/** The plain JavaScript kernels (register-tiled, no dependencies). */
export const jsBackend: KernelBackend = Object.freeze({ name: 'js', gemm: jsGemm });

let currentBackend: KernelBackend = jsBackend;

/** Makes `backend` run every later {@link gemm} call (and so `matmul`, `tensordot`, layers). */
export function setBackend(backend: KernelBackend): void {
  if (
    typeof backend !== 'object' ||
    backend === null ||
    typeof backend.name !== 'string' ||
    backend.name === '' ||
    typeof backend.gemm !== 'function'
  ) {
    throw new RnnkitError('setBackend', 'expected a backend object { name: string, gemm: function }');
  }
  currentBackend = backend;
}

/** The backend that currently runs {@link gemm}. */
export function getBackend(): KernelBackend {
  return currentBackend;
}

/** The largest size or offset a gemm accepts (2^31 − 1: what a WebAssembly i32 argument holds). */
const MAX_EXTENT = 2147483647;

/**
 * Checks the arguments of a gemm call as {@link gemm} does, naming `api` in errors: sizes
 * and offsets are integers from 0 to 2^31 − 1, β is 0 or 1, and the operands share C's dtype
 * and hold their values from their offsets. For backends whose `gemm` may be called directly
 * (a backend object is public) and must stay memory-safe. (`gemm` also refuses a C that
 * overlaps A or B, which only kernels that write C while reading A and B care about.)
 * Written as straight-line checks (no arrays of cases) so that validating a call allocates
 * nothing: layers call gemm once per time step.
 */
export function checkGemm(
  api: string,
  m: number,
  n: number,
  k: number,
  a: TypedArray,
  aOffset: number,
  b: TypedArray,
  bOffset: number,
  beta: number,
  c: TypedArray,
  cOffset: number,
): void {
  checkCount(api, 'm', m);
  checkCount(api, 'n', n);
  checkCount(api, 'k', k);
  checkCount(api, 'aOffset', aOffset);
  checkCount(api, 'bOffset', bOffset);
  checkCount(api, 'cOffset', cOffset);
  if (beta !== 0 && beta !== 1) throw new RnnkitError(api, `beta must be 0 or 1, got ${String(beta)}`);
  const isFloat32 = c instanceof Float32Array;
  if (!isFloat32 && !(c instanceof Float64Array)) {
    throw new RnnkitError(api, `C must be a Float32Array or Float64Array, got ${arrayKind(c)}`);
  }
  checkSameDType(api, 'A', a, isFloat32);
  checkSameDType(api, 'B', b, isFloat32);
  checkExtent(api, 'A', a, aOffset, m * k);
  checkExtent(api, 'B', b, bOffset, k * n);
  checkExtent(api, 'C', c, cOffset, m * n);
}

function checkCount(api: string, name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_EXTENT) {
    throw new RnnkitError(api, `${name} must be an integer from 0 to ${MAX_EXTENT}, got ${String(value)}`);
  }
}

function checkSameDType(api: string, name: string, array: TypedArray, isFloat32: boolean): void {
  if (isFloat32 ? !(array instanceof Float32Array) : !(array instanceof Float64Array)) {
    throw new RnnkitError(
      api,
      `A, B and C must share a dtype: C is ${isFloat32 ? 'float32' : 'float64'}, ${name} is ${arrayKind(array)}`,
    );
  }
}

function checkExtent(api: string, name: string, array: TypedArray, offset: number, size: number): void {
  if (offset + size > array.length) {
    throw new RnnkitError(api, `${name} needs ${size} elements from offset ${offset}, but its storage has ${array.length}`);
  }
}

function arrayKind(array: unknown): string {
  if (array instanceof Float32Array) return 'float32';
  if (array instanceof Float64Array) return 'float64';
  return array === null ? 'null' : typeof array === 'object' ? (array.constructor?.name ?? 'an object') : typeof array;
}

/** True when two ranges of typed-array elements share bytes of one buffer. */
function overlaps(x: TypedArray, xOffset: number, xSize: number, y: TypedArray, yOffset: number, ySize: number): boolean {
  if (x.buffer !== y.buffer || xSize === 0 || ySize === 0) return false;
  const xStart = x.byteOffset + xOffset * x.BYTES_PER_ELEMENT;
  const yStart = y.byteOffset + yOffset * y.BYTES_PER_ELEMENT;
  return xStart < yStart + ySize * y.BYTES_PER_ELEMENT && yStart < xStart + xSize * x.BYTES_PER_ELEMENT;
}

// ---------------------------------------------------------------------------------------
// Plain-JS gemm
//
// The layout follows Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (ACM TOMS 34(3), 2008): op(B) is copied ("packed") a KC×NC block at a
// time into column panels NR wide, op(A) an MC×KC block at a time into row panels MR high,
// and a micro-kernel computes one MR×NR tile of C from two panels, holding the tile in 16
// local variables (registers) over the whole KC loop. Packing serves three purposes here:
//   - all four transpose combinations become one micro-kernel (only the packing differs);
//   - the micro-kernel reads both panels strictly sequentially;
//   - the panels are always Float64Array, whatever the dtype of A, B and C, so the hot
//     loop is monomorphic. (A kernel fed both Float32Array and Float64Array runs 1.4–2.2×
//     slower in V8; converting float32 to float64 is exact, and JS arithmetic is double
//     anyway, so results are the same as computing on float32 panels.)
// Operands too thin to fill a 4×4 tile (m or n below 4, e.g. a batch of one or a single
// output unit) skip packing: a plain dot-product loop is faster there.
// ---------------------------------------------------------------------------------------

const MR = 4; // rows of a C tile
const NR = 4; // columns of a C tile
const KC = 256; // depth of one packed block
const MC = 64; // rows of A packed at once
const NC = 512; // columns of B packed at once

// Packing buffers, allocated once and reused, so gemm does not allocate per call.
const packedA = new Float64Array(MC * KC);
const packedB = new Float64Array(KC * NC);
// Holds a partial tile at the bottom and right edges of C.
const edgeTile = new Float64Array(MR * NR);

function jsGemm(
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
  if (m === 0 || n === 0) return;
  if (m < MR || n < NR) {
    thinGemm(transposeA, transposeB, m, n, k, a, aOffset, b, bOffset, beta, c, cOffset);
    return;
  }
  if (beta === 0) c.fill(0, cOffset, cOffset + m * n);
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = Math.min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = Math.min(KC, k - p0);
      // op(B)'s columns j0 … j0+nc are the rows of op(B)ᵀ: B with the flag flipped.
      packPanels(!transposeB, n, k, b, bOffset, j0, nc, p0, kc, packedB);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = Math.min(MC, m - i0);
        packPanels(transposeA, m, k, a, aOffset, i0, mc, p0, kc, packedA);
        for (let jr = 0; jr < nc; jr += NR) {
          const cols = Math.min(NR, nc - jr);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = Math.min(MR, mc - ir);
            microKernel(kc, packedA, ir * kc, packedB, jr * kc, c, cOffset + (i0 + ir) * n + j0 + jr, n, rows, cols);
          }
        }
      }
    }
  }
}

/**
 * Copies rows `i0 … i0+mc` and depths `p0 … p0+kc` of op(X) into `out` as panels of 4 rows:
 * panel r holds, for each depth p, the 4 values op(X)[i0 + r·4 + 0…3, p0 + p] side by side.
 * Rows past the edge are zero, so the micro-kernel never needs a bounds test. op(X) is
 * `[rows, k]`: X itself stored `[rows, k]`, or with `transposed` X stored `[k, rows]`.
 * It packs A's row panels (X = A) and B's column panels alike, since the columns of op(B)
 * are the rows of op(B)ᵀ, which is B with the transpose flag flipped (MR = NR = 4).
 */
function packPanels(
  transposed: boolean,
  rows: number,
  k: number,
  x: TypedArray,
  xOffset: number,
  i0: number,
  mc: number,
  p0: number,
  kc: number,
  out: Float64Array,
): void {
  let d = 0;
  for (let ir = 0; ir < mc; ir += MR) {
    const panelRows = Math.min(MR, mc - ir);
    const i = i0 + ir;
    if (transposed) {
      // X is stored [k, rows]: the MR values for one depth are adjacent.
      let s = xOffset + p0 * rows + i;
      if (panelRows === MR) {
        for (let p = 0; p < kc; p++, s += rows, d += MR) {
          out[d] = x[s]!;
          out[d + 1] = x[s + 1]!;
          out[d + 2] = x[s + 2]!;
          out[d + 3] = x[s + 3]!;
        }
      } else {
        for (let p = 0; p < kc; p++, s += rows, d += MR) {
          for (let r = 0; r < MR; r++) out[d + r] = r < panelRows ? x[s + r]! : 0;
        }
      }
    } else {
      // X is stored [rows, k]: walk MR rows side by side.
      const s = xOffset + i * k + p0;
      if (panelRows === MR) {
        const s1 = s + k;
        const s2 = s1 + k;
        const s3 = s2 + k;
        for (let p = 0; p < kc; p++, d += MR) {
          out[d] = x[s + p]!;
          out[d + 1] = x[s1 + p]!;
          out[d + 2] = x[s2 + p]!;
          out[d + 3] = x[s3 + p]!;
        }
      } else {
        for (let p = 0; p < kc; p++, d += MR) {
          for (let r = 0; r < MR; r++) out[d + r] = r < panelRows ? x[s + r * k + p]! : 0;
        }
      }
    }
  }
}

/**
 * C[tile] += Σ_p Apanel[p] ⊗ Bpanel[p] for one MR×NR (4×4) tile, the 16 sums held in locals.
 * Only the `rows × cols` top-left part is written back (edges of C).
 */
function microKernel(
  kc: number,
  ap: Float64Array,
  aIndex: number,
  bp: Float64Array,
  bIndex: number,
  c: TypedArray,
  cIndex: number,
  ldc: number,
  rows: number,
  cols: number,
): void {
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0;
  let c10 = 0, c11 = 0, c12 = 0, c13 = 0;
  let c20 = 0, c21 = 0, c22 = 0, c23 = 0;
  let c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < kc; p++) {
    const b0 = bp[bIndex]!;
    const b1 = bp[bIndex + 1]!;
    const b2 = bp[bIndex + 2]!;
    const b3 = bp[bIndex + 3]!;
    let x = ap[aIndex]!;
    c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
    x = ap[aIndex + 1]!;
    c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
    x = ap[aIndex + 2]!;
    c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
    x = ap[aIndex + 3]!;
    c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
    // Advancing the indices here (not in the for header) measured ~8% faster in V8.
    aIndex += 4;
    bIndex += 4;
  }
  if (rows === MR && cols === NR) {
    c[cIndex]! += c00; c[cIndex + 1]! += c01; c[cIndex + 2]! += c02; c[cIndex + 3]! += c03;
    cIndex += ldc;
    c[cIndex]! += c10; c[cIndex + 1]! += c11; c[cIndex + 2]! += c12; c[cIndex + 3]! += c13;
    cIndex += ldc;
    c[cIndex]! += c20; c[cIndex + 1]! += c21; c[cIndex + 2]! += c22; c[cIndex + 3]! += c23;
    cIndex += ldc;
    c[cIndex]! += c30; c[cIndex + 1]! += c31; c[cIndex + 2]! += c32; c[cIndex + 3]! += c33;
    return;
  }
  const t = edgeTile;
  t[0] = c00; t[1] = c01; t[2] = c02; t[3] = c03;
  t[4] = c10; t[5] = c11; t[6] = c12; t[7] = c13;
  t[8] = c20; t[9] = c21; t[10] = c22; t[11] = c23;
  t[12] = c30; t[13] = c31; t[14] = c32; t[15] = c33;
  for (let r = 0; r < rows; r++) {
    for (let q = 0; q < cols; q++) c[cIndex + r * ldc + q]! += t[r * NR + q]!;
  }
}

/**
 * Products with fewer than 4 rows or columns: each C element is one dot product along k,
 * walked with the strides that the transpose flags imply (no packing, no tiling).
 */
function thinGemm(
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
  // op(A)[i, p] = a[aOffset + i·aRow + p·aDepth], op(B)[p, j] = b[bOffset + p·bDepth + j·bColumn]
  const aRow = transposeA ? 1 : k;
  const aDepth = transposeA ? m : 1;
  const bDepth = transposeB ? 1 : n;
  const bColumn = transposeB ? k : 1;
  for (let i = 0; i < m; i++) {
    const aStart = aOffset + i * aRow;
    const cRow = cOffset + i * n;
    for (let j = 0; j < n; j++) {
      let s = 0;
      let ai = aStart;
      let bi = bOffset + j * bColumn;
      for (let p = 0; p < k; p++, ai += aDepth, bi += bDepth) s += a[ai]! * b[bi]!;
      c[cRow + j] = beta === 0 ? s : c[cRow + j]! + s;
    }
  }
}
