// A user's own cell, written against the contract of cell.ts only (no gemm, no base class):
// two states, a kept value, ∂x written step by step in backStep. For the RNN tests.
//
//   m_t = a ⊙ m_{t−1} + x_t·W          (a leaky memory, decay a [u])
//   h_t = tanh(m_t + ½·h_{t−1})
import { type DType, type Random, Param, Tensor, allocate } from '@rnnkit/tensor';
import type { BackwardSteps, CellVector, ForwardSteps, RecurrentCell } from './cell.js';

export class ToyCell implements RecurrentCell {
  readonly kind = 'toy';
  readonly states: readonly CellVector[];
  readonly kept: readonly CellVector[];
  features = 0;
  kernel: Param | null = null;
  decay: Param | null = null;

  constructor(
    readonly units: number,
    readonly dtype: DType = 'float64',
  ) {
    this.states = [{ name: 'h', size: units }, { name: 'm', size: units }];
    this.kept = [{ name: 'tanh', size: units }];
  }

  get built(): boolean {
    return this.kernel !== null;
  }

  build(features: number, random: Random): void {
    const u = this.units;
    const w = allocate(this.dtype, features * u);
    random.fillUniform(w, -1, 1);
    const a = allocate(this.dtype, u);
    random.fillUniform(a, 0.2, 0.9);
    this.kernel = new Param('kernel', new Tensor(w, [features, u]));
    this.decay = new Param('decay', new Tensor(a, [u]));
    this.features = features;
  }

  params(): Param[] {
    return [this.kernel!, this.decay!];
  }

  step(s: ForwardSteps): void {
    const u = this.units, F = s.features, W = this.kernel!.value.data, a = this.decay!.value.data;
    const [h, m] = s.states as [Float64Array, Float64Array];
    const th = s.kept[0]!;
    for (let b = 0; b < s.batch; b++) {
      const prev = (s.t * s.batch + b) * u, next = prev + s.batch * u, xAt = (s.t * s.batch + b) * F;
      for (let k = 0; k < u; k++) {
        let v = 0;
        for (let f = 0; f < F; f++) v += s.x[xAt + f]! * W[f * u + k]!;
        const mNext = a[k]! * m[prev + k]! + v;
        m[next + k] = mNext;
        th[prev + k] = Math.tanh(mNext + 0.5 * h[prev + k]!);
        h[next + k] = th[prev + k]!;
      }
    }
  }

  backStep(s: BackwardSteps): void {
    const u = this.units, F = s.features, W = this.kernel!.value.data, a = this.decay!.value.data;
    const dW = this.kernel!.grad.data, da = this.decay!.grad.data;
    const m = s.states[1]!, th = s.kept[0]!;
    const [dh, dm] = s.dStates as [Float64Array, Float64Array];
    for (let b = 0; b < s.batch; b++) {
      const prev = (s.t * s.batch + b) * u, xAt = (s.t * s.batch + b) * F, at = b * u;
      for (let k = 0; k < u; k++) {
        const t = th[prev + k]!;
        const dPre = dh[at + k]! * (1 - t * t);
        const dmTotal = dm[at + k]! + dPre;
        dh[at + k] = 0.5 * dPre;
        da[k]! += dmTotal * m[prev + k]!;
        dm[at + k] = a[k]! * dmTotal;
        for (let f = 0; f < F; f++) {
          dW[f * u + k]! += s.x[xAt + f]! * dmTotal;
          s.dx[xAt + f]! += dmTotal * W[f * u + k]!;
        }
      }
    }
  }

  getConfig(): Record<string, unknown> {
    return { units: this.units, dtype: this.dtype };
  }
}
