import { Bidirectional, Dense, Dropout, Embedding, GlobalAveragePooling1D, GRU, type Layer, LSTM, Masking, Sequential, SimpleRNN, TimeDistributed } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { decodeModel } from './proto.js';
import { exportOnnx, onnxRunner } from './index.js';
import { maxAbsDiff, randomTensor } from './test-support.js';

/** `x` with the steps where `valid[b][t]` is 0 set to `padding` in every feature. */
function padded(x: Tensor, valid: readonly (readonly number[])[], padding: number): Tensor {
  const [batch, time, features] = x.shape as [number, number, number];
  const data = Float32Array.from(x.data);
  for (let b = 0; b < batch; b++) for (let t = 0; t < time; t++) if (valid[b]![t] === 0) data.fill(padding, (b * time + t) * features, (b * time + t + 1) * features);
  return new Tensor(data, [batch, time, features]);
}

function model(layers: Layer[], inputShape: (number | null)[], seed: number): Sequential {
  const m = new Sequential({ layers, inputShape, seed });
  m.setWeights(m.getWeights().map((w, k) => randomTensor([...w.shape], seed * 10 + k, 0.8)));
  return m;
}

async function runInOrt(m: Sequential, x: Tensor): Promise<Tensor> {
  const runner = onnxRunner(m);
  try {
    return await runner.predict(x);
  } finally {
    await runner.dispose();
  }
}

async function expectSame(m: Sequential, x: Tensor): Promise<void> {
  const expected = predict(m, x);
  const y = await runInOrt(m, x);
  expect(y.shape).toEqual(expected.shape);
  expect(maxAbsDiff(y.data, expected.data)).toBeLessThan(1e-5);
}

// End padding of lengths 5, 3, 1 and 0 (a sequence of padding only) over 5 steps.
const END_PADDED = [
  [1, 1, 1, 1, 1],
  [1, 1, 1, 0, 0],
  [1, 0, 0, 0, 0],
  [0, 0, 0, 0, 0],
];

describe('exportOnnx, masks', () => {
  it('runs Masking → LSTM → Dense on end-padded sequences in ONNX Runtime equal to predict', async () => {
    const m = model([new Masking({ maskValue: -1 }), new LSTM({ units: 3 }), new Dense({ units: 2 })], [null, 2], 1);
    const x = padded(randomTensor([4, 5, 2], 2), END_PADDED, -1);
    await expectSame(m, x);
    // The mask matters: without it the padded steps would change the result.
    const unmasked = model([new LSTM({ units: 3 }), new Dense({ units: 2 })], [null, 2], 1);
    expect(maxAbsDiff(predict(unmasked, x).data, predict(m, x).data)).toBeGreaterThan(1e-3);
  });

  it('writes the valid-step count as the recurrent op\'s sequence_lens', () => {
    const m = model([new Masking(), new GRU({ units: 2 })], [null, 1], 3);
    const nodes = decodeModel(exportOnnx(m)).graph!.node!;
    const gru = nodes.find((n) => n.opType === 'GRU')!;
    expect(gru.input![4]).toBe(nodes.find((n) => n.opType === 'Cast' && n.output![0] === gru.input![4])!.output![0]);
    expect(nodes.map((n) => n.opType)).toEqual(expect.arrayContaining(['ReduceMax', 'TopK', 'GatherElements', 'ReduceSum']));
    // Y_h is multiplied by "has a valid step": the ONNX standard leaves a 0-length sequence's Y_h open, rnnkit gives zeros.
    expect(nodes.find((n) => n.input!.includes(gru.output![1]!))!.opType).toBe('Mul');
  });

  it('gives predict\'s output for start padding and holes too (the valid steps are moved to the front)', async () => {
    const m = model([new Masking(), new SimpleRNN({ units: 3, learnableInitialState: true }), new Dense({ units: 1 })], [null, 2], 4);
    const valid = [
      [0, 0, 1, 1, 1],
      [1, 0, 1, 0, 1],
      [0, 1, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ];
    await expectSame(m, padded(randomTensor([4, 5, 2], 5), valid, 0));
  });

  it('ANDs the masks of two Masking layers and passes the mask through Dense and Dropout', async () => {
    const m = model([new Masking({ maskValue: 0 }), new Masking({ maskValue: 0.75 }), new Dense({ units: 3, activation: 'relu' }), new Dropout({ rate: 0.5 }), new GRU({ units: 2 })], [null, 2], 9);
    const x = padded(padded(randomTensor([3, 4, 2], 10), [[1, 1, 0, 1], [1, 1, 1, 1], [0, 1, 1, 1]], 0), [[1, 1, 1, 1], [1, 0, 1, 0], [1, 1, 1, 0]], 0.75);
    await expectSame(m, x);
  });

  it('runs every recurrent layer, goBackwards and Bidirectional with a mask equal to predict', async () => {
    const cases: Layer[] = [
      new SimpleRNN({ units: 2, activation: 'relu' }),
      new LSTM({ units: 3, goBackwards: true }),
      new GRU({ units: 2, resetAfter: false }),
      new GRU({ units: 3, resetAfter: true, goBackwards: true }),
      new Bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: 'concat' }),
      new Bidirectional({ layer: new GRU({ units: 2 }), mergeMode: 'ave' }),
    ];
    for (const [i, layer] of cases.entries()) {
      const m = model([new Masking({ maskValue: 0.5 }), new TimeDistributed({ layer: new Dense({ units: 3, activation: 'tanh' }) }), layer], [5, 2], 20 + i);
      await expectSame(m, padded(randomTensor([4, 5, 2], 30 + i), END_PADDED, 0.5));
    }
  });

  it('runs Embedding({ maskZero: true }) → GRU equal to predict, with 0 ids as padding', async () => {
    const m = model([new Embedding({ inputDim: 6, outputDim: 3, maskZero: true }), new GRU({ units: 4 }), new Dense({ units: 2, activation: 'softmax' })], [null], 6);
    const ids = new Tensor(Float32Array.from([3, 1, 5, 2, 0, 0, 4, 4, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0]), [3, 6]);
    await expectSame(m, ids);
  });

  it('exports Masking with no recurrent layer after it: masked steps are zeros', async () => {
    const m = model([new Masking({ maskValue: 2.5 }), new Dense({ units: 2 })], [3, 2], 7);
    const x = padded(randomTensor([2, 3, 2], 8), [[1, 0, 1], [0, 0, 1]], 2.5);
    await expectSame(m, x);
    expect(Array.from(predict(m, x).data.slice(2, 4))).toEqual(Array.from(predict(m, new Tensor(new Float32Array(12), [2, 3, 2])).data.slice(2, 4)));
  });

  it('refuses masked layers returning sequences and any other layer a mask reaches, naming the layer and the reason', () => {
    const sequences = new Sequential({ layers: [new Masking(), new LSTM({ units: 2, returnSequences: true }), new LSTM({ units: 2 })], inputShape: [4, 1] });
    expect(() => exportOnnx(sequences)).toThrow(
      'exportOnnx: layer "lstm" (LSTM) cannot be exported: a mask reaches it and it returns sequences; masks export into layers returning the last output only (ONNX writes zeros after a sequence\'s valid steps, where rnnkit repeats the last valid output)',
    );
    const both = new Sequential({ layers: [new Embedding({ inputDim: 4, outputDim: 2, maskZero: true }), new Bidirectional({ layer: new GRU({ units: 2, returnSequences: true }) })], inputShape: [3] });
    expect(() => exportOnnx(both)).toThrow(/^exportOnnx: layer "bidirectional" \(Bidirectional\) cannot be exported: a mask reaches it and it returns sequences;/);
    const pooled = new Sequential({ layers: [new Masking(), new GlobalAveragePooling1D()], inputShape: [4, 2] });
    expect(() => exportOnnx(pooled)).toThrow(
      'exportOnnx: layer "global_average_pooling1d" (GlobalAveragePooling1D) cannot be exported: a mask (from Masking or Embedding maskZero) reaches it, and masks are exported only into SimpleRNN, LSTM, GRU and Bidirectional layers (through Dense, Activation, Dropout, TimeDistributed)',
    );
  });

  it('refuses a masked recurrent layer whose given converter does not use the mask', () => {
    const m = new Sequential({ layers: [new Masking(), new LSTM({ units: 2 })], inputShape: [4, 1] });
    const plain = { className: 'LSTM', convert: (_layer: Layer, input: { name: string }) => ({ name: input.name, shape: [null, 2] }) };
    expect(() => exportOnnx(m, { converters: [plain] })).toThrow('exportOnnx: layer "lstm" (LSTM) cannot be exported: a mask reaches it and its converter did not use it');
  });
});
