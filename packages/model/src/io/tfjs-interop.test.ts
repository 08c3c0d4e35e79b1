// Both directions of the exchange with TensorFlow.js (the oracle, a test-only dependency):
// models built and saved by TF.js load in rnnkit and predict the same, and models saved by
// rnnkit load in TF.js and predict the same, within 1e-5. Files go through real temp dirs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivationLayer, Dense, Dropout, GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import type * as TF from '@tensorflow/tfjs';
import { saveModel } from '../index.js';
import { loadModelFromDirectory, saveModelToDirectory } from '../node.js';
import {
  type TfFileLayout,
  type Tfjs,
  cleanup,
  expectClose,
  loadTf,
  loadTfModel,
  randomInput,
  randomizeTfWeights,
  saveTfModel,
  temporaryDirectory,
  tfPredict,
} from './test-support.js';

let tf: Tfjs;

beforeAll(async () => {
  tf = await loadTf();
});

afterAll(async () => {
  tf?.disposeVariables();
  await cleanup();
});

/** Builds a TF.js model, randomises its weights, saves it to files, loads it in rnnkit and compares. */
async function expectTfModelLoads(
  build: () => TF.Sequential,
  inputShape: number[],
  seed: number,
  layout?: TfFileLayout,
): Promise<{ model: Sequential; warnings: readonly string[] }> {
  const tfModel = build();
  try {
    randomizeTfWeights(tf, tfModel, seed);
    const dir = await temporaryDirectory();
    await saveTfModel(tf, tfModel, dir, layout);
    const { model, warnings } = await loadModelFromDirectory(dir);
    const x = randomInput(inputShape, seed + 1);
    expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
    return { model, warnings };
  } finally {
    tfModel.dispose();
  }
}

/** Saves an rnnkit model to files, loads them in TF.js and compares predictions. */
async function expectRnnkitModelLoadsInTf(model: Sequential, inputShape: number[], seed: number): Promise<TF.LayersModel> {
  const dir = await temporaryDirectory();
  await saveModelToDirectory(model, dir);
  const tfModel = await loadTfModel(tf, dir);
  const x = randomInput(inputShape, seed);
  expectClose(tfPredict(tf, tfModel, x), model.forward(x).y.data, 'TF.js vs rnnkit');
  return tfModel;
}

function randomizeWeights(model: Sequential, seed: number): Sequential {
  let k = 0;
  model.setWeights(model.getWeights().map((w) => randomInput([...w.shape], seed + k++).clone()));
  return model;
}

describe('models saved by TF.js', () => {
  it('should load stacked LSTM layers with TF.js defaults (hard sigmoid gates) and a softmax Dense', async () => {
    await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [
            tf.layers.lstm({ units: 4, inputShape: [5, 3], returnSequences: true }),
            tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }),
            tf.layers.dense({ units: 2, activation: 'softmax' }),
          ],
        }),
      [2, 5, 3],
      1,
    );
  });

  it('should load GRU (reset_after false), SimpleRNN and a Dense applied to every step', async () => {
    await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [
            tf.layers.gru({ units: 3, inputShape: [4, 2], returnSequences: true }),
            tf.layers.gru({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', activation: 'relu' }),
            tf.layers.simpleRNN({ units: 3, returnSequences: true, activation: 'tanh' }),
            tf.layers.dense({ units: 2, activation: 'tanh' }),
          ],
        }),
      [3, 4, 2],
      2,
    );
  });

  it('should load Dropout (the identity at inference) and Activation layers, hard sigmoid included', async () => {
    const { model } = await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [
            tf.layers.simpleRNN({ units: 4, inputShape: [3, 2], useBias: false }),
            tf.layers.dropout({ rate: 0.4 }),
            tf.layers.activation({ activation: 'hardSigmoid' }),
            tf.layers.dense({ units: 3, useBias: false }),
            tf.layers.activation({ activation: 'relu' }),
            tf.layers.dense({ units: 2, activation: 'sigmoid' }),
            tf.layers.activation({ activation: 'linear' }),
          ],
        }),
      [4, 3, 2],
      3,
    );
    expect(model.layers.map((l) => l.className)).toEqual(['SimpleRNN', 'Dropout', 'Activation', 'Dense', 'Activation', 'Dense', 'Activation']);
  });

  it('should keep the dropout and recurrent_dropout of TF.js recurrent layers, predicting the same at inference', async () => {
    // Both apply them only while training, so inference must agree. (TF.js draws 4 masks for an
    // LSTM, 3 for a GRU, but multiplies every gate's input by the first — implementation 2 —
    // where rnnkit gives each gate its own, as Keras 2's implementation 1 does: the same rates,
    // masks independent across gates. TF.js' masks come from its own generator, so the training
    // passes are not compared.)
    const { model, warnings } = await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [
            tf.layers.lstm({ units: 3, inputShape: [4, 2], dropout: 0.3, recurrentDropout: 0.2, returnSequences: true }),
            tf.layers.gru({ units: 2, dropout: 0.1, recurrentDropout: 0.4, returnSequences: true }),
            tf.layers.simpleRNN({ units: 2, dropout: 0.5 }),
          ],
        }),
      [3, 4, 2],
      12,
    );
    expect(warnings).toEqual([]);
    expect(model.layers.map((l) => [(l as LSTM).dropout, (l as LSTM).recurrentDropout])).toEqual([
      [0.3, 0.2],
      [0.1, 0.4],
      [0.5, 0],
    ]);
  });

  it('should load an explicit InputLayer', async () => {
    const { model } = await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [tf.layers.inputLayer({ batchInputShape: [null, 3, 2] }), tf.layers.simpleRNN({ units: 2 }), tf.layers.dense({ units: 1 })],
        }),
      [2, 3, 2],
      6,
    );
    expect(model.inputShape).toEqual([null, 3, 2]);
    expect(model.layers.map((l) => l.className)).toEqual(['SimpleRNN', 'Dense']);
  });

  it('should load weights split into two groups of unaligned shards', async () => {
    await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [
            tf.layers.lstm({ units: 3, inputShape: [3, 2], returnSequences: true }),
            tf.layers.gru({ units: 2 }),
            tf.layers.dense({ units: 1 }),
          ],
        }),
      [2, 3, 2],
      4,
      { firstGroup: 4, shards: 3 },
    );
  });

  it('should load a Dense-only model on [batch, features] and keep frozen layers frozen', async () => {
    const { model } = await expectTfModelLoads(
      () =>
        tf.sequential({
          layers: [
            tf.layers.dense({ units: 4, inputShape: [3], activation: 'relu', trainable: false }),
            tf.layers.dense({ units: 2, activation: 'softmax' }),
          ],
        }),
      [5, 3],
      5,
    );
    expect(model.params().map((p) => [p.name, p.trainable])).toEqual([
      [`${model.layerNames[0]}/kernel`, false],
      [`${model.layerNames[0]}/bias`, false],
      [`${model.layerNames[1]}/kernel`, true],
      [`${model.layerNames[1]}/bias`, true],
    ]);
  });

  it('should keep TF.js layer names and take the model name', async () => {
    const tfModel = tf.sequential({
      name: 'forecaster',
      layers: [tf.layers.lstm({ units: 2, inputShape: [2, 1], name: 'encoder' }), tf.layers.dense({ units: 1, name: 'head' })],
    });
    const dir = await temporaryDirectory();
    await saveTfModel(tf, tfModel, dir);
    tfModel.dispose();
    const { model, origin } = await loadModelFromDirectory(join(dir, 'model.json'));
    expect(model.name).toBe('forecaster');
    expect(model.layerNames).toEqual(['encoder', 'head']);
    expect(model.params().map((p) => p.name)).toEqual(['encoder/kernel', 'encoder/recurrentKernel', 'encoder/bias', 'head/kernel', 'head/bias']);
    expect(origin.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers/);
  });
});

describe('models saved by rnnkit, loaded by TF.js', () => {
  it('should predict as rnnkit for stacked LSTM, GRU (reset_after false), SimpleRNN, Dropout, Dense and Activation', async () => {
    const model = randomizeWeights(
      new Sequential({
        layers: [
          new LSTM({ units: 4, returnSequences: true }),
          new GRU({ units: 3, resetAfter: false, returnSequences: true }),
          new SimpleRNN({ units: 3, activation: 'relu' }),
          new Dropout({ rate: 0.3 }),
          new Dense({ units: 3, activation: 'tanh' }),
          new ActivationLayer({ activation: 'softmax' }),
        ],
        inputShape: [5, 2],
        seed: 3,
      }),
      10,
    );
    (await expectRnnkitModelLoadsInTf(model, [3, 5, 2], 11)).dispose();
  });

  it('should predict as rnnkit with hard sigmoid gates, no biases and a Dense on every step', async () => {
    const model = randomizeWeights(
      new Sequential({
        layers: [
          new LSTM({ units: 3, recurrentActivation: 'hardSigmoid', useBias: false, returnSequences: true }),
          new GRU({ units: 2, resetAfter: false, recurrentActivation: 'hardSigmoid', returnSequences: true }),
          new Dense({ units: 2, activation: 'hardSigmoid' }),
        ],
        inputShape: [4, 3],
        seed: 4,
      }),
      20,
    );
    (await expectRnnkitModelLoadsInTf(model, [2, 4, 3], 21)).dispose();
  });

  it('should give TF.js the dropout rates of rnnkit recurrent layers, predicting the same at inference', async () => {
    const model = randomizeWeights(
      new Sequential({
        layers: [new LSTM({ units: 3, dropout: 0.25, recurrentDropout: 0.5, returnSequences: true }), new GRU({ units: 2, resetAfter: false, dropout: 0.2 })],
        inputShape: [4, 3],
        seed: 6,
      }),
      40,
    );
    const tfModel = await expectRnnkitModelLoadsInTf(model, [2, 4, 3], 41);
    expect(tfModel.layers.map((l) => [l.getConfig().dropout, l.getConfig().recurrentDropout])).toEqual([
      [0.25, 0.5],
      [0.2, 0],
    ]);
    tfModel.dispose();
  });

  it('should predict as rnnkit for a Dense model on [batch, features]', async () => {
    const model = randomizeWeights(
      new Sequential({ layers: [new Dense({ units: 5, activation: 'relu' }), new Dense({ units: 1, activation: 'sigmoid' })], inputShape: [4], seed: 5 }),
      30,
    );
    (await expectRnnkitModelLoadsInTf(model, [6, 4], 31)).dispose();
  });

  it("should, for cellOutput 'none' (which Keras cannot express), compute Keras' LSTM in TF.js", async () => {
    const make = (cellOutput: 'none' | 'activation') =>
      new Sequential({ layers: [new LSTM({ units: 3, cellOutput }), new Dense({ units: 1 })], inputShape: [4, 2], seed: 6 });
    const variant = randomizeWeights(make('none'), 40);
    const keras = make('activation');
    keras.setWeights(variant.getWeights());
    const dir = await temporaryDirectory();
    await saveModelToDirectory(variant, dir);
    const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(modelJson.modelTopology.config.layers[0].config.rnnkit_cell_output).toBe('none');
    const tfModel = await loadTfModel(tf, dir);
    const x = randomInput([2, 4, 2], 41);
    const inTf = tfPredict(tf, tfModel, x);
    tfModel.dispose();
    expectClose(inTf, keras.forward(x).y.data, 'TF.js vs rnnkit with cellOutput activation');
    expect(Array.from(inTf)).not.toEqual(Array.from(variant.forward(x).y.data));
    // rnnkit itself reads the variant back.
    const { model } = await loadModelFromDirectory(dir);
    expect(Array.from(model.forward(x).y.data)).toEqual(Array.from(variant.forward(x).y.data));
  });

  it('should, for a learnable initial state, start TF.js from the zero state', async () => {
    const learnable = new Sequential({ layers: [new SimpleRNN({ units: 3, learnableInitialState: true }), new Dense({ units: 1 })], inputShape: [3, 2], seed: 7 });
    randomizeWeights(learnable, 50);
    const zero = new Sequential({ layers: [new SimpleRNN({ units: 3 }), new Dense({ units: 1 })], inputShape: [3, 2], seed: 7 });
    const weights = learnable.getWeights();
    zero.setWeights([...weights.slice(0, 3), ...weights.slice(4)]);
    const dir = await temporaryDirectory();
    await saveModelToDirectory(learnable, dir);
    const tfModel = await loadTfModel(tf, dir);
    const x = randomInput([2, 3, 2], 51);
    expectClose(tfPredict(tf, tfModel, x), zero.forward(x).y.data, 'TF.js vs rnnkit from the zero state');
    tfModel.dispose();
  });

  it('should make TF.js refuse a GRU with resetAfter true (TF.js 4 has only reset_after false)', async () => {
    const model = new Sequential({ layers: [new GRU({ units: 2 })], inputShape: [3, 1], seed: 8 });
    const dir = await temporaryDirectory();
    await saveModelToDirectory(model, dir);
    await expect(loadTfModel(tf, dir)).rejects.toThrow(/reset_after/);
    const { model: back } = await loadModelFromDirectory(dir);
    const x = randomInput([1, 3, 1], 9);
    expect(Array.from(back.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
  });

  it('should be read by TF.js from memory artifacts too (tf.io.fromMemory)', async () => {
    const model = randomizeWeights(new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 2 })], inputShape: [3, 2], seed: 9 }), 60);
    const { modelJson, weights } = saveModel(model);
    const tfModel = await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology as unknown as TF.io.ModelJSON['modelTopology'],
        weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as TF.io.WeightsManifestEntry[],
        weightData: weights,
      }),
    );
    const x = randomInput([2, 3, 2], 61);
    expectClose(tfPredict(tf, tfModel, x), model.forward(x).y.data, 'TF.js from memory vs rnnkit');
    tfModel.dispose();
  });
});
