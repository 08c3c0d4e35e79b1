// Masking files exchanged with TensorFlow.js 4.22 in memory: TF.js' own save of a
// Masking → LSTM → Dense model loads in rnnkit, rnnkit's save of one loads in TF.js, and both
// predict the same padded batch within 1e-5 (padding at the end, at the start, none).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, Masking, Sequential } from '@rnnkit/layers';
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

/** A [3, 5, 2] batch: sample 0 padded at the end, sample 1 at the start, sample 2 not at all. */
function paddedBatch(): ReturnType<typeof randomInput> {
  const x = randomInput([3, 5, 2], 21);
  x.data.fill(0, 3 * 2, 5 * 2);
  x.data.fill(0, 10, 10 + 2 * 2);
  return x;
}

describe('Masking files', () => {
  it("should load TF.js' own Masking → LSTM → GRU → Dense save and predict the same padded batch", async () => {
    const tfModel = tf.sequential({
      layers: [
        tf.layers.masking({ maskValue: 0, inputShape: [5, 2] }),
        tf.layers.lstm({ units: 3, returnSequences: true, recurrentActivation: 'sigmoid' }),
        tf.layers.gru({ units: 2, recurrentActivation: 'sigmoid' }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    randomizeTfWeights(tf, tfModel, 5);
    let saved: TF.io.ModelArtifacts | undefined;
    await tfModel.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const modelJson = { format: 'layers-model', modelTopology: saved!.modelTopology, weightsManifest: [{ paths: ['w.bin'], weights: saved!.weightSpecs }] };
    const { model } = loadModel({ modelJson, weights: saved!.weightData as ArrayBuffer });
    expect(model.layers[0]).toBeInstanceOf(Masking);
    const x = paddedBatch();
    expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
    tfModel.dispose();
  });

  it('should save a Masking model that TF.js loads and predicts the same, and that loads back exactly', async () => {
    const model = new Sequential({
      layers: [new Masking({ maskValue: 0 }), new LSTM({ units: 3, returnSequences: true }), new GRU({ units: 2, resetAfter: false }), new Dense({ units: 2 })],
      inputShape: [5, 2],
      seed: 9,
    });
    const { modelJson, weights } = saveModel(model);
    const x = paddedBatch();
    const expected = model.forward(x).y.data;
    expect(Array.from(loadModel({ modelJson, weights }).model.forward(x).y.data)).toEqual(Array.from(expected));
    const buffer = weights instanceof ArrayBuffer ? weights : (weights as Uint8Array).slice().buffer;
    const json = modelJson as unknown as { modelTopology: object; weightsManifest: { weights: TF.io.WeightsManifestEntry[] }[] };
    const tfModel = await tf.loadLayersModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData: buffer }),
    );
    expect(tfModel.layers[0]!.getClassName()).toBe('Masking');
    expectClose(tfPredict(tf, tfModel, x), expected, 'TF.js vs rnnkit');
    tfModel.dispose();
  });
});
