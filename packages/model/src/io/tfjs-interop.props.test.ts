// Random models Keras and TF.js can express, saved by rnnkit, predict the same in TF.js
// (within 1e-5), and come back from TF.js' own save with bit-identical predictions.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { loadModel, saveModel } from '../index.js';
import { inputFromSpec, modelFromSpec, modelSpecArb } from './model-arbitraries.js';
import { type Tfjs, expectClose, loadTf, tfPredict } from './test-support.js';

let tf: Tfjs;

beforeAll(async () => {
  tf = await loadTf();
});

afterAll(() => {
  tf?.disposeVariables();
});

describe('rnnkit → TF.js → rnnkit', () => {
  it('should predict in TF.js as in rnnkit, and read TF.js’ re-save back bit for bit', async () => {
    await fc.assert(
      fc.asyncProperty(modelSpecArb({ keras: true }), async (spec) => {
        const model = modelFromSpec(spec);
        const { modelJson, weights } = saveModel(model);
        const tfModel = await tf.loadLayersModel(
          tf.io.fromMemory({
            modelTopology: modelJson.modelTopology as unknown as TF.io.ModelJSON['modelTopology'],
            weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights) as TF.io.WeightsManifestEntry[],
            weightData: weights,
          }),
        );
        try {
          const x = inputFromSpec(spec);
          const ours = model.forward(x).y.data;
          expectClose(tfPredict(tf, tfModel, x), ours, `TF.js vs rnnkit for ${JSON.stringify(spec)}`);
          let back: TF.io.ModelArtifacts | undefined;
          await tfModel.save(tf.io.withSaveHandler(async (artifacts) => {
            back = artifacts;
            return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
          }));
          const reloaded = loadModel({
            modelJson: {
              format: 'layers-model',
              generatedBy: back!.generatedBy,
              convertedBy: back!.convertedBy,
              modelTopology: back!.modelTopology,
              weightsManifest: [{ paths: ['weights.bin'], weights: back!.weightSpecs }],
            },
            weights: tf.io.CompositeArrayBuffer.join(back!.weightData!),
          }).model;
          const again = reloaded.forward(x).y.data;
          if (again.some((v, i) => !Object.is(v, ours[i]))) throw new Error(`rnnkit after TF.js' save differs for ${JSON.stringify(spec)}`);
        } finally {
          tfModel.dispose();
        }
      }),
      { numRuns: 15 },
    );
  });
});
