import { type TypedArray, allocate, gemm } from '@rnnkit/tensor';
import { addBiasRows, addColumnSums, booleanOption } from './common.js';
import type { LayerConfig } from './layer.js';
import { type CellRun, type RecurrentConfig, type RecurrentOptions, type SequenceShape, Recurrent } from './recurrent.js';

/** Options of {@link SimpleRNN}. */
export interface SimpleRNNOptions extends RecurrentOptions {
  /**
   * Learn the initial state `h_0` (a `[units]` parameter named `initialState`, shared by
   * every sequence of a batch and starting at zero), as experiment 4 learns its `S_0`.
   * An `initialState` passed to `forward` still takes precedence.
   * @defaultValue false
   */
  readonly learnableInitialState?: boolean;
}

/** The configuration of a {@link SimpleRNN}. */
export interface SimpleRNNConfig extends RecurrentConfig {
  readonly learnableInitialState: boolean;
}

/**
 * The fully recurrent layer, Keras' SimpleRNN:
 *
 *     h_t = activation(x_t·W + h_{t−1}·U + b)
 *
 * with kernel `W` `[features, units]`, recurrent kernel `U` `[units, units]` and bias `b`
 * `[units]`. With `activation: 'tanh'` and `learnableInitialState: true` it is the state
 * update of experiment 4 (`S_k = tanh(Z_k + S_{k−1}·W + b)` with a learnable `S_0`).
 */
export class SimpleRNN extends Recurrent<CellRun> {
  readonly className = 'SimpleRNN';
  readonly stateCount = 1;
  protected readonly gateCount = 1;
  readonly learnableInitialState: boolean;

  constructor(options: SimpleRNNOptions) {
    super('SimpleRNN', options, ['learnableInitialState'], 'simple_rnn');
    this.learnableInitialState = booleanOption('SimpleRNN', 'learnableInitialState', options.learnableInitialState, false);
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): SimpleRNN {
    return new SimpleRNN(config as unknown as SimpleRNNOptions);
  }

  protected override get hasLearnableInitialState(): boolean {
    return this.learnableInitialState;
  }

  override getConfig(): SimpleRNNConfig {
    return { ...super.getConfig(), learnableInitialState: this.learnableInitialState };
  }

  protected forwardSteps({ batch, time, features }: SequenceShape, x: TypedArray, initial: readonly TypedArray[]): CellRun {
    const { kernel, recurrentKernel, bias } = this.weights();
    const units = this.units;
    const step = batch * units;
    const act = this.activation;
    // h holds h_0 … h_T time-major. Slots 1 … T first receive x_t·W + b for every step in
    // one product; each step then adds h_{t−1}·U and applies the activation in place.
    const h = allocate(this.dtype, (time + 1) * step);
    h.set(initial[0]!);
    gemm(false, false, time * batch, units, features, x, 0, kernel.value.data, 0, 0, h, step);
    if (bias !== null) addBiasRows(h, step, time * batch, units, bias.value.data, 0);
    const U = recurrentKernel.value.data;
    for (let t = 0; t < time; t++) {
      const out = (t + 1) * step;
      gemm(false, false, batch, units, units, h, t * step, U, 0, 1, h, out);
      for (let b = 0; b < batch; b++) act.forward(h, out + b * units, h, out + b * units, units);
    }
    return { h };
  }

  protected backwardSteps(
    { batch, time, features }: SequenceShape,
    x: TypedArray,
    { h }: CellRun,
    dhOut: TypedArray | null,
    dState: readonly TypedArray[],
    dx: TypedArray,
  ): void {
    const { kernel, recurrentKernel, bias } = this.weights();
    const units = this.units;
    const step = batch * units;
    const act = this.activation;
    const U = recurrentKernel.value.data;
    const dh = dState[0]!; // ∂L/∂h_t, carried backwards through time
    const dz = allocate(this.dtype, time * step); // ∂L/∂z_t for every step, time-major
    for (let t = time - 1; t >= 0; t--) {
      const at = t * step;
      if (dhOut !== null) for (let i = 0; i < step; i++) dh[i]! += dhOut[at + i]!;
      // dz_t = dh_t ⊙ activation′ (from h_t), then dh_{t−1} = dz_t·Uᵀ.
      dz.set(dh, at);
      for (let b = 0; b < batch; b++) act.backward(h, at + step + b * units, dz, at + b * units, units);
      gemm(false, true, batch, units, units, dz, at, U, 0, 0, dh, 0);
    }
    // Weight gradients over all steps at once: dW += Xᵀ·dZ, dU += H_{0…T−1}ᵀ·dZ, db += Σ dZ.
    gemm(true, false, features, units, time * batch, x, 0, dz, 0, 1, kernel.grad.data, 0);
    gemm(true, false, units, units, time * batch, h, 0, dz, 0, 1, recurrentKernel.grad.data, 0);
    if (bias !== null) addColumnSums(dz, 0, time * batch, units, bias.grad.data, 0);
    gemm(false, true, time * batch, features, units, dz, 0, kernel.value.data, 0, 0, dx, 0);
  }
}

/** Creates a {@link SimpleRNN} layer: `simpleRNN({ units: 16, activation: 'sigmoid' })`. */
export function simpleRNN(options: SimpleRNNOptions): SimpleRNN {
  return new SimpleRNN(options);
}
