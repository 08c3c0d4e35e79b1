// The orthogonal initialiser (Saxe et al., 2014) and the Householder QR factorisation it
// draws its matrices from.
import { RnnkitError, formatShape } from './errors.js';
import { type Initializer, checkOptions, define, finiteNumber } from './init-define.js';

/** Options of {@link orthogonal}. */
export interface OrthogonalOptions {
  /** Multiplies the orthogonal matrix. @defaultValue 1 */
  readonly gain?: number;
}

/**
 * A random orthogonal matrix (Saxe et al., 2014), as Keras' `Orthogonal`: the shape is seen
 * as a matrix of prod(shape[:-1]) rows and shape[-1] columns; a standard normal matrix of
 * the taller orientation is drawn, factored A = QR, and Q's columns are multiplied by the
 * signs of R's diagonal (which makes the result uniformly distributed over orthogonal
 * matrices); a wide shape takes the transpose. Rows (or columns, whichever are fewer) are
 * orthonormal, times `gain`. Needs rank ≥ 2.
 */
export function orthogonal(options?: OrthogonalOptions): Initializer {
  const o = checkOptions('orthogonal', options, ['gain']);
  const gain = finiteNumber('orthogonal', 'gain', o.gain, 1);
  return define('orthogonal', { gain }, (out, shape, random) => {
    if (shape.length < 2) {
      throw new RnnkitError('orthogonal', `expected a shape of rank ≥ 2, got ${formatShape(shape)}`);
    }
    const cols = shape[shape.length - 1]!;
    const rows = out.length / (cols || 1);
    if (out.length === 0) return;
    const m = Math.max(rows, cols);
    const n = Math.min(rows, cols);
    const a = random.fillNormal(new Float64Array(m * n), 0, 1); // [m, n], row-major
    const q = orthonormalFactor(a, m, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        // Tall or square: out is Q itself; wide: out is Qᵀ.
        const k = rows >= cols ? i * n + j : j * m + i;
        out[k] = gain * q[i * n + j]!;
      }
    }
  });
}

/**
 * Applies the Householder reflection I − 2vvᵀ (v a unit vector over rows `rowStart…rowEnd−1`)
 * to columns `colStart…colEnd−1` of a row-major matrix with `cols` columns, in place.
 */
function reflect(
  a: Float64Array,
  cols: number,
  v: Float64Array,
  rowStart: number,
  rowEnd: number,
  colStart: number,
  colEnd: number,
  w: Float64Array,
): void {
  w.fill(0, colStart, colEnd);
  for (let i = rowStart; i < rowEnd; i++) {
    const vi = v[i - rowStart]!;
    if (vi === 0) continue;
    const row = i * cols;
    for (let j = colStart; j < colEnd; j++) w[j]! += vi * a[row + j]!;
  }
  for (let i = rowStart; i < rowEnd; i++) {
    const vi = 2 * v[i - rowStart]!;
    if (vi === 0) continue;
    const row = i * cols;
    for (let j = colStart; j < colEnd; j++) a[row + j]! -= vi * w[j]!;
  }
}

/**
 * The Q of a reduced QR factorisation A = QR (A: m×n row-major, m ≥ n) by Householder
 * reflections (Golub & Van Loan, §5.2), with Q's columns signed so R's diagonal is
 * non-negative — the unique factor with that property, whatever algorithm computes it.
 * `a` is overwritten.
 */
function orthonormalFactor(a: Float64Array, m: number, n: number): Float64Array {
  const reflectors: Float64Array[] = [];
  const diagonal = new Float64Array(n);
  const work = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // x = A[k:, k]; reflect it onto alpha·e₁ with alpha = −sign(x₀)·‖x‖ (no cancellation).
    let norm = 0;
    for (let i = k; i < m; i++) norm += a[i * n + k]! ** 2;
    norm = Math.sqrt(norm);
    const x0 = a[k * n + k]!;
    const alpha = x0 >= 0 ? -norm : norm;
    const v = new Float64Array(m - k);
    for (let i = k; i < m; i++) v[i - k] = a[i * n + k]!;
    v[0]! -= alpha;
    let vNorm = 0;
    for (let i = 0; i < v.length; i++) vNorm += v[i]! ** 2;
    vNorm = Math.sqrt(vNorm);
    diagonal[k] = alpha;
    if (vNorm === 0) {
      reflectors.push(v); // x is zero below the diagonal and already ≥ 0: no reflection
      diagonal[k] = x0;
      continue;
    }
    for (let i = 0; i < v.length; i++) v[i]! /= vNorm;
    reflectors.push(v);
    // A[k:, k:] ← (I − 2vvᵀ)·A[k:, k:], as w = vᵀA then A −= 2·v·w, walking rows so the
    // inner loops read contiguous memory (column walks made large matrices ~30× slower).
    reflect(a, n, v, k, m, k, n, work);
  }
  // Q = H₀H₁⋯Hₙ₋₁ applied to the first n columns of the identity, last reflector first.
  const q = new Float64Array(m * n);
  for (let j = 0; j < n; j++) q[j * n + j] = 1;
  for (let k = n - 1; k >= 0; k--) reflect(q, n, reflectors[k]!, k, m, 0, n, work);
  // Q·diag(sign(diag R)); sign(0) counts as +1 (probability zero for normal draws).
  for (let j = 0; j < n; j++) {
    if (diagonal[j]! < 0) for (let i = 0; i < m; i++) q[i * n + j] = -q[i * n + j]!;
  }
  return q;
}
