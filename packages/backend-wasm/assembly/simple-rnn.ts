// SimpleRNN kernels (f32): whole layer passes forward and backward, over the rows r0 … r0+rows
// of time-major buffers, as the LSTM passes of lstm.ts.
//
//     h_t = act(x_t·W + h_{t−1}·U + b)      act: tanh (activation 0) or σ (ACT_SIGMOID, 1)
//
// Nothing is kept but h: the derivative of act comes from h_t itself (tanh′ = 1 − h², σ′ =
// h(1 − h)). A step mask (see recurrent.ts) carries a masked row's h over, and backward
// passes its ∂h through.

import { addF32 } from './add';
import { sigmoids, sigmoidv, tanhs, tanhv } from './activations';
import { gemmPackedB } from './gemm';
import { addOutputGradient, carryMasked, counts, inputAndWeightGradients, inputProduct, maskAt, packOnce, rowAt, stateRows } from './recurrent';
import { useScratch } from './scratch';

/** The `activation` argument for σ (any other value: tanh). */
const ACT_SIGMOID: i32 = 1;

/** h := act(h + bias) for `rows` rows of `units` values at `h`. */
function activate(rows: i32, units: i32, activation: i32, bias: usize, h: usize): void {
  const rowBytes = <usize>units << 2;
  for (let r = 0; r < rows; r++) {
    const s = h + <usize>r * rowBytes;
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const z = f32x4.add(v128.load(s + o), v128.load(bias + o));
      v128.store(s + o, activation == ACT_SIGMOID ? sigmoidv(z) : tanhv(z));
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const z = load<f32>(s + o) + load<f32>(bias + o);
      store<f32>(s + o, activation == ACT_SIGMOID ? sigmoids(z) : tanhs(z));
    }
  }
}

/**
 * Forward pass: writes h_1 … h_T to `h` (h_0 is read). `bias` holds u values (zeros for a
 * layer without bias); `activation` is 0 (tanh) or ACT_SIGMOID; `mask` the step mask (0: none).
 */
export function simpleRnnForward(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  activation: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  mask: usize,
  bias: usize,
  h: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const inputs = rowAt(h, 1, batch, 0, units); // x_t·W goes straight into slot t + 1 of h
  // U packed once for every step's h·U.
  const packedU = packOnce(rows, false, units, units, recurrentKernel);
  for (let t = 0; t < time; t++) {
    inputProduct(t, r0, rows, batch, time, features, units, x, kernel, inputs);
    const hNext = rowAt(h, t + 1, batch, r0, units);
    gemmPackedB<f32>(false, false, rows, units, units, rowAt(h, t, batch, r0, units), recurrentKernel, packedU, 1, hNext);
    activate(rows, units, activation, bias, hNext);
    carryMasked(mask, t, batch, r0, rows, units, h);
  }
}

/**
 * Backpropagation through time for the rows r0 … r0+rows, from h. `dh` [batch, u] enters
 * holding ∂L/∂h_T and leaves holding ∂L/∂h_0; `dz` receives ∂L/∂z_t [T, batch, u]. Writes
 * `dx`, adds ∂L/∂W and ∂L/∂U, and sums ∂L/∂b into this thread's `biasGrad` (u, zeroed
 * first). At a step where `mask` (0: none) masks a row, that row's ∂z is 0 and its ∂h passes
 * through.
 */
export function simpleRnnBackward(
  r0: i32,
  rows: i32,
  batch: i32,
  time: i32,
  features: i32,
  units: i32,
  activation: i32,
  x: usize,
  kernel: usize,
  recurrentKernel: usize,
  mask: usize,
  h: usize,
  dhOut: usize,
  dh: usize,
  dz: usize,
  dx: usize,
  kernelGrad: usize,
  recurrentKernelGrad: usize,
  biasGrad: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const rowBytes = <usize>units << 2;
  const dhRows = stateRows(dh, r0, units);
  const one = f32x4.splat(1);
  const sigmoid = activation == ACT_SIGMOID;
  memory.fill(biasGrad, 0, rowBytes);
  // Uᵀ packed once for every step's ∂z·Uᵀ.
  const packedU = packOnce(rows, true, units, units, recurrentKernel);
  for (let t = time - 1; t >= 0; t--) {
    addOutputGradient(dhOut, t, batch, r0, rows, units, dhRows);
    const hNext = rowAt(h, t + 1, batch, r0, units);
    const dzt = rowAt(dz, t, batch, r0, units);
    const maskRow = maskAt(mask, t, batch, r0);
    for (let r = 0; r < rows; r++) {
      const s = <usize>r * rowBytes;
      if (!counts(maskRow, r)) {
        memory.fill(dzt + s, 0, rowBytes); // ∂h stays: it passes to step t − 1 unchanged
        continue;
      }
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const y = v128.load(hNext + s + o);
        const slope = sigmoid ? f32x4.mul(y, f32x4.sub(one, y)) : f32x4.sub(one, f32x4.mul(y, y));
        const d = f32x4.mul(v128.load(dhRows + s + o), slope);
        v128.store(dzt + s + o, d);
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const y = load<f32>(hNext + s + o);
        const d = load<f32>(dhRows + s + o) * (sigmoid ? y * (<f32>1 - y) : <f32>1 - y * y);
        store<f32>(dzt + s + o, d);
      }
      addF32(biasGrad, dzt + s, units); // ∂b += the row's ∂z
      // h_t depends on h_{t−1} only through z_t: ∂h_{t−1} is the product below alone.
      memory.fill(dhRows + s, 0, rowBytes);
    }
    gemmPackedB<f32>(false, true, rows, units, units, dzt, recurrentKernel, packedU, 1, dhRows); // ∂h_{t−1} += ∂z_t·Uᵀ
  }
  inputAndWeightGradients(r0, rows, batch, time, features, units, units, x, kernel, h, dz, dz, dx, kernelGrad, recurrentKernelGrad);
}
