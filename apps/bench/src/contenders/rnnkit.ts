// rnnkit on the plain-JS kernels and on the WebAssembly SIMD kernels. The training step is
// exactly what `fit` of @rnnkit/model does per batch (forward, loss and its gradient,
// backward, optimizer step, zeroed gradients), without fit's shuffling and bookkeeping —
// the counterpart of TF.js' `trainOnBatch`.
import { setFlagsFromString } from 'node:v8';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { type Layer, Sequential, bidirectional, dense, lstm, masking, simpleRNN } from '@rnnkit/layers';
import { type Loss, binaryCrossentropy, meanSquaredError } from '@rnnkit/losses';
import { adam, createOptimizer, optimizerKernelsOf, rmsprop, sgd } from '@rnnkit/optimizers';
import { type KernelBackend, Tensor, getBackend, jsBackend, setBackend } from '@rnnkit/tensor';
import { type BenchData, makeData, nextValueError, rows } from '../data.js';
import type { Contender, RnnkitContenderId, Task } from '../harness.js';
import type { BenchCase } from '../workloads.js';

/** An rnnkit model of the case's spec, seeded. */
export function rnnkitModel(c: BenchCase, seed = 7): Sequential {
  const { model } = c;
  const recurrent =
    model.cell === 'lstm'
      ? lstm({ units: model.units, activation: model.activation, returnSequences: model.returnSequences })
      : simpleRNN({ units: model.units, activation: model.activation, returnSequences: model.returnSequences });
  const layers: Layer[] = [];
  if (model.masking === true) layers.push(masking({ maskValue: 0 }));
  layers.push(model.bidirectional === true ? bidirectional({ layer: recurrent }) : recurrent);
  if (model.dense !== null) layers.push(dense({ units: model.dense.units, activation: model.dense.activation }));
  return new Sequential({ layers, inputShape: [c.time, c.features], seed });
}

function lossOf(c: BenchCase): Loss {
  return c.loss === 'bce' ? binaryCrossentropy() : meanSquaredError();
}

function optimizerOf(c: BenchCase, model: Sequential): { step(): void; zeroGrad(): void; beforeGradient(): void } {
  const params = model.params();
  // As fit: the current backend's optimizer kernels (the WebAssembly backend's; none on rnnkit-js).
  const kernels = optimizerKernelsOf(getBackend().fused);
  switch (c.optimizer) {
    case 'adam':
      return createOptimizer(adam, params, { learningRate: c.learningRate, kernels });
    case 'sgd':
      return createOptimizer(sgd, params, { learningRate: c.learningRate, kernels });
    case 'rmsprop':
      // W5 mirrors brain.js' own update: RMSprop with decay 0.999 and ε 1e-8. brain.js also
      // clips gradients at ±5, which never triggers on this data (the largest gradient over
      // 30 passes is 4.84), so clipping is left out here.
      return c.workload === 'W5'
        ? createOptimizer(rmsprop, params, { learningRate: c.learningRate, rho: 0.999, epsilon: 1e-8, kernels })
        : createOptimizer(rmsprop, params, { learningRate: c.learningRate, kernels });
  }
}

interface Batch {
  readonly x: Tensor;
  readonly y: Tensor;
}

/** The data cut into batches of the case's batch size (the last one may be shorter). */
function batchesOf(c: BenchCase, data: BenchData): Batch[] {
  const xRow = c.time * c.features;
  const yRow = data.yShape.reduce((a, b) => a * b, 1);
  const batches: Batch[] = [];
  for (let start = 0; start < data.samples; start += c.batch) {
    const count = Math.min(c.batch, data.samples - start);
    batches.push({
      x: new Tensor(rows(data.x, xRow, start, count), [count, c.time, c.features]),
      y: new Tensor(rows(data.y, yRow, start, count), [count, ...data.yShape]),
    });
  }
  return batches;
}

/** Trains `model` on every batch once. */
function trainPass(model: Sequential, loss: Loss, optimizer: ReturnType<typeof optimizerOf>, batches: readonly Batch[]): void {
  for (const batch of batches) trainStep(model, loss, optimizer, batch);
}

function trainStep(model: Sequential, loss: Loss, optimizer: ReturnType<typeof optimizerOf>, batch: Batch): void {
  optimizer.beforeGradient();
  const { y, cache } = model.forward(batch.x, { training: true });
  const { grad } = loss.compute(y, batch.y);
  model.backward(grad, cache);
  optimizer.step();
  optimizer.zeroGrad();
}

/**
 * rnnkit with the given kernel backend: the JS kernels, WebAssembly on one thread, or
 * WebAssembly with a thread per core (`rnnkit-wasm-mt`; TF.js' WASM backend runs one
 * thread in Node); the `-relaxed` ones run the relaxed-SIMD build (fused multiply–add in
 * the products), which Node 20 validates only behind a V8 flag that this contender sets
 * (the plain ones ask for the 128-bit SIMD build explicitly, so both can run side by side).
 */
export function rnnkitContender(id: RnnkitContenderId): Contender {
  let backend: Promise<KernelBackend> | null = null;
  const kernels = (): Promise<KernelBackend> => {
    if (backend !== null) return backend;
    if (id === 'rnnkit-js') return (backend = Promise.resolve(jsBackend));
    const relaxed = id.endsWith('-relaxed');
    if (relaxed) setFlagsFromString('--experimental-wasm-relaxed-simd');
    const threads = id.startsWith('rnnkit-wasm-mt') ? 'auto' : 1;
    return (backend = createWasmBackend({ threads, relaxedSimd: relaxed }));
  };
  return {
    id,
    supports: () => true,
    async setup(c: BenchCase): Promise<Task> {
      const selected = await kernels();
      // Switching rnnkit's kernels moves no data: nothing to absorb.
      const activate = async (): Promise<boolean> => {
        setBackend(selected);
        return false;
      };
      await activate();
      const data = makeData(c);
      const model = rnnkitModel(c);
      const loss = lossOf(c);
      const optimizer = optimizerOf(c, model);
      const batches = batchesOf(c, data);
      if (c.workload === 'W5') {
        return {
          samplesPerRun: data.samples,
          activate,
          run: () => trainPass(model, loss, optimizer, batches),
          async errorAfter(passes: number, trial: number): Promise<number> {
            const fresh = rnnkitModel(c, 7 + trial);
            const freshOptimizer = optimizerOf(c, fresh);
            for (let p = 0; p < passes; p++) trainPass(fresh, loss, freshOptimizer, batches);
            const all = fresh.forward(new Tensor(data.x, [data.samples, c.time, c.features])).y.data;
            const last = new Float32Array(data.samples);
            for (let s = 0; s < data.samples; s++) last[s] = all[s * c.time + c.time - 1]!;
            return nextValueError(last, data, c.time);
          },
          dispose: () => {},
        };
      }
      let next = 0;
      if (c.phase === 'predict') {
        return {
          samplesPerRun: c.batch,
          activate,
          run: () => {
            model.forward(batches[next++ % batches.length]!.x);
          },
          dispose: () => {},
        };
      }
      return {
        samplesPerRun: c.batch,
        activate,
        run: () => trainStep(model, loss, optimizer, batches[next++ % batches.length]!),
        dispose: () => {},
      };
    },
  };
}
