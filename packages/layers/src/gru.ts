import { type Shape, type TypedArray, allocate, gemm, getBackend } from '@rnnkit/tensor';
import { type Activation, type ActivationName, activations, getActivation } from './activations.js';
import { addBiasRows, addColumnSums, allocateBlocks, booleanOption } from './common.js';
import type { LayerConfig } from './layer.js';
import { type CellRun, type RecurrentConfig, type RecurrentOptions, type SequenceShape, Recurrent } from './recurrent.js';

/** Options of {@link GRU}. */
export interface GRUOptions extends RecurrentOptions {
  /** Activation of the update and reset gates. Keras' default, not TF.js' hard sigmoid. @defaultValue 'sigmoid' */
  readonly recurrentActivation?: ActivationName | Activation;
  /**
   * Apply the reset gate after the recurrent product (`r ⊙ (h·U_h + b_h)`, Keras 2's default
   * and cuDNN's convention, bias `[2, 3·units]`: input row, recurrent row) rather than before
   * it (`(r ⊙ h)·U_h`, Keras 1 and TF.js, bias `[3·units]`).
   * @defaultValue true
   */
  readonly resetAfter?: boolean;
}

/** The configuration of a {@link GRU}. */
export interface GRUConfig extends RecurrentConfig {
  readonly recurrentActivation: string;
  readonly resetAfter: boolean;
}

/** The forward loop's buffers, all time-major. */
export interface GRURun extends CellRun {
  /** Gate values `[z | r | h̃]` per step: `[T, batch, 3·units]`. */
  readonly gates: TypedArray;
  /** resetAfter: `h_{t−1}·U + b_rec` per step, `[T, batch, 3·units]`; otherwise `r ⊙ h_{t−1}`, `[T, batch, units]`. */
  readonly recurrent: TypedArray;
  /** resetAfter false: the two column blocks of U as contiguous copies, `[units, 2·units]` and `[units, units]`. */
  readonly splitU: { readonly zr: TypedArray; readonly h: TypedArray } | null;
  /**
   * False after an inference pass (`training` not set) on a backend with a fused GRU
   * kernel: only h was kept (`gates` and `recurrent` are empty), and `backward` runs the
   * forward pass again to get the rest.
   */
  readonly complete: boolean;
}

/**
 * Gated recurrent unit (Cho et al., 2014) in Keras' layout: kernel `W` `[features, 3·units]`,
 * recurrent kernel `U` `[units, 3·units]`, gate blocks in the order z (update), r (reset),
 * h̃ (candidate):
 *
 *     z = σ(x·W_z + h_{t−1}·U_z + b_z)        r = σ(x·W_r + h_{t−1}·U_r + b_r)
 *     resetAfter:   h̃ = tanh(x·W_h + b_h + r ⊙ (h_{t−1}·U_h + b′_h))
 *     otherwise:    h̃ = tanh(x·W_h + (r ⊙ h_{t−1})·U_h + b_h)
 *     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 *
 * With resetAfter the bias is `[2, 3·units]`: the input bias, then the recurrent bias b′.
 */
export class GRU extends Recurrent<GRURun> {
  readonly className = 'GRU';
  readonly stateCount = 1;
  protected readonly gateCount = 3;
  readonly recurrentActivation: Activation;
  readonly resetAfter: boolean;

  constructor(options: GRUOptions) {
    super('GRU', options, ['recurrentActivation', 'resetAfter'], 'gru');
    this.recurrentActivation = getActivation(options.recurrentActivation ?? 'sigmoid', 'GRU', 'recurrentActivation');
    this.resetAfter = booleanOption('GRU', 'resetAfter', options.resetAfter, true);
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): GRU {
    return new GRU(config as unknown as GRUOptions);
  }

  override getConfig(): GRUConfig {
    return { ...super.getConfig(), recurrentActivation: this.recurrentActivation.name, resetAfter: this.resetAfter };
  }

  protected override biasShape(): Shape {
    return this.resetAfter ? [2, 3 * this.units] : [3 * this.units];
  }

  /** The cell a backend's fused kernels compute: Keras' default (resetAfter, σ gates, tanh), in float32. */
  private fusable(): boolean {
    return (
      this.dtype === 'float32' &&
      this.resetAfter &&
      this.recurrentActivation === activations.sigmoid &&
      this.activation === activations.tanh
    );
  }

  protected forwardSteps({ batch, time, features }: SequenceShape, x: TypedArray, initial: readonly TypedArray[], keep: boolean): GRURun {
    const { kernel, recurrentKernel, bias } = this.weights();
    const u = this.units;
    const width = 3 * u;
    const step = batch * u;
    // A backend may run the whole pass itself (WebAssembly, threads); without `keep` it
    // returns only h, and backward recomputes the rest.
    const fusedPass = this.fusable() ? getBackend().gruForward : undefined;
    if (fusedPass !== undefined) {
      const [h, gates, recurrent] = allocateBlocks('float32', [
        (time + 1) * step,
        keep ? time * batch * width : 0,
        keep ? time * batch * width : 0,
      ]) as [Float32Array, Float32Array, Float32Array];
      h.set(initial[0]!);
      fusedPass({
        batch,
        time,
        features,
        units: u,
        x: x as Float32Array,
        kernel: kernel.value.data as Float32Array,
        recurrentKernel: recurrentKernel.value.data as Float32Array,
        bias: bias === null ? null : (bias.value.data as Float32Array),
        h,
        gates,
        recurrent,
        keep,
      });
      return { h, gates, recurrent, splitU: null, complete: keep };
    }
    const act = this.activation;
    const gate = this.recurrentActivation;
    const after = this.resetAfter;
    const U = recurrentKernel.value.data;
    // The input side x_t·W + b_in of every step in one product.
    const gates = allocate(this.dtype, time * batch * width);
    gemm(false, false, time * batch, width, features, x, 0, kernel.value.data, 0, 0, gates, 0);
    if (bias !== null) addBiasRows(gates, 0, time * batch, width, bias.value.data, 0);
    const h = allocate(this.dtype, (time + 1) * step);
    h.set(initial[0]!);
    const recurrent = allocate(this.dtype, time * (after ? batch * width : step));
    // Without resetAfter, h̃ needs (r ⊙ h)·U_h after r is known: U's column blocks must be
    // separate contiguous matrices for the products, and the z|r part goes to a scratch row.
    const splitU = after ? null : splitColumns(U, u);
    const scratch = after ? null : allocate(this.dtype, batch * 2 * u);
    const scratchH = after ? null : allocate(this.dtype, step);
    for (let t = 0; t < time; t++) {
      const zt = t * batch * width;
      const hPrev = t * step;
      if (after) {
        gemm(false, false, batch, width, u, h, hPrev, U, 0, 0, recurrent, zt); // h_{t−1}·U
        if (bias !== null) addBiasRows(recurrent, zt, batch, width, bias.value.data, width);
      } else {
        gemm(false, false, batch, 2 * u, u, h, hPrev, splitU!.zr, 0, 0, scratch!, 0); // h_{t−1}·U_zr
      }
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width;
        const rec = after ? recurrent : scratch!;
        const recRow = after ? row : b * 2 * u;
        for (let k = 0; k < 2 * u; k++) gates[row + k]! += rec[recRow + k]!;
        gate.forward(gates, row, gates, row, u); // z
        gate.forward(gates, row + u, gates, row + u, u); // r
        if (after) {
          for (let k = 0; k < u; k++) gates[row + 2 * u + k]! += gates[row + u + k]! * recurrent[row + 2 * u + k]!;
        } else {
          for (let k = 0; k < u; k++) recurrent[hPrev + b * u + k] = gates[row + u + k]! * h[hPrev + b * u + k]!;
        }
      }
      if (!after) {
        gemm(false, false, batch, u, u, recurrent, hPrev, splitU!.h, 0, 0, scratchH!, 0); // (r ⊙ h_{t−1})·U_h
        for (let b = 0; b < batch; b++) {
          const row = zt + b * width + 2 * u;
          for (let k = 0; k < u; k++) gates[row + k]! += scratchH![b * u + k]!;
        }
      }
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width;
        act.forward(gates, row + 2 * u, gates, row + 2 * u, u); // h̃
        const prev = hPrev + b * u;
        for (let k = 0; k < u; k++) {
          const z = gates[row + k]!;
          h[prev + step + k] = z * h[prev + k]! + (1 - z) * gates[row + 2 * u + k]!;
        }
      }
    }
    return { h, gates, recurrent, splitU, complete: true };
  }

  protected backwardSteps(
    shape: SequenceShape,
    x: TypedArray,
    run: GRURun,
    dhOut: TypedArray | null,
    dState: readonly TypedArray[],
    dx: TypedArray,
  ): void {
    const { batch, time, features } = shape;
    const { kernel, recurrentKernel, bias } = this.weights();
    const u = this.units;
    const width = 3 * u;
    const step = batch * u;
    // After an inference pass, recompute what backward needs (from the same h_0).
    const { h, gates, recurrent, splitU } = run.complete ? run : this.forwardSteps(shape, x, [run.h.subarray(0, step)], true);
    const fusedPass = this.fusable() ? getBackend().gruBackward : undefined;
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
        recurrent: recurrent as Float32Array,
        h: h as Float32Array,
        dhOut: dhOut as Float32Array | null,
        dh: dState[0] as Float32Array,
        dx: dx as Float32Array,
        kernelGrad: kernel.grad.data as Float32Array,
        recurrentKernelGrad: recurrentKernel.grad.data as Float32Array,
        biasGrad: bias === null ? null : (bias.grad.data as Float32Array),
      });
      return;
    }
    const act = this.activation;
    const gate = this.recurrentActivation;
    const after = this.resetAfter;
    const U = recurrentKernel.value.data;
    let dh = dState[0]!; // ∂L/∂h_t, carried backwards
    let dhPrev = allocate(this.dtype, step); // ∂L/∂h_{t−1} being assembled
    const dz = allocate(this.dtype, time * batch * width); // ∂L/∂(input side) [z | r | h̃], time-major
    // ∂L/∂(recurrent side): resetAfter [z | r | h̃] like dz; otherwise the z|r block and the h̃ block apart.
    const dRec = allocate(this.dtype, time * batch * (after ? width : 2 * u));
    const dRecH = after ? null : allocate(this.dtype, time * step);
    const dResetIn = after ? null : allocate(this.dtype, step); // ∂L/∂(r ⊙ h_{t−1})
    for (let t = time - 1; t >= 0; t--) {
      if (dhOut !== null) for (let i = 0; i < step; i++) dh[i]! += dhOut[t * step + i]!;
      const zt = t * batch * width;
      // Through h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃: ∂z = dh ⊙ (h_{t−1} − h̃), ∂h̃ = dh ⊙ (1 − z), ∂h_{t−1} = dh ⊙ z.
      for (let b = 0; b < batch; b++) {
        const row = zt + b * width;
        const prev = t * step + b * u;
        for (let k = 0; k < u; k++) {
          const z = gates[row + k]!;
          const d = dh[b * u + k]!;
          dz[row + k] = d * (h[prev + k]! - gates[row + 2 * u + k]!);
          dz[row + 2 * u + k] = d * (1 - z);
          dhPrev[b * u + k] = d * z;
        }
        gate.backward(gates, row, dz, row, u);
        act.backward(gates, row + 2 * u, dz, row + 2 * u, u);
      }
      if (after) {
        // h̃ = act(x·W_h + b_h + r ⊙ a) with a = h_{t−1}·U_h + b′_h: ∂r = ∂h̃_pre ⊙ a, ∂a = ∂h̃_pre ⊙ r.
        for (let b = 0; b < batch; b++) {
          const row = zt + b * width;
          for (let k = 0; k < u; k++) {
            const dPre = dz[row + 2 * u + k]!;
            dz[row + u + k] = dPre * recurrent[row + 2 * u + k]!;
            dRec[row + 2 * u + k] = dPre * gates[row + u + k]!;
          }
          gate.backward(gates, row + u, dz, row + u, u);
          for (let k = 0; k < 2 * u; k++) dRec[row + k] = dz[row + k]!;
        }
        gemm(false, true, batch, u, width, dRec, zt, U, 0, 1, dhPrev, 0); // ∂h_{t−1} += dRec_t·Uᵀ
      } else {
        // h̃ = act(x·W_h + (r ⊙ h_{t−1})·U_h + b_h): ∂(r ⊙ h) = ∂h̃_pre·U_hᵀ, then ∂r and ∂h_{t−1}.
        const dH = dRecH!;
        for (let b = 0; b < batch; b++) {
          for (let k = 0; k < u; k++) dH[t * step + b * u + k] = dz[zt + b * width + 2 * u + k]!;
        }
        gemm(false, true, batch, u, u, dH, t * step, splitU!.h, 0, 0, dResetIn!, 0);
        for (let b = 0; b < batch; b++) {
          const row = zt + b * width;
          const prev = t * step + b * u;
          for (let k = 0; k < u; k++) {
            const g = dResetIn![b * u + k]!;
            dz[row + u + k] = g * h[prev + k]!;
            dhPrev[b * u + k]! += g * gates[row + u + k]!;
          }
          gate.backward(gates, row + u, dz, row + u, u);
          for (let k = 0; k < 2 * u; k++) dRec[(t * batch + b) * 2 * u + k] = dz[row + k]!;
        }
        gemm(false, true, batch, u, 2 * u, dRec, t * batch * 2 * u, splitU!.zr, 0, 1, dhPrev, 0);
      }
      const swap = dh;
      dh = dhPrev;
      dhPrev = swap;
    }
    dState[0]!.set(dh); // ∂L/∂h_0 (dh may be the scratch buffer after the swaps)

    // Weight gradients over all steps at once. Input side: dW += Xᵀ·dZ, db_in += Σ dZ.
    gemm(true, false, features, width, time * batch, x, 0, dz, 0, 1, kernel.grad.data, 0);
    if (bias !== null) addColumnSums(dz, 0, time * batch, width, bias.grad.data, 0);
    gemm(false, true, time * batch, features, width, dz, 0, kernel.value.data, 0, 0, dx, 0);
    if (after) {
      // dU += H_{0…T−1}ᵀ·dRec, db_rec += Σ dRec.
      gemm(true, false, u, width, time * batch, h, 0, dRec, 0, 1, recurrentKernel.grad.data, 0);
      if (bias !== null) addColumnSums(dRec, 0, time * batch, width, bias.grad.data, width);
    } else {
      // dU_zr += H_{0…T−1}ᵀ·dRec_zr and dU_h += (R ⊙ H)ᵀ·dRec_h, then back into U's column blocks.
      const dUzr = allocate(this.dtype, u * 2 * u);
      const dUh = allocate(this.dtype, u * u);
      gemm(true, false, u, 2 * u, time * batch, h, 0, dRec, 0, 0, dUzr, 0);
      gemm(true, false, u, u, time * batch, recurrent, 0, dRecH!, 0, 0, dUh, 0);
      const grad = recurrentKernel.grad.data;
      for (let i = 0; i < u; i++) {
        for (let k = 0; k < 2 * u; k++) grad[i * width + k]! += dUzr[i * 2 * u + k]!;
        for (let k = 0; k < u; k++) grad[i * width + 2 * u + k]! += dUh[i * u + k]!;
      }
    }
  }
}

/** Copies the z|r and h̃ column blocks of a `[units, 3·units]` recurrent kernel into contiguous matrices. */
function splitColumns(U: TypedArray, u: number): { zr: TypedArray; h: TypedArray } {
  const zr = U instanceof Float64Array ? new Float64Array(u * 2 * u) : new Float32Array(u * 2 * u);
  const h = U instanceof Float64Array ? new Float64Array(u * u) : new Float32Array(u * u);
  for (let i = 0; i < u; i++) {
    zr.set(U.subarray(i * 3 * u, i * 3 * u + 2 * u), i * 2 * u);
    h.set(U.subarray(i * 3 * u + 2 * u, (i + 1) * 3 * u), i * u);
  }
  return { zr, h };
}

/** Creates a {@link GRU} layer: `gru({ units: 16, resetAfter: false })`. */
export function gru(options: GRUOptions): GRU {
  return new GRU(options);
}
