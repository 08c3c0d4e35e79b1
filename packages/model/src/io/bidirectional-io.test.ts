// Bidirectional (and goBackwards) files exchanged with TensorFlow.js 4.22 in memory: TF.js'
// own saves (tf.io.withSaveHandler) load in rnnkit, and rnnkit's saves load in TF.js
// (tf.io.fromMemory), predicting the same within 1e-5; rnnkit → rnnkit is exact.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bidirectional, Dense, GRU, LSTM, type MergeMode, Sequential, SimpleRNN } from '@rnnkit/layers';
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

/** What TF.js writes for a model: model.json's object and the weight bytes. */
async function tfSave(model: TF.LayersModel): Promise<{ modelJson: object; weights: ArrayBuffer }> {
  let saved: TF.io.ModelArtifacts | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      saved = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  const modelJson = {
    format: 'layers-model',
    modelTopology: saved!.modelTopology,
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: saved!.weightSpecs }],
  };
  return { modelJson, weights: saved!.weightData as ArrayBuffer };
}

function randomizeWeights(model: Sequential, seed: number): Sequential {
  let k = 0;
  model.setWeights(model.getWeights().map((w) => randomInput([...w.shape], seed + k++).clone()));
  return model;
}

describe('Bidirectional files', () => {
  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    it(`should load TF.js' own Bidirectional(LSTM) → Bidirectional(GRU) → Dense save, mergeMode ${mergeMode}, and predict the same`, async () => {
      const tfModel = tf.sequential({
        layers: [
          tf.layers.bidirectional({ layer: tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }) as TF.RNN, mergeMode, inputShape: [4, 2] }),
          tf.layers.bidirectional({ layer: tf.layers.gru({ units: 2, goBackwards: true }) as TF.RNN, mergeMode }),
          tf.layers.dense({ units: 2 }),
        ],
      });
      randomizeTfWeights(tf, tfModel, 7);
      const saved = await tfSave(tfModel);
      // TF.js names the weights bidirectional_…/forward_lstm_…/kernel (no cell part).
      const first = (saved.modelJson as { weightsManifest: { weights: { name: string }[] }[] }).weightsManifest[0]!.weights[0]!.name;
      expect(first).toMatch(/^bidirectional_\w+\/forward_lstm_\w+\/kernel$/);
      const { model } = loadModel(saved);
      expect(model.layers[0]).toBeInstanceOf(Bidirectional);
      expect((model.layers[1] as Bidirectional).backwardLayer.goBackwards).toBe(false);
      const x = randomInput([2, 4, 2], 8);
      expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
      tfModel.dispose();
    });
  }

  it('should save Bidirectional and goBackwards layers that TF.js loads (tf.io.fromMemory) and predicts the same, and that load back exactly', async () => {
    const modes: MergeMode[] = ['concat', 'ave'];
    for (const mergeMode of modes) {
      const model = randomizeWeights(
        new Sequential({
          layers: [
            new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }), mergeMode }),
            new SimpleRNN({ units: 2, goBackwards: true, returnSequences: true }),
            new Bidirectional({ layer: new GRU({ units: 2, resetAfter: false }), mergeMode: 'mul' }),
            new Dense({ units: 1 }),
          ],
          inputShape: [5, 2],
        }),
        11,
      );
      const { modelJson, weights } = saveModel(model);
      const names = (modelJson as unknown as { weightsManifest: { weights: { name: string }[] }[] }).weightsManifest[0]!.weights.map((w) => w.name);
      expect(names.slice(0, 2)).toEqual(['bidirectional/forward_lstm/lstm_cell/kernel', 'bidirectional/forward_lstm/lstm_cell/recurrent_kernel']);
      expect(names).toContain('bidirectional/backward_lstm/lstm_cell/bias');
      const x = randomInput([3, 5, 2], 12);
      const expected = model.forward(x).y.data;
      expect(Array.from(loadModel({ modelJson, weights }).model.forward(x).y.data)).toEqual(Array.from(expected));
      const buffer = weights instanceof ArrayBuffer ? weights : (weights as Uint8Array).slice().buffer;
      const manifest = (modelJson as unknown as { weightsManifest: { weights: TF.io.WeightsManifestEntry[] }[] }).weightsManifest;
      const tfModel = await tf.loadLayersModel(
        tf.io.fromMemory({ modelTopology: (modelJson as unknown as { modelTopology: object }).modelTopology, weightSpecs: manifest.flatMap((g) => g.weights), weightData: buffer }),
      );
      expectClose(tfPredict(tf, tfModel, x), expected, `TF.js vs rnnkit (${mergeMode})`);
      tfModel.dispose();
    }
  });

  it('should refuse merge_mode null and an unknown wrapped class with one-line errors', async () => {
    const model = new Sequential({ layers: [new Bidirectional({ layer: new LSTM({ units: 2 }) })], inputShape: [3, 1] });
    const { modelJson, weights } = saveModel(model);
    const json = JSON.parse(JSON.stringify(modelJson));
    json.modelTopology.config.layers[0].config.merge_mode = null;
    expect(() => loadModel({ modelJson: json, weights })).toThrow(/^loadModel: .*merge_mode null \(the two outputs as a list\) is not supported/);
    json.modelTopology.config.layers[0].config.merge_mode = 'concat';
    json.modelTopology.config.layers[0].config.layer.class_name = 'ConvLSTM2D';
    expect(() => loadModel({ modelJson: json, weights })).toThrow(/layer class "ConvLSTM2D" is not supported; the Bidirectional codec wraps SimpleRNN, LSTM, GRU/);
  });

  it('should read a Keras 2 file as tensorflowjs_converter writes it, with a given backward_layer, and load it back exactly', () => {
    const model = randomizeWeights(
      new Sequential({
        layers: [
          new Bidirectional({ layer: new LSTM({ units: 3 }), backwardLayer: new GRU({ units: 2, goBackwards: true, name: 'gru_back' }) }),
          new Dense({ units: 1 }),
        ],
        inputShape: [4, 2],
      }),
      21,
    );
    const { modelJson, weights } = saveModel(model);
    const json = JSON.parse(JSON.stringify(modelJson));
    json.modelTopology.keras_version = '2.15.0';
    json.modelTopology.backend = 'tensorflow';
    const bidi = json.modelTopology.config.layers[0].config;
    expect(bidi.backward_layer).toMatchObject({ class_name: 'GRU', config: { name: 'gru_back', go_backwards: true, reset_after: true } });
    const names = json.weightsManifest[0].weights.map((w: { name: string }) => w.name);
    expect(names).toContain('bidirectional/backward_gru_back/gru_cell/recurrent_kernel');
    // The converter prefixes the model's name and keeps TensorFlow's ":0".
    for (const w of json.weightsManifest[0].weights) w.name = `sequential/${w.name}:0`;
    const { model: loaded } = loadModel({ modelJson: json, weights });
    const x = randomInput([2, 4, 2], 22);
    expect(Array.from(loaded.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
    expect((loaded.layers[0] as Bidirectional).backwardLayer.name).toBe('backward_gru_back');
  });
});
