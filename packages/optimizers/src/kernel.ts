// Compiled optimizer kernels. A plugin may declare the kernel that computes its update
// (`kernel` of its definition: a name, the state arrays it reads and writes, its scalars),
// and whoever creates the optimizer passes the kernels it may use (`kernels` of the runner
// options: e.g. those a WebAssembly backend lists among its fused kernels, which is what
// `fit` of @rnnkit/model passes). When one of them has the plugin's kernel, the runner keeps
// the plugin state in the kernel's memory and runs the kernel instead of the JS update;
// the kernel must leave the values and state bit-identical to it (`optimizerKernelLaws` of
// @rnnkit/testing checks that).
import type { DType } from '@rnnkit/tensor';

/** The fields of a state type that hold typed arrays: what a kernel may keep in its memory. */
export type KernelSlotKey<State> = {
  [K in keyof State]-?: State[K] extends Float32Array | Float64Array ? K : never;
}[keyof State] &
  string;

/** What a plugin declares about the compiled kernel that computes its update. */
export interface OptimizerKernelDeclaration<Options, State> {
  /** The kernel's name, e.g. `'rnnkit.rmsprop'`: what a set of {@link OptimizerKernels} recognises. */
  readonly name: string;
  /**
   * The state arrays the kernel reads and writes, in the kernel's argument order. The runner
   * allocates them in the kernel's memory with the lengths `init` gave them and puts them
   * in the state in place of `init`'s arrays.
   */
  readonly slots: readonly KernelSlotKey<State>[];
  /** How many scalar arguments {@link scalars} writes. */
  readonly scalarCount: number;
  /**
   * Writes the kernel's scalar arguments for one step into `out` (of `scalarCount`
   * elements): the options and the step's numbers, computed with the same expressions as
   * the JS update (e.g. Adam's `lr_t`), so the kernel starts from the same bits.
   */
  scalars(options: Readonly<Options>, step: number, lr: number, out: Float64Array): void;
}

/** The memory layout a kernel runs on: one entry per parameter the optimizer updates. */
export interface OptimizerKernelLayout {
  /** The kernel's name (`OptimizerKernelDeclaration.name`). */
  readonly kernel: string;
  readonly dtype: DType;
  /** Per parameter: its number of values and the length of each state array, in the declaration's order. */
  readonly params: readonly { readonly size: number; readonly slots: readonly number[] }[];
}

/** The buffers of one parameter in a kernel's memory. */
export interface OptimizerKernelBuffers {
  /** Where the runner copies the values before a step and reads the new values after it. */
  readonly value: Float32Array | Float64Array;
  /** Where the runner copies the gradient before a step. */
  readonly grad: Float32Array | Float64Array;
  /** The state arrays (the plugin state holds these very arrays). */
  readonly slots: readonly (Float32Array | Float64Array)[];
}

/**
 * The memory of one optimizer in a set of kernels: buffers laid out once, whose views stay
 * valid as long as the workspace lives (its memory never grows after it is made).
 */
export interface OptimizerKernelWorkspace {
  /** One entry per parameter of the layout, in order. */
  readonly params: readonly OptimizerKernelBuffers[];
  /** Copies every state array aside (before a step). */
  save(): void;
  /** Puts back the state arrays {@link save} copied (after a failed step). */
  restore(): void;
  /**
   * Runs the kernel on parameter `index`: reads its `value`, `grad` and state, writes the
   * new values into `value` and the new state in place; true when every new value is finite.
   */
  run(index: number, scalars: Float64Array): boolean;
}

/**
 * A set of compiled optimizer kernels, as a backend lists it among its `fused` kernels
 * (family `'optimizer'`). Pass it in `kernels` of `createOptimizer`.
 */
export interface OptimizerKernels {
  readonly family: 'optimizer';
  /** Shown in `optimizer.kernel` and errors, e.g. `'wasm-simd optimizer kernels'`. */
  readonly name: string;
  /** Whether it has the kernel of this name for values of this dtype, with this many state arrays and scalars. */
  supports(kernel: string, dtype: DType, slots: number, scalars: number): boolean;
  /** Lays out the buffers of one optimizer (called once, when it is created). */
  allocate(layout: OptimizerKernelLayout): OptimizerKernelWorkspace;
}

/** Whether `value` looks like a set of {@link OptimizerKernels} (for checking what a caller passed). */
export function isOptimizerKernels(value: unknown): value is OptimizerKernels {
  if (typeof value !== 'object' || value === null) return false;
  const k = value as Partial<OptimizerKernels>;
  return (
    k.family === 'optimizer' && typeof k.name === 'string' && typeof k.supports === 'function' && typeof k.allocate === 'function'
  );
}

/**
 * The optimizer kernels among a backend's fused kernels (those of family `'optimizer'`),
 * e.g. `optimizerKernelsOf(getBackend().fused)` — what `fit` passes to `createOptimizer`.
 */
export function optimizerKernelsOf(fused: readonly { readonly family: string }[] | undefined): OptimizerKernels[] {
  return (fused ?? []).filter(isOptimizerKernels);
}
