// The plumbing of Keras' recurrent dropout (Gal & Ghahramani, 2016, as Keras 2's cells with
// implementation 1 do it): while training, each gate g sees its own masked copies of the
// inputs, x_t ⊙ m_g, and of the previous output, h_{t−1} ⊙ n_g, with masks drawn once per
// sequence and pass and fixed over its time steps. A product X·W of a cell thus becomes one
// product per gate block, (X ⊙ m_g)·W_g, and so do the gradients through it:
//
//   forward    C_g = (A ⊙ M_g)·B_g
//   ∂A         ∂A  = Σ_g (∂C_g·B_gᵀ) ⊙ M_g
//   ∂B         ∂B_g += (A ⊙ M_g)ᵀ·∂C_g
//
// where A has rows of whole time steps (row r belongs to sequence r mod batch), B is
// [n, gates·u] with gate blocks of u columns, and C is [rows, gates·u]. The cells call these
// only while masks are set (a training pass with dropout); otherwise they run one product.
import { type DType, type Random, type TypedArray, RnnkitError, allocate, gemm } from '@rnnkit/tensor';
import type { DropoutMasks } from '../cell.js';
import { describeValue } from '../common.js';

/** A dropout rate option: a number in [0, 1), absent is 0. */
export function dropoutRate(api: string, key: string, value: unknown): number {
  if (value === undefined) return 0;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    throw new RnnkitError(api, `${key} must be a number in [0, 1), got ${describeValue(value)}`);
  }
  return value;
}

/** `gates` masks of `batch × size` entries, each 0 (dropped, with probability `rate`) or 1/(1 − rate). */
function drawMasks(random: Random, dtype: DType, gates: number, batch: number, size: number, rate: number): TypedArray {
  const masks = allocate(dtype, gates * batch * size);
  const keep = 1 / (1 - rate);
  for (let i = 0; i < masks.length; i++) masks[i] = random.uniform() < rate ? 0 : keep;
  return masks;
}

/** The masks of one training pass: first every gate's input mask, then every gate's recurrent mask. */
export function drawDropoutMasks(
  random: Random,
  dtype: DType,
  shape: { gates: number; batch: number; features: number; units: number },
  rate: number,
  recurrentRate: number,
): DropoutMasks | null {
  if (rate === 0 && recurrentRate === 0) return null;
  const { gates, batch, features, units } = shape;
  const input = rate === 0 ? null : drawMasks(random, dtype, gates, batch, features, rate);
  const recurrent = recurrentRate === 0 ? null : drawMasks(random, dtype, gates, batch, units, recurrentRate);
  return { batch, input, recurrent };
}

/** The shape of one masked product: `rows` rows of `n` values, `gates` blocks of `u` columns. */
export interface GateProduct {
  readonly rows: number;
  readonly batch: number;
  readonly n: number;
  readonly u: number;
  readonly gates: number;
  /** The masks `[≥ first + gates, batch, n]`, and the gate whose mask is the first block's. */
  readonly masks: TypedArray;
  readonly first: number;
}

/** The work buffers of the masked products, grown as needed and reused from pass to pass. */
export class GateProducts {
  #work: TypedArray[] = [];

  constructor(private readonly dtype: DType) {}

  /** C_g (=|+=) (A ⊙ M_g)·B_g for every gate block g (beta 1 adds to C). */
  forward(p: GateProduct, a: TypedArray, aOffset: number, b: TypedArray, beta: 0 | 1, c: TypedArray, cOffset: number): void {
    const { rows, n, u, gates } = p, width = gates * u;
    const masked = this.#buffer(0, rows * n), block = this.#buffer(1, n * u), product = this.#buffer(2, rows * u);
    for (let g = 0; g < gates; g++) {
      this.#mask(p, g, a, aOffset, masked);
      columnBlock(b, n, width, g * u, u, block);
      gemm(false, false, rows, u, n, masked, 0, block, 0, 0, product, 0);
      for (let r = 0; r < rows; r++) {
        const at = cOffset + r * width + g * u;
        for (let k = 0; k < u; k++) c[at + k] = (beta === 0 ? 0 : c[at + k]!) + product[r * u + k]!;
      }
    }
  }

  /** ∂A (=|+=) Σ_g (∂C_g·B_gᵀ) ⊙ M_g. */
  backward(p: GateProduct, dc: TypedArray, dcOffset: number, b: TypedArray, beta: 0 | 1, da: TypedArray, daOffset: number): void {
    const { rows, batch, n, u, gates, masks, first } = p, width = gates * u;
    const product = this.#buffer(0, rows * n), block = this.#buffer(1, n * u), dcBlock = this.#buffer(2, rows * u);
    if (beta === 0) da.fill(0, daOffset, daOffset + rows * n);
    for (let g = 0; g < gates; g++) {
      columnBlock(dc, rows, width, g * u, u, dcBlock, dcOffset);
      columnBlock(b, n, width, g * u, u, block);
      gemm(false, true, rows, n, u, dcBlock, 0, block, 0, 0, product, 0);
      for (let r = 0; r < rows; r++) {
        const mask = ((first + g) * batch + (r % batch)) * n;
        for (let k = 0; k < n; k++) da[daOffset + r * n + k]! += product[r * n + k]! * masks[mask + k]!;
      }
    }
  }

  /** ∂B_g += (A ⊙ M_g)ᵀ·∂C_g, into the gate blocks of ∂B `[n, gates·u]`. */
  weightGradient(p: GateProduct, a: TypedArray, aOffset: number, dc: TypedArray, dcOffset: number, dB: TypedArray): void {
    const { rows, n, u, gates } = p, width = gates * u;
    const masked = this.#buffer(0, rows * n), product = this.#buffer(1, n * u), dcBlock = this.#buffer(2, rows * u);
    for (let g = 0; g < gates; g++) {
      this.#mask(p, g, a, aOffset, masked);
      columnBlock(dc, rows, width, g * u, u, dcBlock, dcOffset);
      gemm(true, false, n, u, rows, masked, 0, dcBlock, 0, 0, product, 0);
      for (let i = 0; i < n; i++) for (let k = 0; k < u; k++) dB[i * width + g * u + k]! += product[i * u + k]!;
    }
  }

  /** A ⊙ M_g into `out`: row r uses the mask of its sequence, r mod batch. */
  #mask(p: GateProduct, g: number, a: TypedArray, aOffset: number, out: TypedArray): void {
    const { rows, batch, n, masks, first } = p;
    for (let r = 0; r < rows; r++) {
      const mask = ((first + g) * batch + (r % batch)) * n;
      for (let k = 0; k < n; k++) out[r * n + k] = a[aOffset + r * n + k]! * masks[mask + k]!;
    }
  }

  #buffer(slot: number, length: number): TypedArray {
    let buffer = this.#work[slot];
    if (buffer === undefined || buffer.length < length) {
      buffer = allocate(this.dtype, length);
      this.#work[slot] = buffer;
    }
    return buffer;
  }
}

/** Columns `from … from + u − 1` of a `[rows, width]` matrix (at `offset`), as a contiguous `[rows, u]` one. */
function columnBlock(matrix: TypedArray, rows: number, width: number, from: number, u: number, out: TypedArray, offset = 0): void {
  for (let r = 0; r < rows; r++) {
    const at = offset + r * width + from;
    for (let k = 0; k < u; k++) out[r * u + k] = matrix[at + k]!;
  }
}
