import { type TypedArray, allocate, gemm } from '@rnnkit/tensor';
import { type Activation, type ActivationName, getActivation } from './activations.js';
import { addBiasRows, addColumnSums, booleanOption, oneOf } from './common.js';
import type { LayerConfig } from './layer.js';
import { type CellRun, type RecurrentConfig, type RecurrentOptions, type SequenceShape, Recurrent } from './recurrent.js';

/** What the LSTM applies to the cell state to form the output `h`. */
export type CellOutput = 'activation' | 'none';

/** Options of {@link LSTM}. */
export interface LSTMOptions extends RecurrentOptions {
  /** Activation of the input, forget and output gates. Keras' default, not TF.js' hard sigmoid. @defaultValue 'sigmoid' */
  readonly recurrentActivation?: ActivationName | Activation;
  /**
   * Start the forget-gate bias at 1 (Jozefowicz et al., 2015), as Keras does; the rest of
   * the bias comes from `biasInitializer`.
   * @defaultValue true
   */
  readonly unitForgetBias?: boolean;
  /**
   * The output: `'activation'` is Keras' `h = o ⊙ activation(c)`; `'none'` is the cell of
   * experiments 1–2, `h = o ⊙ c`, with no squashing of the cell state.
   * @defaultValue 'activation'
   */
  readonly cellOutput?: CellOutput;
}

/** The configuration of an {@link LSTM}. */
export interface LSTMConfig extends RecurrentConfig {
  readonly recurrentActivation: string;
  readonly unitForgetBias: boolean;
  readonly cellOutput: CellOutput;
}

/** The forward loop's buffers, all time-major. */
export interface LSTMRun extends CellRun {
  /** Gate activations `[i | f | c̃ | o]` per step: `[T, batch, 4·units]`. */
  readonly gates: TypedArray;
  /** Cell states `c_0 … c_T`: `[T + 1, batch, units]`. */
  readonly c: TypedArray;
  /** `activation(c_t)` for t = 1 … T (`cellOutput: 'activation'` only): `[T, batch, units]`. */
  readonly cellActivation: TypedArray | null;
}

/**
 * Long short-term memory (Hochreiter & Schmidhuber, 1997, with the forget gate of Gers et
 * al., 2000) in Keras' layout: kernel `W` `[features, 4·units]`, recurrent kernel `U`
 * `[units, 4·units]`, bias `[4·units]`, gate blocks in the order i, f, c̃, o:
 *
 *     z = x_t·W + h_{t−1}·U + b,  split into z_i, z_f, z_c, z_o
 *     i = σ(z_i)   f = σ(z_f)   c̃ = tanh(z_c)   o = σ(z_o)
 *     c_t = f ⊙ c_{t−1} + i ⊙ c̃
 *     h_t = o ⊙ tanh(c_t)          (cellOutput 'none': h_t = o ⊙ c_t)
 *
 * σ is `recurrentActivation` and tanh is `activation`. States: `[h, c]`.
 */
export class LSTM extends Recurrent<LSTMRun> {
  readonly className = 'LSTM';
  readonly stateCount = 2;
  protected readonly gateCount = 4;
  readonly recurrentActivation: Activation;
  readonly unitForgetBias: boolean;
  readonly cellOutput: CellOutput;

  constructor(options: LSTMOptions) {
    super('LSTM', options, ['recurrentActivation', 'unitForgetBias', 'cellOutput'], 'lstm');
    this.recurrentActivation = getActivation(options.recurrentActivation ?? 'sigmoid', 'LSTM', 'recurrentActivation');
    this.unitForgetBias = booleanOption('LSTM', 'unitForgetBias', options.unitForgetBias, true);
    this.cellOutput = oneOf<CellOutput>('LSTM', 'cellOutput', options.cellOutput, ['activation', 'none'], 'activation');
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): LSTM {
    return new LSTM(config as unknown as LSTMOptions);
  }

  override getConfig(): LSTMConfig {
    return {
      ...super.getConfig(),
      recurrentActivation: this.recurrentActivation.name,
      unitForgetBias: this.unitForgetBias,
      cellOutput: this.cellOutput,
    };
  }

  protected override adjustInitialBias(bias: TypedArray): void {
    if (this.unitForgetBias) bias.fill(1, this.units, 2 * this.units);
  }

  protected override finalState(shape: SequenceShape, run: LSTMRun, stateIndex: number): TypedArray {
    const size = shape.batch * this.units;
    const buffer = stateIndex === 0 ? run.h : run.c;
    return buffer.subarray(shape.time * size, (shape.time + 1) * size);
  }

  protected forwardSteps({ batch, time, features }: SequenceShape, x: TypedArray, initial: readonly TypedArray[]): LSTMRun {
    const { kernel, recurrentKernel, bias } = this.weights();
    const u = this.units;
    const width = 4 * u;
    const step = batch * u;
    const act = this.activation;
    const gate = this.recurrentActivation;
    const squash = this.cellOutput === 'activation';
    // z for every step at once: x_t·W + b, one product over all T·batch rows.
    const gates = allocate(this.dtype, time * batch * width);
    gemm(false, false, time * batch, width, features, x, 0, kernel.value.data, 0, 0, gates, 0);
    if (bias !== null) addBiasRows(gates, 0, time * batch, width, bias.value.data, 0);
    const h = allocate(this.dtype, (time + 1) * step);
    const c = allocate(this.dtype, (time + 1) * step);
    h.set(initial[0]!);
    c.set(initial[1]!);
    const cellActivation = squash ? allocate(this.dtype, time * step) : null;
    const U = recurrentKernel.value.data;
    for (let t = 0; t < time; t++) {
      const zt = t * batch * width;
      gemm(false, false, batch, width, u, h, t * step, U, 0, 1, gates, zt); // z += h_{t−1}·U
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width; // [i | f | c̃ | o] of this sequence
        gate.forward(gates, row, gates, row, u);
        gate.forward(gates, row + u, gates, row + u, u);
        act.forward(gates, row + 2 * u, gates, row + 2 * u, u);
        gate.forward(gates, row + 3 * u, gates, row + 3 * u, u);
        const prev = t * step + b * u; // c_{t−1}, h_{t−1}
        const next = prev + step; // c_t, h_t
        for (let k = 0; k < u; k++) {
          c[next + k] = gates[row + u + k]! * c[prev + k]! + gates[row + k]! * gates[row + 2 * u + k]!;
        }
        if (cellActivation !== null) {
          act.forward(c, next, cellActivation, prev, u);
          for (let k = 0; k < u; k++) h[next + k] = gates[row + 3 * u + k]! * cellActivation[prev + k]!;
        } else {
          for (let k = 0; k < u; k++) h[next + k] = gates[row + 3 * u + k]! * c[next + k]!;
        }
      }
    }
    return { h, c, gates, cellActivation };
  }

  protected backwardSteps(
    { batch, time, features }: SequenceShape,
    x: TypedArray,
    { h, c, gates, cellActivation }: LSTMRun,
    dhOut: TypedArray | null,
    dState: readonly TypedArray[],
    dx: TypedArray,
  ): void {
    const { kernel, recurrentKernel, bias } = this.weights();
    const u = this.units;
    const width = 4 * u;
    const step = batch * u;
    const act = this.activation;
    const gate = this.recurrentActivation;
    const U = recurrentKernel.value.data;
    const dh = dState[0]!; // ∂L/∂h_t, carried backwards
    const dc = dState[1]!; // ∂L/∂c_t, carried backwards
    const dCellOut = allocate(this.dtype, u); // ∂L/∂c_t through h_t = o ⊙ act(c_t), one row
    const dz = allocate(this.dtype, time * batch * width); // ∂L/∂z_t, time-major like `gates`
    for (let t = time - 1; t >= 0; t--) {
      if (dhOut !== null) for (let i = 0; i < step; i++) dh[i]! += dhOut[t * step + i]!;
      const zt = t * batch * width;
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width;
        const prev = t * step + b * u;
        const s = b * u; // this sequence's slot in dh and dc
        // Through h_t = o ⊙ act(c_t): ∂o = dh ⊙ act(c_t), ∂c_t += dh ⊙ o ⊙ act′(c_t).
        if (cellActivation !== null) {
          for (let k = 0; k < u; k++) dCellOut[k] = dh[s + k]! * gates[row + 3 * u + k]!;
          act.backward(cellActivation, prev, dCellOut, 0, u);
          for (let k = 0; k < u; k++) {
            dz[row + 3 * u + k] = dh[s + k]! * cellActivation[prev + k]!;
            dc[s + k]! += dCellOut[k]!;
          }
        } else {
          for (let k = 0; k < u; k++) {
            dz[row + 3 * u + k] = dh[s + k]! * c[prev + step + k]!;
            dc[s + k]! += dh[s + k]! * gates[row + 3 * u + k]!;
          }
        }
        // Through c_t = f ⊙ c_{t−1} + i ⊙ c̃: ∂i = dc ⊙ c̃, ∂f = dc ⊙ c_{t−1}, ∂c̃ = dc ⊙ i,
        // and ∂c_{t−1} = dc ⊙ f, which is carried to the previous step.
        for (let k = 0; k < u; k++) {
          const dct = dc[s + k]!;
          dz[row + k] = dct * gates[row + 2 * u + k]!;
          dz[row + u + k] = dct * c[prev + k]!;
          dz[row + 2 * u + k] = dct * gates[row + k]!;
          dc[s + k] = dct * gates[row + u + k]!;
        }
        // From gate values to pre-activations z: multiply by each activation's derivative.
        gate.backward(gates, row, dz, row, u);
        gate.backward(gates, row + u, dz, row + u, u);
        act.backward(gates, row + 2 * u, dz, row + 2 * u, u);
        gate.backward(gates, row + 3 * u, dz, row + 3 * u, u);
      }
      gemm(false, true, batch, u, width, dz, zt, U, 0, 0, dh, 0); // ∂h_{t−1} = dz_t·Uᵀ
    }
    // Weight gradients over all steps at once: dW += Xᵀ·dZ, dU += H_{0…T−1}ᵀ·dZ, db += Σ dZ.
    gemm(true, false, features, width, time * batch, x, 0, dz, 0, 1, kernel.grad.data, 0);
    gemm(true, false, u, width, time * batch, h, 0, dz, 0, 1, recurrentKernel.grad.data, 0);
    if (bias !== null) addColumnSums(dz, 0, time * batch, width, bias.grad.data, 0);
    gemm(false, true, time * batch, features, width, dz, 0, kernel.value.data, 0, 0, dx, 0);
  }
}

/** Creates an {@link LSTM} layer: `lstm({ units: 32 })`. */
export function lstm(options: LSTMOptions): LSTM {
  return new LSTM(options);
}
