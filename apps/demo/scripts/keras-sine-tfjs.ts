// The keras-sine experiment trained by TF.js instead of rnnkit: same data (from
// @rnnkit/datasets), same model, loss, optimizer, batch, epochs and validation split. The
// demo's test asserts that rnnkit's test MSE is no worse than the figure this prints
// (recorded in apps/demo/README.md).
//
//   npx tsx --conditions=source apps/demo/scripts/keras-sine-tfjs.ts [--runs N]
//
// TF.js shuffles with Math.random and draws initial weights without a seed, so runs differ;
// --runs trains N fresh models and prints each figure and their median.
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import type { Tensor } from '@rnnkit/tensor';
import { KERAS_SINE_DEFAULTS, kerasSineData } from '../src/experiments/keras-sine.js';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '1' } } });
const runs = Number(values.runs);
if (!Number.isSafeInteger(runs) || runs < 1) throw new Error(`--runs expects a positive integer, got ${values.runs}`);

const data = kerasSineData();
const toTf = (t: Tensor): tf.Tensor => tf.tensor(t.data, [...t.shape], 'float32');
const trainX = toTf(data.train.inputs);
const trainY = toTf(data.train.targets);
const testX = toTf(data.test.inputs);
const testY = toTf(data.test.targets);
const d = KERAS_SINE_DEFAULTS;

const results: { mse: number; seconds: number }[] = [];
for (let run = 1; run <= runs; run++) {
  const model = tf.sequential();
  // Keras' defaults set explicitly where TF.js differs: TF.js gates default to hardSigmoid and
  // its forget-gate bias starts at 0 unless unitForgetBias is set (Keras starts it at 1).
  model.add(
    tf.layers.lstm({
      units: d.units,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      unitForgetBias: true,
      inputShape: [d.window, 1],
    }),
  );
  model.add(tf.layers.dense({ units: 1 }));
  // tf.train.rmsprop: decay (ρ) 0.9, momentum 0, ε 1e-7 — Keras' RMSprop.
  model.compile({ loss: 'meanSquaredError', optimizer: tf.train.rmsprop(d.learningRate) });
  const started = performance.now();
  await model.fit(trainX, trainY, {
    batchSize: d.batchSize,
    epochs: d.epochs,
    validationSplit: d.validationSplit,
    shuffle: true,
    verbose: 0,
  });
  const seconds = (performance.now() - started) / 1000;
  const mse = (model.evaluate(testX, testY, { batchSize: 600 }) as tf.Scalar).dataSync()[0]!;
  results.push({ mse, seconds });
  console.log(`run ${run}: test MSE ${mse.toExponential(4)}, training ${seconds.toFixed(1)} s (TF.js ${tf.version.tfjs}, backend ${tf.getBackend()})`);
  model.dispose();
}
if (runs > 1) {
  const sorted = results.map((r) => r.mse).sort((a, b) => a - b);
  const median = sorted[Math.floor((sorted.length - 1) / 2)]!;
  console.log(`median test MSE over ${runs} runs: ${median.toExponential(4)} (best ${sorted[0]!.toExponential(4)}, worst ${sorted[sorted.length - 1]!.toExponential(4)})`);
}
