// The fully recurrent cell, Keras' SimpleRNNCell (Elman, 1990): W [features, u], U [u, u],
// b [u], and per step, for each sequence of the batch:
//
//   z_t = x_t·W + h_{t−1}·U + b                                         (1)
//   h_t = activation(z_t)                                               (2)
//
// With tanh and a learnable h_0 (RNN's learnableInitialState) it is the state update of
// experiment 4, S_k = tanh(Z_k + S_{k−1}·W + b). State [h]; nothing else is kept: the
// derivative of (2) comes from h_t itself. While training with dropout, (1) reads masked
// copies: z_t = (x_t ⊙ m)·W + (h_{t−1} ⊙ n)·U + b (see gated-cell.ts).
import type { BackwardSteps, CellVector, ForwardSteps, RecurrentCell } from '../cell.js';
import { addBiasRows, addColumnSums, checkOptionKeys } from '../common.js';
import { type BaseCellConfig, type CellOptions, CELL_OPTION_KEYS, GatedCell } from './gated-cell.js';

/** Options of {@link simpleRNNCell}. */
export type SimpleRNNCellOptions = CellOptions;

/** The configuration of a {@link SimpleRNNCell}. */
export type SimpleRNNCellConfig = BaseCellConfig;

/** The SimpleRNN cell (see the equations above); `api` names the caller in errors. */
export class SimpleRNNCell extends GatedCell implements RecurrentCell {
  readonly kind = 'simple-rnn';
  readonly states: readonly CellVector[];
  readonly kept: readonly CellVector[] = [];
  readonly gradients: readonly CellVector[];

  constructor(options: SimpleRNNCellOptions, api = 'SimpleRNNCell') {
    checkOptionKeys(api, options, CELL_OPTION_KEYS);
    super(api, options, 1);
    this.states = [{ name: 'h', size: this.units }];
    this.gradients = [{ name: 'dz', size: this.units }];
  }

  /** x_t·W + b of every step at once, written straight into slots 1 … T of h (step t adds the rest). */
  beforeForward(s: ForwardSteps): void {
    const u = this.units, rows = s.time * s.batch, h = s.states[0]!;
    this.inputProduct(rows, s.batch, s.x, 0, h, s.batch * u);
    if (this.bias !== null) addBiasRows(h, s.batch * u, rows, u, this.bias.value.data, 0);
  }

  step(s: ForwardSteps): void {
    const u = this.units, batch = s.batch, h = s.states[0]!;
    const prev = s.t * batch * u, next = prev + batch * u;
    // (1): h_t's slot already holds x_t·W + b; add h_{t−1}·U. Then (2) in place.
    this.recurrentProduct(batch, h, prev, 1, h, next);
    for (let b = 0; b < batch; b++) this.activation.forward(h, next + b * u, h, next + b * u, u);
  }

  /** ∂z_t = ∂h_t ⊙ activation′ (from h_t), then ∂h_{t−1} = ∂z_t·Uᵀ. */
  backStep(s: BackwardSteps): void {
    const u = this.units, batch = s.batch, h = s.states[0]!, dh = s.dStates[0]!, dz = s.gradients[0]!;
    const at = s.t * batch * u; // step t's rows in dz (and h_{t−1}'s in h)
    dz.set(dh, at);
    for (let b = 0; b < batch; b++) this.activation.backward(h, at + batch * u + b * u, dz, at + b * u, u);
    this.recurrentGradient(batch, dz, at, 0, dh);
  }

  /** Through (1), all steps at once: ∂W += Xᵀ·∂Z, ∂U += H_{0…T−1}ᵀ·∂Z, ∂b += Σ ∂Z, ∂X = ∂Z·Wᵀ. */
  afterBackward(s: BackwardSteps): void {
    const u = this.units, rows = s.time * s.batch, dz = s.gradients[0]!;
    this.kernelGradient(rows, s.batch, s.x, dz);
    this.recurrentKernelGradient(rows, s.batch, s.states[0]!, dz);
    if (this.bias !== null) addColumnSums(dz, 0, rows, u, this.bias.grad.data, 0);
    this.inputGradient(rows, s.batch, dz, s.dx);
  }

  getConfig(): SimpleRNNCellConfig {
    return this.baseConfig();
  }
}
