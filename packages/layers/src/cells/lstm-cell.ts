// The LSTM cell: read this to understand an LSTM. Hochreiter & Schmidhuber (1997), with the
// forget gate of Gers et al. (2000), in Keras' layout: W [features, 4u], U [u, 4u], b [4u],
// gate blocks in the order i, f, g (= c̃), o. Per step, for each sequence of the batch:
//
//   z = x_t·W + h_{t−1}·U + b, split into z_i, z_f, z_g, z_o            (1)
//   i = σ(z_i)   f = σ(z_f)   g = tanh(z_g)   o = σ(z_o)                 (2)
//   c_t = f ⊙ c_{t−1} + i ⊙ g                                           (3)
//   h_t = o ⊙ tanh(c_t)      (cellOutput 'none': h_t = o ⊙ c_t)          (4)
//
// σ is `recurrentActivation`, tanh is `activation`; backStep writes their derivatives out (for
// other activations, and for 'none', it calls lstm-any-activation.ts). States [h, c]; kept per
// step: the gates [i | f | g | o] (activated) and tanh(c_t), as in the WebAssembly pass.
// While training with dropout, (1) reads each gate's masked inputs (Keras 2, implementation 1):
// z_i = (x_t ⊙ m_i)·W_i + (h_{t−1} ⊙ n_i)·U_i + b_i, and so for f, g, o (see gated-cell.ts).
import type { TypedArray } from '@rnnkit/tensor';
import { type Activation, activations, getActivation } from '../activations.js';
import type { BackwardSteps, CellVector, ForwardSteps, RecurrentCell } from '../cell.js';
import { addColumnSums, booleanOption, checkOptionKeys, oneOf } from '../common.js';
import { GatedCell } from './gated-cell.js';
import { lstmGateGradients } from './lstm-any-activation.js';
import { type CellOutput, type LSTMCellConfig, type LSTMCellOptions, LSTM_CELL_OPTION_KEYS } from './lstm-cell-options.js';

export type { CellOutput, LSTMCellConfig, LSTMCellOptions } from './lstm-cell-options.js';

/** The LSTM cell (see the equations above); `api` names the caller in errors. */
export class LSTMCell extends GatedCell implements RecurrentCell {
  readonly kind = 'lstm';
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;
  readonly cellOutput: CellOutput;
  readonly states: readonly CellVector[];
  readonly kept: readonly CellVector[];
  readonly gradients: readonly CellVector[];
  readonly #standard: boolean; // σ gates, tanh and (4) with tanh

  constructor(options: LSTMCellOptions, api = 'LSTMCell') {
    checkOptionKeys(api, options, LSTM_CELL_OPTION_KEYS);
    super(api, options, 4);
    this.recurrentActivation = getActivation(options.recurrentActivation ?? 'sigmoid', api, 'recurrentActivation');
    this.unitForgetBias = booleanOption(api, 'unitForgetBias', options.unitForgetBias, true);
    this.cellOutput = oneOf<CellOutput>(api, 'cellOutput', options.cellOutput, ['activation', 'none'], 'activation');
    const u = this.units;
    this.states = [{ name: 'h', size: u }, { name: 'c', size: u }];
    const gates = ['i', 'f', 'g', 'o'];
    this.kept = [{ name: 'gates', size: 4 * u, parts: gates }, { name: 'cellActivation', size: this.cellOutput === 'activation' ? u : 0 }];
    this.gradients = [{ name: 'dz', size: 4 * u, parts: gates }];
    this.#standard = this.recurrentActivation === activations.sigmoid && this.activation === activations.tanh && this.cellOutput === 'activation';
  }

  protected override adjustInitialBias(bias: TypedArray): void {
    if (this.unitForgetBias) bias.fill(1, this.units, 2 * this.units);
  }

  /** x_t·W of every step at once (one product over all T·batch rows) into the gates buffer. */
  beforeForward(s: ForwardSteps): void {
    this.inputProduct(s.time * s.batch, s.batch, s.x, 0, s.kept[0]!, 0);
  }

  step(s: ForwardSteps): void {
    const u = this.units, width = 4 * u, batch = s.batch, t = s.t;
    const h = s.states[0]!, c = s.states[1]!, gates = s.kept[0]!, cellActivation = s.kept[1]!;
    const act = this.activation, gate = this.recurrentActivation, squash = this.cellOutput === 'activation';
    const bias = this.bias === null ? null : this.bias.value.data;
    // h_{t−1}·U for the batch, in its own buffer: a backend never has to read the gates back in.
    const recurrent = this.scratch(0, batch * width);
    this.recurrentProduct(batch, h, t * batch * u, 0, recurrent, 0);
    for (let b = 0; b < batch; b++) {
      const row = (t * batch + b) * width; // this sequence's [i | f | g | o]
      const prev = (t * batch + b) * u; // its c_{t−1} and h_{t−1}; also its tanh(c_t) slot
      const next = prev + batch * u; // its c_t and h_t
      // (1) z = x_t·W + h_{t−1}·U + b, then (2): the activations, in place.
      if (bias === null) for (let k = 0; k < width; k++) gates[row + k]! += recurrent[b * width + k]!;
      else for (let k = 0; k < width; k++) gates[row + k]! += recurrent[b * width + k]! + bias[k]!;
      gate.forward(gates, row, gates, row, 2 * u); // i, f
      act.forward(gates, row + 2 * u, gates, row + 2 * u, u); // g
      gate.forward(gates, row + 3 * u, gates, row + 3 * u, u); // o
      for (let k = 0; k < u; k++) {
        const i = gates[row + k]!, f = gates[row + u + k]!, g = gates[row + 2 * u + k]!, cPrev = c[prev + k]!;
        c[next + k] = f * cPrev + i * g; // (3)
      }
      if (squash) act.forward(c, next, cellActivation, prev, u); // tanh(c_t), kept
      for (let k = 0; k < u; k++) {
        const o = gates[row + 3 * u + k]!, cOut = squash ? cellActivation[prev + k]! : c[next + k]!;
        h[next + k] = o * cOut; // (4)
      }
    }
  }

  /** Backpropagation through step t: (4), (3), (2) backwards, then ∂h_{t−1} = ∂z·Uᵀ. */
  backStep(s: BackwardSteps): void {
    const u = this.units, width = 4 * u, batch = s.batch, t = s.t;
    const dh = s.dStates[0]!, dz = s.gradients[0]!;
    if (!this.#standard) lstmGateGradients(this, s); // other activations, or (4) without tanh
    else {
      const c = s.states[1]!, gates = s.kept[0]!, cellActivation = s.kept[1]!, dc = s.dStates[1]!;
      const db = this.bias === null ? null : this.bias.grad.data; // summed below while ∂z is at hand
      for (let b = 0; b < batch; b++) {
        const row = (t * batch + b) * width, prev = (t * batch + b) * u, at = b * u;
        for (let k = 0; k < u; k++) {
          const i = gates[row + k]!, f = gates[row + u + k]!, g = gates[row + 2 * u + k]!, o = gates[row + 3 * u + k]!;
          const a = cellActivation[prev + k]!, cPrev = c[prev + k]!, dhNext = dh[at + k]!;
          const dcNext = dc[at + k]! + dhNext * o * (1 - a * a); // through (4): tanh′ = 1 − tanh²
          const dzi = dcNext * g * (i * (1 - i)); // through (3) and (2): σ′ = σ(1 − σ)
          const dzf = dcNext * cPrev * (f * (1 - f));
          const dzg = dcNext * i * (1 - g * g);
          const dzo = dhNext * a * (o * (1 - o));
          dz[row + k] = dzi; dz[row + u + k] = dzf; dz[row + 2 * u + k] = dzg; dz[row + 3 * u + k] = dzo;
          dc[at + k] = dcNext * f; // ∂c_{t−1}
          if (db !== null) { db[k]! += dzi; db[u + k]! += dzf; db[2 * u + k]! += dzg; db[3 * u + k]! += dzo; }
        }
      }
    }
    // Through (1): ∂h_{t−1} = ∂z_t·Uᵀ.
    this.recurrentGradient(batch, dz, t * batch * width, 0, dh);
  }

  /** Through (1), all steps at once: ∂W += Xᵀ·∂Z, ∂U += H_{0…T−1}ᵀ·∂Z, ∂b += Σ ∂Z, ∂X = ∂Z·Wᵀ. */
  afterBackward(s: BackwardSteps): void {
    const rows = s.time * s.batch, width = 4 * this.units, dz = s.gradients[0]!;
    this.kernelGradient(rows, s.batch, s.x, dz);
    this.recurrentKernelGradient(rows, s.batch, s.states[0]!, dz);
    if (this.bias !== null && !this.#standard) addColumnSums(dz, 0, rows, width, this.bias.grad.data, 0);
    this.inputGradient(rows, s.batch, dz, s.dx);
  }

  getConfig(): LSTMCellConfig {
    return { ...this.baseConfig(), recurrentActivation: this.recurrentActivation.name, unitForgetBias: this.unitForgetBias, cellOutput: this.cellOutput };
  }
}
