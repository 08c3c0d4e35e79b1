// Helpers shared by the LSTM and GRU passes (lstm.ts, gru.ts): time-major row addresses and
// the input and weight gradients after a backward pass's time loop.

import { gemm } from './gemm';

/** Byte address of row `row` of step t in a time-major [T, batch, width] f32 buffer. */
export function rowAt(base: usize, t: i32, batch: i32, row: i32, width: i32): usize {
  return base + ((<usize>(t * batch + row) * <usize>width) << 2);
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
