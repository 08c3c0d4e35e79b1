import { type TypedArray, gemm, getBackend } from '@rnnkit/tensor';
import { type Activation, type ActivationName, activations, getActivation } from './activations.js';
import { addColumnSums, allocateBlocks, booleanOption, oneOf } from './common.js';
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
  /**
   * False after an inference pass (`training` not set) on a backend with a fused LSTM
   * kernel: only h and the final c were kept (`gates` and `cellActivation` are empty), and
   * `backward` runs the forward pass again to get the rest.
   */
  readonly complete: boolean;
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

  /**
   * Keras' default cell: σ gates, tanh candidate and h = o ⊙ tanh(c). Its derivatives are
   * known, so its backward pass takes one pass per row (standardStepBackward below) instead
   * of one per gate and activation. (A fused forward measured slower than the per-gate
   * passes, whose activation loops V8 optimises better.)
   */
  private isStandardCell(): boolean {
    return this.recurrentActivation === activations.sigmoid && this.activation === activations.tanh && this.cellOutput === 'activation';
  }

  protected override finalState(shape: SequenceShape, run: LSTMRun, stateIndex: number): TypedArray {
    const size = shape.batch * this.units;
    const buffer = stateIndex === 0 ? run.h : run.c;
    return buffer.subarray(shape.time * size, (shape.time + 1) * size);
  }

  protected forwardSteps({ batch, time, features }: SequenceShape, x: TypedArray, initial: readonly TypedArray[], keep: boolean): LSTMRun {
    const { kernel, recurrentKernel, bias } = this.weights();
    const u = this.units;
    const width = 4 * u;
    const step = batch * u;
    const act = this.activation;
    const gate = this.recurrentActivation;
    const squash = this.cellOutput === 'activation';
    // A backend may run the whole pass of the standard float32 cell itself (WebAssembly,
    // threads); without `keep` it returns only h and c_T, and backward recomputes the rest.
    const fusedPass = this.dtype === 'float32' && this.isStandardCell() ? getBackend().lstmForward : undefined;
    if (fusedPass !== undefined) {
      const [gates, h, c, cellActivation] = allocateBlocks('float32', [
        keep ? time * batch * width : 0,
        (time + 1) * step,
        (time + 1) * step,
        keep ? time * step : 0,
      ]) as [Float32Array, Float32Array, Float32Array, Float32Array];
      h.set(initial[0]!);
      c.set(initial[1]!);
      fusedPass({
        batch,
        time,
        features,
        units: u,
        x: x as Float32Array,
        kernel: kernel.value.data as Float32Array,
        recurrentKernel: recurrentKernel.value.data as Float32Array,
        bias: bias === null ? null : (bias.value.data as Float32Array),
        gates,
        h,
        c,
        cellActivation,
        keep,
      });
      return { h, c, gates, cellActivation, complete: keep };
    }
    // `recurrent` holds h_{t−1}·U of the current step. It has its own product (rather than
    // accumulating into the gates) so that a backend never has to read the gates back in;
    // b is added together with it.
    const [gates, recurrent, h, c, activated] = allocateBlocks(this.dtype, [
      time * batch * width,
      batch * width,
      (time + 1) * step,
      (time + 1) * step,
      squash ? time * step : 0,
    ]) as [TypedArray, TypedArray, TypedArray, TypedArray, TypedArray];
    const cellActivation = squash ? activated : null;
    // x_t·W for every step at once: one product over all T·batch rows.
    gemm(false, false, time * batch, width, features, x, 0, kernel.value.data, 0, 0, gates, 0);
    const biasValues = bias === null ? null : bias.value.data;
    h.set(initial[0]!);
    c.set(initial[1]!);
    const U = recurrentKernel.value.data;
    // A backend may compute the standard cell's elementwise step itself (WebAssembly SIMD).
    const fusedCell =
      biasValues instanceof Float32Array && this.isStandardCell() ? getBackend().lstmCellForward : undefined;
    for (let t = 0; t < time; t++) {
      const zt = t * batch * width;
      gemm(false, false, batch, width, u, h, t * step, U, 0, 0, recurrent, 0); // h_{t−1}·U
      if (fusedCell !== undefined) {
        // (The buffers are Float32Arrays whenever fusedCell is set: the dtype is float32.)
        fusedCell(
          batch, u,
          gates as Float32Array, zt,
          recurrent as Float32Array, 0,
          biasValues as Float32Array,
          c as Float32Array, t * step, (t + 1) * step,
          cellActivation as Float32Array, t * step,
          h as Float32Array, (t + 1) * step,
        );
        continue;
      }
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width; // [i | f | c̃ | o] of this sequence
        const r = b * width;
        // z = x_t·W + h_{t−1}·U + b
        if (biasValues === null) for (let k = 0; k < width; k++) gates[row + k]! += recurrent[r + k]!;
        else for (let k = 0; k < width; k++) gates[row + k]! += recurrent[r + k]! + biasValues[k]!;
        gate.forward(gates, row, gates, row, 2 * u); // i and f are adjacent
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
    return { h, c, gates, cellActivation, complete: true };
  }

  protected backwardSteps(
    shape: SequenceShape,
    x: TypedArray,
    run: LSTMRun,
    dhOut: TypedArray | null,
    dState: readonly TypedArray[],
    dx: TypedArray,
  ): void {
    const { batch, time, features } = shape;
    const { kernel, recurrentKernel, bias } = this.weights();
    const u = this.units;
    const width = 4 * u;
    const step = batch * u;
    // After an inference pass, recompute what backward needs (from the same h_0 and c_0).
    const { h, c, gates, cellActivation } = run.complete
      ? run
      : this.forwardSteps(shape, x, [run.h.subarray(0, step), run.c.subarray(0, step)], true);
    const fusedPass = this.dtype === 'float32' && this.isStandardCell() ? getBackend().lstmBackward : undefined;
    if (fusedPass !== undefined) {
      fusedPass({
        batch,
        time,
        features,
        units: u,
        x: x as Float32Array,
        kernel: kernel.value.data as Float32Array,
        recurrentKernel: recurrentKernel.value.data as Float32Array,
        gates: gates as Float32Array,
        h: h as Float32Array,
        c: c as Float32Array,
        cellActivation: cellActivation as Float32Array,
        dhOut: dhOut as Float32Array | null,
        dh: dState[0] as Float32Array,
        dc: dState[1] as Float32Array,
        dx: dx as Float32Array,
        kernelGrad: kernel.grad.data as Float32Array,
        recurrentKernelGrad: recurrentKernel.grad.data as Float32Array,
        biasGrad: bias === null ? null : (bias.grad.data as Float32Array),
      });
      return;
    }
    const act = this.activation;
    const gate = this.recurrentActivation;
    const U = recurrentKernel.value.data;
    const dh = dState[0]!; // ∂L/∂h_t, carried backwards
    const dc = dState[1]!; // ∂L/∂c_t, carried backwards
    const standard = this.isStandardCell();
    // The one-pass backward also sums the bias gradient while ∂L/∂z is at hand.
    const db = bias === null ? null : bias.grad.data;
    // ∂L/∂c_t through h_t = o ⊙ act(c_t) (one row), and ∂L/∂z_t, time-major like `gates`.
    const [dCellOut, dz] = allocateBlocks(this.dtype, [u, time * batch * width]) as [TypedArray, TypedArray];
    for (let t = time - 1; t >= 0; t--) {
      if (dhOut !== null) for (let i = 0; i < step; i++) dh[i]! += dhOut[t * step + i]!;
      const zt = t * batch * width;
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width;
        const prev = t * step + b * u;
        const s = b * u; // this sequence's slot in dh and dc
        if (standard) {
          standardStepBackward(u, gates, row, c, cellActivation!, prev, dh, dc, s, dz, db);
          continue;
        }
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
    if (bias !== null && !standard) addColumnSums(dz, 0, time * batch, width, bias.grad.data, 0);
    gemm(false, true, time * batch, features, width, dz, 0, kernel.value.data, 0, 0, dx, 0);
  }
}

/**
 * Backpropagation through one time step of the standard cell for one sequence, in one
 * pass, with σ′ = σ(1 − σ) and tanh′ = 1 − tanh² from the kept outputs. On entry dh and dc
 * hold ∂L/∂h_t and ∂L/∂c_t (from later steps); dc leaves holding ∂L/∂c_{t−1}. Writes ∂L/∂z
 * and adds it to the bias gradient `db` (when there is a bias): db += Σ_t Σ_batch ∂L/∂z.
 */
function standardStepBackward(
  u: number,
  gates: TypedArray,
  row: number,
  c: TypedArray,
  cellActivation: TypedArray,
  prev: number,
  dh: TypedArray,
  dc: TypedArray,
  s: number,
  dz: TypedArray,
  db: TypedArray | null,
): void {
  for (let k = 0; k < u; k++) {
    const i = gates[row + k]!;
    const f = gates[row + u + k]!;
    const g = gates[row + 2 * u + k]!;
    const o = gates[row + 3 * u + k]!;
    const a = cellActivation[prev + k]!; // tanh(c_t)
    const dht = dh[s + k]!;
    const dct = dc[s + k]! + dht * o * (1 - a * a); // through h_t = o ⊙ tanh(c_t)
    const dzi = dct * g * (i * (1 - i)); // ∂i = dc ⊙ c̃, times σ′
    const dzf = dct * c[prev + k]! * (f * (1 - f)); // ∂f = dc ⊙ c_{t−1}, times σ′
    const dzc = dct * i * (1 - g * g); // ∂c̃ = dc ⊙ i, times tanh′
    const dzo = dht * a * (o * (1 - o)); // ∂o = dh ⊙ tanh(c_t), times σ′
    dz[row + k] = dzi;
    dz[row + u + k] = dzf;
    dz[row + 2 * u + k] = dzc;
    dz[row + 3 * u + k] = dzo;
    dc[s + k] = dct * f; // ∂c_{t−1} = dc ⊙ f
    if (db !== null) {
      db[k]! += dzi;
      db[u + k]! += dzf;
      db[2 * u + k]! += dzc;
      db[3 * u + k]! += dzo;
    }
  }
}

/** Creates an {@link LSTM} layer: `lstm({ units: 32 })`. */
export function lstm(options: LSTMOptions): LSTM {
  return new LSTM(options);
}
