// Arguments of the whole-pass recurrent kernels of backend.ts (LSTM, both GRU forms and
// SimpleRNN, float32, time-major buffers), which recurrent-passes.ts builds from the buffers
// of a RecurrentPass.

/**
 * The step mask of a pass, time-major `[time, batch]` (1: the step counts, 0: masked), or
 * null when every step counts. Forward, a masked step carries a row's states over (h_{t+1} =
 * h_t, and c for the LSTM); backward, it passes the row's state gradients through unchanged
 * and adds nothing to ∂x, ∂W, ∂U or ∂b.
 */
export type StepMask = Uint8Array | null;

/**
 * What every pass kernel reads, forward and backward: the sizes, the input, the weights and
 * the step mask. W and U have w columns: 4·units (LSTM), 3·units (GRU) or units (SimpleRNN).
 */
export interface PassInputs {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly units: number;
  /** Input `[time, batch, features]`. */
  readonly x: Float32Array;
  /** W `[features, w]`. */
  readonly kernel: Float32Array;
  /** U `[units, w]`. */
  readonly recurrentKernel: Float32Array;
  /** See {@link StepMask}. */
  readonly mask: StepMask;
}

/** What every forward pass adds: the bias and the hidden states. */
export interface ForwardInputs extends PassInputs {
  /** The bias (its layout is each kernel's, below), or null for none. */
  readonly bias: Float32Array | null;
  /** h_0 … h_T `[time + 1, batch, units]`: h_0 is read, the rest written. */
  readonly h: Float32Array;
}

/** What every backward pass adds: h_0 … h_T from the forward pass, the gradients in and the gradients out. */
export interface BackwardInputs extends PassInputs {
  /** h_0 … h_T from the forward pass. */
  readonly h: Float32Array;
  /** ∂L/∂h_t for every step `[time, batch, units]`, or null when only h_T is an output. */
  readonly dhOut: Float32Array | null;
  /** `[batch, units]`: enters holding ∂L/∂h_T, leaves holding ∂L/∂h_0. */
  readonly dh: Float32Array;
  /** Written with ∂L/∂x `[time, batch, features]`. */
  readonly dx: Float32Array;
  /** ∂L/∂W, ∂L/∂U and ∂L/∂b (the bias's layout) are added to these (accumulated, not overwritten). */
  readonly kernelGrad: Float32Array;
  readonly recurrentKernelGrad: Float32Array;
  readonly biasGrad: Float32Array | null;
}

/**
 * Arguments of the WebAssembly `gruForward`: the GRU of Keras with `resetAfter` (σ gates,
 * tanh candidate, gate order z, r, h̃) over `time` steps of `batch` sequences, float32, every
 * buffer time-major and contiguous from index 0, W `[features, 3·units]`, U `[units, 3·units]`
 * and the bias `[2, 3·units]` (the input bias, then the recurrent bias):
 *
 *     a_t = h_{t−1}·U + b_rec
 *     z = σ(x_t·W_z + b_z + a_z)   r = σ(x_t·W_r + b_r + a_r)   h̃ = tanh(x_t·W_h + b_h + r ⊙ a_h)
 *     h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 */
export interface GruForwardArgs extends ForwardInputs {
  /** Written with the gate values `[z | r | h̃]`, `[time, batch, 3·units]`, when `keep` (may be empty otherwise). */
  readonly gates: Float32Array;
  /** Written with a_t, `[time, batch, 3·units]`, when `keep` (may be empty otherwise). */
  readonly recurrent: Float32Array;
  /** False when no backward pass will follow: only `h` must be written. */
  readonly keep: boolean;
}

/**
 * Arguments of the WebAssembly `gruBackward`: backpropagation through time of {@link GruForwardArgs}' pass,
 * from its gate values, a_t and h_0 … h_T.
 */
export interface GruBackwardArgs extends BackwardInputs {
  readonly gates: Float32Array;
  readonly recurrent: Float32Array;
}

/**
 * Arguments of the WebAssembly `lstmForward`: the standard LSTM cell (σ gates, tanh,
 * `h = o ⊙ tanh(c)`, Keras' gate order i, f, c̃, o) over `time` steps of `batch` sequences,
 * float32, every buffer time-major and contiguous from index 0, W `[features, 4·units]`,
 * U `[units, 4·units]` and b `[4·units]`:
 *
 *     z_t = x_t·W + h_{t−1}·U + b,  gates_t = [σ(z_i) | σ(z_f) | tanh(z_c) | σ(z_o)]
 *     c_t = f ⊙ c_{t−1} + i ⊙ c̃,   a_t = tanh(c_t),   h_t = o ⊙ a_t
 */
export interface LstmForwardArgs extends ForwardInputs {
  /** c_0 … c_T `[time + 1, batch, units]`: c_0 is read, c_T written, c_1 … c_{T−1} written when `keep`. */
  readonly c: Float32Array;
  /** Written with the gate values `[time, batch, 4·units]` when `keep` (may be empty otherwise). */
  readonly gates: Float32Array;
  /** Written with a_t = tanh(c_t) `[time, batch, units]` when `keep` (may be empty otherwise). */
  readonly cellActivation: Float32Array;
  /**
   * False when no backward pass will follow (inference): then only `h` and c_T must be
   * written, and `gates` and `cellActivation` may be empty arrays.
   */
  readonly keep: boolean;
}

/**
 * Arguments of the WebAssembly `lstmBackward`: backpropagation through time of the pass
 * {@link LstmForwardArgs} describes, float32, time-major, from the values it kept: gate
 * values, h_0 … h_T, c_0 … c_T and tanh(c_1 … c_T).
 */
export interface LstmBackwardArgs extends BackwardInputs {
  readonly gates: Float32Array;
  readonly c: Float32Array;
  readonly cellActivation: Float32Array;
  /** `[batch, units]`: enters holding ∂L/∂c_T, leaves holding ∂L/∂c_0. */
  readonly dc: Float32Array;
}

/**
 * Arguments of the WebAssembly `gruResetBeforeForward`: the GRU of Keras 1 and TF.js
 * (`resetAfter: false`, σ gates, tanh candidate, gate order z, r, h̃), float32, time-major,
 * W `[features, 3·units]`, U `[units, 3·units]` and b `[3·units]`. With U's column blocks
 * U_zr [u, 2u] and U_h [u, u]:
 *
 *     z = σ(x_t·W_z + b_z + h_{t−1}·U_z)   r = σ(x_t·W_r + b_r + h_{t−1}·U_r)
 *     h̃ = tanh(x_t·W_h + b_h + (r ⊙ h_{t−1})·U_h),   h_t = z ⊙ h_{t−1} + (1 − z) ⊙ h̃
 */
export interface GruResetBeforeForwardArgs extends ForwardInputs {
  /** Written with the gate values `[z | r | h̃]`, `[time, batch, 3·units]`, when `keep` (may be empty otherwise). */
  readonly gates: Float32Array;
  /** Written with r ⊙ h_{t−1}, `[time, batch, units]`, when `keep` (may be empty otherwise). */
  readonly resetHidden: Float32Array;
  /** False when no backward pass will follow: only `h` must be written. */
  readonly keep: boolean;
}

/**
 * Arguments of the WebAssembly `gruResetBeforeBackward`: backpropagation through time of
 * {@link GruResetBeforeForwardArgs}' pass, from its gate values, r ⊙ h_{t−1} and h_0 … h_T.
 */
export interface GruResetBeforeBackwardArgs extends BackwardInputs {
  readonly gates: Float32Array;
  readonly resetHidden: Float32Array;
}

/** The activations the SimpleRNN kernels compute. */
export type SimpleRnnActivation = 'tanh' | 'sigmoid';

/**
 * Arguments of the WebAssembly `simpleRnnForward`: Keras' SimpleRNN cell, float32, time-major,
 * W `[features, units]`, U `[units, units]` and b `[units]`; nothing is kept but h:
 *
 *     h_t = activation(x_t·W + h_{t−1}·U + b)
 */
export interface SimpleRnnForwardArgs extends ForwardInputs {
  readonly activation: SimpleRnnActivation;
}

/** Arguments of the WebAssembly `simpleRnnBackward`: backpropagation through time of {@link SimpleRnnForwardArgs}' pass, from h. */
export interface SimpleRnnBackwardArgs extends BackwardInputs {
  readonly activation: SimpleRnnActivation;
}
