// Slow, obviously-correct reference implementations that the property suites compare the
// real ops against. They share no code with the ops: indices are computed from scratch with
// plain loops over nested index tuples.
import type { Tensor } from './tensor.js';

/** All index tuples of a shape in row-major order. */
export function indices(shape: readonly number[]): number[][] {
  let out: number[][] = [[]];
  for (const d of shape) {
    const next: number[][] = [];
    for (const prefix of out) for (let i = 0; i < d; i++) next.push([...prefix, i]);
    out = next;
  }
  return out;
}

/** Row-major flat position of an index tuple. */
export function flat(shape: readonly number[], index: readonly number[]): number {
  let position = 0;
  for (let axis = 0; axis < shape.length; axis++) position = position * shape[axis]! + index[axis]!;
  return position;
}

/** Element of a tensor at an index tuple (no bounds checks). */
export function at(t: Tensor, index: readonly number[]): number {
  return t.data[flat(t.shape, index)]!;
}

/**
 * numpy's broadcasting rule, stated directly: left-pad both shapes with 1s to equal rank;
 * per axis the lengths must be equal or one of them 1; the result takes the other one.
 */
export function naiveBroadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (pa[i] === pb[i]) out.push(pa[i]!);
    else if (pa[i] === 1) out.push(pb[i]!);
    else if (pb[i] === 1) out.push(pa[i]!);
    else return null;
  }
  return out;
}

/** The element of `t` that broadcasting reads for an index into the (larger) result shape. */
export function broadcastAt(t: Tensor, resultIndex: readonly number[]): number {
  const offset = resultIndex.length - t.rank;
  const index = t.shape.map((d, axis) => (d === 1 ? 0 : resultIndex[offset + axis]!));
  return at(t, index);
}

/** `C = beta·C + op(A)·op(B)` by the textbook triple loop, in float64. */
export function naiveGemm(
  transposeA: boolean,
  transposeB: boolean,
  m: number,
  n: number,
  k: number,
  a: ArrayLike<number>,
  aOffset: number,
  b: ArrayLike<number>,
  bOffset: number,
  beta: number,
  c: ArrayLike<number>,
  cOffset: number,
): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = beta === 0 ? 0 : c[cOffset + i * n + j]!;
      for (let p = 0; p < k; p++) {
        const x = transposeA ? a[aOffset + p * m + i]! : a[aOffset + i * k + p]!;
        const y = transposeB ? b[bOffset + j * k + p]! : b[bOffset + p * n + j]!;
        s += x * y;
      }
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Σ |op(A)[i,p]·op(B)[p,j]| — the scale that bounds the rounding error of C[i,j]. */
export function naiveGemmMagnitude(
  transposeA: boolean,
  transposeB: boolean,
  m: number,
  n: number,
  k: number,
  a: ArrayLike<number>,
  aOffset: number,
  b: ArrayLike<number>,
  bOffset: number,
): Float64Array {
  const abs = (x: ArrayLike<number>): number[] => Array.from(x, Math.abs);
  return naiveGemm(transposeA, transposeB, m, n, k, abs(a), aOffset, abs(b), bOffset, 0, [], 0);
}

/** Asserts |actual − expected| ≤ tolerance element-wise; returns a message or null. */
export function mismatch(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  tolerance: (i: number) => number,
): string | null {
  if (actual.length !== expected.length) return `length ${actual.length} ≠ ${expected.length}`;
  for (let i = 0; i < actual.length; i++) {
    const x = actual[i]!;
    const y = expected[i]!;
    if (Number.isNaN(x) && Number.isNaN(y)) continue;
    if (x === y) continue;
    if (!(Math.abs(x - y) <= tolerance(i))) return `element ${i}: got ${x}, expected ${y} (tolerance ${tolerance(i)})`;
  }
  return null;
}
