// The buffers of each fused pass, declared once, in the order of the kernel's arguments
// (assembly/lstm.ts, gru.ts, gru-reset-before.ts, simple-rnn.ts). From a table the backend derives the memory layout,
// the checks of the caller's arrays, what is copied in before the kernels run and out
// after, and the kernel's positional arguments — instead of four hand-written lists each.
import type {
  GruBackwardArgs,
  GruForwardArgs,
  GruResetBeforeBackwardArgs,
  GruResetBeforeForwardArgs,
  LstmBackwardArgs,
  LstmForwardArgs,
  SimpleRnnBackwardArgs,
  SimpleRnnForwardArgs,
  StepMask,
} from './pass-args.js';

/** The sizes of a pass and the widths derived from them. */
export interface PassShape {
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly units: number;
  /** Gate columns: 4·units (LSTM), 3·units (GRU) or units (SimpleRNN). */
  readonly w: number;
  /** Values of one state at one step: batch·units. */
  readonly step: number;
}

/** Values [from, from + count) of a buffer. */
export type Range = readonly [from: number, count: number];

/** One float32 buffer of a pass in WebAssembly memory. */
export interface BufferSpec<A> {
  /** Its name in errors: the caller's field (or the kernel's own buffer). */
  readonly name: string;
  /** Values it holds; `rows` is the thread's share of the batch for a per-thread buffer. */
  readonly size: (shape: PassShape, rows: number) => number;
  /** The caller's array behind it (null when the caller has none); absent for the kernels' own. */
  readonly array?: (args: A) => Float32Array | Uint8Array | null;
  /** The caller's array is a Uint8Array of 0s and 1s (a step mask), held as float32 0 and 1. */
  readonly bytes?: boolean;
  /** For a null array: 'zeros' gives a zeroed buffer (no bias), 'none' address 0 and no room (no dhOut). */
  readonly whenNull?: 'zeros' | 'none';
  /** The values read from the caller before the kernels run (default all of them; null: none). */
  readonly copyIn?: (shape: PassShape) => Range | null;
  /** The values written back after (default none). */
  readonly copyOut?: (shape: PassShape, args: A) => Range | null;
  /** Values the caller's array must hold (default its size). */
  readonly needs?: (shape: PassShape, args: A) => number;
  /** One buffer per thread, sized for its rows. */
  readonly perThread?: boolean;
}

/** The WebAssembly exports of the fused passes. */
export type PassKernel =
  | 'lstmForward'
  | 'lstmBackward'
  | 'gruForward'
  | 'gruBackward'
  | 'gruResetBeforeForward'
  | 'gruResetBeforeBackward'
  | 'simpleRnnForward'
  | 'simpleRnnBackward';

/** What the backend needs to run one fused pass. */
export interface PassSpec<A> {
  /** The kernel's name (its WebAssembly export, and in errors). */
  readonly name: PassKernel;
  /** Gate blocks: 4 (LSTM), 3 (GRU) or 1 (SimpleRNN). */
  readonly gates: number;
  /** An integer argument the kernel takes after the sizes (the SimpleRNN's activation), if any. */
  readonly mode?: (args: A) => number;
  /** Multiply–adds of the pass: how many threads it is worth. */
  readonly work: (shape: PassShape) => number;
  /** 8-byte values of a thread's gathering room: its longest thin product's column, and what the kernel takes first (the packed U). */
  readonly gather: (shape: PassShape) => number;
  readonly buffers: readonly BufferSpec<A>[];
  /** Backward passes: the weight gradients each thread sums (then added up), and the bias's size. */
  readonly gradients?: { readonly of: (args: A) => WeightGradients; readonly bias: (shape: PassShape) => number };
}

/** The weight gradients a backward pass adds to. */
export interface WeightGradients {
  readonly kernelGrad: Float32Array;
  readonly recurrentKernelGrad: Float32Array;
  readonly biasGrad: Float32Array | null;
}

const inputs = (shape: PassShape): number => shape.time * shape.batch * shape.features;
const gateValues = (shape: PassShape): number => shape.time * shape.batch * shape.w;
const states = (shape: PassShape): number => (shape.time + 1) * shape.step;
const steps = (shape: PassShape): number => shape.time * shape.step;
const all = (size: (shape: PassShape) => number) => (shape: PassShape): Range => [0, size(shape)];
const firstStep = (shape: PassShape): Range => [0, shape.step];
const laterSteps = (shape: PassShape): Range => [shape.step, shape.time * shape.step];

/** An array the kernels only read. */
function input<A>(name: string, array: (args: A) => Float32Array | null, size: (shape: PassShape) => number): BufferSpec<A> {
  return { name, size, array };
}

/** An array the kernels write and a forward pass hands back only when `keep` (else it may be empty). */
function kept<A extends { keep: boolean }>(name: string, array: (args: A) => Float32Array, size: (shape: PassShape) => number): BufferSpec<A> {
  return {
    name,
    size,
    array,
    copyIn: () => null,
    copyOut: (shape, args) => (args.keep ? [0, size(shape)] : null),
    needs: (shape, args) => (args.keep ? size(shape) : 0),
  };
}

/** An array the kernels write and hand back whole. */
function output<A>(name: string, array: (args: A) => Float32Array, size: (shape: PassShape) => number): BufferSpec<A> {
  return { name, size, array, copyIn: () => null, copyOut: all(size) };
}

/** A buffer of the kernels' own (nothing crosses to the caller). */
function own<A>(name: string, size: (shape: PassShape) => number): BufferSpec<A> {
  return { name, size };
}

/** A state gradient [batch, units]: read (∂L/∂s_T), then written back (∂L/∂s_0). */
function stateGradient<A>(name: string, array: (args: A) => Float32Array): BufferSpec<A> {
  return { name, size: (shape) => shape.step, array, copyOut: firstStep };
}

/** The input, the weights and the step mask (no room when there is none: the kernels see address 0). */
const weights = <A extends { x: Float32Array; kernel: Float32Array; recurrentKernel: Float32Array; mask: StepMask }>(): BufferSpec<A>[] => [
  input('x', (args) => args.x, inputs),
  input('kernel', (args) => args.kernel, (shape) => shape.features * shape.w),
  input('recurrentKernel', (args) => args.recurrentKernel, (shape) => shape.units * shape.w),
  { name: 'mask', size: (shape) => shape.time * shape.batch, array: (args) => args.mask, bytes: true, whenNull: 'none' },
];

const forwardWork = (shape: PassShape): number => shape.time * shape.batch * shape.w * (shape.units + shape.features);
const backwardWork = (shape: PassShape): number => 3 * forwardWork(shape);
// Products with fewer columns than a SIMD vector gather a column of up to k values; the
// weight gradients (Aᵀ with fewer than 4 rows) one of up to time·batch.
const forwardGather = (shape: PassShape): number => Math.max(shape.features, shape.units);
const backwardGather = (shape: PassShape): number => shape.time * shape.batch;
// The passes pack U (forward) or Uᵀ (backward) — the reset-before GRU each of U's column
// blocks U_zr and U_h — once per pass into the same room first (packOnce in
// assembly/recurrent.ts, takeScratch in assembly/scratch.ts). A packing of op(B) [k×n] holds
// k·n f32 values with n rounded up to whole panels of 12 columns (VR·4 in assembly/gemm.ts),
// starts 64-byte aligned, and is counted here in the room's 8-byte values.
const PANEL = 12;
const packed = (n: number, k: number): number => Math.ceil((k * Math.ceil(n / PANEL) * PANEL) / 2) + 8;

export const LSTM_FORWARD: PassSpec<LstmForwardArgs> = {
  name: 'lstmForward',
  gates: 4,
  work: forwardWork,
  gather: (shape) => packed(shape.w, shape.units) + forwardGather(shape),
  buffers: [
    ...weights<LstmForwardArgs>(),
    { name: 'bias', size: (shape) => shape.w, array: (args) => args.bias, whenNull: 'zeros' },
    kept('gates', (args) => args.gates, gateValues),
    { name: 'h', size: states, array: (args) => args.h, copyIn: firstStep, copyOut: laterSteps },
    {
      name: 'c',
      size: states,
      array: (args) => args.c,
      copyIn: firstStep,
      // Inference hands back only c_T, the final state.
      copyOut: (shape, args) => (args.keep ? laterSteps(shape) : [shape.time * shape.step, shape.step]),
    },
    kept('cellActivation', (args) => args.cellActivation, steps),
    { name: 'recurrent', size: (shape, rows) => rows * shape.w, perThread: true },
  ],
};

export const LSTM_BACKWARD: PassSpec<LstmBackwardArgs> = {
  name: 'lstmBackward',
  gates: 4,
  work: backwardWork,
  gather: (shape) => packed(shape.units, shape.w) + backwardGather(shape),
  buffers: [
    ...weights<LstmBackwardArgs>(),
    input('gates', (args) => args.gates, gateValues),
    input('h', (args) => args.h, states),
    input('c', (args) => args.c, states),
    input('cellActivation', (args) => args.cellActivation, steps),
    { name: 'dhOut', size: steps, array: (args) => args.dhOut, whenNull: 'none' },
    stateGradient('dh', (args) => args.dh),
    stateGradient('dc', (args) => args.dc),
    own('dz', gateValues),
    output('dx', (args) => args.dx, inputs),
  ],
  gradients: { of: (args) => args, bias: (shape) => shape.w },
};

export const GRU_FORWARD: PassSpec<GruForwardArgs> = {
  name: 'gruForward',
  gates: 3,
  work: forwardWork,
  gather: (shape) => packed(shape.w, shape.units) + forwardGather(shape),
  buffers: [
    ...weights<GruForwardArgs>(),
    // b_in then b_rec.
    { name: 'bias', size: (shape) => 2 * shape.w, array: (args) => args.bias, whenNull: 'zeros' },
    kept('gates', (args) => args.gates, gateValues),
    { name: 'h', size: states, array: (args) => args.h, copyIn: firstStep, copyOut: laterSteps },
    kept('recurrent', (args) => args.recurrent, gateValues),
  ],
};

export const GRU_BACKWARD: PassSpec<GruBackwardArgs> = {
  name: 'gruBackward',
  gates: 3,
  work: backwardWork,
  gather: (shape) => packed(shape.units, shape.w) + backwardGather(shape),
  buffers: [
    ...weights<GruBackwardArgs>(),
    input('gates', (args) => args.gates, gateValues),
    input('recurrent', (args) => args.recurrent, gateValues),
    input('h', (args) => args.h, states),
    { name: 'dhOut', size: steps, array: (args) => args.dhOut, whenNull: 'none' },
    stateGradient('dh', (args) => args.dh),
    own('dz', gateValues),
    own('dRec', gateValues),
    output('dx', (args) => args.dx, inputs),
  ],
  gradients: { of: (args) => args, bias: (shape) => 2 * shape.w },
};

/** A buffer of the kernels' own, one per thread (sized for its share of the batch). */
function ownPerThread<A>(name: string, size: (shape: PassShape, rows: number) => number): BufferSpec<A> {
  return { name, size, perThread: true };
}

/** U's column blocks U_zr and U_h, copied out by each thread (assembly/gru-reset-before.ts). */
const splitKernel = (shape: PassShape): number => shape.units * shape.w;

export const GRU_RESET_BEFORE_FORWARD: PassSpec<GruResetBeforeForwardArgs> = {
  name: 'gruResetBeforeForward',
  gates: 3,
  work: forwardWork,
  // U_zr [u, 2u] and U_h [u, u] packed.
  gather: (shape) => packed(2 * shape.units, shape.units) + packed(shape.units, shape.units) + forwardGather(shape),
  buffers: [
    ...weights<GruResetBeforeForwardArgs>(),
    { name: 'bias', size: (shape) => shape.w, array: (args) => args.bias, whenNull: 'zeros' },
    kept('gates', (args) => args.gates, gateValues),
    { name: 'h', size: states, array: (args) => args.h, copyIn: firstStep, copyOut: laterSteps },
    kept('resetHidden', (args) => args.resetHidden, steps),
    ownPerThread('split', splitKernel),
    // A step's h·U_zr, then (r ⊙ h)·U_h.
    ownPerThread('product', (shape, rows) => rows * shape.w),
  ],
};

export const GRU_RESET_BEFORE_BACKWARD: PassSpec<GruResetBeforeBackwardArgs> = {
  name: 'gruResetBeforeBackward',
  gates: 3,
  work: backwardWork,
  // U_hᵀ [u, u] and U_zrᵀ [2u, u] packed.
  gather: (shape) => packed(shape.units, shape.units) + packed(shape.units, 2 * shape.units) + backwardGather(shape),
  buffers: [
    ...weights<GruResetBeforeBackwardArgs>(),
    input('gates', (args) => args.gates, gateValues),
    input('resetHidden', (args) => args.resetHidden, steps),
    input('h', (args) => args.h, states),
    { name: 'dhOut', size: steps, array: (args) => args.dhOut, whenNull: 'none' },
    stateGradient('dh', (args) => args.dh),
    own('dz', gateValues),
    // ∂(h·U_zr) [T, batch, 2u], then ∂((r ⊙ h)·U_h) [T, batch, u].
    own('dRecurrent', gateValues),
    output('dx', (args) => args.dx, inputs),
    ownPerThread('split', splitKernel),
    // A step's ∂(r ⊙ h_{t−1}).
    ownPerThread('product', (shape, rows) => rows * shape.units),
  ],
  gradients: { of: (args) => args, bias: (shape) => shape.w },
};

/** The SimpleRNN kernels' activation argument (assembly/simple-rnn.ts). */
const activationMode = (args: SimpleRnnForwardArgs | SimpleRnnBackwardArgs): number => (args.activation === 'sigmoid' ? 1 : 0);

export const SIMPLE_RNN_FORWARD: PassSpec<SimpleRnnForwardArgs> = {
  name: 'simpleRnnForward',
  gates: 1,
  mode: activationMode,
  work: forwardWork,
  gather: (shape) => packed(shape.units, shape.units) + forwardGather(shape),
  buffers: [
    ...weights<SimpleRnnForwardArgs>(),
    { name: 'bias', size: (shape) => shape.w, array: (args) => args.bias, whenNull: 'zeros' },
    { name: 'h', size: states, array: (args) => args.h, copyIn: firstStep, copyOut: laterSteps },
  ],
};

export const SIMPLE_RNN_BACKWARD: PassSpec<SimpleRnnBackwardArgs> = {
  name: 'simpleRnnBackward',
  gates: 1,
  mode: activationMode,
  work: backwardWork,
  gather: (shape) => packed(shape.units, shape.units) + backwardGather(shape),
  buffers: [
    ...weights<SimpleRnnBackwardArgs>(),
    input('h', (args) => args.h, states),
    { name: 'dhOut', size: steps, array: (args) => args.dhOut, whenNull: 'none' },
    stateGradient('dh', (args) => args.dh),
    own('dz', steps),
    output('dx', (args) => args.dx, inputs),
  ],
  gradients: { of: (args) => args, bias: (shape) => shape.w },
};
