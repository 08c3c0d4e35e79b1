// GRU kernels (f32) for the reset-before form (Keras 1 and TF.js, resetAfter: false): whole
// layer passes forward and backward over the rows r0 … r0+rows of time-major buffers, gate
// blocks z, r, h̃, σ gates and tanh. With U's column blocks U_zr [u, 2u] and U_h [u, u]:
//
//     z = σ(x·W_z + b_z + h_{t−1}·U_z)   r = σ(x·W_r + b_r + h_{t−1}·U_r)
//     h̃ = tanh(x·W_h + b_h + (r ⊙ h_{t−1})·U_h)
//     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
//
// Kept: the gates [z | r | h̃] and r ⊙ h_{t−1} (`resetHidden`, [T, batch, u]). The products
// need U_zr and U_h as matrices of their own: each thread first copies them out of U into its
// `split` buffer (3u² values), then packs both once per pass (transposed for backward) for
// every step's products. A step mask (see recurrent.ts) carries a masked row's h over,
// and backward passes its ∂h through.

import { addF32 } from './add';
import { sigmoids, sigmoidv, tanhs, tanhv } from './activations';
import { gemmPackedB } from './gemm';
import { addOutputGradient, addTransposedProduct, carryMasked, counts, inputGradients, inputProduct, maskAt, packOnce, rowAt, stateRows } from './recurrent';
import { useScratch } from './scratch';

/** Copies U [u, 3u]'s blocks to `split`: U_zr [u, 2u], then U_h [u, u]. */
function splitRecurrentKernel(units: i32, recurrentKernel: usize, split: usize): void {
  const rowBytes = <usize>units << 2;
  const uh = split + <usize>units * 2 * rowBytes;
  for (let i = 0; i < units; i++) {
    const row = recurrentKernel + <usize>i * 3 * rowBytes;
    memory.copy(split + <usize>i * 2 * rowBytes, row, 2 * rowBytes);
    memory.copy(uh + <usize>i * rowBytes, row + 2 * rowBytes, rowBytes);
  }
}

/**
 * Forward pass. `bias` holds 3u values (zeros for a layer without bias). Writes the gate
 * values to `gates`, r ⊙ h_{t−1} to `resetHidden` and h_1 … h_T to `h`. Per thread: `split`
 * (3u² values) and `product` (rows·3u). `mask` is the step mask (0: none).
 */
export function gruResetBeforeForward(
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
  resetHidden: usize,
  split: usize,
  product: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 3 * units;
  const rowBytes = <usize>units << 2;
  splitRecurrentKernel(units, recurrentKernel, split);
  const uzr = split;
  const uh = split + <usize>units * 2 * rowBytes;
  // U_zr and U_h packed once for every step's h·U_zr and (r ⊙ h)·U_h.
  const packedZR = packOnce(rows, false, 2 * units, units, uzr);
  const packedH = packOnce(rows, false, units, units, uh);
  const zr = product; // h_{t−1}·U_zr, [rows, 2u]
  const candidate = product + <usize>rows * 2 * rowBytes; // (r ⊙ h_{t−1})·U_h, [rows, u]
  for (let t = 0; t < time; t++) {
    inputProduct(t, r0, rows, batch, time, features, w, x, kernel, gates);
    const g = rowAt(gates, t, batch, r0, w);
    const hPrev = rowAt(h, t, batch, r0, units);
    const hNext = rowAt(h, t + 1, batch, r0, units);
    const reset = rowAt(resetHidden, t, batch, r0, units);
    gemmPackedB<f32>(false, false, rows, 2 * units, units, hPrev, uzr, packedZR, 0, zr);
    for (let r = 0; r < rows; r++) {
      const gr = g + <usize>r * 3 * rowBytes;
      const pr = zr + <usize>r * 2 * rowBytes;
      const s = <usize>r * rowBytes;
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const z = sigmoidv(f32x4.add(f32x4.add(v128.load(gr + o), v128.load(bias + o)), v128.load(pr + o)));
        const rg = sigmoidv(f32x4.add(f32x4.add(v128.load(gr + rowBytes + o), v128.load(bias + rowBytes + o)), v128.load(pr + rowBytes + o)));
        v128.store(gr + o, z);
        v128.store(gr + rowBytes + o, rg);
        v128.store(reset + s + o, f32x4.mul(rg, v128.load(hPrev + s + o)));
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const z = sigmoids(load<f32>(gr + o) + load<f32>(bias + o) + load<f32>(pr + o));
        const rg = sigmoids(load<f32>(gr + rowBytes + o) + load<f32>(bias + rowBytes + o) + load<f32>(pr + rowBytes + o));
        store<f32>(gr + o, z);
        store<f32>(gr + rowBytes + o, rg);
        store<f32>(reset + s + o, rg * load<f32>(hPrev + s + o));
      }
    }
    gemmPackedB<f32>(false, false, rows, units, units, reset, uh, packedH, 0, candidate);
    for (let r = 0; r < rows; r++) {
      const gr = g + <usize>r * 3 * rowBytes;
      const s = <usize>r * rowBytes;
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const hh = tanhv(f32x4.add(f32x4.add(v128.load(gr + 2 * rowBytes + o), v128.load(bias + 2 * rowBytes + o)), v128.load(candidate + s + o)));
        v128.store(gr + 2 * rowBytes + o, hh);
        const z = v128.load(gr + o);
        v128.store(hNext + s + o, f32x4.add(f32x4.mul(z, v128.load(hPrev + s + o)), f32x4.mul(f32x4.sub(f32x4.splat(1), z), hh)));
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const hh = tanhs(load<f32>(gr + 2 * rowBytes + o) + load<f32>(bias + 2 * rowBytes + o) + load<f32>(candidate + s + o));
        store<f32>(gr + 2 * rowBytes + o, hh);
        const z = load<f32>(gr + o);
        store<f32>(hNext + s + o, z * load<f32>(hPrev + s + o) + (<f32>1 - z) * hh);
      }
    }
    carryMasked(mask, t, batch, r0, rows, units, h);
  }
}

/**
 * Backpropagation through time for the rows r0 … r0+rows, from the forward pass's gates,
 * r ⊙ h_{t−1} and h. `dh` [batch, u] enters holding ∂L/∂h_T and leaves holding ∂L/∂h_0; `dz`
 * receives ∂L/∂(x·W + b) [T, batch, 3u], and `dRecurrent` ∂L/∂(h·U_zr) [T, batch, 2u]
 * followed by ∂L/∂((r ⊙ h)·U_h) [T, batch, u]. Writes `dx`, adds ∂L/∂W and ∂L/∂U, and sums
 * ∂L/∂b into this thread's `biasGrad` (3u, zeroed first). Per thread: `split` (3u²) and
 * `product` (rows·u). At a step where `mask` (0: none) masks a row, that row's ∂z is 0 and
 * its ∂h passes through.
 */
export function gruResetBeforeBackward(
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
  resetHidden: usize,
  h: usize,
  dhOut: usize,
  dh: usize,
  dz: usize,
  dRecurrent: usize,
  dx: usize,
  split: usize,
  product: usize,
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
  splitRecurrentKernel(units, recurrentKernel, split);
  const uzr = split;
  const uh = split + <usize>units * 2 * rowBytes;
  // U_hᵀ and U_zrᵀ packed once for every step's ∂((r ⊙ h)·U_h)·U_hᵀ and ∂(h·U_zr)·U_zrᵀ.
  const packedH = packOnce(rows, true, units, units, uh);
  const packedZR = packOnce(rows, true, units, 2 * units, uzr);
  const dZR = dRecurrent; // [T, batch, 2u]
  const dH = dRecurrent + <usize>(time * batch * 2) * rowBytes; // [T, batch, u]
  const dReset = product; // ∂(r ⊙ h_{t−1}) of the step, [rows, u]
  memory.fill(biasGrad, 0, 3 * rowBytes);
  for (let t = time - 1; t >= 0; t--) {
    addOutputGradient(dhOut, t, batch, r0, rows, units, dhRows);
    const g = rowAt(gates, t, batch, r0, w);
    const hPrev = rowAt(h, t, batch, r0, units);
    const dzt = rowAt(dz, t, batch, r0, w);
    const dzrt = rowAt(dZR, t, batch, r0, 2 * units);
    const dht = rowAt(dH, t, batch, r0, units);
    const maskRow = maskAt(mask, t, batch, r0);
    // Through h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃ and the tanh of h̃.
    for (let r = 0; r < rows; r++) {
      const gr = g + <usize>r * 3 * rowBytes;
      const dzr = dzt + <usize>r * 3 * rowBytes;
      const s = <usize>r * rowBytes;
      if (!counts(maskRow, r)) {
        memory.fill(dzr, 0, 3 * rowBytes);
        memory.fill(dzrt + 2 * s, 0, 2 * rowBytes);
        memory.fill(dht + s, 0, rowBytes);
        continue;
      }
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const z = v128.load(gr + o);
        const hh = v128.load(gr + 2 * rowBytes + o);
        const d = v128.load(dhRows + s + o);
        const dZ = f32x4.mul(f32x4.mul(d, f32x4.sub(v128.load(hPrev + s + o), hh)), f32x4.mul(z, f32x4.sub(one, z)));
        const dPre = f32x4.mul(f32x4.mul(d, f32x4.sub(one, z)), f32x4.sub(one, f32x4.mul(hh, hh)));
        v128.store(dzr + o, dZ);
        v128.store(dzr + 2 * rowBytes + o, dPre);
        v128.store(dzrt + 2 * s + o, dZ);
        v128.store(dht + s + o, dPre);
        v128.store(dhRows + s + o, f32x4.mul(d, z));
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const z = load<f32>(gr + o);
        const hh = load<f32>(gr + 2 * rowBytes + o);
        const d = load<f32>(dhRows + s + o);
        const dZ = d * (load<f32>(hPrev + s + o) - hh) * (z * (<f32>1 - z));
        const dPre = d * (<f32>1 - z) * (<f32>1 - hh * hh);
        store<f32>(dzr + o, dZ);
        store<f32>(dzr + 2 * rowBytes + o, dPre);
        store<f32>(dzrt + 2 * s + o, dZ);
        store<f32>(dht + s + o, dPre);
        store<f32>(dhRows + s + o, d * z);
      }
    }
    // Through (r ⊙ h_{t−1})·U_h: ∂r = ∂(r ⊙ h)·h_{t−1} ⊙ σ′, ∂h_{t−1} += ∂(r ⊙ h) ⊙ r.
    gemmPackedB<f32>(false, true, rows, units, units, dht, uh, packedH, 0, dReset);
    for (let r = 0; r < rows; r++) {
      if (!counts(maskRow, r)) continue;
      const gr = g + <usize>r * 3 * rowBytes;
      const dzr = dzt + <usize>r * 3 * rowBytes;
      const s = <usize>r * rowBytes;
      let k = 0;
      for (; k + 4 <= units; k += 4) {
        const o = <usize>k << 2;
        const rg = v128.load(gr + rowBytes + o);
        const dr = v128.load(dReset + s + o);
        const dR = f32x4.mul(f32x4.mul(dr, v128.load(hPrev + s + o)), f32x4.mul(rg, f32x4.sub(one, rg)));
        v128.store(dzr + rowBytes + o, dR);
        v128.store(dzrt + 2 * s + rowBytes + o, dR);
        v128.store(dhRows + s + o, f32x4.add(v128.load(dhRows + s + o), f32x4.mul(dr, rg)));
      }
      for (; k < units; k++) {
        const o = <usize>k << 2;
        const rg = load<f32>(gr + rowBytes + o);
        const dr = load<f32>(dReset + s + o);
        const dR = dr * load<f32>(hPrev + s + o) * (rg * (<f32>1 - rg));
        store<f32>(dzr + rowBytes + o, dR);
        store<f32>(dzrt + 2 * s + rowBytes + o, dR);
        store<f32>(dhRows + s + o, load<f32>(dhRows + s + o) + dr * rg);
      }
      addF32(biasGrad, dzr, w); // ∂b += the row's ∂z
    }
    gemmPackedB<f32>(false, true, rows, units, 2 * units, dzrt, uzr, packedZR, 1, dhRows); // ∂h_{t−1} += ∂(h·U_zr)·U_zrᵀ
  }
  inputGradients(r0, rows, batch, time, features, w, x, kernel, dz, dx, kernelGrad);
  // ∂U_zr = H_{0…T−1}ᵀ·∂(H·U_zr) and ∂U_h = (R ⊙ H)ᵀ·∂((R ⊙ H)·U_h), summed in `split` (free
  // now), then added into U's column blocks of this thread's recurrentKernelGrad.
  memory.fill(split, 0, <usize>units * 3 * rowBytes);
  addTransposedProduct(r0, rows, batch, time, units, 2 * units, h, dZR, uzr);
  addTransposedProduct(r0, rows, batch, time, units, units, resetHidden, dH, uh);
  for (let i = 0; i < units; i++) {
    const row = recurrentKernelGrad + <usize>i * 3 * rowBytes;
    addF32(row, uzr + <usize>i * 2 * rowBytes, 2 * units);
    addF32(row + 2 * rowBytes, uh + <usize>i * rowBytes, units);
  }
}
