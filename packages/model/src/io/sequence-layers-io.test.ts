// Files of the sequence layers (Embedding, …) exchanged with TensorFlow.js 4.22 in memory:
// TF.js' own save loads in rnnkit and predicts the same, rnnkit's save loads in TF.js and
// predicts the same, and loads back into rnnkit exactly.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dense, Embedding, Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D, LSTM, RepeatVector, Sequential, TimeDistributed } from '@rnnkit/layers';
import { Random, Tensor } from '@rnnkit/tensor';
import type * as TF from '@tensorflow/tfjs';
import { loadModel, saveModel } from '../index.js';
import { type Tfjs, expectClose, loadTf, randomInput, randomizeTfWeights, tfPredict } from './test-support.js';

let tf: Tfjs;

beforeAll(async () => {
  tf = await loadTf();
});

afterAll(() => {
  tf?.disposeVariables();
});

/** TF.js' save of a model, as the { modelJson, weights } loadModel reads. */
async function tfSave(tfModel: TF.LayersModel): Promise<{ modelJson: object; weights: ArrayBuffer }> {
  let saved: TF.io.ModelArtifacts | undefined;
  await tfModel.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const modelJson = { format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: saved!.weightSpecs }] };
  return { modelJson, weights: saved!.weightData as ArrayBuffer };
}

/** Saves `model`, checks it loads back exactly, and returns the model TF.js loads from the save. */
async function roundTrip(model: Sequential, x: Tensor): Promise<TF.LayersModel> {
  const { modelJson, weights } = saveModel(model);
  const expected = model.forward(x).y.data;
  expect(Array.from(loadModel({ modelJson, weights }).model.forward(x).y.data)).toEqual(Array.from(expected));
  const buffer = weights instanceof ArrayBuffer ? weights : (weights as Uint8Array).slice().buffer;
  const json = modelJson as unknown as { modelTopology: object; weightsManifest: { weights: TF.io.WeightsManifestEntry[] }[] };
  const tfModel = await tf.loadLayersModel(
    tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: buffer }),
  );
  expectClose(tfPredict(tf, tfModel, x), expected, 'TF.js vs rnnkit');
  return tfModel;
}

/** `[batch, time]` ids in [0, inputDim), some of them 0. */
function randomIds(batch: number, time: number, inputDim: number, seed: number): Tensor {
  const random = new Random(seed);
  const data = new Float32Array(batch * time);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(inputDim - 1, Math.floor(random.uniform() * inputDim));
  data[0] = 0;
  return new Tensor(data, [batch, time]);
}

describe('Embedding files', () => {
  it("should load TF.js' own Embedding(maskZero) → LSTM → Dense save and predict the same", async () => {
    const tfModel = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: 9, outputDim: 3, maskZero: true, inputShape: [5] }),
        tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 2 }),
      ],
    });
    randomizeTfWeights(tf, tfModel, 3);
    const { model, warnings } = loadModel(await tfSave(tfModel));
    expect(warnings).toEqual([]);
    const embedding = model.layers[0] as Embedding;
    expect(embedding).toBeInstanceOf(Embedding);
    expect([embedding.inputDim, embedding.outputDim, embedding.maskZero]).toEqual([9, 3, true]);
    expect(model.inputShape).toEqual([null, 5]);
    const x = randomIds(4, 5, 9, 1);
    expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
    tfModel.dispose();
  });

  it('should save an Embedding model that TF.js loads (weight embedding/embeddings) and predicts the same', async () => {
    const model = new Sequential({
      layers: [new Embedding({ inputDim: 12, outputDim: 4, maskZero: true }), new LSTM({ units: 3 }), new Dense({ units: 1 })],
      inputShape: [6],
      seed: 5,
    });
    const { modelJson } = saveModel(model);
    const json = modelJson as unknown as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } }; weightsManifest: { weights: { name: string }[] }[] };
    expect(json.modelTopology.config.layers[0]!.config).toMatchObject({ input_dim: 12, output_dim: 4, mask_zero: true, batch_input_shape: [null, 6] });
    expect(json.weightsManifest[0]!.weights[0]!.name).toBe('embedding/embeddings');
    const tfModel = await roundTrip(model, randomIds(3, 6, 12, 2));
    expect(tfModel.layers[0]!.getClassName()).toBe('Embedding');
    tfModel.dispose();
  });

  it("should read Keras' input_dim as the vocabulary size, never as the number of input features", async () => {
    const tfModel = tf.sequential({ layers: [tf.layers.embedding({ inputDim: 7, outputDim: 2, inputShape: [3] })] });
    const { modelJson, weights } = await tfSave(tfModel);
    // As Keras 2 writes a first Embedding: batch_input_shape [null, 3] and input_length 3.
    const config = (modelJson as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } }).modelTopology.config.layers[0]!.config;
    config.input_length = 3;
    const { model } = loadModel({ modelJson, weights });
    expect((model.layers[0] as Embedding).inputDim).toBe(7);
    expect(model.outputShape()).toEqual([null, 3, 2]);
    // Without batch_input_shape the file declares no input shape (input_dim 7 is not [null, 7]).
    delete config.batch_input_shape;
    expect(() => loadModel({ modelJson, weights })).toThrow(/layer 0 "embedding_Embedding\d+" \(Embedding\): the model declares no input shape/);
    tfModel.dispose();
  });
});

describe('global pooling files', () => {
  it("should load TF.js' own LSTM → GlobalMaxPooling1D / LSTM → GlobalAveragePooling1D saves and predict the same", async () => {
    for (const [pooling, cls] of [
      [tf.layers.globalMaxPooling1d({}), GlobalMaxPooling1D],
      [tf.layers.globalAveragePooling1d({}), GlobalAveragePooling1D],
    ] as const) {
      const tfModel = tf.sequential({ layers: [tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [4, 2] }), pooling, tf.layers.dense({ units: 2 })] });
      randomizeTfWeights(tf, tfModel, 4);
      const { model, warnings } = loadModel(await tfSave(tfModel));
      expect(warnings).toEqual([]);
      expect(model.layers[1]).toBeInstanceOf(cls);
      const x = randomInput([3, 4, 2], 6);
      expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), `${cls.name}: rnnkit vs TF.js`);
      tfModel.dispose();
    }
  });

  it('should save pooling models that TF.js loads and predicts the same, and that load back exactly', async () => {
    for (const pooling of [new GlobalAveragePooling1D(), new GlobalMaxPooling1D()]) {
      const model = new Sequential({ layers: [new LSTM({ units: 3, returnSequences: true }), pooling, new Dense({ units: 2 })], inputShape: [5, 2], seed: 7 });
      const tfModel = await roundTrip(model, randomInput([2, 5, 2], 8));
      expect(tfModel.layers[1]!.getClassName()).toBe(pooling.className);
      tfModel.dispose();
    }
  });

  it("should refuse Keras 3's channels_first and keepdims, which rnnkit's pooling does not have", async () => {
    const tfModel = tf.sequential({ layers: [tf.layers.globalAveragePooling1d({ inputShape: [4, 2] })] });
    const { modelJson, weights } = await tfSave(tfModel);
    const config = (modelJson as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } }).modelTopology.config.layers[0]!.config;
    config.keepdims = false;
    config.data_format = 'channels_last';
    expect(loadModel({ modelJson, weights }).model.outputShape()).toEqual([null, 2]);
    config.keepdims = true;
    expect(() => loadModel({ modelJson, weights })).toThrow('keepdims true is not supported: the output is [batch, features]');
    config.keepdims = false;
    config.data_format = 'channels_first';
    expect(() => loadModel({ modelJson, weights })).toThrow('data_format "channels_first" is not supported');
    tfModel.dispose();
  });
});

describe('RepeatVector and Flatten files', () => {
  it("should load TF.js' own LSTM → RepeatVector → LSTM → Flatten → Dense save and predict the same", async () => {
    const tfModel = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 3, recurrentActivation: 'sigmoid', inputShape: [4, 2] }),
        tf.layers.repeatVector({ n: 3 }),
        tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 1 }),
      ],
    });
    randomizeTfWeights(tf, tfModel, 9);
    const { model, warnings } = loadModel(await tfSave(tfModel));
    expect(warnings).toEqual([]);
    expect((model.layers[1] as RepeatVector).n).toBe(3);
    expect(model.layers[3]).toBeInstanceOf(Flatten);
    const x = randomInput([2, 4, 2], 10);
    expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
    tfModel.dispose();
  });

  it('should save a RepeatVector/Flatten model that TF.js loads and predicts the same, and that loads back exactly', async () => {
    const model = new Sequential({
      layers: [new LSTM({ units: 3 }), new RepeatVector({ n: 4 }), new LSTM({ units: 2, returnSequences: true }), new Flatten(), new Dense({ units: 2 })],
      inputShape: [5, 2],
      seed: 11,
    });
    const tfModel = await roundTrip(model, randomInput([3, 5, 2], 12));
    expect(tfModel.layers.map((l) => l.getClassName())).toEqual(['LSTM', 'RepeatVector', 'LSTM', 'Flatten', 'Dense']);
    tfModel.dispose();
  });

  it("should read Keras' Flatten data_format channels_last and refuse channels_first", async () => {
    const tfModel = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [3, 2] })] });
    const { modelJson, weights } = await tfSave(tfModel);
    const config = (modelJson as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } }).modelTopology.config.layers[0]!.config;
    config.data_format = 'channels_last';
    expect(loadModel({ modelJson, weights }).model.outputShape()).toEqual([null, 6]);
    config.data_format = 'channels_first';
    expect(() => loadModel({ modelJson, weights })).toThrow('data_format "channels_first" is not supported: rnnkit flattens in channels_last order');
    tfModel.dispose();
  });
});

describe('TimeDistributed files', () => {
  it("should load TF.js' own LSTM → TimeDistributed(Dense) save and predict the same", async () => {
    const tfModel = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [4, 2] }),
        tf.layers.timeDistributed({ layer: tf.layers.dense({ units: 2, activation: 'tanh' }) }),
      ],
    });
    randomizeTfWeights(tf, tfModel, 13);
    const saved = await tfSave(tfModel);
    const { model, warnings } = loadModel(saved);
    expect(warnings).toEqual([]);
    const wrapper = model.layers[1] as TimeDistributed;
    expect(wrapper).toBeInstanceOf(TimeDistributed);
    expect(wrapper.layer).toBeInstanceOf(Dense);
    const x = randomInput([3, 4, 2], 14);
    expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
    tfModel.dispose();
  });

  it('should save a TimeDistributed(Dense) model with the weight names TF.js writes, which TF.js loads and predicts the same', async () => {
    const model = new Sequential({
      layers: [new LSTM({ units: 3, returnSequences: true }), new TimeDistributed({ layer: new Dense({ units: 2, activation: 'softmax' }) })],
      inputShape: [5, 2],
      seed: 15,
    });
    const { modelJson } = saveModel(model);
    const json = modelJson as unknown as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } }; weightsManifest: { weights: { name: string }[] }[] };
    expect(json.weightsManifest[0]!.weights.map((w) => w.name).slice(3)).toEqual(['time_distributed/kernel', 'time_distributed/bias']);
    expect(json.modelTopology.config.layers[1]!.config.layer).toMatchObject({ class_name: 'Dense', config: { name: 'dense', units: 2, activation: 'softmax' } });
    const tfModel = await roundTrip(model, randomInput([2, 5, 2], 16));
    expect(tfModel.layers[1]!.getClassName()).toBe('TimeDistributed');
    tfModel.dispose();
  });
});
