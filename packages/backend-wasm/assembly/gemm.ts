// General matrix product in WebAssembly with 128-bit SIMD, compiled by AssemblyScript.
//
//     C[m×n] = beta·C + op(A)[m×k] · op(B)[k×n]        (beta 0 or 1)
//
// op(A) is A (stored [m, k]) or Aᵀ (stored [k, m]); likewise B. All matrices are
// row-major and contiguous in this module's memory; the JavaScript side copies the
// operands in (after `heapBase()` and the threads' scratch) and the result out. The same generic code is
// compiled for f32 (4 lanes) and f64 (2 lanes): `sizeof<T>()` is a compile-time constant,
// so every branch on it disappears and each instance is monomorphic.
//
// Large products follow Goto & van de Geijn, "Anatomy of high-performance matrix
// multiplication" (ACM TOMS 34(3), 2008): op(B) is packed a KC×NC block at a time into
// column panels NR wide, op(A) an MC×KC block at a time into row panels MR high, and a
// micro-kernel keeps an MR×NR tile of C in SIMD registers (MR·NR/lanes accumulators)
// over the whole depth of a block. Products with fewer than MR rows or columns (a batch
// of one, a Dense layer with one unit) cannot fill a tile; they take matrix–vector paths
// that stream the operands once instead.

import { fewColumns, fewRows } from './gemm-thin';
import { at, elementA, elementB, lanes, splatAt, vadd, vmad } from './lanes';
import { KC, MR, NC, PACK_A, PACK_B, TILE, VR, blockRows, useScratch } from './scratch';

export function gemmF32(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, beta: i32, c: usize, scratch: usize): void {
  useScratch(scratch);
  gemm<f32>(transA, transB, m, n, k, a, b, beta, c);
}

export function gemmF64(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, beta: i32, c: usize, scratch: usize): void {
  useScratch(scratch);
  gemm<f64>(transA, transB, m, n, k, a, b, beta, c);
}

// ---------------------------------------------------------------------------------------

export function gemm<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, beta: i32, c: usize): void {
  if (m == 0 || n == 0) return;
  if (beta == 0) memory.fill(c, 0, <usize>(m * n) << alignof<T>());
  if (k == 0) return;
  if (m < MR) {
    fewRows<T>(transA, transB, m, n, k, a, b, c);
  } else if (n < lanes<T>()) {
    fewColumns<T>(transA, transB, m, n, k, a, b, c);
  } else {
    blocked<T>(transA, transB, m, n, k, a, b, c, 0);
  }
}

// ---------------------------------------------------------------------------------------
// A B used by many products (an RNN's recurrent kernel U, once per time step) can be packed
// once: packWholeB lays out every KC×NC block of op(B) the way the blocked path packs one,
// and gemmPackedB runs that path on them without packing again.

/** Elements of op(B) [k×n] packed whole: each column block rounded up to whole panels. */
export function packedSize<T>(n: i32, k: i32): i32 {
  const nr = VR * lanes<T>();
  return k * (((n + nr - 1) / nr) * nr);
}

/**
 * Where block (j0, p0) starts in a whole packing: the blocks of earlier column blocks (NC
 * wide, a whole number of panels) and the earlier depth blocks of this one (nc wide, rounded
 * up to whole panels, as packB lays them out).
 */
function packedBlockStart<T>(k: i32, j0: i32, p0: i32, nc: i32): i32 {
  const nr = VR * lanes<T>();
  return j0 * k + p0 * (((nc + nr - 1) / nr) * nr);
}

/** Packs all of op(B) (see {@link packedSize}) at `packed`, for {@link gemmPackedB}. */
export function packWholeB<T>(transB: bool, n: i32, k: i32, b: usize, packed: usize): void {
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) packB<T>(transB, n, k, b, p0, min(KC, k - p0), j0, nc, at<T>(packed, packedBlockStart<T>(k, j0, p0, nc)));
  }
}

/**
 * gemm (beta 0 or 1) with op(B) also packed whole at `packed` by packWholeB: the blocked
 * path reads it there; the thin paths, which pack nothing, read b.
 */
export function gemmPackedB<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, packed: usize, beta: i32, c: usize): void {
  if (m < MR || n < lanes<T>() || k == 0) {
    gemm<T>(transA, transB, m, n, k, a, b, beta, c);
    return;
  }
  if (beta == 0) memory.fill(c, 0, <usize>(m * n) << alignof<T>());
  blocked<T>(transA, transB, m, n, k, a, b, c, packed);
}

// ---------------------------------------------------------------------------------------
// Blocked path (m ≥ MR and n ≥ one vector).

function blocked<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize, packed: usize): void {
  const nr = VR * lanes<T>();
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      let bBlock = PACK_B;
      if (packed != 0) bBlock = at<T>(packed, packedBlockStart<T>(k, j0, p0, nc));
      else packB<T>(transB, n, k, b, p0, kc, j0, nc, PACK_B);
      const rowsPerBlock = blockRows<T>();
      for (let i0 = 0; i0 < m; i0 += rowsPerBlock) {
        const mc = min(rowsPerBlock, m - i0);
        packA<T>(transA, m, k, a, i0, mc, p0, kc);
        for (let jr = 0; jr < nc; jr += nr) {
          const cols = min(nr, nc - jr);
          const bPanel = at<T>(bBlock, jr * kc);
          for (let ir = 0; ir < mc; ir += MR) {
            const rows = min(MR, mc - ir);
            const aPanel = at<T>(PACK_A, ir * kc);
            const cTile = at<T>(c, (i0 + ir) * n + j0 + jr);
            if (rows == MR && cols == nr) {
              microKernel<T>(kc, aPanel, bPanel, cTile, n);
            } else {
              // Edge of C: compute a whole tile into TILE, add the part that exists.
              memory.fill(TILE, 0, <usize>(MR * nr) << alignof<T>());
              microKernel<T>(kc, aPanel, bPanel, TILE, nr);
              for (let r = 0; r < rows; r++) {
                for (let q = 0; q < cols; q++) {
                  const dst = at<T>(cTile, r * n + q);
                  store<T>(dst, load<T>(dst) + load<T>(at<T>(TILE, r * nr + q)));
                }
              }
            }
          }
        }
      }
    }
  }
}

/**
 * Rows i0 … i0+mc, depths p0 … p0+kc of op(A) into PACK_A as panels of MR rows: panel r
 * holds, for each depth, the MR values of its rows side by side (zero past the edge).
 */
function packA<T>(transA: bool, m: i32, k: i32, a: usize, i0: i32, mc: i32, p0: i32, kc: i32): void {
  let dst = PACK_A;
  const size = <usize>sizeof<T>();
  for (let ir = 0; ir < mc; ir += MR) {
    const rows = min(MR, mc - ir);
    const i = i0 + ir;
    if (rows == MR && transA) {
      // A stored [k, m]: the MR values of one depth are adjacent (MR·size = 16 or 32 bytes).
      let src = at<T>(a, p0 * m + i);
      const stride = <usize>m * size;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        if (sizeof<T>() == 8) v128.store(dst, v128.load(src, 16), 16);
        src += stride;
        dst += MR * size;
      }
    } else if (rows == MR) {
      // A stored [m, k]: walk MR rows side by side, transposing blocks in registers.
      const s0 = at<T>(a, i * k + p0);
      const row = <usize>k * size;
      let p = 0;
      if (sizeof<T>() == 4) {
        // 4 rows × 4 depths → 4 depths × 4 rows.
        for (; p + 4 <= kc; p += 4) {
          const s = s0 + (<usize>p << 2);
          transpose4x4(v128.load(s), v128.load(s + row), v128.load(s + 2 * row), v128.load(s + 3 * row), dst, 16);
          dst += 64;
        }
      } else {
        // Row pairs (0, 1) and (2, 3) × 2 depths → 2 depths × 4 rows.
        for (; p + 2 <= kc; p += 2) {
          const s = s0 + (<usize>p << 3);
          transpose2x2(v128.load(s), v128.load(s + row), dst, 32);
          transpose2x2(v128.load(s + 2 * row), v128.load(s + 3 * row), dst + 16, 32);
          dst += 64;
        }
      }
      for (; p < kc; p++) {
        const s = s0 + (<usize>p) * size;
        store<T>(dst, load<T>(s));
        store<T>(dst + size, load<T>(s + row));
        store<T>(dst + 2 * size, load<T>(s + 2 * row));
        store<T>(dst + 3 * size, load<T>(s + 3 * row));
        dst += MR * size;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let r = 0; r < MR; r++) {
          store<T>(dst, r < rows ? elementA<T>(transA, m, k, a, i + r, p0 + p) : <T>0);
          dst += size;
        }
      }
    }
  }
}

/**
 * Depths p0 … p0+kc, columns j0 … j0+nc of op(B) into `dst` (PACK_B, or a block of a whole
 * packing) as panels of NR = VR·lanes columns: panel q holds, for each depth, its NR values
 * side by side (zero past the edge).
 */
function packB<T>(transB: bool, n: i32, k: i32, b: usize, p0: i32, kc: i32, j0: i32, nc: i32, dst: usize): void {
  const nr = VR * lanes<T>();
  const size = <usize>sizeof<T>();
  for (let jr = 0; jr < nc; jr += nr) {
    const cols = min(nr, nc - jr);
    const j = j0 + jr;
    if (cols == nr && !transB) {
      // B stored [k, n]: the NR values of one depth are adjacent: VR vector copies.
      let src = at<T>(b, p0 * n + j);
      const stride = <usize>n * size;
      for (let p = 0; p < kc; p++) {
        v128.store(dst, v128.load(src));
        v128.store(dst, v128.load(src, 16), 16);
        v128.store(dst, v128.load(src, 32), 32);
        src += stride;
        dst += 48;
      }
    } else if (cols == nr) {
      // B stored [n, k]: NR rows of storage side by side, transposing blocks in registers.
      const s0 = at<T>(b, j * k + p0);
      const row = <usize>k * size;
      let p = 0;
      if (sizeof<T>() == 4) {
        // Three blocks of 4 rows × 4 depths → 4 depths × 12 columns.
        for (; p + 4 <= kc; p += 4) {
          const s = s0 + (<usize>p << 2);
          for (let g = 0; g < VR; g++) {
            const r = s + <usize>(4 * g) * row;
            transpose4x4(v128.load(r), v128.load(r + row), v128.load(r + 2 * row), v128.load(r + 3 * row), dst + <usize>(16 * g), 48);
          }
          dst += 4 * 48;
        }
      } else {
        // Three blocks of 2 rows × 2 depths → 2 depths × 6 columns.
        for (; p + 2 <= kc; p += 2) {
          const s = s0 + (<usize>p << 3);
          for (let g = 0; g < VR; g++) {
            const r = s + <usize>(2 * g) * row;
            transpose2x2(v128.load(r), v128.load(r + row), dst + <usize>(16 * g), 48);
          }
          dst += 2 * 48;
        }
      }
      for (; p < kc; p++) {
        let s = s0 + (<usize>p) * size;
        for (let q = 0; q < nr; q++) {
          store<T>(dst, load<T>(s));
          s += row;
          dst += size;
        }
      }
    } else {
      for (let p = 0; p < kc; p++) {
        for (let q = 0; q < nr; q++) {
          store<T>(dst, q < cols ? elementB<T>(transB, n, k, b, p0 + p, j + q) : <T>0);
          dst += size;
        }
      }
    }
  }
}

/**
 * Stores the transpose of the 4×4 f32 block whose rows are r0 … r3: row q of the result
 * (column q of the block) goes to dst + q·stride.
 */
function transpose4x4(r0: v128, r1: v128, r2: v128, r3: v128, dst: usize, stride: usize): void {
  const t0 = v128.shuffle<i32>(r0, r1, 0, 4, 1, 5); // a0 b0 a1 b1
  const t1 = v128.shuffle<i32>(r0, r1, 2, 6, 3, 7); // a2 b2 a3 b3
  const t2 = v128.shuffle<i32>(r2, r3, 0, 4, 1, 5); // c0 d0 c1 d1
  const t3 = v128.shuffle<i32>(r2, r3, 2, 6, 3, 7); // c2 d2 c3 d3
  v128.store(dst, v128.shuffle<i64>(t0, t2, 0, 2)); // a0 b0 c0 d0
  v128.store(dst + stride, v128.shuffle<i64>(t0, t2, 1, 3));
  v128.store(dst + 2 * stride, v128.shuffle<i64>(t1, t3, 0, 2));
  v128.store(dst + 3 * stride, v128.shuffle<i64>(t1, t3, 1, 3));
}

/** Stores the transpose of the 2×2 f64 block with rows r0, r1 at dst and dst + stride. */
function transpose2x2(r0: v128, r1: v128, dst: usize, stride: usize): void {
  v128.store(dst, v128.shuffle<i64>(r0, r1, 0, 2));
  v128.store(dst + stride, v128.shuffle<i64>(r0, r1, 1, 3));
}

/**
 * C[MR × NR tile at c, row stride ldc elements] += Apanel · Bpanel over kc depths, the
 * tile held in 12 SIMD accumulators. Each loaded B vector feeds the four rows' multiply–adds
 * and each broadcast A value the three vectors'. The depth loop takes two depths per turn
 * (an odd kc starts with one): V8 checks for interrupts at every loop turn, and one turn per
 * depth left the relaxed build's fused multiply–add no faster than a multiply and an add
 * (bench/gemm.ts measures both).
 */
function microKernel<T>(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0), c32 = f32x4.splat(0);
  const size = <usize>sizeof<T>();
  if (kc & 1) {
    const b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32);
    const x0 = splatAt<T>(ap), x1 = splatAt<T>(ap + size), x2 = splatAt<T>(ap + 2 * size), x3 = splatAt<T>(ap + 3 * size);
    c00 = vmad<T>(c00, x0, b0);
    c10 = vmad<T>(c10, x1, b0);
    c20 = vmad<T>(c20, x2, b0);
    c30 = vmad<T>(c30, x3, b0);
    c01 = vmad<T>(c01, x0, b1);
    c11 = vmad<T>(c11, x1, b1);
    c21 = vmad<T>(c21, x2, b1);
    c31 = vmad<T>(c31, x3, b1);
    c02 = vmad<T>(c02, x0, b2);
    c12 = vmad<T>(c12, x1, b2);
    c22 = vmad<T>(c22, x2, b2);
    c32 = vmad<T>(c32, x3, b2);
    ap += 4 * size;
    bp += 48;
  }
  for (let p = kc & 1; p < kc; p += 2) {
    // Depth p: A values at ap … ap + 3·size, B vectors at bp … bp + 32.
    let b0 = v128.load(bp), b1 = v128.load(bp, 16), b2 = v128.load(bp, 32);
    let x0 = splatAt<T>(ap), x1 = splatAt<T>(ap + size), x2 = splatAt<T>(ap + 2 * size), x3 = splatAt<T>(ap + 3 * size);
    c00 = vmad<T>(c00, x0, b0);
    c10 = vmad<T>(c10, x1, b0);
    c20 = vmad<T>(c20, x2, b0);
    c30 = vmad<T>(c30, x3, b0);
    c01 = vmad<T>(c01, x0, b1);
    c11 = vmad<T>(c11, x1, b1);
    c21 = vmad<T>(c21, x2, b1);
    c31 = vmad<T>(c31, x3, b1);
    c02 = vmad<T>(c02, x0, b2);
    c12 = vmad<T>(c12, x1, b2);
    c22 = vmad<T>(c22, x2, b2);
    c32 = vmad<T>(c32, x3, b2);
    // Depth p + 1: the next MR values of A and NR of B.
    b0 = v128.load(bp, 48);
    b1 = v128.load(bp, 64);
    b2 = v128.load(bp, 80);
    x0 = splatAt<T>(ap + 4 * size);
    x1 = splatAt<T>(ap + 5 * size);
    x2 = splatAt<T>(ap + 6 * size);
    x3 = splatAt<T>(ap + 7 * size);
    c00 = vmad<T>(c00, x0, b0);
    c10 = vmad<T>(c10, x1, b0);
    c20 = vmad<T>(c20, x2, b0);
    c30 = vmad<T>(c30, x3, b0);
    c01 = vmad<T>(c01, x0, b1);
    c11 = vmad<T>(c11, x1, b1);
    c21 = vmad<T>(c21, x2, b1);
    c31 = vmad<T>(c31, x3, b1);
    c02 = vmad<T>(c02, x0, b2);
    c12 = vmad<T>(c12, x1, b2);
    c22 = vmad<T>(c22, x2, b2);
    c32 = vmad<T>(c32, x3, b2);
    ap += 8 * size;
    bp += 96;
  }
  const row = <usize>ldc * size;
  let r = c;
  v128.store(r, vadd<T>(v128.load(r), c00));
  v128.store(r, vadd<T>(v128.load(r, 16), c01), 16);
  v128.store(r, vadd<T>(v128.load(r, 32), c02), 32);
  r += row;
  v128.store(r, vadd<T>(v128.load(r), c10));
  v128.store(r, vadd<T>(v128.load(r, 16), c11), 16);
  v128.store(r, vadd<T>(v128.load(r, 32), c12), 32);
  r += row;
  v128.store(r, vadd<T>(v128.load(r), c20));
  v128.store(r, vadd<T>(v128.load(r, 16), c21), 16);
  v128.store(r, vadd<T>(v128.load(r, 32), c22), 32);
  r += row;
  v128.store(r, vadd<T>(v128.load(r), c30));
  v128.store(r, vadd<T>(v128.load(r, 16), c31), 16);
  v128.store(r, vadd<T>(v128.load(r, 32), c32), 32);
}
