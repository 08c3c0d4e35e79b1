// Helpers shared by the recurrent passes (lstm.ts, gru.ts, gru-reset-before.ts, simple-rnn.ts):
// time-major row addresses, the step mask, the recurrent kernel packed once per pass, the
// input product of a forward step, the output gradient of a backward step, and the input and
// weight gradients after a backward pass's time loop.
//
// The step mask (0 when there is none) is f32 [T, batch], 1 where a step counts. Forward, a
// masked row's states carry over (slot t + 1 := slot t, whatever the cell computed); backward,
// the cells write ∂L/∂z = 0 for that row and leave its state gradients as they are, so they
// pass to step t − 1 unchanged and the row adds nothing to ∂x, ∂W, ∂U or ∂b.

import { addF32 } from './add';
import { gemm, packWholeB, packedSize } from './gemm';
import { lanes } from './lanes';
import { MR, takeScratch } from './scratch';

/** Byte address of row `row` of step t in a time-major [T, batch, width] f32 buffer. */
export function rowAt(base: usize, t: i32, batch: i32, row: i32, width: i32): usize {
  return base + ((<usize>(t * batch + row) * <usize>width) << 2);
}

/**
 * Address of the mask value of step t, row `row` (0 when there is no mask): the cells read
 * row r of their share at maskRow + 4r.
 */
export function maskAt(mask: usize, t: i32, batch: i32, row: i32): usize {
  return mask == 0 ? 0 : rowAt(mask, t, batch, row, 1);
}

/** Whether row r counts at the step whose mask row `maskRow` is ({@link maskAt}). */
export function counts(maskRow: usize, r: i32): bool {
  return maskRow == 0 || load<f32>(maskRow + (<usize>r << 2)) != 0;
}

/**
 * After forward step t: each masked row of r0 … r0+rows keeps its state, copied from slot t
 * to slot t + 1 of `history` [T + 1, batch, units].
 */
export function carryMasked(mask: usize, t: i32, batch: i32, r0: i32, rows: i32, units: i32, history: usize): void {
  const maskRow = maskAt(mask, t, batch, r0);
  if (maskRow == 0) return;
  for (let r = 0; r < rows; r++) {
    if (!counts(maskRow, r)) memory.copy(rowAt(history, t + 1, batch, r0 + r, units), rowAt(history, t, batch, r0 + r, units), <usize>units << 2);
  }
}

/**
 * Packs op(B) [k×n] (B = U or a column block of it, transposed for backward) whole into the
 * running thread's scratch (takeScratch), once per pass for every step's gemmPackedB instead
 * of gemm packing it again at each step; returns where. The JavaScript side sizes the room
 * for every packing a pass takes (pass-specs.ts). Returns 0 without packing when the steps'
 * products (`rows` rows) take a thin path, which reads B itself.
 */
export function packOnce(rows: i32, transB: bool, n: i32, k: i32, b: usize): usize {
  if (rows < MR || n < lanes<f32>()) return 0;
  const packed = takeScratch(<usize>packedSize<f32>(n, k) << 2);
  packWholeB<f32>(transB, n, k, b, packed);
  return packed;
}

/**
 * x_t·W for the rows r0 … r0+rows of forward step t, into `out` (time-major [T, batch, w]):
 * with the whole batch, every step's at t = 0 as one product; with a share (not contiguous
 * across steps), step t's.
 */
export function inputProduct(t: i32, r0: i32, rows: i32, batch: i32, time: i32, features: i32, w: i32, x: usize, kernel: usize, out: usize): void {
  if (rows < batch) gemm<f32>(false, false, rows, w, features, rowAt(x, t, batch, r0, features), kernel, 0, rowAt(out, t, batch, r0, w));
  else if (t == 0) gemm<f32>(false, false, time * batch, w, features, x, kernel, 0, out);
}

/** Byte address of row r0 of a state gradient [batch, units]. */
export function stateRows(gradient: usize, r0: i32, units: i32): usize {
  return gradient + (<usize>(r0 * units) << 2);
}

/**
 * At backward step t: ∂L/∂h_t of the rows (`dhRows`, see {@link stateRows}) += ∂L/∂h_t of the
 * output, from `dhOut` [T, batch, units] (0 when only h_T is an output: it is already in dh).
 */
export function addOutputGradient(dhOut: usize, t: i32, batch: i32, r0: i32, rows: i32, units: i32, dhRows: usize): void {
  if (dhOut != 0) addF32(dhRows, rowAt(dhOut, t, batch, r0, units), rows * units);
}

/**
 * After the time loop of a backward pass over rows r0 … r0+rows: dx = dZ·Wᵀ,
 * dW += Xᵀ·dZ and dU += H_{0…T−1}ᵀ·dA, where dZ is ∂L/∂(x·W) and dA ∂L/∂(h·U) (the same
 * buffer for the LSTM; the GRU's differ in the candidate block). With the whole batch each
 * is one product over every step; a share of it is not contiguous across steps.
 */
export function inputAndWeightGradients(
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
  inputGradients(r0, rows, batch, time, features, w, x, kernel, dz, dx, kernelGrad);
  addTransposedProduct(r0, rows, batch, time, units, w, h, dA, recurrentKernelGrad);
}

/** dx = dZ·Wᵀ and dW += Xᵀ·dZ over rows r0 … r0+rows (see {@link inputAndWeightGradients}). */
export function inputGradients(r0: i32, rows: i32, batch: i32, time: i32, features: i32, w: i32, x: usize, kernel: usize, dz: usize, dx: usize, kernelGrad: usize): void {
  if (rows == batch) {
    gemm<f32>(false, true, time * batch, features, w, dz, kernel, 0, dx);
    gemm<f32>(true, false, features, w, time * batch, x, dz, 1, kernelGrad);
    return;
  }
  for (let t = 0; t < time; t++) {
    const dzt = rowAt(dz, t, batch, r0, w);
    gemm<f32>(false, true, rows, features, w, dzt, kernel, 0, rowAt(dx, t, batch, r0, features));
    gemm<f32>(true, false, features, w, rows, rowAt(x, t, batch, r0, features), dzt, 1, kernelGrad);
  }
}

/**
 * target [k, n] += Aᵀ·B over the rows r0 … r0+rows of every step, A [T, batch, k] and B
 * [T, batch, n] time-major (one product with the whole batch, one per step for a share).
 */
export function addTransposedProduct(r0: i32, rows: i32, batch: i32, time: i32, k: i32, n: i32, a: usize, b: usize, target: usize): void {
  if (rows == batch) {
    gemm<f32>(true, false, k, n, time * batch, a, b, 1, target);
    return;
  }
  for (let t = 0; t < time; t++) gemm<f32>(true, false, k, n, rows, rowAt(a, t, batch, r0, k), rowAt(b, t, batch, r0, n), 1, target);
}
