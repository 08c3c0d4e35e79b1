// LSTM kernels (the standard cell, f32): the elementwise part of one time step, four units
// at a time, and whole-layer passes forward and backward.
//
//     z = gates + recurrent + bias,  i = σ(z_i)  f = σ(z_f)  c̃ = tanh(z_c)  o = σ(z_o)
//     c_t = f ⊙ c_{t−1} + i ⊙ c̃,  a = tanh(c_t),  h_t = o ⊙ a
//
// σ and tanh are those of activations.ts. A step mask (see recurrent.ts) carries a masked
// row's h and c over, and backward passes its ∂h and ∂c through.

import { addF32 } from './add';
import { sigmoids, sigmoidv, tanhs, tanhv } from './activations';
import { gemmPackedB } from './gemm';
import { addOutputGradient, carryMasked, counts, inputAndWeightGradients, inputProduct, maskAt, packOnce, rowAt, stateRows } from './recurrent';
import { useScratch } from './scratch';

/**
 * One LSTM time step for `rows` sequences: row r of `gates` and `recurrent` (4·units
 * values, gate order i, f, c̃, o) at byte addresses gates + r·16·units …; c_{t−1}, c_t, a
 * and h_t are [rows, units]; bias is [4·units]. `gates` receives the gate values.
 */
function lstmStep(
  rows: i32,
  units: i32,
  gates: usize,
  recurrent: usize,
  bias: usize,
  cPrevious: usize,
  cNext: usize,
  activation: usize,
  h: usize,
): void {
  const rowBytes = <usize>units << 2;
  for (let r = 0; r < rows; r++) {
    const z = gates + <usize>r * 4 * rowBytes;
    const q = recurrent + <usize>r * 4 * rowBytes;
    const s = <usize>r * rowBytes;
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const zi = f32x4.add(v128.load(z + o), f32x4.add(v128.load(q + o), v128.load(bias + o)));
      const zf = f32x4.add(v128.load(z + rowBytes + o), f32x4.add(v128.load(q + rowBytes + o), v128.load(bias + rowBytes + o)));
      const zc = f32x4.add(v128.load(z + 2 * rowBytes + o), f32x4.add(v128.load(q + 2 * rowBytes + o), v128.load(bias + 2 * rowBytes + o)));
      const zo = f32x4.add(v128.load(z + 3 * rowBytes + o), f32x4.add(v128.load(q + 3 * rowBytes + o), v128.load(bias + 3 * rowBytes + o)));
      const i = sigmoidv(zi);
      const f = sigmoidv(zf);
      const g = tanhv(zc);
      const og = sigmoidv(zo);
      const ct = f32x4.add(f32x4.mul(f, v128.load(cPrevious + s + o)), f32x4.mul(i, g));
      const a = tanhv(ct);
      v128.store(z + o, i);
      v128.store(z + rowBytes + o, f);
      v128.store(z + 2 * rowBytes + o, g);
      v128.store(z + 3 * rowBytes + o, og);
      v128.store(cNext + s + o, ct);
      v128.store(activation + s + o, a);
      v128.store(h + s + o, f32x4.mul(og, a));
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const i = sigmoids(load<f32>(z + o) + (load<f32>(q + o) + load<f32>(bias + o)));
      const f = sigmoids(load<f32>(z + rowBytes + o) + (load<f32>(q + rowBytes + o) + load<f32>(bias + rowBytes + o)));
      const g = tanhs(load<f32>(z + 2 * rowBytes + o) + (load<f32>(q + 2 * rowBytes + o) + load<f32>(bias + 2 * rowBytes + o)));
      const og = sigmoids(load<f32>(z + 3 * rowBytes + o) + (load<f32>(q + 3 * rowBytes + o) + load<f32>(bias + 3 * rowBytes + o)));
      const ct = f * load<f32>(cPrevious + s + o) + i * g;
      const a = tanhs(ct);
      store<f32>(z + o, i);
      store<f32>(z + rowBytes + o, f);
      store<f32>(z + 2 * rowBytes + o, g);
      store<f32>(z + 3 * rowBytes + o, og);
      store<f32>(cNext + s + o, ct);
      store<f32>(activation + s + o, a);
      store<f32>(h + s + o, og * a);
    }
  }
}

// ---------------------------------------------------------------------------------------
// Whole LSTM layers (the standard cell above, f32) over the rows r0 … r0+rows of the batch,
// all buffers time-major. One call runs every time step, so operands cross into
// WebAssembly once per layer pass instead of once per step, and threads can take disjoint
// rows of the batch: sequences never interact until the weight gradients, which each
// thread sums into its own buffers.

/**
 * Forward pass: z_t = x_t·W + h_{t−1}·U + b, then the cell. Reads x [T, batch, features],
 * W [features, 4u], U [u, 4u], bias [4u], h_0 and c_0; writes the gate values to `gates`
 * [T, batch, 4u], h_1 … h_T and c_1 … c_T ([T + 1, batch, u]) and tanh(c_t) to
 * `activation` [T, batch, u]. `mask` is the step mask (0: none). `recurrent` is room for
 * rows × 4u values.
 */
export function lstmForward(
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
  c: usize,
  activation: usize,
  recurrent: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 4 * units;
  // U packed once for every step's h·U.
  const packedU = packOnce(rows, false, w, units, recurrentKernel);
  for (let t = 0; t < time; t++) {
    inputProduct(t, r0, rows, batch, time, features, w, x, kernel, gates);
    const z = rowAt(gates, t, batch, r0, w);
    gemmPackedB<f32>(false, false, rows, w, units, rowAt(h, t, batch, r0, units), recurrentKernel, packedU, 0, recurrent);
    lstmStep(
      rows,
      units,
      z,
      recurrent,
      bias,
      rowAt(c, t, batch, r0, units),
      rowAt(c, t + 1, batch, r0, units),
      rowAt(activation, t, batch, r0, units),
      rowAt(h, t + 1, batch, r0, units),
    );
    carryMasked(mask, t, batch, r0, rows, units, h);
    carryMasked(mask, t, batch, r0, rows, units, c);
  }
}

/**
 * Backpropagation through time for the rows r0 … r0+rows. `dhOut` (0 when only the last
 * step is an output) holds ∂L/∂h_t for every step [T, batch, u]; `dh` and `dc` [batch, u]
 * enter holding ∂L/∂h_T and ∂L/∂c_T and leave holding ∂L/∂h_0 and ∂L/∂c_0. Writes ∂L/∂z to
 * `dz` [T, batch, 4u] and ∂L/∂x to `dx` [T, batch, features]; adds ∂L/∂W, ∂L/∂U and ∂L/∂b
 * to kernelGrad, recurrentKernelGrad and biasGrad (biasGrad is zeroed first: it is this
 * thread's own sum). At a step where `mask` (0: none) masks a row, that row's ∂z is 0 and its
 * ∂h and ∂c pass through.
 */
export function lstmBackward(
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
  h: usize,
  c: usize,
  activation: usize,
  dhOut: usize,
  dh: usize,
  dc: usize,
  dz: usize,
  dx: usize,
  kernelGrad: usize,
  recurrentKernelGrad: usize,
  biasGrad: usize,
  scratch: usize,
): void {
  useScratch(scratch);
  const w = 4 * units;
  const dhRows = stateRows(dh, r0, units);
  const dcRows = stateRows(dc, r0, units);
  memory.fill(biasGrad, 0, <usize>w << 2);
  // Uᵀ packed once for every step's dz·Uᵀ.
  const packedU = packOnce(rows, true, units, w, recurrentKernel);
  for (let t = time - 1; t >= 0; t--) {
    addOutputGradient(dhOut, t, batch, r0, rows, units, dhRows);
    const dzt = rowAt(dz, t, batch, r0, w);
    lstmCellBackward(
      rows,
      units,
      rowAt(gates, t, batch, r0, w),
      rowAt(c, t, batch, r0, units),
      rowAt(activation, t, batch, r0, units),
      dhRows,
      dcRows,
      dzt,
      biasGrad,
      maskAt(mask, t, batch, r0),
    );
    // ∂h_{t−1} = dz_t·Uᵀ: the cell zeroed the ∂h it used, and a masked row's (dz = 0) stays.
    gemmPackedB<f32>(false, true, rows, units, w, dzt, recurrentKernel, packedU, 1, dhRows);
  }
  inputAndWeightGradients(r0, rows, batch, time, features, units, w, x, kernel, h, dz, dz, dx, kernelGrad, recurrentKernelGrad);
}

/**
 * One step of the standard cell backwards for `rows` sequences, with σ′ = σ(1 − σ) and
 * tanh′ = 1 − tanh² from the kept values: through h_t = o ⊙ tanh(c_t) and
 * c_t = f ⊙ c_{t−1} + i ⊙ c̃. dc leaves holding ∂L/∂c_{t−1} and dh zero (∂h_{t−1} is added
 * after); db accumulates ∂L/∂z. A row masked in `maskRow` (see maskAt) gets dz = 0 and keeps
 * its dh and dc.
 */
function lstmCellBackward(
  rows: i32,
  units: i32,
  gates: usize,
  cPrevious: usize,
  activation: usize,
  dh: usize,
  dc: usize,
  dz: usize,
  db: usize,
  maskRow: usize,
): void {
  const rowBytes = <usize>units << 2;
  const one = f32x4.splat(1);
  for (let r = 0; r < rows; r++) {
    const z = gates + <usize>r * 4 * rowBytes;
    const d = dz + <usize>r * 4 * rowBytes;
    const s = <usize>r * rowBytes;
    if (!counts(maskRow, r)) {
      memory.fill(d, 0, 4 * rowBytes);
      continue;
    }
    let k = 0;
    for (; k + 4 <= units; k += 4) {
      const o = <usize>k << 2;
      const i = v128.load(z + o);
      const f = v128.load(z + rowBytes + o);
      const g = v128.load(z + 2 * rowBytes + o);
      const og = v128.load(z + 3 * rowBytes + o);
      const a = v128.load(activation + s + o);
      const dht = v128.load(dh + s + o);
      const dct = f32x4.add(v128.load(dc + s + o), f32x4.mul(f32x4.mul(dht, og), f32x4.sub(one, f32x4.mul(a, a))));
      const dzi = f32x4.mul(f32x4.mul(dct, g), f32x4.mul(i, f32x4.sub(one, i)));
      const dzf = f32x4.mul(f32x4.mul(dct, v128.load(cPrevious + s + o)), f32x4.mul(f, f32x4.sub(one, f)));
      const dzc = f32x4.mul(f32x4.mul(dct, i), f32x4.sub(one, f32x4.mul(g, g)));
      const dzo = f32x4.mul(f32x4.mul(dht, a), f32x4.mul(og, f32x4.sub(one, og)));
      v128.store(d + o, dzi);
      v128.store(d + rowBytes + o, dzf);
      v128.store(d + 2 * rowBytes + o, dzc);
      v128.store(d + 3 * rowBytes + o, dzo);
      v128.store(dc + s + o, f32x4.mul(dct, f));
      v128.store(dh + s + o, f32x4.splat(0));
    }
    for (; k < units; k++) {
      const o = <usize>k << 2;
      const i = load<f32>(z + o);
      const f = load<f32>(z + rowBytes + o);
      const g = load<f32>(z + 2 * rowBytes + o);
      const og = load<f32>(z + 3 * rowBytes + o);
      const a = load<f32>(activation + s + o);
      const dht = load<f32>(dh + s + o);
      const dct = load<f32>(dc + s + o) + dht * og * (<f32>1 - a * a);
      const dzi = dct * g * (i * (<f32>1 - i));
      const dzf = dct * load<f32>(cPrevious + s + o) * (f * (<f32>1 - f));
      const dzc = dct * i * (<f32>1 - g * g);
      const dzo = dht * a * (og * (<f32>1 - og));
      store<f32>(d + o, dzi);
      store<f32>(d + rowBytes + o, dzf);
      store<f32>(d + 2 * rowBytes + o, dzc);
      store<f32>(d + 3 * rowBytes + o, dzo);
      store<f32>(dc + s + o, dct * f);
      store<f32>(dh + s + o, 0);
    }
    addF32(db, d, 4 * units); // ∂b += the row's ∂z
  }
}
