// TensorFlow.js (the pure-JS 'cpu' backend and the 'wasm' backend, which loads its SIMD
// .wasm from node_modules, so no network is needed). Training uses `trainOnBatch`, the
// fastest public way to take one step; prediction reads the result back with `dataSync`
// so that the work is really done.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { makeData, rows } from '../data.js';
import type { Contender, ContenderId, Task } from '../harness.js';
import type { BenchCase } from '../workloads.js';

function tfModel(c: BenchCase): tf.Sequential {
  const { model } = c;
  const net = tf.sequential();
  const inputShape = [c.time, c.features];
  const first = model.masking === true || model.bidirectional === true ? {} : { inputShape };
  const common = { units: model.units, activation: model.activation, returnSequences: model.returnSequences, ...first };
  if (model.masking === true) net.add(tf.layers.masking({ maskValue: 0, inputShape }));
  // Keras' sigmoid gates (TF.js defaults to the hard sigmoid), as rnnkit uses.
  const recurrent = model.cell === 'lstm' ? tf.layers.lstm({ ...common, recurrentActivation: 'sigmoid' }) : tf.layers.simpleRNN(common);
  if (model.bidirectional === true) {
    net.add(tf.layers.bidirectional({ layer: recurrent as tf.RNN, mergeMode: 'concat', ...(model.masking === true ? {} : { inputShape }) }));
  } else {
    net.add(recurrent);
  }
  if (model.dense !== null) net.add(tf.layers.dense({ units: model.dense.units, activation: model.dense.activation }));
  const optimizer =
    c.optimizer === 'adam'
      ? tf.train.adam(c.learningRate)
      : c.optimizer === 'rmsprop'
        ? tf.train.rmsprop(c.learningRate)
        : tf.train.sgd(c.learningRate);
  net.compile({ optimizer, loss: c.loss === 'bce' ? 'binaryCrossentropy' : 'meanSquaredError' });
  return net;
}

/** TF.js on one of its backends; it takes part in every workload but W5 (brain.js'). */
export function tfjsContender(id: Extract<ContenderId, 'tfjs-cpu' | 'tfjs-wasm'>): Contender {
  const backendName = id === 'tfjs-cpu' ? 'cpu' : 'wasm';
  const activate = async (): Promise<boolean> => {
    if (tf.getBackend() === backendName) return false;
    const ok = await tf.setBackend(backendName);
    if (!ok) throw new Error(`TF.js could not initialise its ${backendName} backend`);
    await tf.ready();
    return true;
  };
  return {
    id,
    supports: (c) => c.workload !== 'W5',
    async setup(c: BenchCase): Promise<Task> {
      await activate();
      const data = makeData(c);
      const xRow = c.time * c.features;
      const yRow = data.yShape.reduce((a, b) => a * b, 1);
      const batches: { x: tf.Tensor; y: tf.Tensor }[] = [];
      for (let start = 0; start < data.samples; start += c.batch) {
        const count = Math.min(c.batch, data.samples - start);
        batches.push({
          x: tf.tensor(rows(data.x, xRow, start, count), [count, c.time, c.features]),
          y: tf.tensor(rows(data.y, yRow, start, count), [count, ...data.yShape]),
        });
      }
      const model = tfModel(c);
      const dispose = (): void => {
        for (const b of batches) tf.dispose([b.x, b.y]);
        model.dispose();
      };
      let next = 0;
      if (c.phase === 'predict') {
        return {
          samplesPerRun: c.batch,
          activate,
          run: () => {
            const y = model.predict(batches[next++ % batches.length]!.x) as tf.Tensor;
            y.dataSync();
            y.dispose();
          },
          dispose,
        };
      }
      return {
        samplesPerRun: c.batch,
        activate,
        run: async () => {
          const b = batches[next++ % batches.length]!;
          await model.trainOnBatch(b.x, b.y);
        },
        dispose,
      };
    },
  };
}
