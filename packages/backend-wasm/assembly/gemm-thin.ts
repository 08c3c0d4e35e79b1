// Thin products of the matrix product (gemm.ts): fewer rows or columns than a micro-tile.

import { at, elementA, elementB, hsum, lanes, splatOf, vadd, vmad } from './lanes';
import { GATHER } from './scratch';

// Few rows (m < MR): each row of C is a vector–matrix product.

export function fewRows<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
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

export function fewColumns<T>(transA: bool, transB: bool, m: i32, n: i32, k: i32, a: usize, b: usize, c: usize): void {
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
