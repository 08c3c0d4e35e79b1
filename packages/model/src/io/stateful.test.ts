// Stateful recurrent layers through the TF.js layers format: `stateful` and the fixed batch
// of `batch_input_shape` written and read, both ways with TF.js (GRU with resetAfter false:
// TF.js has no other).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, RNN, Sequential, lstmCellPlugin, builtinCodecs, rnnCodec, lstmCell } from '@rnnkit/layers';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { loadModel, saveModel } from '../index.js';
import { loadModelFromDirectory, saveModelToDirectory } from '../node.js';
import { type Tfjs, cleanup, expectClose, loadTf, loadTfModel, randomInput, randomizeTfWeights, saveTfModel, temporaryDirectory, tfPredict } from './test-support.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTf();
});
afterAll(async () => {
  tf?.disposeVariables();
  await cleanup();
});

function statefulModel(): Sequential {
  const model = new Sequential({ layers: [new LSTM({ units: 3, returnSequences: true, stateful: true }), new GRU({ units: 2, resetAfter: false, stateful: true }), new Dense({ units: 1 })], seed: 3 });
  model.build([2, null, 3]);
  const random = new Random(5);
  model.setWeights(model.getWeights().map((w) => new Tensor(random.fillNormal(new Float32Array(w.size), 0, 0.5), w.shape)));
  return model;
}

type LayerJson = { class_name: string; config: Record<string, unknown> };
const layersOf = (json: unknown): LayerJson[] => (json as { modelTopology: { config: { layers: LayerJson[] } } }).modelTopology.config.layers;

describe('stateful layers in the TF.js layers format', () => {
  it('should write stateful and the fixed batch, and load them back continuing as the original does', () => {
    const model = statefulModel();
    const { modelJson, weights } = saveModel(model);
    const layers = layersOf(modelJson);
    expect(layers.map((l) => l.config.stateful)).toEqual([true, true, undefined]);
    expect(layers[0]!.config.batch_input_shape).toEqual([2, null, 3]);
    const { model: loaded, warnings } = loadModel({ modelJson: JSON.stringify(modelJson), weights });
    expect(warnings).toEqual([]);
    expect(loaded.inputShape).toEqual([2, null, 3]);
    expect(loaded.layers.map((l) => (l as { stateful?: boolean }).stateful)).toEqual([true, true, undefined]);
    for (let call = 0; call < 3; call++) {
      const x = randomInput([2, 4, 3], call);
      expect(Array.from(loaded.forward(x).y.data), `call ${call}`).toEqual(Array.from(model.forward(x).y.data));
    }
  });

  it('should write the carried batch of a model built without one, and drop a fixed batch of a model without stateful layers with a warning', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2, stateful: true })], inputShape: [null, 3], seed: 1 });
    expect(layersOf(saveModel(model).modelJson)[0]!.config.batch_input_shape).toEqual([null, null, 3]);
    model.forward(randomInput([4, 2, 3], 1));
    expect(layersOf(saveModel(model).modelJson)[0]!.config.batch_input_shape).toEqual([4, null, 3]);
    const plain = new Sequential({ layers: [new LSTM({ units: 2 })], inputShape: [null, 3], seed: 1 });
    const { modelJson, weights } = saveModel(plain);
    layersOf(modelJson)[0]!.config.batch_input_shape = [4, null, 3];
    const { model: loaded, warnings } = loadModel({ modelJson, weights });
    expect(loaded.inputShape).toEqual([null, null, 3]);
    expect(warnings).toEqual(['layer 0 "lstm" (LSTM): batch_input_shape fixes the batch at 4; rnnkit accepts any batch']);
  });

  it('should save and load stateful in the generic RNN through rnnCodec', () => {
    const codecs = [...builtinCodecs, rnnCodec({ cells: [lstmCellPlugin] })];
    const model = new Sequential({ layers: [new RNN({ cell: lstmCell({ units: 2 }), stateful: true })], seed: 2 });
    model.build([3, 5, 2]);
    const { modelJson, weights } = saveModel(model, { codecs });
    expect(layersOf(modelJson)[0]!.config.stateful).toBe(true);
    const { model: loaded } = loadModel({ modelJson, weights }, { codecs });
    expect((loaded.layers[0] as RNN).stateful).toBe(true);
    expect(loaded.inputShape).toEqual([3, 5, 2]);
  });

  it('should load a stateful model saved by TF.js and continue its sequences as TF.js does', async () => {
    const tfModel = tf.sequential({
      layers: [
        tf.layers.lstm({ units: 4, returnSequences: true, stateful: true, batchInputShape: [2, 3, 2], recurrentActivation: 'sigmoid' }),
        tf.layers.simpleRNN({ units: 3, stateful: true }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    try {
      randomizeTfWeights(tf, tfModel, 7);
      const dir = await temporaryDirectory();
      await saveTfModel(tf, tfModel, dir);
      const { model, warnings } = await loadModelFromDirectory(dir);
      expect(warnings).toEqual([]);
      expect(model.inputShape).toEqual([2, 3, 2]);
      for (let call = 0; call < 3; call++) {
        const x = randomInput([2, 3, 2], 20 + call);
        expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), `call ${call}`);
      }
    } finally {
      tfModel.dispose();
    }
  });

  it('should be loaded by TF.js as a stateful model that continues as rnnkit does', async () => {
    const model = statefulModel();
    const dir = await temporaryDirectory();
    await saveModelToDirectory(model, dir);
    const tfModel: TF.LayersModel = await loadTfModel(tf, dir);
    try {
      for (let call = 0; call < 3; call++) {
        const x = randomInput([2, 4, 3], 30 + call);
        expectClose(tfPredict(tf, tfModel, x), model.forward(x).y.data, `call ${call}`);
      }
    } finally {
      tfModel.dispose();
    }
  });
});
