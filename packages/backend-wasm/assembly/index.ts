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

// Micro-tile: MR rows × (VR vectors = VR·lanes columns). 4 rows × 3 vectors keeps 12
// accumulators, 3 B vectors and one broadcast A value: 16 registers, what x64 has.
const MR: i32 = 4;
const VR: i32 = 3;
// Block sizes: a KC×NC panel of B (≤ 1.5 MiB for f64) stays in L2, an MC×KC panel of A in L1/L2.
const KC: i32 = 256;
const MC: i32 = 96;
const NC: i32 = 576; // a multiple of NR for both types (f32: 12, f64: 6)

// Scratch memory of the running thread: packed A, packed B, an edge tile, then a gathered
// vector of up to k elements. Each instance (one per thread, all sharing one memory when
// threaded) keeps its own pointers in globals, set by every exported kernel from its
// `scratch` argument, so threads never pack into each other's blocks.
const PACK_A_BYTES: usize = <usize>(MC * KC * 8);
const PACK_B_BYTES: usize = <usize>(KC * NC * 8);
const TILE_BYTES: usize = <usize>(MR * 16 * VR);
let PACK_A: usize = 0;
let PACK_B: usize = 0;
let TILE: usize = 0;
let GATHER: usize = 0;

function useScratch(scratch: usize): void {
  PACK_A = scratch;
  PACK_B = PACK_A + PACK_A_BYTES;
  TILE = PACK_B + PACK_B_BYTES;
  GATHER = TILE + TILE_BYTES;
}

/** First byte after the module's static data (64-byte aligned): where the JavaScript side lays out scratch and operands. */
export function heapBase(): usize {
  return (__heap_base + 63) & ~(63 as usize);
}

/** Bytes of one thread's scratch before its gathered vector (which needs 8·k more bytes). */
export function scratchBytes(): usize {
  return PACK_A_BYTES + PACK_B_BYTES + TILE_BYTES;
}

export function gemmF32(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, beta: i32, c: usize, scratch: usize): void {
  useScratch(scratch);
  gemm<f32>(transA, transB, m, n, k, a, b, beta, c);
}

export function gemmF64(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, beta: i32, c: usize, scratch: usize): void {
  useScratch(scratch);
  gemm<f64>(transA, transB, m, n, k, a, b, beta, c);
}

// ---------------------------------------------------------------------------------------
// Lane helpers: one spelling for both element types.

function lanes<T>(): i32 {
  return 16 / sizeof<T>();
}

function splatAt<T>(ptr: usize): v128 {
  if (sizeof<T>() == 4) return v128.load32_splat(ptr);
  return v128.load64_splat(ptr);
}

function splatOf<T>(value: T): v128 {
  if (sizeof<T>() == 4) return f32x4.splat(<f32>value);
  return f64x2.splat(<f64>value);
}

function vadd<T>(x: v128, y: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.add(x, y);
  return f64x2.add(x, y);
}

/** acc + x·y (two instructions: Node 20's V8 has no fused multiply–add for WASM SIMD). */
function vmad<T>(acc: v128, x: v128, y: v128): v128 {
  if (sizeof<T>() == 4) return f32x4.add(acc, f32x4.mul(x, y));
  return f64x2.add(acc, f64x2.mul(x, y));
}

function hsum<T>(v: v128): T {
  if (sizeof<T>() == 4) {
    return <T>(f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1) + f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
  }
  return <T>(f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1));
}

function at<T>(base: usize, index: i32): usize {
  return base + (<usize>index << alignof<T>());
}

// ---------------------------------------------------------------------------------------

function gemm<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, beta: i32, c: usize): void {
  if (m == 0 || n == 0) return;
  if (beta == 0) memory.fill(c, 0, <usize>(m * n) << alignof<T>());
  if (k == 0) return;
  if (m < MR) {
    fewRows<T>(transA, transB, m, n, k, a, b, c);
  } else if (n < lanes<T>()) {
    fewColumns<T>(transA, transB, m, n, k, a, b, c);
  } else {
    blocked<T>(transA, transB, m, n, k, a, b, c);
  }
}

/** op(A)[i, p] */
function elementA<T>(transA: bool, m: i32, k: i32, a: usize, i: i32, p: i32): T {
  return load<T>(at<T>(a, transA ? p * m + i : i * k + p));
}

/** op(B)[p, j] */
function elementB<T>(transB: bool, n: i32, k: i32, b: usize, p: i32, j: i32): T {
  return load<T>(at<T>(b, transB ? j * k + p : p * n + j));
}

// ---------------------------------------------------------------------------------------
// Blocked path (m ≥ MR and n ≥ one vector).

function blocked<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  const nr = VR * lanes<T>();
  for (let j0 = 0; j0 < n; j0 += NC) {
    const nc = min(NC, n - j0);
    for (let p0 = 0; p0 < k; p0 += KC) {
      const kc = min(KC, k - p0);
      packB<T>(transB, n, k, b, p0, kc, j0, nc);
      for (let i0 = 0; i0 < m; i0 += MC) {
        const mc = min(MC, m - i0);
        packA<T>(transA, m, k, a, i0, mc, p0, kc);
        for (let jr = 0; jr < nc; jr += nr) {
          const cols = min(nr, nc - jr);
          const bPanel = at<T>(PACK_B, jr * kc);
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
 * Depths p0 … p0+kc, columns j0 … j0+nc of op(B) into PACK_B as panels of NR = VR·lanes
 * columns: panel q holds, for each depth, its NR values side by side (zero past the edge).
 */
function packB<T>(transB: bool, n: i32, k: i32, b: usize, p0: i32, kc: i32, j0: i32, nc: i32): void {
  const nr = VR * lanes<T>();
  const size = <usize>sizeof<T>();
  let dst = PACK_B;
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
 * tile held in 12 SIMD accumulators.
 */
function microKernel<T>(kc: i32, ap: usize, bp: usize, c: usize, ldc: i32): void {
  let c00 = f32x4.splat(0), c01 = f32x4.splat(0), c02 = f32x4.splat(0);
  let c10 = f32x4.splat(0), c11 = f32x4.splat(0), c12 = f32x4.splat(0);
  let c20 = f32x4.splat(0), c21 = f32x4.splat(0), c22 = f32x4.splat(0);
  let c30 = f32x4.splat(0), c31 = f32x4.splat(0), c32 = f32x4.splat(0);
  const size = <usize>sizeof<T>();
  for (let p = 0; p < kc; p++) {
    const b0 = v128.load(bp);
    const b1 = v128.load(bp, 16);
    const b2 = v128.load(bp, 32);
    let x = splatAt<T>(ap);
    c00 = vmad<T>(c00, x, b0);
    c01 = vmad<T>(c01, x, b1);
    c02 = vmad<T>(c02, x, b2);
    x = splatAt<T>(ap + size);
    c10 = vmad<T>(c10, x, b0);
    c11 = vmad<T>(c11, x, b1);
    c12 = vmad<T>(c12, x, b2);
    x = splatAt<T>(ap + 2 * size);
    c20 = vmad<T>(c20, x, b0);
    c21 = vmad<T>(c21, x, b1);
    c22 = vmad<T>(c22, x, b2);
    x = splatAt<T>(ap + 3 * size);
    c30 = vmad<T>(c30, x, b0);
    c31 = vmad<T>(c31, x, b1);
    c32 = vmad<T>(c32, x, b2);
    ap += 4 * size;
    bp += 48;
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

// ---------------------------------------------------------------------------------------
// Few rows (m < MR): each row of C is a vector–matrix product.

function fewRows<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  for (let i = 0; i < m; i++) {
    const cRow = at<T>(c, i * n);
    if (!transB) {
      // c_i += Σ_p op(A)[i, p] · B[p, :]: B streamed row by row, 4 vectors of c_i in registers.
      rowTimesMatrix<T>(transA, m, n, k, a, i, b, cRow);
    } else {
      // B stored [n, k]: c_i[j] += op(A)[i, :] · B[j, :], dot products along contiguous rows.
      let x = at<T>(a, i * k);
      if (transA) {
        x = GATHER;
        for (let p = 0; p < k; p++) store<T>(at<T>(GATHER, p), load<T>(at<T>(a, p * m + i)));
      }
      rowDotRows<T>(n, k, x, b, cRow);
    }
  }
}

/** c[0…n) += Σ_p op(A)[i, p] · B[p, 0…n), B stored [k, n]. */
function rowTimesMatrix<T>(transA: bool, m: i32, n: i32, k: i32, a: usize, i: i32, b: usize, c: usize): void {
  const L = lanes<T>();
  const size = <usize>sizeof<T>();
  const rowBytes = <usize>n * size;
  let j = 0;
  for (; j + 4 * L <= n; j += 4 * L) {
    const cj = at<T>(c, j);
    let s0 = v128.load(cj), s1 = v128.load(cj, 16), s2 = v128.load(cj, 32), s3 = v128.load(cj, 48);
    let bp = at<T>(b, j);
    for (let p = 0; p < k; p++) {
      const x = splatOf<T>(elementA<T>(transA, m, k, a, i, p));
      s0 = vmad<T>(s0, x, v128.load(bp));
      s1 = vmad<T>(s1, x, v128.load(bp, 16));
      s2 = vmad<T>(s2, x, v128.load(bp, 32));
      s3 = vmad<T>(s3, x, v128.load(bp, 48));
      bp += rowBytes;
    }
    v128.store(cj, s0);
    v128.store(cj, s1, 16);
    v128.store(cj, s2, 32);
    v128.store(cj, s3, 48);
  }
  for (; j + L <= n; j += L) {
    const cj = at<T>(c, j);
    let s = v128.load(cj);
    let bp = at<T>(b, j);
    for (let p = 0; p < k; p++) {
      s = vmad<T>(s, splatOf<T>(elementA<T>(transA, m, k, a, i, p)), v128.load(bp));
      bp += rowBytes;
    }
    v128.store(cj, s);
  }
  for (; j < n; j++) {
    let s: T = <T>0;
    for (let p = 0; p < k; p++) s += elementA<T>(transA, m, k, a, i, p) * load<T>(at<T>(b, p * n + j));
    const cj = at<T>(c, j);
    store<T>(cj, load<T>(cj) + s);
  }
}

/** c[j] += x · B[j, :] for j < n, with x and the rows of B contiguous of length k. */
function rowDotRows<T>(n: i32, k: i32, x: usize, b: usize, c: usize): void {
  const L = lanes<T>();
  const rowBytes = <usize>k << alignof<T>();
  let j = 0;
  // Four rows of B at a time share each load of x.
  for (; j + 4 <= n; j += 4) {
    const b0 = b + <usize>j * rowBytes;
    const b1 = b0 + rowBytes;
    const b2 = b1 + rowBytes;
    const b3 = b2 + rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let p = 0;
    for (; p + L <= k; p += L) {
      const o = <usize>p << alignof<T>();
      const xv = v128.load(x + o);
      s0 = vmad<T>(s0, xv, v128.load(b0 + o));
      s1 = vmad<T>(s1, xv, v128.load(b1 + o));
      s2 = vmad<T>(s2, xv, v128.load(b2 + o));
      s3 = vmad<T>(s3, xv, v128.load(b3 + o));
    }
    let t0 = hsum<T>(s0), t1 = hsum<T>(s1), t2 = hsum<T>(s2), t3 = hsum<T>(s3);
    for (; p < k; p++) {
      const xp = load<T>(at<T>(x, p));
      t0 += xp * load<T>(at<T>(b0, p));
      t1 += xp * load<T>(at<T>(b1, p));
      t2 += xp * load<T>(at<T>(b2, p));
      t3 += xp * load<T>(at<T>(b3, p));
    }
    const cj = at<T>(c, j);
    store<T>(cj, load<T>(cj) + t0);
    store<T>(at<T>(cj, 1), load<T>(at<T>(cj, 1)) + t1);
    store<T>(at<T>(cj, 2), load<T>(at<T>(cj, 2)) + t2);
    store<T>(at<T>(cj, 3), load<T>(at<T>(cj, 3)) + t3);
  }
  for (; j < n; j++) {
    const bj = b + <usize>j * rowBytes;
    let s = f32x4.splat(0);
    let p = 0;
    for (; p + L <= k; p += L) {
      const o = <usize>p << alignof<T>();
      s = vmad<T>(s, v128.load(x + o), v128.load(bj + o));
    }
    let t = hsum<T>(s);
    for (; p < k; p++) t += load<T>(at<T>(x, p)) * load<T>(at<T>(bj, p));
    const cj = at<T>(c, j);
    store<T>(cj, load<T>(cj) + t);
  }
}

// ---------------------------------------------------------------------------------------
// Few columns (n < one vector, m ≥ MR): each column of C is a matrix–vector product.

function fewColumns<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
  for (let j = 0; j < n; j++) {
    if (transA) {
      // A stored [k, m]: c[:, j] += Σ_p A[p, :] · op(B)[p, j], streaming rows of A.
      columnFromRows<T>(transB, m, n, k, a, b, j, c);
    } else {
      // A stored [m, k]: c[i, j] += A[i, :] · op(B)[:, j], dot products along rows of A.
      let y = at<T>(b, j * k);
      if (!transB) {
        y = GATHER;
        for (let p = 0; p < k; p++) store<T>(at<T>(GATHER, p), load<T>(at<T>(b, p * n + j)));
      }
      columnDots<T>(m, n, k, a, y, j, c);
    }
  }
}

/** C[:, j] += Σ_p A[p, :] · op(B)[p, j] with A stored [k, m]: 16 rows of C in registers at a time. */
function columnFromRows<T>(transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, j: i32, c: usize): void {
  const L = lanes<T>();
  const rowBytes = <usize>m << alignof<T>();
  let i = 0;
  for (; i + 4 * L <= m; i += 4 * L) {
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
    let ap = at<T>(a, i);
    for (let p = 0; p < k; p++) {
      const y = splatOf<T>(elementB<T>(transB, n, k, b, p, j));
      s0 = vmad<T>(s0, y, v128.load(ap));
      s1 = vmad<T>(s1, y, v128.load(ap, 16));
      s2 = vmad<T>(s2, y, v128.load(ap, 32));
      s3 = vmad<T>(s3, y, v128.load(ap, 48));
      ap += rowBytes;
    }
    storeColumn<T>(s0, c, i, n, j);
    storeColumn<T>(s1, c, i + L, n, j);
    storeColumn<T>(s2, c, i + 2 * L, n, j);
    storeColumn<T>(s3, c, i + 3 * L, n, j);
  }
  for (; i < m; i++) {
    let s: T = <T>0;
    for (let p = 0; p < k; p++) s += load<T>(at<T>(a, p * m + i)) * elementB<T>(transB, n, k, b, p, j);
    const ci = at<T>(c, i * n + j);
    store<T>(ci, load<T>(ci) + s);
  }
}

/** Adds the lanes of v to C[i + lane, j] (a column of C: stride n). */
function storeColumn<T>(v: v128, c: usize, i: i32, n: i32, j: i32): void {
  if (sizeof<T>() == 4) {
    let p = at<T>(c, i * n + j);
    const stride = <usize>n << 2;
    store<f32>(p, load<f32>(p) + f32x4.extract_lane(v, 0));
    p += stride;
    store<f32>(p, load<f32>(p) + f32x4.extract_lane(v, 1));
    p += stride;
    store<f32>(p, load<f32>(p) + f32x4.extract_lane(v, 2));
    p += stride;
    store<f32>(p, load<f32>(p) + f32x4.extract_lane(v, 3));
  } else {
    let p = at<T>(c, i * n + j);
    const stride = <usize>n << 3;
    store<f64>(p, load<f64>(p) + f64x2.extract_lane(v, 0));
    p += stride;
    store<f64>(p, load<f64>(p) + f64x2.extract_lane(v, 1));
  }
}

/** C[i, j] += A[i, :] · y for every row i, A stored [m, k] and y contiguous of length k. */
function columnDots<T>(m: i32, n: i32, k: i32, a: usize, y: usize, j: i32, c: usize): void {
  const L = lanes<T>();
  const rowBytes = <usize>k << alignof<T>();
  for (let i = 0; i < m; i++) {
    const ai = a + <usize>i * rowBytes;
    let s0 = f32x4.splat(0), s1 = f32x4.splat(0);
    let p = 0;
    for (; p + 2 * L <= k; p += 2 * L) {
      const o = <usize>p << alignof<T>();
      s0 = vmad<T>(s0, v128.load(ai + o), v128.load(y + o));
      s1 = vmad<T>(s1, v128.load(ai + o, 16), v128.load(y + o, 16));
    }
    let t = hsum<T>(vadd<T>(s0, s1));
    for (; p < k; p++) t += load<T>(at<T>(ai, p)) * load<T>(at<T>(y, p));
    const ci = at<T>(c, i * n + j);
    store<T>(ci, load<T>(ci) + t);
  }
}

// ---------------------------------------------------------------------------------------
// The elementwise part of one LSTM time step (float32), four units at a time:
//
//     z = gates + recurrent + bias,  i = σ(z_i)  f = σ(z_f)  c̃ = tanh(z_c)  o = σ(z_o)
//     c_t = f ⊙ c_{t−1} + i ⊙ c̃,  a = tanh(c_t),  h_t = o ⊙ a
//
// exp is Cephes' expf (S. Moshier): n = round(x·log₂e), r = x − n·ln 2 in two parts, a
// degree-5 polynomial for e^r − 1 − r, and 2^n built in the exponent bits; about one unit
// in the last place. tanh uses Cephes' odd polynomial below |x| = 0.625 (where 1 − 2/(e^{2x}+1)
// would cancel) and that formula above it. Scalar tails use the same operations in f32.

const LOG2EF: f32 = 1.4426950408889634;
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;
const EXP_MAX: f32 = 88.0;

function expv(x: v128): v128 {
  const n = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2EF)));
  let r = f32x4.sub(x, f32x4.mul(n, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(n, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.9875691500e-4);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.3981999507e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(8.3334519073e-3));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(4.1665795894e-2));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.6666665459e-1));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(5.0000001201e-1));
  p = f32x4.add(f32x4.add(f32x4.mul(p, f32x4.mul(r, r)), r), f32x4.splat(1));
  const scale = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(n), i32x4.splat(127)), 23);
  return f32x4.mul(p, scale);
}

function exps(x: f32): f32 {
  const n = nearest<f32>(x * LOG2EF);
  let r = x - n * LN2_HI;
  r = r - n * LN2_LO;
  let p: f32 = 1.9875691500e-4;
  p = p * r + <f32>1.3981999507e-3;
  p = p * r + <f32>8.3334519073e-3;
  p = p * r + <f32>4.1665795894e-2;
  p = p * r + <f32>1.6666665459e-1;
  p = p * r + <f32>5.0000001201e-1;
  p = p * (r * r) + r + <f32>1;
  return p * reinterpret<f32>((<i32>n + 127) << 23);
}

/** σ(x) = 1 / (1 + e^(−x)), the exponent's argument clamped to ±88 (NaN propagates). */
function sigmoidv(x: v128): v128 {
  const m = f32x4.min(f32x4.max(f32x4.neg(x), f32x4.splat(-EXP_MAX)), f32x4.splat(EXP_MAX));
  return f32x4.div(f32x4.splat(1), f32x4.add(f32x4.splat(1), expv(m)));
}

function sigmoids(x: f32): f32 {
  const m = min<f32>(max<f32>(-x, -EXP_MAX), EXP_MAX);
  return <f32>1 / (<f32>1 + exps(m));
}

function tanhv(x: v128): v128 {
  const a = f32x4.abs(x);
  const z = f32x4.mul(x, x);
  let p = f32x4.splat(-5.70498872745e-3);
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(2.06390887954e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-5.37397155531e-2));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(1.33314422036e-1));
  p = f32x4.add(f32x4.mul(p, z), f32x4.splat(-3.33332819422e-1));
  const small = f32x4.add(f32x4.mul(f32x4.mul(p, z), x), x);
  const e = expv(f32x4.min(f32x4.add(a, a), f32x4.splat(EXP_MAX)));
  const large = f32x4.sub(f32x4.splat(1), f32x4.div(f32x4.splat(2), f32x4.add(e, f32x4.splat(1))));
  // Give the large-|x| branch the sign of x (its formula is of |x|).
  const signed = v128.or(large, v128.and(x, i32x4.splat(0x80000000)));
  return v128.bitselect(small, signed, f32x4.lt(a, f32x4.splat(0.625)));
}

function tanhs(x: f32): f32 {
  const a = abs<f32>(x);
  if (a < <f32>0.625) {
    const z = x * x;
    let p: f32 = -5.70498872745e-3;
    p = p * z + <f32>2.06390887954e-2;
    p = p * z + <f32>-5.37397155531e-2;
    p = p * z + <f32>1.33314422036e-1;
    p = p * z + <f32>-3.33332819422e-1;
    return p * z * x + x;
  }
  const e = exps(min<f32>(a + a, EXP_MAX));
  return copysign<f32>(<f32>1 - <f32>2 / (e + <f32>1), x);
}

/**
 * One LSTM time step for `rows` sequences: row r of `gates` and `recurrent` (4·units
 * values, gate order i, f, c̃, o) at byte addresses gates + r·16·units …; c_{t−1}, c_t, a
 * and h_t are [rows, units]; bias is [4·units]. `gates` receives the gate values.
 */
export function lstmCellForward(
  rows: i32,
  units: i32,
  gates: usize,
  recurrent: usize,
  bias: usize,
  cPrevious: usize,
  cNext: usize,
  activation: usize,
  h: usize,
): void {
  const rowBytes = <usize>units << 2;
  for (let r = 0; r < rows; r++) {
    const z = gates + <usize>r * 4 * rowBytes;
    const q = recurrent + <usize>r * 4 * rowBytes;
    const s = <usize>r * rowBytes;
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const zi = f32x4.add(v128.load(z + o), f32x4.add(v128.load(q + o), v128.load(bias + o)));
      const zf = f32x4.add(v128.load(z + rowBytes + o), f32x4.add(v128.load(q + rowBytes + o), v128.load(bias + rowBytes + o)));
      const zc = f32x4.add(v128.load(z + 2 * rowBytes + o), f32x4.add(v128.load(q + 2 * rowBytes + o), v128.load(bias + 2 * rowBytes + o)));
      const zo = f32x4.add(v128.load(z + 3 * rowBytes + o), f32x4.add(v128.load(q + 3 * rowBytes + o), v128.load(bias + 3 * rowBytes + o)));
      const i = sigmoidv(zi);
      const f = sigmoidv(zf);
      const g = tanhv(zc);
      const og = sigmoidv(zo);
      const ct = f32x4.add(f32x4.mul(f, v128.load(cPrevious + s + o)), f32x4.mul(i, g));
      const a = tanhv(ct);
      v128.store(z + o, i);
      v128.store(z + rowBytes + o, f);
      v128.store(z + 2 * rowBytes + o, g);
      v128.store(z + 3 * rowBytes + o, og);
      v128.store(cNext + s + o, ct);
      v128.store(activation + s + o, a);
      v128.store(h + s + o, f32x4.mul(og, a));
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const i = sigmoids(load<f32>(z + o) + (load<f32>(q + o) + load<f32>(bias + o)));
      const f = sigmoids(load<f32>(z + rowBytes + o) + (load<f32>(q + rowBytes + o) + load<f32>(bias + rowBytes + o)));
      const g = tanhs(load<f32>(z + 2 * rowBytes + o) + (load<f32>(q + 2 * rowBytes + o) + load<f32>(bias + 2 * rowBytes + o)));
      const og = sigmoids(load<f32>(z + 3 * rowBytes + o) + (load<f32>(q + 3 * rowBytes + o) + load<f32>(bias + 3 * rowBytes + o)));
      const ct = f * load<f32>(cPrevious + s + o) + i * g;
      const a = tanhs(ct);
      store<f32>(z + o, i);
      store<f32>(z + rowBytes + o, f);
      store<f32>(z + 2 * rowBytes + o, g);
      store<f32>(z + 3 * rowBytes + o, og);
      store<f32>(cNext + s + o, ct);
      store<f32>(activation + s + o, a);
      store<f32>(h + s + o, og * a);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Whole LSTM layers (the standard cell above, f32) over the rows r0 … r0+rows of the batch,
// all buffers time-major. One call runs every time step, so operands cross into
// WebAssembly once per layer pass instead of once per step, and threads can take disjoint
// rows of the batch: sequences never interact until the weight gradients, which each
// thread sums into its own buffers.

/** Byte address of row `row` of step t in a time-major [T, batch, width] f32 buffer. */
function rowAt(base: usize, t: i32, batch: i32, row: i32, width: i32): usize {
  return base + ((<usize>(t * batch + row) * <usize>width) << 2);
}

/**
 * Forward pass: z_t = x_t·W + h_{t−1}·U + b, then the cell. Reads x [T, batch, features],
 * W [features, 4u], U [u, 4u], bias [4u], h_0 and c_0; writes the gate values to `gates`
 * [T, batch, 4u], h_1 … h_T and c_1 … c_T ([T + 1, batch, u]) and tanh(c_t) to
 * `activation` [T, batch, u]. `recurrent` is room for rows × 4u values.
 */
export function lstmForward(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  bias: usize,
  gates: usize,
  h: usize,
  c: usize,
  activation: usize,
  recurrent: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 4 * units;
  // With the whole batch, the input projection of every step is one product.
  const whole = rows == batch;
  if (whole) gemm<f32>(false, false, time * batch, w, features, x, kernel, 0, gates);
  for (let t = 0; t < time; t++) {
    const z = rowAt(gates, t, batch, r0, w);
    if (!whole) gemm<f32>(false, false, rows, w, features, rowAt(x, t, batch, r0, features), kernel, 0, z);
    gemm<f32>(false, false, rows, w, units, rowAt(h, t, batch, r0, units), recurrentKernel, 0, recurrent);
    lstmCellForward(
      rows,
      units,
      z,
      recurrent,
      bias,
      rowAt(c, t, batch, r0, units),
      rowAt(c, t + 1, batch, r0, units),
      rowAt(activation, t, batch, r0, units),
      rowAt(h, t + 1, batch, r0, units),
    );
  }
}

/**
 * Backpropagation through time for the rows r0 … r0+rows. `dhOut` (0 when only the last
 * step is an output) holds ∂L/∂h_t for every step [T, batch, u]; `dh` and `dc` [batch, u]
 * enter holding ∂L/∂h_T and ∂L/∂c_T and leave holding ∂L/∂h_0 and ∂L/∂c_0. Writes ∂L/∂z to
 * `dz` [T, batch, 4u] and ∂L/∂x to `dx` [T, batch, features]; adds ∂L/∂W, ∂L/∂U and ∂L/∂b
 * to kernelGrad, recurrentKernelGrad and biasGrad (biasGrad is zeroed first: it is this
 * thread's own sum).
 */
export function lstmBackward(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  gates: usize,
  h: usize,
  c: usize,
  activation: usize,
  dhOut: usize,
  dh: usize,
  dc: usize,
  dz: usize,
  dx: usize,
  kernelGrad: usize,
  recurrentKernelGrad: usize,
  biasGrad: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 4 * units;
  const dhRows = dh + ((<usize>(r0 * units)) << 2);
  const dcRows = dc + ((<usize>(r0 * units)) << 2);
  const count = rows * units;
  memory.fill(biasGrad, 0, <usize>w << 2);
  for (let t = time - 1; t >= 0; t--) {
    if (dhOut != 0) addF32(dhRows, rowAt(dhOut, t, batch, r0, units), count);
    const dzt = rowAt(dz, t, batch, r0, w);
    lstmCellBackward(
      rows,
      units,
      rowAt(gates, t, batch, r0, w),
      rowAt(c, t, batch, r0, units),
      rowAt(activation, t, batch, r0, units),
      dhRows,
      dcRows,
      dzt,
      biasGrad,
    );
    gemm<f32>(false, true, rows, units, w, dzt, recurrentKernel, 0, dhRows); // ∂h_{t−1} = dz_t·Uᵀ
  }
  inputAndWeightGradients(r0, rows, batch, time, features, units, w, x, kernel, h, dz, dz, dx, kernelGrad, recurrentKernelGrad);
}

/**
 * After the time loop of a backward pass over rows r0 … r0+rows: dx = dZ·Wᵀ,
 * dW += Xᵀ·dZ and dU += H_{0…T−1}ᵀ·dA, where dZ is ∂L/∂(x·W) and dA ∂L/∂(h·U) (the same
 * buffer for the LSTM; the GRU's differ in the candidate block). With the whole batch each
 * is one product over every step; a share of it is not contiguous across steps.
 */
function inputAndWeightGradients(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  w: i32,
  x: usize,
  kernel: usize,
  h: usize,
  dz: usize,
  dA: usize,
  dx: usize,
  kernelGrad: usize,
  recurrentKernelGrad: usize,
): void {
  if (rows == batch) {
    gemm<f32>(false, true, time * batch, features, w, dz, kernel, 0, dx);
    gemm<f32>(true, false, features, w, time * batch, x, dz, 1, kernelGrad);
    gemm<f32>(true, false, units, w, time * batch, h, dA, 1, recurrentKernelGrad);
    return;
  }
  for (let t = 0; t < time; t++) {
    const dzt = rowAt(dz, t, batch, r0, w);
    gemm<f32>(false, true, rows, features, w, dzt, kernel, 0, rowAt(dx, t, batch, r0, features));
    gemm<f32>(true, false, features, w, rows, rowAt(x, t, batch, r0, features), dzt, 1, kernelGrad);
    gemm<f32>(true, false, units, w, rows, rowAt(h, t, batch, r0, units), rowAt(dA, t, batch, r0, w), 1, recurrentKernelGrad);
  }
}

/**
 * One step of the standard cell backwards for `rows` sequences, with σ′ = σ(1 − σ) and
 * tanh′ = 1 − tanh² from the kept values: through h_t = o ⊙ tanh(c_t) and
 * c_t = f ⊙ c_{t−1} + i ⊙ c̃. dc leaves holding ∂L/∂c_{t−1}; db accumulates ∂L/∂z.
 */
function lstmCellBackward(
  rows: i32,
  units: i32,
  gates: usize,
  cPrevious: usize,
  activation: usize,
  dh: usize,
  dc: usize,
  dz: usize,
  db: usize,
): void {
  const rowBytes = <usize>units << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const z = gates + <usize>r * 4 * rowBytes;
    const d = dz + <usize>r * 4 * rowBytes;
    const s = <usize>r * rowBytes;
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const i = v128.load(z + o);
      const f = v128.load(z + rowBytes + o);
      const g = v128.load(z + 2 * rowBytes + o);
      const og = v128.load(z + 3 * rowBytes + o);
      const a = v128.load(activation + s + o);
      const dht = v128.load(dh + s + o);
      const dct = f32x4.add(v128.load(dc + s + o), f32x4.mul(f32x4.mul(dht, og), f32x4.sub(one, f32x4.mul(a, a))));
      const dzi = f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i)));
      const dzf = f32x4.mul(f32x4.mul(dct, v128.load(cPrevious + s + o)), f32x4.mul(f, f32x4.sub(one, f)));
      const dzc = f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g)));
      const dzo = f32x4.mul(f32x4.mul(dht, a), f32x4.mul(og, f32x4.sub(one, og)));
      v128.store(d + o, dzi);
      v128.store(d + rowBytes + o, dzf);
      v128.store(d + 2 * rowBytes + o, dzc);
      v128.store(d + 3 * rowBytes + o, dzo);
      v128.store(dc + s + o, f32x4.mul(dct, f));
      v128.store(db + o, f32x4.add(v128.load(db + o), dzi));
      v128.store(db + rowBytes + o, f32x4.add(v128.load(db + rowBytes + o), dzf));
      v128.store(db + 2 * rowBytes + o, f32x4.add(v128.load(db + 2 * rowBytes + o), dzc));
      v128.store(db + 3 * rowBytes + o, f32x4.add(v128.load(db + 3 * rowBytes + o), dzo));
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const i = load<f32>(z + o);
      const f = load<f32>(z + rowBytes + o);
      const g = load<f32>(z + 2 * rowBytes + o);
      const og = load<f32>(z + 3 * rowBytes + o);
      const a = load<f32>(activation + s + o);
      const dht = load<f32>(dh + s + o);
      const dct = load<f32>(dc + s + o) + dht * og * (<f32>1 - a * a);
      const dzi = dct * g * (i * (<f32>1 - i));
      const dzf = dct * load<f32>(cPrevious + s + o) * (f * (<f32>1 - f));
      const dzc = dct * i * (<f32>1 - g * g);
      const dzo = dht * a * (og * (<f32>1 - og));
      store<f32>(d + o, dzi);
      store<f32>(d + rowBytes + o, dzf);
      store<f32>(d + 2 * rowBytes + o, dzc);
      store<f32>(d + 3 * rowBytes + o, dzo);
      store<f32>(dc + s + o, dct * f);
      store<f32>(db + o, load<f32>(db + o) + dzi);
      store<f32>(db + rowBytes + o, load<f32>(db + rowBytes + o) + dzf);
      store<f32>(db + 2 * rowBytes + o, load<f32>(db + 2 * rowBytes + o) + dzc);
      store<f32>(db + 3 * rowBytes + o, load<f32>(db + 3 * rowBytes + o) + dzo);
    }
  }
}

/** target[0 … count) += source[0 … count) (f32): sums the threads' partial gradients and products. */
export function addF32(target: usize, source: usize, count: i32): void {
  let i = 0;
  for (; i + 4 <= count; i += 4) {
    const o = <usize>i << 2;
    v128.store(target + o, f32x4.add(v128.load(target + o), v128.load(source + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 2;
    store<f32>(target + o, load<f32>(target + o) + load<f32>(source + o));
  }
}

/** target[0 … count) += source[0 … count) (f64): sums the threads' partial products. */
export function addF64(target: usize, source: usize, count: i32): void {
  let i = 0;
  for (; i + 2 <= count; i += 2) {
    const o = <usize>i << 3;
    v128.store(target + o, f64x2.add(v128.load(target + o), v128.load(source + o)));
  }
  for (; i < count; i++) {
    const o = <usize>i << 3;
    store<f64>(target + o, load<f64>(target + o) + load<f64>(source + o));
  }
}

// ---------------------------------------------------------------------------------------
// Whole GRU layers (Keras' resetAfter variant, σ gates and tanh, f32), as the LSTM above:
// rows r0 … r0+rows of time-major buffers, gate blocks in the order z, r, h̃.
//
//     a_t = h_{t−1}·U + b_rec                   (kept in `recurrent`, [T, batch, 3u])
//     z = σ(x·W_z + b_z + a_z)   r = σ(x·W_r + b_r + a_r)   h̃ = tanh(x·W_h + b_h + r ⊙ a_h)
//     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃

/**
 * Forward pass. `bias` holds b_in then b_rec (6u values, zeros for a layer without bias).
 * Writes the gate values [z | r | h̃] to `gates`, a_t to `recurrent` and h_1 … h_T to `h`.
 */
export function gruForward(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  bias: usize,
  gates: usize,
  h: usize,
  recurrent: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 3 * units;
  const whole = rows == batch;
  if (whole) gemm<f32>(false, false, time * batch, w, features, x, kernel, 0, gates);
  const rowBytes = <usize>units << 2;
  const inputBias = bias;
  const recurrentBias = bias + 3 * rowBytes;
  for (let t = 0; t < time; t++) {
    const g = rowAt(gates, t, batch, r0, w);
    const a = rowAt(recurrent, t, batch, r0, w);
    const hPrev = rowAt(h, t, batch, r0, units);
    const hNext = rowAt(h, t + 1, batch, r0, units);
    if (!whole) gemm<f32>(false, false, rows, w, features, rowAt(x, t, batch, r0, features), kernel, 0, g);
    gemm<f32>(false, false, rows, w, units, hPrev, recurrentKernel, 0, a);
    for (let r = 0; r < rows; r++) {
      const gr = g + <usize>r * 3 * rowBytes;
      const ar = a + <usize>r * 3 * rowBytes;
      const s = <usize>r * rowBytes;
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const az = f32x4.add(v128.load(ar + o), v128.load(recurrentBias + o));
        const ar_ = f32x4.add(v128.load(ar + rowBytes + o), v128.load(recurrentBias + rowBytes + o));
        const ah = f32x4.add(v128.load(ar + 2 * rowBytes + o), v128.load(recurrentBias + 2 * rowBytes + o));
        const z = sigmoidv(f32x4.add(f32x4.add(v128.load(gr + o), v128.load(inputBias + o)), az));
        const rg = sigmoidv(f32x4.add(f32x4.add(v128.load(gr + rowBytes + o), v128.load(inputBias + rowBytes + o)), ar_));
        const hh = tanhv(f32x4.add(f32x4.add(v128.load(gr + 2 * rowBytes + o), v128.load(inputBias + 2 * rowBytes + o)), f32x4.mul(rg, ah)));
        v128.store(ar + o, az);
        v128.store(ar + rowBytes + o, ar_);
        v128.store(ar + 2 * rowBytes + o, ah);
        v128.store(gr + o, z);
        v128.store(gr + rowBytes + o, rg);
        v128.store(gr + 2 * rowBytes + o, hh);
        const hp = v128.load(hPrev + s + o);
        v128.store(hNext + s + o, f32x4.add(f32x4.mul(z, hp), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)));
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const az = load<f32>(ar + o) + load<f32>(recurrentBias + o);
        const ar_ = load<f32>(ar + rowBytes + o) + load<f32>(recurrentBias + rowBytes + o);
        const ah = load<f32>(ar + 2 * rowBytes + o) + load<f32>(recurrentBias + 2 * rowBytes + o);
        const z = sigmoids(load<f32>(gr + o) + load<f32>(inputBias + o) + az);
        const rg = sigmoids(load<f32>(gr + rowBytes + o) + load<f32>(inputBias + rowBytes + o) + ar_);
        const hh = tanhs(load<f32>(gr + 2 * rowBytes + o) + load<f32>(inputBias + 2 * rowBytes + o) + rg * ah);
        store<f32>(ar + o, az);
        store<f32>(ar + rowBytes + o, ar_);
        store<f32>(ar + 2 * rowBytes + o, ah);
        store<f32>(gr + o, z);
        store<f32>(gr + rowBytes + o, rg);
        store<f32>(gr + 2 * rowBytes + o, hh);
        store<f32>(hNext + s + o, z * load<f32>(hPrev + s + o) + (<f32>1 - z) * hh);
      }
    }
  }
}

/**
 * Backpropagation through time for the rows r0 … r0+rows, from the forward pass's gates,
 * a_t and h. `dh` [batch, u] enters holding ∂L/∂h_T and leaves holding ∂L/∂h_0; `dz`
 * receives ∂L/∂(x·W + b_in) and `dRec` ∂L/∂a, both [T, batch, 3u]. Writes `dx`, adds ∂L/∂W
 * and ∂L/∂U, and sums ∂L/∂b_in and ∂L/∂b_rec into this thread's `biasGrad` (6u, zeroed
 * first).
 */
export function gruBackward(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  gates: usize,
  recurrent: usize,
  h: usize,
  dhOut: usize,
  dh: usize,
  dz: usize,
  dRec: usize,
  dx: usize,
  kernelGrad: usize,
  recurrentKernelGrad: usize,
  biasGrad: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 3 * units;
  const rowBytes = <usize>units << 2;
  const dhRows = dh + ((<usize>(r0 * units)) << 2);
  const count = rows * units;
  const one = f32x4.splat(1);
  memory.fill(biasGrad, 0, <usize>(2 * w) << 2);
  const dbIn = biasGrad;
  const dbRec = biasGrad + 3 * rowBytes;
  for (let t = time - 1; t >= 0; t--) {
    if (dhOut != 0) addF32(dhRows, rowAt(dhOut, t, batch, r0, units), count);
    const g = rowAt(gates, t, batch, r0, w);
    const a = rowAt(recurrent, t, batch, r0, w);
    const hPrev = rowAt(h, t, batch, r0, units);
    const dzt = rowAt(dz, t, batch, r0, w);
    const drt = rowAt(dRec, t, batch, r0, w);
    for (let r = 0; r < rows; r++) {
      const gr = g + <usize>r * 3 * rowBytes;
      const ar = a + <usize>r * 3 * rowBytes;
      const dzr = dzt + <usize>r * 3 * rowBytes;
      const drr = drt + <usize>r * 3 * rowBytes;
      const s = <usize>r * rowBytes;
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const z = v128.load(gr + o);
        const rg = v128.load(gr + rowBytes + o);
        const hh = v128.load(gr + 2 * rowBytes + o);
        const d = v128.load(dhRows + s + o);
        const dZ = f32x4.mul(f32x4.mul(d, f32x4.sub(v128.load(hPrev + s + o), hh)), f32x4.mul(z, f32x4.sub(one, z)));
        const dPre = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hh, hh)));
        const dR = f32x4.mul(f32x4.mul(dPre, v128.load(ar + 2 * rowBytes + o)), f32x4.mul(rg, f32x4.sub(one, rg)));
        const dAh = f32x4.mul(dPre, rg);
        v128.store(dzr + o, dZ);
        v128.store(dzr + rowBytes + o, dR);
        v128.store(dzr + 2 * rowBytes + o, dPre);
        v128.store(drr + o, dZ);
        v128.store(drr + rowBytes + o, dR);
        v128.store(drr + 2 * rowBytes + o, dAh);
        v128.store(dhRows + s + o, f32x4.mul(d, z)); // ∂h_{t−1} through h_t = z ⊙ h_{t−1} + …
        v128.store(dbIn + o, f32x4.add(v128.load(dbIn + o), dZ));
        v128.store(dbIn + rowBytes + o, f32x4.add(v128.load(dbIn + rowBytes + o), dR));
        v128.store(dbIn + 2 * rowBytes + o, f32x4.add(v128.load(dbIn + 2 * rowBytes + o), dPre));
        v128.store(dbRec + o, f32x4.add(v128.load(dbRec + o), dZ));
        v128.store(dbRec + rowBytes + o, f32x4.add(v128.load(dbRec + rowBytes + o), dR));
        v128.store(dbRec + 2 * rowBytes + o, f32x4.add(v128.load(dbRec + 2 * rowBytes + o), dAh));
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const z = load<f32>(gr + o);
        const rg = load<f32>(gr + rowBytes + o);
        const hh = load<f32>(gr + 2 * rowBytes + o);
        const d = load<f32>(dhRows + s + o);
        const dZ = d * (load<f32>(hPrev + s + o) - hh) * (z * (<f32>1 - z));
        const dPre = d * (<f32>1 - z) * (<f32>1 - hh * hh);
        const dR = dPre * load<f32>(ar + 2 * rowBytes + o) * (rg * (<f32>1 - rg));
        const dAh = dPre * rg;
        store<f32>(dzr + o, dZ);
        store<f32>(dzr + rowBytes + o, dR);
        store<f32>(dzr + 2 * rowBytes + o, dPre);
        store<f32>(drr + o, dZ);
        store<f32>(drr + rowBytes + o, dR);
        store<f32>(drr + 2 * rowBytes + o, dAh);
        store<f32>(dhRows + s + o, d * z);
        store<f32>(dbIn + o, load<f32>(dbIn + o) + dZ);
        store<f32>(dbIn + rowBytes + o, load<f32>(dbIn + rowBytes + o) + dR);
        store<f32>(dbIn + 2 * rowBytes + o, load<f32>(dbIn + 2 * rowBytes + o) + dPre);
        store<f32>(dbRec + o, load<f32>(dbRec + o) + dZ);
        store<f32>(dbRec + rowBytes + o, load<f32>(dbRec + rowBytes + o) + dR);
        store<f32>(dbRec + 2 * rowBytes + o, load<f32>(dbRec + 2 * rowBytes + o) + dAh);
      }
    }
    gemm<f32>(false, true, rows, units, w, drt, recurrentKernel, 1, dhRows); // ∂h_{t−1} += dRec_t·Uᵀ
  }
  inputAndWeightGradients(r0, rows, batch, time, features, units, w, x, kernel, h, dz, dRec, dx, kernelGrad, recurrentKernelGrad);
}
