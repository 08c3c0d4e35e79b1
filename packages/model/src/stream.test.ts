import { describe, expect, it } from 'vitest';
import { Dense, type Layer, LSTM, Sequential, GRU } from '@rnnkit/layers';
import { Random, Tensor } from '@rnnkit/tensor';
import { predict } from './evaluate.js';
import { createStream } from './stream.js';

function lstmModel(): Sequential {
  return new Sequential({ layers: [new LSTM({ units: 4, returnSequences: true }), new GRU({ units: 3 }), new Dense({ units: 2 })], inputShape: [null, 3], seed: 7 });
}

describe('createStream', () => {
  it('should take [features] for a batch of one and return [outputSize], equal to predict on the prefix', () => {
    const model = lstmModel();
    const stream = createStream(model);
    expect([stream.batch, stream.features, stream.outputSize]).toEqual([1, 3, 2]);
    const random = new Random(1);
    const x = new Tensor(random.fillUniform(new Float32Array(5 * 3), -1, 1), [1, 5, 3]);
    let y: Tensor | undefined;
    for (let t = 0; t < 5; t++) y = stream.step(new Tensor(x.data.slice(t * 3, t * 3 + 3), [3]));
    expect(y!.shape).toEqual([2]);
    const expected = predict(model, x).data;
    for (let i = 0; i < 2; i++) expect(y!.data[i]).toBeCloseTo(expected[i]!, 6);
  });

  it('should refuse a model with a layer that cannot step, naming the layer', () => {
    const dense = new Dense({ units: 2 });
    const opaque: Layer = {
      className: 'Opaque',
      name: 'opaque',
      dtype: 'float32',
      get built() {
        return dense.built;
      },
      build: (shape, random) => dense.build(shape, random),
      params: () => dense.params(),
      outputShape: (shape) => dense.outputShape(shape),
      forward: (x) => dense.forward(x),
      backward: (dy, cache) => dense.backward(dy, cache as never),
      getWeights: () => dense.getWeights(),
      setWeights: (w) => dense.setWeights(w),
      getConfig: () => ({ name: 'opaque' }),
    };
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), opaque], inputShape: [null, 1] });
    expect(() => createStream(model)).toThrow(
      'createStream: Sequential: layer 1 "opaque" (Opaque) cannot run step by step: it has no stepper(batch, features) method',
    );
  });

  it('should refuse inputs and outputs of the wrong shape or dtype, and bad options', () => {
    const stream = createStream(lstmModel(), { batch: 2 });
    expect(() => stream.step(new Tensor(new Float32Array(3), [3]))).toThrow('stream.step: x must be a float32 tensor [2, 3], got float32 [3]');
    expect(() => stream.step(new Tensor(new Float64Array(6), [2, 3]))).toThrow('stream.step: x must be a float32 tensor [2, 3], got float64 [2, 3]');
    expect(() => stream.step(new Tensor(new Float32Array(6), [2, 3]), new Tensor(new Float32Array(2), [1, 2]))).toThrow(
      'stream.step: out must be a float32 tensor [2, 2] like x, got float32 [1, 2]',
    );
    expect(() => createStream(lstmModel(), { batch: 0 })).toThrow('createStream: batch must be a positive integer, got 0');
    expect(() => createStream(lstmModel(), { size: 2 } as never)).toThrow('createStream: unknown option "size"; valid options are batch');
    const unbuilt = new Sequential({ layers: [new LSTM({ units: 2 })] });
    expect(() => createStream(unbuilt)).toThrow('createStream: model "sequential" must be built with known input features');
  });
});
