import { describe, expect, it } from 'vitest';
import { Dense, RNN, Sequential, builtinCodecs, lstmCell, rnnCodec } from '@rnnkit/layers';
import { fit, loadModel, saveModel } from '@rnnkit/model';
import { adam } from '@rnnkit/optimizers';
import { Random, Tensor } from '@rnnkit/tensor';
import { peepholeLSTMCell, peepholeLSTMCellPlugin } from './peephole-lstm.js';

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

describe('peephole LSTM cell', () => {
  it('should compute one step of Gers & Schmidhuber’s equations (one unit, by hand)', () => {
    const layer = new RNN({ cell: peepholeLSTMCell({ units: 1, dtype: 'float64' }), returnState: true });
    layer.build([null, 1, 1], new Random(0));
    // W = [0.1, 0.2, 0.3, 0.4], U = [0.5, −0.5, 0.25, −0.25], b = [0.1, 0.2, 0.3, 0.4], p = [0.7, −0.6, 0.9]
    const values = [[0.1, 0.2, 0.3, 0.4], [0.5, -0.5, 0.25, -0.25], [0.1, 0.2, 0.3, 0.4], [0.7, -0.6, 0.9]];
    layer.params().forEach((p, k) => p.value.data.set(values[k]!));
    const [x, hPrev, cPrev] = [0.8, -0.3, 0.6];
    const { y, states } = layer.forward(new Tensor(Float64Array.of(x), [1, 1, 1]), {
      initialState: [new Tensor(Float64Array.of(hPrev), [1, 1]), new Tensor(Float64Array.of(cPrev), [1, 1])],
    });
    const i = sigmoid(0.1 * x + 0.5 * hPrev + 0.1 + 0.7 * cPrev);
    const f = sigmoid(0.2 * x - 0.5 * hPrev + 0.2 - 0.6 * cPrev);
    const g = Math.tanh(0.3 * x + 0.25 * hPrev + 0.3);
    const c = f * cPrev + i * g;
    const o = sigmoid(0.4 * x - 0.25 * hPrev + 0.4 + 0.9 * c);
    expect(states![1]!.data[0]).toBeCloseTo(c, 14);
    expect(y.data[0]).toBeCloseTo(o * Math.tanh(c), 14);
  });

  it('should equal the built-in LSTM cell when the peepholes are zero', () => {
    const random = new Random(3);
    const peephole = new RNN({ cell: peepholeLSTMCell({ units: 3, dtype: 'float64' }), returnSequences: true });
    const plain = new RNN({ cell: lstmCell({ units: 3, dtype: 'float64' }), returnSequences: true });
    peephole.build([null, 5, 2], random);
    plain.build([null, 5, 2], random);
    peephole.params()[3]!.value.data.fill(0);
    plain.params().forEach((p, k) => p.value.data.set(peephole.params()[k]!.value.data));
    const x = new Tensor(Float64Array.from({ length: 2 * 5 * 2 }, () => random.uniform(-1, 1)), [2, 5, 2]);
    const a = peephole.forward(x).y.data;
    const b = plain.forward(x).y.data;
    a.forEach((v, k) => expect(v).toBeCloseTo(b[k]!, 12));
  });

  it('should have Keras’ LSTM parameters plus the peephole rows, and a forget bias of 1', () => {
    const cell = peepholeLSTMCell({ units: 2 });
    cell.build(3, new Random(0));
    expect(cell.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['kernel', [3, 8]],
      ['recurrentKernel', [2, 8]],
      ['bias', [8]],
      ['peephole', [3, 2]],
    ]);
    expect(Array.from(cell.w.bias)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(cell.getConfig()).toMatchObject({ units: 2, dtype: 'float32', unitForgetBias: true, peepholeInitializer: 'glorotUniform' });
    expect(peepholeLSTMCellPlugin.name).toBe('PeepholeLSTMCell');
  });

  it('should refuse an unknown option with a one-line error', () => {
    expect(() => peepholeLSTMCell({ units: 2, peepholes: true } as never)).toThrow(/^PeepholeLSTMCell: unknown option "peepholes"/);
  });

  it('should learn to recall the first step of a sequence with fit (loss falls, fixed seed)', async () => {
    // Six steps of noise; the target is the first step's value, which the cell must carry.
    const random = new Random(7);
    const samples = 64;
    const x = new Tensor(Float32Array.from({ length: samples * 6 }, () => random.uniform(-1, 1)), [samples, 6, 1]);
    const y = new Tensor(Float32Array.from({ length: samples }, (_, n) => x.data[n * 6]!), [samples, 1]);
    const model = new Sequential({
      inputShape: [6, 1],
      layers: [new RNN({ cell: peepholeLSTMCell({ units: 8 }) }), new Dense({ units: 1 })],
      seed: 0,
    });
    const history = await fit(model, { x, y }, { loss: 'mse', optimizer: adam, optimizerOptions: { learningRate: 0.02 }, epochs: 40, batchSize: 16, seed: 0 });
    const first = history.loss[0]!;
    const last = history.loss.at(-1)!;
    expect(last).toBeLessThan(first / 10); // 0.32 → 0.0067 with these seeds
  });

  it('should save and load with rnnCodec and its plugin, predicting the same bits', () => {
    const model = new Sequential({
      inputShape: [4, 2],
      layers: [new RNN({ cell: peepholeLSTMCell({ units: 3, unitForgetBias: false, peepholeInitializer: 'randomNormal' }) }), new Dense({ units: 1 })],
      seed: 5,
    });
    const codecs = [...builtinCodecs, rnnCodec({ cells: [peepholeLSTMCellPlugin] })];
    const { modelJson, weights } = saveModel(model, { codecs });
    expect(modelJson.weightsManifest[0]!.weights.map((w) => [w.name, w.shape])).toEqual([
      ['rnn/peephole_lstm_cell/kernel', [2, 12]],
      ['rnn/peephole_lstm_cell/recurrent_kernel', [3, 12]],
      ['rnn/peephole_lstm_cell/bias', [12]],
      ['rnn/peephole_lstm_cell/peephole', [3, 3]],
      ['dense/kernel', [3, 1]],
      ['dense/bias', [1]],
    ]);
    const { model: copy } = loadModel({ modelJson: JSON.stringify(modelJson), weights }, { codecs });
    const cell = (copy.layers[0] as RNN).cell;
    // Initialisers come back in Keras' full form ({ name: 'randomNormal', options: { mean: 0, std: 0.05 } }).
    expect(cell.getConfig()).toMatchObject({ units: 3, dtype: 'float32', unitForgetBias: false, peepholeInitializer: { name: 'randomNormal' } });
    const x = new Tensor(Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i)), [2, 4, 2]);
    expect(Array.from(copy.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
  });
});
