// GRU kernels (f32): whole layer passes forward and backward.

import { addF32 } from './add';
import { sigmoids, sigmoidv, tanhs, tanhv } from './activations';
import { gemmPackedB } from './gemm';
import { addOutputGradient, carryMasked, counts, inputAndWeightGradients, inputProduct, maskAt, packOnce, rowAt, stateRows } from './recurrent';
import { useScratch } from './scratch';

// Whole GRU layers (Keras' resetAfter variant, σ gates and tanh, f32), as the LSTM passes of lstm.ts:
// rows r0 … r0+rows of time-major buffers, gate blocks in the order z, r, h̃.
//
//     a_t = h_{t−1}·U + b_rec                   (kept in `recurrent`, [T, batch, 3u])
//     z = σ(x·W_z + b_z + a_z)   r = σ(x·W_r + b_r + a_r)   h̃ = tanh(x·W_h + b_h + r ⊙ a_h)
//     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
//
// A step mask (see recurrent.ts) carries a masked row's h over, and backward passes its ∂h through.

/**
 * Forward pass. `bias` holds b_in then b_rec (6u values, zeros for a layer without bias).
 * Writes the gate values [z | r | h̃] to `gates`, a_t to `recurrent` and h_1 … h_T to `h`.
 * `mask` is the step mask (0: none).
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
  mask: usize,
  bias: usize,
  gates: usize,
  h: usize,
  recurrent: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 3 * units;
  const rowBytes = <usize>units << 2;
  const inputBias = bias;
  const recurrentBias = bias + 3 * rowBytes;
  // U packed once for every step's h·U.
  const packedU = packOnce(rows, false, w, units, recurrentKernel);
  for (let t = 0; t < time; t++) {
    inputProduct(t, r0, rows, batch, time, features, w, x, kernel, gates);
    const g = rowAt(gates, t, batch, r0, w);
    const a = rowAt(recurrent, t, batch, r0, w);
    const hPrev = rowAt(h, t, batch, r0, units);
    const hNext = rowAt(h, t + 1, batch, r0, units);
    gemmPackedB<f32>(false, false, rows, w, units, hPrev, recurrentKernel, packedU, 0, a);
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
    carryMasked(mask, t, batch, r0, rows, units, h);
  }
}

/**
 * Backpropagation through time for the rows r0 … r0+rows, from the forward pass's gates,
 * a_t and h. `dh` [batch, u] enters holding ∂L/∂h_T and leaves holding ∂L/∂h_0; `dz`
 * receives ∂L/∂(x·W + b_in) and `dRec` ∂L/∂a, both [T, batch, 3u]. Writes `dx`, adds ∂L/∂W
 * and ∂L/∂U, and sums ∂L/∂b_in and ∂L/∂b_rec into this thread's `biasGrad` (6u, zeroed
 * first). At a step where `mask` (0: none) masks a row, that row's ∂z and ∂a are 0 and its
 * ∂h passes through.
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
  mask: usize,
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
  const dhRows = stateRows(dh, r0, units);
  const one = f32x4.splat(1);
  memory.fill(biasGrad, 0, <usize>(2 * w) << 2);
  const dbIn = biasGrad;
  const dbRec = biasGrad + 3 * rowBytes;
  // Uᵀ packed once for every step's dRec·Uᵀ.
  const packedU = packOnce(rows, true, units, w, recurrentKernel);
  for (let t = time - 1; t >= 0; t--) {
    addOutputGradient(dhOut, t, batch, r0, rows, units, dhRows);
    const g = rowAt(gates, t, batch, r0, w);
    const a = rowAt(recurrent, t, batch, r0, w);
    const hPrev = rowAt(h, t, batch, r0, units);
    const dzt = rowAt(dz, t, batch, r0, w);
    const drt = rowAt(dRec, t, batch, r0, w);
    const maskRow = maskAt(mask, t, batch, r0);
    for (let r = 0; r < rows; r++) {
      const gr = g + <usize>r * 3 * rowBytes;
      const ar = a + <usize>r * 3 * rowBytes;
      const dzr = dzt + <usize>r * 3 * rowBytes;
      const drr = drt + <usize>r * 3 * rowBytes;
      const s = <usize>r * rowBytes;
      if (!counts(maskRow, r)) {
        memory.fill(dzr, 0, 3 * rowBytes);
        memory.fill(drr, 0, 3 * rowBytes);
        continue;
      }
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
      }
      addF32(dbIn, dzr, w); // ∂b_in += the row's ∂z
      addF32(dbRec, drr, w); // ∂b_rec += the row's ∂a
    }
    gemmPackedB<f32>(false, true, rows, units, w, drt, recurrentKernel, packedU, 1, dhRows); // ∂h_{t−1} += dRec_t·Uᵀ
  }
  inputAndWeightGradients(r0, rows, batch, time, features, units, w, x, kernel, h, dz, dRec, dx, kernelGrad, recurrentKernelGrad);
}
