// The kernels module's entry point: everything the compiled WebAssembly module exports,
// re-exported by name from the files that hold each subject.
//
//   scratch.ts       block sizes, per-thread scratch memory, where the heap starts
//   lanes.ts         SIMD lane helpers for f32 and f64, operand element addresses
//   gemm.ts          the matrix product (f32/f64): packing, micro-kernel, blocked path
//   gemm-thin.ts     its vector–matrix and matrix–vector paths for thin products
//   activations.ts   σ and tanh (Cephes' expf), vectorised and scalar
//   add.ts           elementwise sums of the threads' partial results
//   recurrent.ts     helpers shared by the recurrent passes
//   lstm.ts          LSTM whole-layer passes (one step is a private helper)
//   gru.ts           GRU whole-layer passes (Keras' resetAfter cell)
//   gru-reset-before.ts  GRU whole-layer passes (the resetAfter: false cell of Keras 1, TF.js)
//   simple-rnn.ts    SimpleRNN whole-layer passes (tanh or σ)

export { heapBase, scratchBytes, setBlocking } from './scratch';
export { gemmF32, gemmF64 } from './gemm';
export { lstmBackward, lstmForward } from './lstm';
export { addF32, addF64 } from './add';
export { gruBackward, gruForward } from './gru';
export { simpleRnnBackward, simpleRnnForward } from './simple-rnn';
export { gruResetBeforeBackward, gruResetBeforeForward } from './gru-reset-before';
