// The GRU cell: read this to understand a GRU. Cho et al. (2014), in Keras' layout: W
// [features, 3u], U [u, 3u], gate blocks z (update), r (reset), h̃ (candidate). Keras 2's
// default form, resetAfter (cuDNN's), with bias [2, 3u] (input row b, recurrent row b′):
//
//   x̂ = x_t·W + b,  a = h_{t−1}·U + b′, each split into z, r, h̃ blocks    (1)
//   z = σ(x̂_z + a_z)   r = σ(x̂_r + a_r)                                    (2)
//   h̃ = tanh(x̂_h + r ⊙ a_h)                                                (3)
//   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃                                       (4)
//
// State [h]; kept per step: the gates [z | r | h̃] (activated) and a — the layouts of the
// WebAssembly pass. The other form (resetAfter false: Keras 1, TF.js) applies r before the
// product, h̃ = tanh(x̂_h + (r ⊙ h_{t−1})·U_h); it lives in gru-reset-before.ts. While training
// with dropout, (1) reads each gate's masked inputs (Keras 2, implementation 1): x̂_z =
// (x_t ⊙ m_z)·W_z + b_z, a_z = (h_{t−1} ⊙ n_z)·U_z + b′_z, and so for r, h̃ (see gated-cell.ts).
import type { Shape } from '@rnnkit/tensor';
import { type Activation, getActivation } from '../activations.js';
import type { BackwardSteps, CellVector, ForwardSteps, RecurrentCell } from '../cell.js';
import { addBiasRows, addColumnSums, booleanOption, checkOptionKeys } from '../common.js';
import { GatedCell } from './gated-cell.js';
import { type GRUCellConfig, type GRUCellOptions, GRU_CELL_OPTION_KEYS } from './gru-cell-options.js';
import { GRU_PARTS, resetBefore } from './gru-reset-before.js';

export type { GRUCellConfig, GRUCellOptions } from './gru-cell-options.js';

/** The GRU cell (see the equations above); `api` names the caller in errors. */
export class GRUCell extends GatedCell implements RecurrentCell {
  readonly kind = 'gru';
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;
  readonly states: readonly CellVector[];
  readonly kept: readonly CellVector[];
  readonly gradients: readonly CellVector[];

  constructor(options: GRUCellOptions, api = 'GRUCell') {
    checkOptionKeys(api, options, GRU_CELL_OPTION_KEYS);
    super(api, options, 3);
    this.recurrentActivation = getActivation(options.recurrentActivation ?? 'sigmoid', api, 'recurrentActivation');
    this.resetAfter = booleanOption(api, 'resetAfter', options.resetAfter, true);
    const u = this.units;
    this.states = [{ name: 'h', size: u }];
    const gates = { size: 3 * u, parts: GRU_PARTS };
    this.kept = this.resetAfter ? [{ name: 'gates', ...gates }, { name: 'recurrent', ...gates }] : resetBefore.kept(u);
    this.gradients = this.resetAfter ? [{ name: 'dz', ...gates }, { name: 'dRecurrent', ...gates }] : resetBefore.gradients(u);
  }

  protected override biasShape(): Shape {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  /** (1), input side, for every step at once: x̂ = X·W + b into the gates buffer. */
  beforeForward(s: ForwardSteps): void {
    const rows = s.time * s.batch, width = 3 * this.units, gates = s.kept[0]!;
    this.inputProduct(rows, s.batch, s.x, 0, gates, 0);
    if (this.bias !== null) addBiasRows(gates, 0, rows, width, this.bias.value.data, 0);
    if (!this.resetAfter) resetBefore.beforeForward(this);
  }

  step(s: ForwardSteps): void {
    if (!this.resetAfter) return resetBefore.step(this, s);
    const u = this.units, width = 3 * u, batch = s.batch, t = s.t;
    const h = s.states[0]!, gates = s.kept[0]!, recurrent = s.kept[1]!;
    const gate = this.recurrentActivation, act = this.activation;
    const zt = t * batch * width; // step t's rows of gates and a
    // (1), recurrent side: a = h_{t−1}·U + b′, kept.
    this.recurrentProduct(batch, h, t * batch * u, 0, recurrent, zt);
    if (this.bias !== null) addBiasRows(recurrent, zt, batch, width, this.bias.value.data, width);
    for (let b = 0; b < batch; b++) {
      const row = zt + b * width, prev = (t * batch + b) * u, next = prev + batch * u;
      for (let k = 0; k < 2 * u; k++) gates[row + k]! += recurrent[row + k]!;
      gate.forward(gates, row, gates, row, 2 * u); // (2) z, r
      for (let k = 0; k < u; k++) {
        const r = gates[row + u + k]!, aH = recurrent[row + 2 * u + k]!;
        gates[row + 2 * u + k]! += r * aH; // (3), before tanh
      }
      act.forward(gates, row + 2 * u, gates, row + 2 * u, u); // (3) h̃
      for (let k = 0; k < u; k++) {
        const z = gates[row + k]!, hTilde = gates[row + 2 * u + k]!, hPrev = h[prev + k]!;
        h[next + k] = z * hPrev + (1 - z) * hTilde; // (4)
      }
    }
  }

  /** (4), (3), (2) backwards, then ∂h_{t−1} += ∂a·Uᵀ. */
  backStep(s: BackwardSteps): void {
    if (!this.resetAfter) return resetBefore.backStep(this, s);
    const u = this.units, width = 3 * u, batch = s.batch, t = s.t;
    const h = s.states[0]!, gates = s.kept[0]!, recurrent = s.kept[1]!;
    const dh = s.dStates[0]!, dz = s.gradients[0]!, dRecurrent = s.gradients[1]!;
    const gate = this.recurrentActivation, act = this.activation;
    const zt = t * batch * width;
    for (let b = 0; b < batch; b++) {
      const row = zt + b * width, prev = (t * batch + b) * u, at = b * u;
      // Through (4): ∂z = dh ⊙ (h_{t−1} − h̃), ∂h̃ = dh ⊙ (1 − z), ∂h_{t−1} = dh ⊙ z (+ the product below).
      for (let k = 0; k < u; k++) {
        const z = gates[row + k]!, hTilde = gates[row + 2 * u + k]!, hPrev = h[prev + k]!, dhNext = dh[at + k]!;
        dz[row + k] = dhNext * (hPrev - hTilde);
        dz[row + 2 * u + k] = dhNext * (1 - z);
        dh[at + k] = dhNext * z;
      }
      gate.backward(gates, row, dz, row, u); // through (2): z's pre-activation
      act.backward(gates, row + 2 * u, dz, row + 2 * u, u); // through (3): h̃'s
      // Through (3): ∂r = ∂h̃_pre ⊙ a_h, ∂a_h = ∂h̃_pre ⊙ r.
      for (let k = 0; k < u; k++) {
        const dhTildePre = dz[row + 2 * u + k]!, aH = recurrent[row + 2 * u + k]!, r = gates[row + u + k]!;
        dz[row + u + k] = dhTildePre * aH;
        dRecurrent[row + 2 * u + k] = dhTildePre * r;
      }
      gate.backward(gates, row + u, dz, row + u, u); // through (2): r's pre-activation
      for (let k = 0; k < 2 * u; k++) dRecurrent[row + k] = dz[row + k]!; // ∂a_z, ∂a_r
    }
    this.recurrentGradient(batch, dRecurrent, zt, 1, dh); // through (1)
  }

  /** Through (1), all steps at once: ∂W += Xᵀ·∂X̂, ∂b += Σ ∂X̂, ∂X = ∂X̂·Wᵀ, ∂U += H_{0…T−1}ᵀ·∂A, ∂b′ += Σ ∂A. */
  afterBackward(s: BackwardSteps): void {
    const rows = s.time * s.batch, width = 3 * this.units, dz = s.gradients[0]!, bias = this.bias;
    this.kernelGradient(rows, s.batch, s.x, dz);
    if (bias !== null) addColumnSums(dz, 0, rows, width, bias.grad.data, 0);
    this.inputGradient(rows, s.batch, dz, s.dx);
    if (!this.resetAfter) return resetBefore.afterBackward(this, s);
    const dRecurrent = s.gradients[1]!;
    this.recurrentKernelGradient(rows, s.batch, s.states[0]!, dRecurrent);
    if (bias !== null) addColumnSums(dRecurrent, 0, rows, width, bias.grad.data, width);
  }

  getConfig(): GRUCellConfig {
    return { ...this.baseConfig(), recurrentActivation: this.recurrentActivation.name, resetAfter: this.resetAfter };
  }
}
