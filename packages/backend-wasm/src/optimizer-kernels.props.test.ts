import fc from 'fast-check';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { adadelta, adagrad, adam, adamax, adamw, createOptimizer, optimizerKernelsOf, rmsprop, sgd } from '@rnnkit/optimizers';
import type { OptimizerKernels } from '@rnnkit/optimizers';
import { Param, tensor } from '@rnnkit/tensor';
import { type Law, optimizerKernelLaws } from '@rnnkit/testing';
import { createWasmBackend } from './backend.js';

// The kernels of assembly/optimizers.ts against the JS updates of the built-in plugins, in
// every setting that changes their maths, through the laws a plugin's kernel is run through.
let kernels: OptimizerKernels;
beforeAll(async () => {
  kernels = optimizerKernelsOf((await createWasmBackend()).fused)[0]!;
});

const suites: [string, (k: OptimizerKernels) => Law[]][] = [
  ['sgd', (k) => optimizerKernelLaws(sgd, { createOptimizer, kernels: k })],
  ['sgd with momentum 0.9', (k) => optimizerKernelLaws(sgd, { createOptimizer, kernels: k, options: { momentum: 0.9 } })],
  ['sgd with Nesterov momentum 0.7', (k) => optimizerKernelLaws(sgd, { createOptimizer, kernels: k, options: { momentum: 0.7, nesterov: true } })],
  ['rmsprop', (k) => optimizerKernelLaws(rmsprop, { createOptimizer, kernels: k })],
  ['rmsprop (rho 0.999, epsilon 1e-8)', (k) => optimizerKernelLaws(rmsprop, { createOptimizer, kernels: k, options: { rho: 0.999, epsilon: 1e-8 } })],
  ['rmsprop centred', (k) => optimizerKernelLaws(rmsprop, { createOptimizer, kernels: k, options: { centered: true } })],
  ['rmsprop with momentum 0.5', (k) => optimizerKernelLaws(rmsprop, { createOptimizer, kernels: k, options: { momentum: 0.5 } })],
  ['rmsprop centred with momentum 0.9', (k) => optimizerKernelLaws(rmsprop, { createOptimizer, kernels: k, options: { centered: true, momentum: 0.9 } })],
  ['adam', (k) => optimizerKernelLaws(adam, { createOptimizer, kernels: k })],
  ['adam with amsgrad', (k) => optimizerKernelLaws(adam, { createOptimizer, kernels: k, options: { amsgrad: true, beta1: 0.5, epsilon: 1e-3 } })],
  ['adamw', (k) => optimizerKernelLaws(adamw, { createOptimizer, kernels: k })],
  ['adamw with weight decay 0.3', (k) => optimizerKernelLaws(adamw, { createOptimizer, kernels: k, options: { weightDecay: 0.3 } })],
  ['adamw without weight decay', (k) => optimizerKernelLaws(adamw, { createOptimizer, kernels: k, options: { weightDecay: 0 } })],
  ['adamw with amsgrad', (k) => optimizerKernelLaws(adamw, { createOptimizer, kernels: k, options: { amsgrad: true, beta2: 0.9, weightDecay: 0.05 } })],
  ['adamax', (k) => optimizerKernelLaws(adamax, { createOptimizer, kernels: k })],
  ['adamax (beta1 0.5, beta2 0.8, epsilon 1e-3)', (k) => optimizerKernelLaws(adamax, { createOptimizer, kernels: k, options: { beta1: 0.5, beta2: 0.8, epsilon: 1e-3 } })],
  ['adagrad', (k) => optimizerKernelLaws(adagrad, { createOptimizer, kernels: k })],
  ['adagrad (no initial accumulator, epsilon 0)', (k) => optimizerKernelLaws(adagrad, { createOptimizer, kernels: k, options: { initialAccumulatorValue: 0, epsilon: 0 } })],
  ['adadelta', (k) => optimizerKernelLaws(adadelta, { createOptimizer, kernels: k })],
  ['adadelta (rho 0.5, epsilon 1e-3)', (k) => optimizerKernelLaws(adadelta, { createOptimizer, kernels: k, options: { rho: 0.5, epsilon: 1e-3 } })],
];

for (const [title, laws] of suites) {
  describe(`optimizer kernel laws: ${title}`, () => {
    // The laws are built from the kernels, which exist once beforeAll has run: list them by name first.
    const names = laws(null as unknown as OptimizerKernels).map((law) => law.name);
    names.forEach((name, i) => it(name, () => fc.assert(laws(kernels)[i]!.property, { numRuns: 60 })));
  });
}

describe('wasm optimizer kernels', () => {
  it('should be listed among the backend fused kernels and refuse what they do not compute', async () => {
    const backend = await createWasmBackend();
    const [k] = optimizerKernelsOf(backend.fused);
    expect(k?.name).toBe('wasm-simd optimizer kernels');
    expect(k!.supports('rnnkit.adam', 'float32', 3, 7)).toBe(true);
    expect(k!.supports('rnnkit.adam', 'float64', 3, 7)).toBe(false);
    expect(k!.supports('rnnkit.adam', 'float32', 2, 7)).toBe(false);
    expect(k!.supports('rnnkit.adamw', 'float32', 3, 8)).toBe(true);
    expect(k!.supports('rnnkit.adamw', 'float32', 3, 7)).toBe(false);
    expect(k!.supports('toString', 'float32', 0, 0)).toBe(false);
    expect(() => k!.allocate({ kernel: 'rnnkit.sgd', dtype: 'float32', params: [{ size: 4, slots: [3] }] })).toThrow(
      'wasm-simd optimizer kernels: rnnkit.sgd takes 1 state arrays of the parameter\'s size (4) or empty, got lengths [3]',
    );
  });

  it('should compile the optimizer module in the background, so that allocating compiles nothing synchronously', async () => {
    // A fresh copy of the module (nothing compiled yet), with synchronous compilation refused
    // as Chrome before 115 refuses it on a page's main thread for modules over 4 KB.
    vi.resetModules();
    const fresh = await import('./optimizer-kernels.js');
    const layout = { kernel: 'rnnkit.adamw', dtype: 'float32' as const, params: [{ size: 5, slots: [5, 5, 0] }] };
    const wasm = WebAssembly as { Module: typeof WebAssembly.Module };
    const Module = wasm.Module;
    wasm.Module = function refused(): never {
      throw new RangeError('synchronous compilation refused');
    } as unknown as typeof WebAssembly.Module;
    try {
      const k = fresh.optimizerKernels('fresh');
      expect(() => k.allocate(layout)).toThrow('synchronous compilation refused');
      await fresh.compileOptimizerModule();
      expect(k.allocate(layout).params[0]!.slots.map((slot) => slot.length)).toEqual([5, 5, 0]);
    } finally {
      wasm.Module = Module;
    }
  });

  it('should leave float64 parameters to the JS update', () => {
    const param = new Param('w', tensor([1, 2], 'float64'));
    expect(createOptimizer(sgd, [param], { kernels: [kernels] }).kernel).toBeNull();
    const single = new Param('w', tensor([1, 2]));
    expect(createOptimizer(sgd, [single], { kernels: [kernels] }).kernel).toBe('wasm-simd optimizer kernels: rnnkit.sgd');
  });
});
