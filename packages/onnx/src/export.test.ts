import { ActivationLayer, Bidirectional, Dense, Dropout, GRU, LSTM, Masking, Sequential, SimpleRNN } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { decodeModel, int64ToNumber } from './proto.js';
import { createRunner } from './runner.js';
import { type OnnxLayerConverter, exportOnnx, loadOnnx, onnxRunner } from './index.js';
import { maxAbsDiff, randomTensor } from './test-support.js';

describe('exportOnnx', () => {
  it('writes opset 17 with a dynamic batch axis, LSTM weights in ONNX gate order', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], inputShape: [4, 3], seed: 3 });
    const onnx = decodeModel(exportOnnx(model));
    expect(onnx.opsetImport!.map((o) => int64ToNumber(o.version))).toEqual([17]);
    const dims = onnx.graph!.input![0]!.type!.tensorType!.shape!.dim!;
    expect(dims.map((d) => d.dimParam || int64ToNumber(d.dimValue))).toEqual(['batch', 4, 3]);
    expect(onnx.graph!.node!.map((n) => n.opType)).toEqual(['Transpose', 'LSTM', 'Squeeze', 'Gemm', 'Identity']);
    // Keras column 1·2+0 (forget gate, unit 0) is ONNX row 2·2+0 (i, o, f, c).
    const kernel = model.layers[0]!.getWeights()[0]!;
    const w = onnx.graph!.initializer!.find((t) => t.name === 'lstm/W')!;
    const view = new DataView(w.rawData!.buffer, w.rawData!.byteOffset);
    expect(view.getFloat32((4 * 3 + 1) * 4, true)).toBe(kernel.data[1 * 8 + 2]);
  });

  it('runs in ONNX Runtime equal to predict for each recurrent layer and both GRU variants', async () => {
    const cases = [
      new SimpleRNN({ units: 3, returnSequences: true, activation: 'relu' }),
      new LSTM({ units: 3, cellOutput: 'none', recurrentActivation: 'hardSigmoid' }),
      new GRU({ units: 3, resetAfter: false, returnSequences: true }),
      new GRU({ units: 3, resetAfter: true, activation: 'linear' }),
      new SimpleRNN({ units: 2, learnableInitialState: true }),
    ];
    for (const [i, layer] of cases.entries()) {
      const model = new Sequential({ layers: [layer, new Dense({ units: 2, activation: 'tanh' })], inputShape: [null, 2], seed: i });
      model.setWeights(model.getWeights().map((w, k) => randomTensor([...w.shape], 100 * i + k)));
      const x = randomTensor([3, 5, 2], i);
      const runner = onnxRunner(model);
      const y = await runner.predict(x);
      await runner.dispose();
      expect(y.shape, layer.className).toEqual(predict(model, x).shape);
      expect(maxAbsDiff(y.data, predict(model, x).data), layer.className).toBeLessThan(1e-5);
    }
  });

  it('writes goBackwards as the reverse direction read back in processing order, and Bidirectional as one bidirectional node', async () => {
    const model = new Sequential({
      layers: [
        new Bidirectional({ layer: new LSTM({ units: 3, returnSequences: true }), mergeMode: 'ave' }),
        new GRU({ units: 2, goBackwards: true, returnSequences: true }),
        new Bidirectional({ layer: new SimpleRNN({ units: 2, learnableInitialState: true }), mergeMode: 'concat' }),
        new Dense({ units: 1 }),
      ],
      inputShape: [null, 2],
      seed: 5,
    });
    model.setWeights(model.getWeights().map((w, k) => randomTensor([...w.shape], 40 + k)));
    const nodes = decodeModel(exportOnnx(model)).graph!.node!;
    const directions = nodes.filter((n) => ['LSTM', 'GRU', 'RNN'].includes(n.opType!)).map((n) => n.attribute!.find((a) => a.name === 'direction')!.s);
    expect(directions.map((d) => new TextDecoder().decode(d!))).toEqual(['bidirectional', 'reverse', 'bidirectional']);
    const x = randomTensor([3, 6, 2], 41);
    const runner = onnxRunner(model);
    const y = await runner.predict(x);
    await runner.dispose();
    expect(maxAbsDiff(y.data, predict(model, x).data)).toBeLessThan(1e-5);
  });

  it('round-trips through loadOnnx', () => {
    const model = new Sequential({
      layers: [new GRU({ units: 4, returnSequences: true }), new Dropout({ rate: 0.5 }), new LSTM({ units: 3, cellOutput: 'none', recurrentActivation: 'hardSigmoid' }), new Dense({ units: 2 }), new ActivationLayer({ activation: 'softmax' })],
      inputShape: [null, 2],
      seed: 9,
    });
    const again = loadOnnx(exportOnnx(model));
    expect(again.layers.map((l) => l.className)).toEqual(['GRU', 'LSTM', 'Dense']);
    const x = randomTensor([2, 6, 2], 1);
    expect(maxAbsDiff(predict(again, x).data, predict(model, x).data)).toBeLessThan(1e-6);
  });

  it('names the layer and the reason when a layer cannot be exported', () => {
    const custom = new Sequential({ layers: [new Dense({ units: 2, activation: { name: 'swish', forward() {}, backward() {} } })], inputShape: [3] });
    expect(() => exportOnnx(custom)).toThrow('exportOnnx: layer "dense" (Dense) cannot be exported: activation "swish" has no ONNX equivalent here (built-in activations only)');
    const rnn = new Sequential({ layers: [new SimpleRNN({ units: 2, activation: 'softmax' })], inputShape: [4, 1] });
    expect(() => exportOnnx(rnn)).toThrow('exportOnnx: layer "simple_rnn" (SimpleRNN) cannot be exported: activation "softmax" is not available inside ONNX recurrent ops');
    const masked = new Sequential({ layers: [new Masking(), new LSTM({ units: 2, returnSequences: true })], inputShape: [4, 1] });
    expect(() => exportOnnx(masked)).toThrow(/^exportOnnx: layer "lstm" \(LSTM\) cannot be exported: a mask reaches it and it returns sequences;/);
    const inverted = new Sequential({ layers: [new Bidirectional({ layer: new GRU({ units: 2, goBackwards: true }) })], inputShape: [4, 1] });
    expect(() => exportOnnx(inverted)).toThrow('exportOnnx: layer "bidirectional" (Bidirectional) cannot be exported: its forward layer has goBackwards: true (ONNX runs the forward direction first to last)');
    const unbuilt = new Sequential({ layers: [new Dense({ units: 1 })] });
    expect(() => exportOnnx(unbuilt)).toThrow('exportOnnx: the model is not built; give it an inputShape or run it once first');
  });

  it('uses a caller-given converter for its own layer class', async () => {
    class Scale extends ActivationLayer {
      override readonly className = 'Scale' as never;
    }
    const layer = new Scale({ activation: 'linear', name: 'scale' });
    const model = new Sequential({ layers: [new Dense({ units: 2 }), layer], inputShape: [3], seed: 1 });
    expect(() => exportOnnx(model)).toThrow('exportOnnx: layer "scale" (Scale) has no ONNX converter; pass one in options.converters');
    const converter: OnnxLayerConverter = {
      className: 'Scale',
      convert(_layer, input, graph) {
        const [out] = graph.addNode('Mul', [input.name, graph.addInitializer('factor', [], [1])]);
        return { name: out!, shape: input.shape };
      },
    };
    const x = randomTensor([4, 3], 2);
    const y = await onnxRunner(model, { exportOptions: { converters: [converter] } }).predict(x);
    expect(maxAbsDiff(y.data, predict(model, x).data)).toBeLessThan(1e-6);
  });
});

describe('onnxRunner', () => {
  it('says how to install onnxruntime-node when it cannot be loaded', async () => {
    const model = new Sequential({ layers: [new Dense({ units: 1 })], inputShape: [2] });
    const runner = createRunner(model, {}, () => Promise.reject(new Error("Cannot find package 'onnxruntime-node'")));
    await expect(runner.predict(randomTensor([1, 2], 0))).rejects.toThrow(
      'onnxRunner: onnxruntime-node is not installed; run `npm install onnxruntime-node` (an optional peer dependency of @rnnkit/onnx)',
    );
  });

  it('reads an input that views part of a larger array, and a float64 input, and keeps each result its own', async () => {
    const model = new Sequential({ layers: [new GRU({ units: 3 }), new Dense({ units: 2 })], inputShape: [null, 2], seed: 4 });
    const whole = randomTensor([5, 4, 2], 6);
    const view = new Tensor(whole.data.subarray(2 * 4 * 2), [3, 4, 2]);
    const runner = onnxRunner(model);
    try {
      const first = await runner.predict(view);
      const expected = predict(model, new Tensor(Float32Array.from(view.data), [3, 4, 2]));
      expect(maxAbsDiff(first.data, expected.data)).toBeLessThan(1e-5);
      const kept = Float32Array.from(first.data);
      const again = await runner.predict(new Tensor(Float64Array.from(randomTensor([3, 4, 2], 7).data), [3, 4, 2]));
      expect(again.dtype).toBe('float32');
      expect(Array.from(first.data)).toEqual(Array.from(kept));
      expect(maxAbsDiff(again.data, first.data)).toBeGreaterThan(1e-3);
    } finally {
      await runner.dispose();
    }
  });

  it('turns ONNX Runtime errors into one line', async () => {
    const runner = onnxRunner(new Sequential({ layers: [new Dense({ units: 1 })], inputShape: [2] }));
    await expect(runner.predict(randomTensor([1, 3], 0))).rejects.toThrow(/^onnxRunner: ONNX Runtime could not run input of shape \[1, 3\]: .+$/);
    await expect(onnxRunner(new Uint8Array([1, 2, 3])).predict(randomTensor([1, 2], 0))).rejects.toThrow(/^onnxRunner: ONNX Runtime refused the model: /);
  });
});
