import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { adam, createOptimizer, optimizerKernelsOf, rmsprop, sgd } from '@rnnkit/optimizers';
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
    expect(k!.supports('toString', 'float32', 0, 0)).toBe(false);
    expect(() => k!.allocate({ kernel: 'rnnkit.sgd', dtype: 'float32', params: [{ size: 4, slots: [3] }] })).toThrow(
      'wasm-simd optimizer kernels: rnnkit.sgd takes 1 state arrays of the parameter\'s size (4) or empty, got lengths [3]',
    );
  });

  it('should leave float64 parameters to the JS update', () => {
    const param = new Param('w', tensor([1, 2], 'float64'));
    expect(createOptimizer(sgd, [param], { kernels: [kernels] }).kernel).toBeNull();
    const single = new Param('w', tensor([1, 2]));
    expect(createOptimizer(sgd, [single], { kernels: [kernels] }).kernel).toBe('wasm-simd optimizer kernels: rnnkit.sgd');
  });
});
