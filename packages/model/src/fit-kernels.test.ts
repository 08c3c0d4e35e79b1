import { createWasmBackend } from '@rnnkit/backend-wasm';
import { adadelta, adagrad, adam, adamax, adamw, rmsprop, sgd } from '@rnnkit/optimizers';
import { type KernelBackend, getBackend, setBackend } from '@rnnkit/tensor';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fit } from './index.js';
import { lstmModel, sineTask } from './test-support.js';

// fit creates a plugin's optimizer with the current backend's optimizer kernels: on the
// WebAssembly backend the built-ins' updates run there, and training must not change by a bit.
let previous: KernelBackend;
beforeAll(async () => {
  previous = getBackend();
  setBackend(await createWasmBackend());
});
afterAll(() => setBackend(previous));

type Plugin = typeof sgd | typeof rmsprop | typeof adam | typeof adamw | typeof adamax | typeof adagrad | typeof adadelta;

async function train(optimizer: Plugin, options: Record<string, unknown>) {
  const model = lstmModel(3);
  const history = await fit(model, sineTask(48, 8, 2), {
    loss: 'mse',
    optimizer,
    optimizerOptions: options as never,
    epochs: 3,
    batchSize: 8,
    seed: 4,
  });
  return { kernel: history.optimizer.kernel, loss: history.batches.map((b) => b.loss), weights: model.getWeights().map((w) => Array.from(w.data)) };
}

describe('fit on the WebAssembly backend', () => {
  const cases: [string, Plugin, Record<string, unknown>, string][] = [
    ['sgd with Nesterov momentum', sgd, { learningRate: 0.05, momentum: 0.9, nesterov: true }, 'rnnkit.sgd'],
    ['rmsprop', rmsprop, { learningRate: 0.01 }, 'rnnkit.rmsprop'],
    ['rmsprop centred with momentum', rmsprop, { learningRate: 0.005, centered: true, momentum: 0.5 }, 'rnnkit.rmsprop'],
    ['adam with amsgrad and clipping', adam, { learningRate: 0.02, amsgrad: true, globalClipNorm: 0.5 }, 'rnnkit.adam'],
    ['adamw', adamw, { learningRate: 0.02, weightDecay: 0.1 }, 'rnnkit.adamw'],
    ['adamax', adamax, { learningRate: 0.02 }, 'rnnkit.adamax'],
    ['adagrad', adagrad, { learningRate: 0.05 }, 'rnnkit.adagrad'],
    ['adadelta', adadelta, { learningRate: 1 }, 'rnnkit.adadelta'],
  ];
  for (const [title, optimizer, options, kernel] of cases) {
    it(`should train bit-identically with and without the optimizer kernels: ${title}`, async () => {
      const withKernels = await train(optimizer, options);
      const without = await train(optimizer, { ...options, kernels: [] });
      expect(withKernels.kernel).toBe(`wasm-simd optimizer kernels: ${kernel}`);
      expect(without.kernel).toBeNull();
      expect(withKernels.loss).toEqual(without.loss);
      expect(withKernels.weights).toEqual(without.weights);
    });
  }

  it('should run the JS update where the backend has no optimizer kernels', async () => {
    const wasm = getBackend();
    setBackend({ name: 'wasm-without-optimizers', gemm: wasm.gemm, fused: wasm.fused?.filter((k) => k.family !== 'optimizer') });
    try {
      expect((await train(adam, {})).kernel).toBeNull();
    } finally {
      setBackend(wasm);
    }
  });
});
