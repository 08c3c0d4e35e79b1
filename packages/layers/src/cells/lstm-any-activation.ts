// The LSTM's backward through one step for any activations, and for cellOutput 'none' (the
// write-ups' h_t = o ⊙ c_t): the chain rule of LSTMCell.backStep (lstm-cell.ts), with each
// activation's derivative applied by its own `backward` over a block of units instead of
// written out as σ(1 − σ) and 1 − tanh². LSTMCell runs it for every cell but the standard
// σ/tanh one; lstm-standard-cell.props.test.ts checks that both agree where both apply.
import type { BackwardSteps } from '../cell.js';
import type { LSTMCell } from './lstm-cell.js';

/** Fills step t's ∂z [i | f | g | o] and turns ∂c_t into ∂c_{t−1}; the caller adds ∂h_{t−1} = ∂z·Uᵀ. */
export function lstmGateGradients(cell: LSTMCell, s: BackwardSteps): void {
  const u = cell.units, width = 4 * u, batch = s.batch, t = s.t;
  const c = s.states[1]!, gates = s.kept[0]!, cellActivation = s.kept[1]!;
  const dh = s.dStates[0]!, dc = s.dStates[1]!, dz = s.gradients[0]!;
  const act = cell.activation, gate = cell.recurrentActivation, squash = cell.cellOutput === 'activation';
  const dSquash = cell.scratch(1, u); // ∂L/∂tanh(c_t) of one sequence
  for (let b = 0; b < batch; b++) {
    const row = (t * batch + b) * width, prev = (t * batch + b) * u, next = prev + batch * u, at = b * u;
    // Through (4): ∂(tanh c_t) = dh ⊙ o, times tanh′; then (3): ∂i = dc ⊙ g, ∂f = dc ⊙ c_{t−1}, …
    if (squash) for (let k = 0; k < u; k++) dSquash[k] = dh[at + k]! * gates[row + 3 * u + k]!;
    if (squash) act.backward(cellActivation, prev, dSquash, 0, u);
    for (let k = 0; k < u; k++) {
      const i = gates[row + k]!, f = gates[row + u + k]!, g = gates[row + 2 * u + k]!, o = gates[row + 3 * u + k]!;
      const cPrev = c[prev + k]!, cOut = squash ? cellActivation[prev + k]! : c[next + k]!, dhNext = dh[at + k]!;
      const dcNext = dc[at + k]! + (squash ? dSquash[k]! : dhNext * o);
      dz[row + k] = dcNext * g;
      dz[row + u + k] = dcNext * cPrev;
      dz[row + 2 * u + k] = dcNext * i;
      dz[row + 3 * u + k] = dhNext * cOut;
      dc[at + k] = dcNext * f; // ∂c_{t−1}
    }
    // Through (2): from gate values to pre-activations, times each activation's derivative.
    gate.backward(gates, row, dz, row, 2 * u);
    act.backward(gates, row + 2 * u, dz, row + 2 * u, u);
    gate.backward(gates, row + 3 * u, dz, row + 3 * u, u);
  }
}
