// The README's examples, run on the committed fixtures (PyTorch is not needed).
import { Dense, LSTM, Masking, Sequential } from '@rnnkit/layers';
import { fit, predict, saveModel } from '@rnnkit/model';
import { adam } from '@rnnkit/optimizers';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { exportOnnx, loadOnnx, onnxRunner } from './index.js';
import { fixture } from './test-support.js';

describe('README examples', () => {
  it('quick start: exports a model and reads it back', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 8 }), new Dense({ units: 1 })], inputShape: [null, 2], seed: 1 });
    const bytes = exportOnnx(model);
    const again = loadOnnx(bytes);
    const x = new Tensor(new Float32Array(3 * 10 * 2).fill(0.5), [3, 10, 2]);
    const [a, b] = [predict(again, x), predict(model, x)];
    expect(a.shape).toEqual([3, 1]);
    for (let i = 0; i < 3; i++) expect(a.data[i]).toBeCloseTo(b.data[i]!, 6);
  });

  it('imports a two-layer PyTorch LSTM, predicts, fine-tunes and saves it', async () => {
    const model = loadOnnx(fixture('lstm_2layer_last').bytes);
    expect(model.layers.map((l) => l.className)).toEqual(['LSTM', 'LSTM', 'Dense']);
    const x = new Tensor(new Float32Array(4 * 25 * 3).fill(0.1), [4, 25, 3]);
    const y = predict(model, x);
    expect(y.shape).toEqual([4, 2]);
    const targets = new Tensor(new Float32Array(8).fill(0.5), [4, 2]);
    const history = await fit(model, { x, y: targets }, { loss: 'mse', optimizer: adam, epochs: 1 });
    expect(Number.isFinite(history.epochs[0]!.loss)).toBe(true);
    expect(saveModel(model).modelJson).toBeDefined();
  });

  it('exports an LSTM model and runs it in ONNX Runtime', async () => {
    const model = new Sequential({ layers: [new LSTM({ units: 8 }), new Dense({ units: 1 })], inputShape: [null, 2], seed: 1 });
    const bytes = exportOnnx(model);
    expect(bytes.length).toBeGreaterThan(500);
    const x = new Tensor(new Float32Array(3 * 10 * 2).fill(0.5), [3, 10, 2]);
    const runner = onnxRunner(model);
    const y = await runner.predict(x);
    await runner.dispose();
    const expected = predict(model, x);
    expect(y.shape).toEqual([3, 1]);
    for (let i = 0; i < 3; i++) expect(y.data[i]).toBeCloseTo(expected.data[i]!, 5);
  });

  it('exports a masked model and runs it in ONNX Runtime', async () => {
    const model = new Sequential({ layers: [new Masking({ maskValue: 0 }), new LSTM({ units: 8 }), new Dense({ units: 1 })], inputShape: [null, 1], seed: 1 });
    const x = new Tensor(Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0, 0]), [2, 4, 1]);
    const runner = onnxRunner(model);
    const y = await runner.predict(x);
    await runner.dispose();
    const expected = predict(model, x);
    expect(y.shape).toEqual([2, 1]);
    for (let i = 0; i < 2; i++) expect(y.data[i]).toBeCloseTo(expected.data[i]!, 5);
    // The second sequence ends after two steps: the same as those two steps alone.
    const short = predict(model, new Tensor(Float32Array.from([0.5, 0.6]), [1, 2, 1]));
    expect(y.data[1]).toBeCloseTo(short.data[0]!, 5);
  });
});
