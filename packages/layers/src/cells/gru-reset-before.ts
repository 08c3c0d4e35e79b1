// The GRU of Keras 1 and TF.js (resetAfter: false): the reset gate applies to h_{t−1} before
// the recurrent product. Bias b [3u]; with U's column blocks U_zr [u, 2u] and U_h [u, u]:
//
//   x̂ = x_t·W + b, split into z, r, h̃ blocks                              (1)
//   z = σ(x̂_z + h_{t−1}·U_z)   r = σ(x̂_r + h_{t−1}·U_r)                    (2)
//   h̃ = tanh(x̂_h + (r ⊙ h_{t−1})·U_h)                                      (3)
//   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃                                       (4)
//
// Kept per step: the gates [z | r | h̃] and r ⊙ h_{t−1}. Used by GRUCell (gru-cell.ts). With
// recurrent dropout (training), h_{t−1} becomes h_{t−1} ⊙ n_z, ⊙ n_r and ⊙ n_h in (2) and (3):
// the kept r ⊙ h_{t−1} is then r ⊙ h_{t−1} ⊙ n_h.
import { type TypedArray, gemm } from '@rnnkit/tensor';
import type { BackwardSteps, CellVector, ForwardSteps } from '../cell.js';
import type { GateProduct } from './cell-dropout.js';
import type { GRUCell } from './gru-cell.js';

// The cell's scratch slots: U's column blocks as contiguous matrices (the products need
// them so), the step's product rows, and the recurrent kernel's gradient blocks.
/** The GRU's gate blocks, in Keras' order: update, reset, candidate (h̃). */
export const GRU_PARTS: readonly string[] = ['z', 'r', 'h'];

const U_ZR = 0, U_H = 1, PRODUCT_ZR = 2, PRODUCT_H = 3, DU_ZR = 4, DU_H = 5;

/** Copies U's z|r and h̃ column blocks into the cell's scratch (from the current weights). */
function splitRecurrentKernel(cell: GRUCell): void {
  const u = cell.units, U = cell.recurrentKernelParam.value.data;
  const zr = cell.scratch(U_ZR, u * 2 * u), hBlock = cell.scratch(U_H, u * u);
  for (let i = 0; i < u; i++) {
    for (let k = 0; k < 2 * u; k++) zr[i * 2 * u + k] = U[i * 3 * u + k]!;
    for (let k = 0; k < u; k++) hBlock[i * u + k] = U[i * 3 * u + 2 * u + k]!;
  }
}

/** The recurrent masks of the z and r gates as a product over U_zr's two blocks (null: no recurrent dropout). */
function zrMasks(cell: GRUCell, rows: number, batch: number): GateProduct | null {
  const masks = cell.dropoutMasks?.recurrent ?? null;
  return masks === null ? null : { rows, batch, n: cell.units, u: cell.units, gates: 2, masks, first: 0 };
}

/** The recurrent dropout mask n_h of sequence b at unit k (1 without recurrent dropout). */
function candidateMask(masks: TypedArray | null, batch: number, u: number, b: number, k: number): number {
  return masks === null ? 1 : masks[(2 * batch + b) * u + k]!;
}

export const resetBefore = {
  kept: (u: number): CellVector[] => [{ name: 'gates', size: 3 * u, parts: GRU_PARTS }, { name: 'resetHidden', size: u }],
  /** ∂X̂ [z | r | h̃], ∂(h·U_zr), ∂(r ⊙ h)·U_h's input ∂h̃_pre, and ∂(r ⊙ h_{t−1}). */
  gradients: (u: number): CellVector[] => [
    { name: 'dz', size: 3 * u, parts: GRU_PARTS },
    { name: 'dRecurrentZR', size: 2 * u, parts: ['z', 'r'] },
    { name: 'dRecurrentH', size: u },
    { name: 'dResetHidden', size: u },
  ],

  beforeForward(cell: GRUCell): void {
    splitRecurrentKernel(cell);
  },

  step(cell: GRUCell, s: ForwardSteps): void {
    const u = cell.units, width = 3 * u, batch = s.batch, t = s.t;
    const h = s.states[0]!, gates = s.kept[0]!, resetHidden = s.kept[1]!;
    const gate = cell.recurrentActivation, act = cell.activation;
    const hAt = t * batch * u; // h_{t−1}'s rows, and step t's in resetHidden
    const zr = cell.scratch(PRODUCT_ZR, batch * 2 * u), hProduct = cell.scratch(PRODUCT_H, batch * u);
    const masked = zrMasks(cell, batch, batch), dropH = cell.dropoutMasks?.recurrent ?? null;
    if (masked === null) gemm(false, false, batch, 2 * u, u, h, hAt, cell.scratch(U_ZR, u * 2 * u), 0, 0, zr, 0); // h_{t−1}·U_zr
    else cell.gateProducts.forward(masked, h, hAt, cell.scratch(U_ZR, u * 2 * u), 0, zr, 0); // (h_{t−1} ⊙ n_z)·U_z, (h_{t−1} ⊙ n_r)·U_r
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * width, prev = hAt + b * u;
      for (let k = 0; k < 2 * u; k++) gates[row + k]! += zr[b * 2 * u + k]!;
      gate.forward(gates, row, gates, row, 2 * u); // (2) z, r
      for (let k = 0; k < u; k++) {
        const r = gates[row + u + k]!, hPrev = h[prev + k]! * candidateMask(dropH, batch, u, b, k);
        resetHidden[prev + k] = r * hPrev;
      }
    }
    gemm(false, false, batch, u, u, resetHidden, hAt, cell.scratch(U_H, u * u), 0, 0, hProduct, 0); // (r ⊙ h_{t−1})·U_h
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * width, prev = hAt + b * u, next = prev + batch * u;
      for (let k = 0; k < u; k++) gates[row + 2 * u + k]! += hProduct[b * u + k]!;
      act.forward(gates, row + 2 * u, gates, row + 2 * u, u); // (3) h̃
      for (let k = 0; k < u; k++) {
        const z = gates[row + k]!, hTilde = gates[row + 2 * u + k]!, hPrev = h[prev + k]!;
        h[next + k] = z * hPrev + (1 - z) * hTilde; // (4)
      }
    }
  },

  backStep(cell: GRUCell, s: BackwardSteps): void {
    const u = cell.units, width = 3 * u, batch = s.batch, t = s.t;
    const h = s.states[0]!, gates = s.kept[0]!, dh = s.dStates[0]!;
    const dz = s.gradients[0]!, dRecurrentZR = s.gradients[1]!, dRecurrentH = s.gradients[2]!, dResetHidden = s.gradients[3]!;
    const gate = cell.recurrentActivation, act = cell.activation;
    if (t === s.time - 1) splitRecurrentKernel(cell); // the products below use the current weights
    const hAt = t * batch * u;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * width, prev = hAt + b * u, at = b * u;
      // Through (4): ∂z = dh ⊙ (h_{t−1} − h̃), ∂h̃ = dh ⊙ (1 − z), ∂h_{t−1} = dh ⊙ z (+ the rest below).
      for (let k = 0; k < u; k++) {
        const z = gates[row + k]!, hTilde = gates[row + 2 * u + k]!, hPrev = h[prev + k]!, dhNext = dh[at + k]!;
        dz[row + k] = dhNext * (hPrev - hTilde);
        dz[row + 2 * u + k] = dhNext * (1 - z);
        dh[at + k] = dhNext * z;
      }
      gate.backward(gates, row, dz, row, u);
      act.backward(gates, row + 2 * u, dz, row + 2 * u, u);
      for (let k = 0; k < u; k++) dRecurrentH[prev + k] = dz[row + 2 * u + k]!;
    }
    // Through (3): ∂(r ⊙ h_{t−1}) = ∂h̃_pre·U_hᵀ, then ∂r = that ⊙ h_{t−1}, ∂h_{t−1} += that ⊙ r (each ⊙ n_h with dropout).
    gemm(false, true, batch, u, u, dRecurrentH, hAt, cell.scratch(U_H, u * u), 0, 0, dResetHidden, hAt);
    const dropH = cell.dropoutMasks?.recurrent ?? null;
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * width, prev = hAt + b * u, at = b * u;
      for (let k = 0; k < u; k++) {
        const n = candidateMask(dropH, batch, u, b, k);
        const dReset = dResetHidden[prev + k]!, hPrev = h[prev + k]! * n, r = gates[row + u + k]!;
        dz[row + u + k] = dReset * hPrev;
        dh[at + k]! += dReset * r * n;
      }
      gate.backward(gates, row + u, dz, row + u, u);
      for (let k = 0; k < 2 * u; k++) dRecurrentZR[(t * batch + b) * 2 * u + k] = dz[row + k]!;
    }
    // Through (2): ∂h_{t−1} += ∂(h·U_zr)·U_zrᵀ (per gate, ⊙ n_z and n_r, with dropout).
    const masked = zrMasks(cell, batch, batch), Uzr = cell.scratch(U_ZR, u * 2 * u);
    if (masked === null) gemm(false, true, batch, u, 2 * u, dRecurrentZR, t * batch * 2 * u, Uzr, 0, 1, dh, 0);
    else cell.gateProducts.backward(masked, dRecurrentZR, t * batch * 2 * u, Uzr, 1, dh, 0);
  },

  /** ∂U_zr = H_{0…T−1}ᵀ·∂(H·U_zr) (per gate, masked, with dropout) and ∂U_h = (R ⊙ H)ᵀ·∂h̃_pre, added into U's column blocks. */
  afterBackward(cell: GRUCell, s: BackwardSteps): void {
    const u = cell.units, rows = s.time * s.batch;
    const dUzr = cell.scratch(DU_ZR, u * 2 * u), dUh = cell.scratch(DU_H, u * u), masked = zrMasks(cell, rows, s.batch);
    if (masked === null) gemm(true, false, u, 2 * u, rows, s.states[0]!, 0, s.gradients[1]!, 0, 0, dUzr, 0);
    else cell.gateProducts.weightGradient(masked, s.states[0]!, 0, s.gradients[1]!, 0, dUzr.fill(0, 0, u * 2 * u));
    gemm(true, false, u, u, rows, s.kept[1]!, 0, s.gradients[2]!, 0, 0, dUh, 0);
    const grad = cell.recurrentKernelParam.grad.data;
    for (let i = 0; i < u; i++) {
      for (let k = 0; k < 2 * u; k++) grad[i * 3 * u + k]! += dUzr[i * 2 * u + k]!;
      for (let k = 0; k < u; k++) grad[i * 3 * u + 2 * u + k]! += dUh[i * u + k]!;
    }
  },
};
