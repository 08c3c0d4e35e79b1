// LSTM with peephole connections (Gers & Schmidhuber 2000, "Recurrent nets that time and
// count"): the gates also look at the cell state. Keras' layout, gates i, f, g (= c̃), o:
//
//   z = x_t·W + h_{t−1}·U + b
//   i = σ(z_i + p_i ⊙ c_{t−1})   f = σ(z_f + p_f ⊙ c_{t−1})   g = tanh(z_g)
//   c_t = f ⊙ c_{t−1} + i ⊙ g
//   o = σ(z_o + p_o ⊙ c_t)       h_t = o ⊙ tanh(c_t)
//
// Parameters: kernel W [features, 4u], recurrentKernel U [u, 4u], bias b [4u], and
// peephole [3, u] whose rows are p_i, p_f, p_o.
import { defineCell } from '@rnnkit/layers';
import { type TypedArray, gemm } from '@rnnkit/tensor';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

export const peepholeLSTM = defineCell({
  name: 'PeepholeLSTMCell',
  kind: 'peephole-lstm',
  defaults: { unitForgetBias: true },
  states: (u) => [{ name: 'h', size: u }, { name: 'c', size: u }],
  kept: (u) => [{ name: 'gates', size: 4 * u }, { name: 'cellActivation', size: u }],
  gradients: (u) => [{ name: 'dz', size: 4 * u }],
  params: {
    kernel: { shape: (f, u) => [f, 4 * u], initializer: 'glorotUniform' },
    recurrentKernel: { shape: (_f, u) => [u, 4 * u], initializer: 'orthogonal' },
    bias: { shape: (_f, u) => [4 * u], initializer: 'zeros' },
    peephole: { shape: (_f, u) => [3, u], initializer: 'glorotUniform' },
  },
  initialize: (cell) => cell.options.unitForgetBias && cell.w.bias.fill(1, cell.units, 2 * cell.units),
  // x_t·W of every step in one product, into the gates buffer.
  beforeForward: (s, { units: u, w }) => gemm(false, false, s.time * s.batch, 4 * u, s.features, s.x, 0, w.kernel, 0, 0, s.kept[0]!, 0),
  step(s, { units: u, w }) {
    const { batch, t } = s;
    const [h, c] = s.states as [TypedArray, TypedArray];
    const [gates, cellActivation] = s.kept as [TypedArray, TypedArray];
    gemm(false, false, batch, 4 * u, u, h, t * batch * u, w.recurrentKernel, 0, 1, gates, t * batch * 4 * u);
    for (let r = 0, row = t * batch; r < batch; r++, row++) {
      const z = row * 4 * u, prev = row * u, next = (row + batch) * u;
      for (let k = 0; k < u; k++) {
        const cPrev = c[prev + k]!;
        const i = sigmoid(gates[z + k]! + w.bias[k]! + w.peephole[k]! * cPrev);
        const f = sigmoid(gates[z + u + k]! + w.bias[u + k]! + w.peephole[u + k]! * cPrev);
        const g = Math.tanh(gates[z + 2 * u + k]! + w.bias[2 * u + k]!);
        const cNext = f * cPrev + i * g;
        const o = sigmoid(gates[z + 3 * u + k]! + w.bias[3 * u + k]! + w.peephole[2 * u + k]! * cNext);
        const tc = Math.tanh(cNext);
        [gates[z + k], gates[z + u + k], gates[z + 2 * u + k], gates[z + 3 * u + k]] = [i, f, g, o];
        c[next + k] = cNext;
        cellActivation[prev + k] = tc;
        h[next + k] = o * tc;
      }
    }
  },
  // dStates hold ∂L/∂h_t, ∂L/∂c_t; leaves ∂L/∂h_{t−1}, ∂L/∂c_{t−1} and this step's ∂z.
  backStep(s, { units: u, w, g: grads }) {
    const { batch, t } = s;
    const c = s.states[1]!;
    const [gates, cellActivation] = s.kept as [TypedArray, TypedArray];
    const [dh, dc] = s.dStates as [TypedArray, TypedArray];
    const dz = s.gradients[0]!;
    for (let r = 0, row = t * batch; r < batch; r++, row++) {
      const z = row * 4 * u, at = r * u;
      for (let k = 0; k < u; k++) {
        const [i, f, g, o] = [gates[z + k]!, gates[z + u + k]!, gates[z + 2 * u + k]!, gates[z + 3 * u + k]!];
        const tc = cellActivation[row * u + k]!, cPrev = c[row * u + k]!, cNext = c[(row + batch) * u + k]!;
        const dzO = dh[at + k]! * tc * o * (1 - o);
        const dcNext = dc[at + k]! + dh[at + k]! * o * (1 - tc * tc) + dzO * w.peephole[2 * u + k]!;
        const dzI = dcNext * g * i * (1 - i);
        const dzF = dcNext * cPrev * f * (1 - f);
        [dz[z + k], dz[z + u + k], dz[z + 2 * u + k], dz[z + 3 * u + k]] = [dzI, dzF, dcNext * i * (1 - g * g), dzO];
        grads.peephole[k]! += dzI * cPrev;
        grads.peephole[u + k]! += dzF * cPrev;
        grads.peephole[2 * u + k]! += dzO * cNext;
        dc[at + k] = dcNext * f + dzI * w.peephole[k]! + dzF * w.peephole[u + k]!;
      }
    }
    gemm(false, true, batch, u, 4 * u, dz, t * batch * 4 * u, w.recurrentKernel, 0, 0, dh, 0);
  },
  // All steps at once: ∂W += Xᵀ·∂Z, ∂U += H_{0…T−1}ᵀ·∂Z, ∂b += Σ ∂Z, ∂X = ∂Z·Wᵀ.
  afterBackward(s, { units: u, w, g }) {
    const rows = s.time * s.batch, dz = s.gradients[0]!;
    gemm(true, false, s.features, 4 * u, rows, s.x, 0, dz, 0, 1, g.kernel, 0);
    gemm(true, false, u, 4 * u, rows, s.states[0]!, 0, dz, 0, 1, g.recurrentKernel, 0);
    for (let i = 0; i < rows * 4 * u; i++) g.bias[i % (4 * u)]! += dz[i]!;
    gemm(false, true, rows, s.features, 4 * u, dz, 0, w.kernel, 0, 0, s.dx, 0);
  },
});

/** Options of {@link peepholeLSTMCell}. */
export type PeepholeLSTMCellOptions = Parameters<typeof peepholeLSTM.create>[0];

/** Creates a peephole LSTM cell: `new RNN({ cell: peepholeLSTMCell({ units: 16 }) })`. */
export const peepholeLSTMCell = peepholeLSTM.create;

/** The cell as a plugin (class name 'PeepholeLSTMCell'), for `loadModel`. */
export const peepholeLSTMCellPlugin = peepholeLSTM.plugin;
