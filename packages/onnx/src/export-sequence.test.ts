import { Bidirectional, Dense, Embedding, Flatten, GlobalAveragePooling1D, GlobalMaxPooling1D, GRU, LSTM, RepeatVector, Sequential, TimeDistributed } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { decodeModel } from './proto.js';
import { exportOnnx, onnxRunner } from './index.js';
import { maxAbsDiff, randomTensor } from './test-support.js';

/** Token ids in [0, vocabulary) as floats, as rnnkit and TF.js take them. */
function tokens(batch: number, time: number, vocabulary: number, seed: number): Tensor {
  const random = new Random(seed);
  return new Tensor(Float32Array.from({ length: batch * time }, () => random.integer(0, vocabulary)), [batch, time]);
}

async function expectSamePredictions(model: Sequential, x: Tensor): Promise<void> {
  const runner = onnxRunner(model);
  try {
    const y = await runner.predict(x);
    const expected = predict(model, x);
    expect(y.shape).toEqual(expected.shape);
    expect(maxAbsDiff(y.data, expected.data)).toBeLessThan(1e-5);
  } finally {
    await runner.dispose();
  }
}

function randomized(model: Sequential, seed: number): Sequential {
  model.setWeights(model.getWeights().map((w, k) => randomTensor([...w.shape], seed + k)));
  return model;
}

describe('exportOnnx, sequence layers', () => {
  it('runs Embedding → LSTM → TimeDistributed(Dense) → GlobalAveragePooling1D → RepeatVector → Flatten → Dense in ONNX Runtime equal to predict', async () => {
    const model = randomized(
      new Sequential({
        layers: [
          new Embedding({ inputDim: 10, outputDim: 3 }),
          new LSTM({ units: 4, returnSequences: true }),
          new TimeDistributed({ layer: new Dense({ units: 2, activation: 'tanh' }) }),
          new GlobalAveragePooling1D(),
          new RepeatVector({ n: 3 }),
          new Flatten(),
          new Dense({ units: 1 }),
        ],
        inputShape: [null],
        seed: 1,
      }),
      10,
    );
    const nodes = decodeModel(exportOnnx(model)).graph!.node!.map((n) => n.opType);
    expect(nodes.slice(0, 2)).toEqual(['Cast', 'Gather']);
    expect(nodes).toEqual(expect.arrayContaining(['ReduceMean', 'Unsqueeze', 'Tile', 'Flatten']));
    await expectSamePredictions(model, tokens(3, 6, 10, 2));
  });

  it('runs Embedding → Bidirectional(GRU) → GlobalMaxPooling1D → Dense equal to predict', async () => {
    const model = randomized(
      new Sequential({
        layers: [
          new Embedding({ inputDim: 7, outputDim: 2 }),
          new Bidirectional({ layer: new GRU({ units: 3, returnSequences: true }), mergeMode: 'concat' }),
          new GlobalMaxPooling1D(),
          new Dense({ units: 2, activation: 'softmax' }),
        ],
        inputShape: [5],
        seed: 2,
      }),
      20,
    );
    await expectSamePredictions(model, tokens(4, 5, 7, 3));
  });

  it('refuses a mask from Embedding reaching a pooling, and TimeDistributed over a recurrent layer, naming the layer and the reason', () => {
    const masked = new Sequential({ layers: [new Embedding({ inputDim: 5, outputDim: 2, maskZero: true }), new GlobalMaxPooling1D()], inputShape: [4] });
    expect(() => exportOnnx(masked)).toThrow(/^exportOnnx: layer "global_max_pooling1d" \(GlobalMaxPooling1D\) cannot be exported: a mask \(from Masking or Embedding maskZero\) reaches it/);
    const wrapped = new Sequential({ layers: [new TimeDistributed({ layer: new Flatten() })], inputShape: [4, 2, 3] });
    expect(() => exportOnnx(wrapped)).toThrow('exportOnnx: layer "time_distributed" (TimeDistributed) cannot be exported: TimeDistributed is exported over Dense, Activation, Dropout, got Flatten');
  });
});
