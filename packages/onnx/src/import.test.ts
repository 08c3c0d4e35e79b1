import { readdirSync } from 'node:fs';
import { Dense, GRU, LSTM, SimpleRNN } from '@rnnkit/layers';
import { fit, loadModel, predict, saveModel } from '@rnnkit/model';
import { sgd } from '@rnnkit/optimizers';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { encodeModel, decodeModel } from './proto.js';
import { loadOnnx } from './index.js';
import { FIXTURES_DIR, fixture, maxAbsDiff } from './test-support.js';

const names = readdirSync(FIXTURES_DIR).filter((f) => f.endsWith('.onnx')).map((f) => f.slice(0, -5)).sort();
const importable = names.filter((n) => fixture(n).facts.importable);

describe('loadOnnx on the PyTorch fixtures', () => {
  it('has the fixtures the tests rely on', () => {
    expect(importable.length).toBe(24);
    expect(names.length).toBe(26);
  });

  it.each(importable)('%s predicts within 1e-5 of PyTorch', (name) => {
    const { bytes, facts } = fixture(name);
    const model = loadOnnx(bytes);
    const x = new Tensor(Float32Array.from(facts.input.data), facts.input.shape);
    const y = predict(model, x);
    expect(y.shape).toEqual(facts.output.shape);
    expect(maxAbsDiff(y.data, facts.output.data)).toBeLessThan(1e-5);
  });

  it('maps a two-layer LSTM with a head on the last step to LSTM(seq) → LSTM(last) → Dense', () => {
    const model = loadOnnx(fixture('lstm_2layer_last').bytes);
    expect(model.layers.map((l) => l.className)).toEqual(['LSTM', 'LSTM', 'Dense']);
    const [first, second, head] = model.layers as [LSTM, LSTM, Dense];
    expect(first.getConfig()).toMatchObject({ units: 4, returnSequences: true });
    expect(second.getConfig()).toMatchObject({ units: 4, returnSequences: false });
    expect(head.getConfig()).toMatchObject({ units: 2, activation: 'linear', useBias: true });
  });

  it('maps GRU to resetAfter: true and folds the MLP head activations into Dense layers', () => {
    const model = loadOnnx(fixture('gru_mlp_head').bytes);
    expect(model.layers.map((l) => l.className)).toEqual(['GRU', 'Dense', 'Dense']);
    expect((model.layers[0] as GRU).getConfig()).toMatchObject({ resetAfter: true, returnSequences: false });
    expect(model.layers.slice(1).map((l) => l.getConfig().activation)).toEqual(['relu', 'sigmoid']);
    expect((loadOnnx(fixture('rnn_1layer_seq').bytes).layers[0] as SimpleRNN).getConfig()).toMatchObject({ activation: 'tanh', returnSequences: true });
  });

  it('accepts any batch size and sequence length when the file leaves them dynamic', () => {
    const model = loadOnnx(fixture('lstm_1layer_seq').bytes);
    const y = predict(model, new Tensor(new Float32Array(3 * 7 * 3).fill(0.5), [3, 7, 3]));
    expect(y.shape).toEqual([3, 7, 2]);
  });

  it('maps the embedding model to Embedding → LSTM → Dense, its token ids taken as floats', () => {
    const model = loadOnnx(fixture('embedding_lstm').bytes);
    expect(model.layers.map((l) => l.className)).toEqual(['Embedding', 'LSTM', 'Dense']);
    expect(model.layers[0]!.getConfig()).toMatchObject({ inputDim: 10, outputDim: 3 });
  });
});

describe('an imported model is an ordinary rnnkit model', () => {
  it('fine-tunes one step (the loss drops), still predicts, and saves and loads', async () => {
    const { bytes, facts } = fixture('gru_2layer_last');
    const model = loadOnnx(bytes);
    const x = new Tensor(Float32Array.from(facts.input.data), facts.input.shape);
    const target = new Tensor(new Float32Array(facts.output.data.length).fill(0.25), facts.output.shape);
    const before = predict(model, x);
    const history = await fit(model, { x, y: target }, { loss: 'mse', optimizer: sgd, optimizerOptions: { learningRate: 0.1 }, epochs: 2, batchSize: 'full', seed: 1 });
    const losses = history.epochs.map((e) => e.loss);
    expect(losses[1]).toBeLessThan(losses[0]!);
    const after = predict(model, x);
    expect(after.shape).toEqual(before.shape);
    expect(maxAbsDiff(after.data, before.data)).toBeGreaterThan(1e-4);
    expect([...after.data].every(Number.isFinite)).toBe(true);
    const reloaded = loadModel(saveModel(model)).model;
    expect(maxAbsDiff(predict(reloaded, x).data, after.data)).toBe(0);
  });
});

describe('loadOnnx on bad or hostile input', () => {
  const good = fixture('rnn_1layer_last').bytes;

  it('refuses what is not an ONNX model', () => {
    expect(() => loadOnnx('model.onnx' as never)).toThrow('loadOnnx: bytes must be a Uint8Array (the .onnx file), got string');
    expect(() => loadOnnx(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f]))).toThrow(/^loadOnnx: not a valid ONNX file \(/);
    expect(() => loadOnnx(new Uint8Array(0))).toThrow('loadOnnx: the file has no graph (is it an ONNX model?)');
  });

  it('applies the size limits before decoding', () => {
    expect(() => loadOnnx(good, { limits: { maxBytes: 1000 } })).toThrow(`loadOnnx: the file has ${good.length} bytes, over the limit of 1000 (limits.maxBytes)`);
    expect(() => loadOnnx(good, { limits: { maxNodes: 5 } })).toThrow('loadOnnx: the graph has 17 nodes, over the limit of 5 (limits.maxNodes)');
    expect(() => loadOnnx(good, { limits: { maxTensorElements: 10 } })).toThrow(/^loadOnnx: initializer: tensor "onnx::RNN_\d+" has 12 elements, over the limit of 10 \(limits.maxTensorElements\)$/);
    expect(() => loadOnnx(good, { limits: { maxBites: 1 } as never })).toThrow('loadOnnx: unknown limit "maxBites"; known limits are maxBytes, maxNodes, maxTensorElements');
  });

  it('refuses weights kept in an external file, naming the file', () => {
    const model = decodeModel(good);
    const w = model.graph!.initializer!.find((t) => t.dims?.length === 3)!;
    w.rawData = new Uint8Array(0);
    w.dataLocation = 1;
    w.externalData = [{ key: 'location', value: '../../etc/passwd' }];
    expect(() => loadOnnx(encodeModel(model))).toThrow(/^loadOnnx: initializer: tensor "onnx::RNN_\d+" keeps its data in an external file \("\.\.\/\.\.\/etc\/passwd"\); external data is not supported/);
  });

  it('refuses an old opset and an unknown op, naming the node', () => {
    const old = decodeModel(good);
    old.opsetImport = [{ domain: '', version: 9 }];
    expect(() => loadOnnx(encodeModel(old))).toThrow('loadOnnx: the model uses opset 9, expected 13–21');
    const odd = decodeModel(good);
    odd.graph!.node!.find((n) => n.opType === 'Gemm')!.opType = 'LpNormalization';
    expect(() => loadOnnx(encodeModel(odd))).toThrow('loadOnnx: cannot map node "/head/Gemm" (LpNormalization): LpNormalization is not supported');
  });

  it('reads a graph that measures the input again after a layer (a shape is not a use of the data)', () => {
    const model = decodeModel(good);
    // Measure the input once more after the last layer (as exporters do for later zero states).
    model.graph!.node!.push({ name: 'late_shape', opType: 'Shape', input: ['input'], output: ['late_shape_output'] });
    const { facts } = fixture('rnn_1layer_last');
    const x = new Tensor(Float32Array.from(facts.input.data), facts.input.shape);
    expect(maxAbsDiff(predict(loadOnnx(encodeModel(model)), x).data, facts.output.data)).toBeLessThan(1e-5);
  });

  it('refuses a graph that branches: a layer applied to the data from before an earlier layer', () => {
    const model = decodeModel(fixture('lstm_2layer_seq').bytes);
    const second = model.graph!.node!.filter((n) => n.opType === 'LSTM')[1]!;
    const first = model.graph!.node!.find((n) => n.opType === 'Transpose')!;
    second.input![0] = first.output![0]!; // the second LSTM reads the input, skipping the first
    expect(() => loadOnnx(encodeModel(model))).toThrow(
      'loadOnnx: cannot map node "/rnn/LSTM_1" (LSTM): the graph branches (it uses the data from before a later layer); only a chain of layers is supported',
    );
  });

  it('refuses a non-zero initial state', () => {
    const model = decodeModel(good);
    const rnn = model.graph!.node!.find((n) => n.opType === 'RNN')!;
    rnn.input![5] = rnn.input![1]!; // W as initial_h: a non-zero constant
    expect(() => loadOnnx(encodeModel(model))).toThrow('loadOnnx: cannot map node "/rnn/RNN" (RNN): initial_h must be zeros (rnnkit starts from a zero state), got a non-zero constant');
  });
});
