import { describe, expect, it } from 'vitest';
import { Tensor, tensor, zeros } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { Flatten } from './flatten.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { RepeatVector } from './repeat-vector.js';
import { Sequential } from './sequential.js';

describe('RepeatVector', () => {
  it('should repeat each sample n times and sum the n gradients back', () => {
    const layer = new RepeatVector({ n: 3 });
    const { y, cache } = layer.forward(tensor([[1, 2], [3, 4]]));
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4]);
    const dy = tensor([[[1, 2], [3, 4], [5, 6]], [[0, 1], [0, 1], [0, 1]]]);
    const dx = layer.backward(dy, cache);
    expect(dx.shape).toEqual([2, 2]);
    expect(Array.from(dx.data)).toEqual([9, 12, 0, 3]);
  });

  it('should refuse bad options, shapes and gradients with one-line errors', () => {
    expect(() => new RepeatVector({ n: 0 })).toThrow('RepeatVector: n must be a positive integer, got number 0');
    expect(() => new RepeatVector({ n: 2, times: 2 } as never)).toThrow('RepeatVector: unknown option "times"');
    expect(() => new RepeatVector({ n: 2 }).outputShape([null, 3, 1])).toThrow('RepeatVector: expected an input shape [batch, features], got [null, 3, 1]');
    expect(() => new RepeatVector({ n: 2 }).forward(zeros([1, 2, 1]))).toThrow('RepeatVector: expected input [batch, features], got [1, 2, 1]');
    expect(() => new RepeatVector({ n: 2 }).forward(zeros([1, 2], 'float64'))).toThrow("RepeatVector: expected a float32 input (the layer's dtype), got float64");
    const layer = new RepeatVector({ n: 2 });
    const { cache } = layer.forward(zeros([1, 3]));
    expect(() => layer.backward(zeros([1, 3, 3]), cache)).toThrow('RepeatVector: expected an output gradient of shape [1, 2, 3], got [1, 3, 3]');
    expect(() => layer.setWeights([zeros([1])])).toThrow('RepeatVector: setWeights expected 0 tensors (the layer has no weights), got 1');
  });

  it('should rebuild an equal layer from its config', () => {
    const layer = new RepeatVector({ n: 4, name: 'repeat' });
    expect(RepeatVector.fromConfig(layer.getConfig()).getConfig()).toEqual({ name: 'repeat', n: 4, dtype: 'float32' });
  });
});

describe('Flatten', () => {
  it('should keep the row-major order and give the gradient the input shape back', () => {
    const layer = new Flatten();
    const x = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]]);
    const { y, cache } = layer.forward(x);
    expect(y.shape).toEqual([2, 6]);
    expect(Array.from(y.data)).toEqual(Array.from(x.data));
    const dy = new Tensor(Float32Array.from({ length: 12 }, (_, i) => -i), [2, 6]);
    const dx = layer.backward(dy, cache);
    expect(dx.shape).toEqual([2, 3, 2]);
    expect(Array.from(dx.data)).toEqual(Array.from(dy.data));
    expect(layer.outputShape([null, 2, 3, 4])).toEqual([null, 24]);
    expect(layer.forward(tensor([[1, 2]])).y.shape).toEqual([1, 2]);
  });

  it('should refuse unknown lengths after the batch, and bad inputs, with one-line errors', () => {
    expect(() => new Flatten().outputShape([null, null, 3])).toThrow(
      'Flatten: every length after the batch must be known to flatten, got [null, null, 3] (give the model a fixed inputShape)',
    );
    expect(() => new Flatten().outputShape([null])).toThrow('Flatten: expected an input shape [batch, …], got [null]');
    expect(() => new Flatten().forward(zeros([3]))).toThrow('Flatten: expected input [batch, …], got [3]');
    expect(() => new Flatten({ dataFormat: 'channelsLast' } as never)).toThrow('Flatten: unknown option "dataFormat"');
    const layer = new Flatten();
    const { cache } = layer.forward(zeros([2, 2, 2]));
    expect(() => layer.backward(zeros([2, 2, 2]), cache)).toThrow('Flatten: expected an output gradient of shape [2, 4], got [2, 2, 2]');
  });

  it('should rebuild an equal layer from its config', () => {
    expect(Flatten.fromConfig(new Flatten({ dtype: 'float64' }).getConfig()).getConfig()).toEqual({ name: 'flatten', dtype: 'float64' });
  });
});

describe('RepeatVector and Flatten in a model', () => {
  it('should run an encoder → RepeatVector → decoder → Flatten model', () => {
    const model = new Sequential({
      layers: [new LSTM({ units: 3 }), new RepeatVector({ n: 4 }), new LSTM({ units: 2, returnSequences: true }), new Flatten(), new Dense({ units: 1 })],
      inputShape: [5, 2],
    });
    expect(model.outputShape()).toEqual([null, 1]);
    expect(model.forward(zeros([3, 5, 2])).y.shape).toEqual([3, 1]);
  });

  it('should refuse to take a mask, as in Keras and TF.js', () => {
    const model = new Sequential({ layers: [new Masking(), new Flatten()], inputShape: [2, 2] });
    expect(() => model.forward(zeros([1, 2, 2]))).toThrow(/^Sequential: layer 1 "flatten" \(Flatten\) .*cannot take a mask/);
  });
});
