// The weight gradients of a fused backward pass shared out among threads: each thread sums
// into a slot of its own in the module's memory, and the slots are added up at the end.
import { copyIn32, copyOut32 } from './copies.js';
import type { KernelExports } from './module.js';

/**
 * Where a backward pass's threads sum the weight gradients: thread 0 adds into copies of
 * the caller's kernel gradients, the others into zeroed partial sums; every thread sums
 * its own bias gradient (the kernels zero it).
 */
export interface GradientSlots {
  readonly kernel: number[];
  readonly recurrent: number[];
  readonly bias: number[];
  readonly sizes: readonly [number, number, number];
}

/** Takes the slots of `parts` threads, `kernel`, `recurrent` and `bias` elements each, from `take`. */
export function takeGradients(take: (elements: number) => number, parts: number, kernel: number, recurrent: number, bias: number): GradientSlots {
  return {
    kernel: Array.from({ length: parts }, () => take(kernel)),
    recurrent: Array.from({ length: parts }, () => take(recurrent)),
    bias: Array.from({ length: parts }, () => take(bias)),
    sizes: [kernel, recurrent, bias],
  };
}

/**
 * Copies the caller's gradients into thread 0's slots and zeroes the others' (`f32` views
 * the module's memory, after it was grown to hold the slots).
 */
export function loadGradients(f32: Float32Array, g: GradientSlots, kernelGrad: Float32Array, recurrentKernelGrad: Float32Array): void {
  const [kernel, recurrent] = g.sizes;
  copyIn32(f32, g.kernel[0]! >>> 2, kernelGrad, 0, kernel);
  copyIn32(f32, g.recurrent[0]! >>> 2, recurrentKernelGrad, 0, recurrent);
  for (let part = 1; part < g.kernel.length; part++) {
    f32.fill(0, g.kernel[part]! >>> 2, (g.kernel[part]! >>> 2) + kernel);
    f32.fill(0, g.recurrent[part]! >>> 2, (g.recurrent[part]! >>> 2) + recurrent);
  }
}

/** Adds the threads' partial sums together and hands the totals back to the caller. */
export function storeGradients(
  f32: Float32Array,
  exports: Pick<KernelExports, 'addF32'>,
  g: GradientSlots,
  kernelGrad: Float32Array,
  recurrentKernelGrad: Float32Array,
  biasGrad: Float32Array | null,
): void {
  const [kernel, recurrent, bias] = g.sizes;
  for (let part = 1; part < g.kernel.length; part++) {
    exports.addF32(g.kernel[0]!, g.kernel[part]!, kernel);
    exports.addF32(g.recurrent[0]!, g.recurrent[part]!, recurrent);
    exports.addF32(g.bias[0]!, g.bias[part]!, bias);
  }
  copyOut32(f32, g.kernel[0]! >>> 2, kernelGrad, 0, kernel);
  copyOut32(f32, g.recurrent[0]! >>> 2, recurrentKernelGrad, 0, recurrent);
  if (biasGrad === null) return;
  const from = g.bias[0]! >>> 2;
  for (let k = 0; k < bias; k++) biasGrad[k] = biasGrad[k]! + f32[from + k]!;
}
