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
 * A, B and C must share a dtype, and C must not overlap A or B.
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
  // Reference implementation (i-p-j loop order so the innermost loop walks rows of B and C).
  if (beta === 0) c.fill(0, cOffset, cOffset + m * n);
  for (let i = 0; i < m; i++) {
    const cRow = cOffset + i * n;
    for (let p = 0; p < k; p++) {
      const aip = transposeA ? a[aOffset + p * m + i]! : a[aOffset + i * k + p]!;
      if (aip === 0) continue;
      if (transposeB) {
        for (let j = 0; j < n; j++) c[cRow + j]! += aip * b[bOffset + j * k + p]!;
      } else {
        const bRow = bOffset + p * n;
        for (let j = 0; j < n; j++) c[cRow + j]! += aip * b[bRow + j]!;
      }
    }
  }
}
