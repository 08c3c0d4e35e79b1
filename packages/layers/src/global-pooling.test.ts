import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor, zeros } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import type { Layer } from './layer.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';
import { Sequential } from './sequential.js';

// Two samples, three steps, two features.
const x = tensor([
  [[1, -2], [3, 4], [5, -6]],
  [[-1, 0], [7, 2], [-3, 8]],
]);
const mask = new Tensor(new Float32Array([1, 1, 0, 0, 0, 1]), [2, 3]);
const dy = tensor([[1, 2], [3, 4]]);

describe('GlobalAveragePooling1D', () => {
  it('should average every step without a mask, and spread the gradient evenly', () => {
    const layer = new GlobalAveragePooling1D();
    const { y, cache } = layer.forward(x);
    expect(y.shape).toEqual([2, 2]);
    expect(Array.from(y.data)).toEqual([3, -4 / 3, 1, 10 / 3].map(Math.fround));
    expect(Array.from(layer.backward(dy, cache).data)).toEqual([1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4].map((v) => Math.fround(v / 3)));
  });

  it('should average the valid steps only with a mask, give a sample without one zeros, and use the mask up', () => {
    const layer = new GlobalAveragePooling1D();
    const { y, cache } = layer.forward(x, { mask });
    expect(Array.from(y.data)).toEqual([2, 1, -3, 8]);
    expect(Array.from(layer.backward(dy, cache).data)).toEqual([0.5, 1, 0.5, 1, 0, 0, 0, 0, 0, 0, 3, 4]);
    const none = new Tensor(new Float32Array([0, 0, 0, 1, 1, 1]), [2, 3]);
    const empty = layer.forward(x, { mask: none });
    expect(Array.from(empty.y.data.subarray(0, 2))).toEqual([0, 0]);
    expect(Array.from(layer.backward(dy, empty.cache).data.subarray(0, 6))).toEqual([0, 0, 0, 0, 0, 0]);
    expect(layer.computeMask(x, mask)).toBeNull();
  });
});

describe('GlobalMaxPooling1D', () => {
  it('should take the maximum of each feature over time, the gradient going to the step it came from', () => {
    const layer = new GlobalMaxPooling1D();
    const { y, cache } = layer.forward(x);
    expect(Array.from(y.data)).toEqual([5, 4, 7, 8]);
    expect(Array.from(layer.backward(dy, cache).data)).toEqual([0, 0, 0, 2, 1, 0, 0, 0, 3, 0, 0, 4]);
  });

  it('should take the maximum over the valid steps with a mask (zeros for a sample without one)', () => {
    const layer = new GlobalMaxPooling1D();
    const { y, cache } = layer.forward(x, { mask });
    expect(Array.from(y.data)).toEqual([3, 4, -3, 8]);
    expect(Array.from(layer.backward(dy, cache).data)).toEqual([0, 0, 1, 2, 0, 0, 0, 0, 0, 0, 3, 4]);
    const empty = layer.forward(x, { mask: new Tensor(new Float32Array(6), [2, 3]) });
    expect(Array.from(empty.y.data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(layer.backward(dy, empty.cache).data).every((v) => v === 0)).toBe(true);
  });

  it('should send the gradient of a tie to the first step holding the maximum', () => {
    const layer = new GlobalMaxPooling1D();
    const { cache } = layer.forward(tensor([[[2], [2]]]));
    expect(Array.from(layer.backward(tensor([[1]]), cache).data)).toEqual([1, 0]);
  });
});

describe('global pooling layers', () => {
  const makers: (() => Layer)[] = [() => new GlobalAveragePooling1D(), () => new GlobalMaxPooling1D()];
  for (const make of makers) {
    const api = make().className;
    it(`${api} should pool the padded batch of Embedding(maskZero) to what each sequence gives alone`, () => {
      const model = new Sequential({ layers: [new Embedding({ inputDim: 6, outputDim: 3, maskZero: true }), make(), new Dense({ units: 2 })], inputShape: [null], seed: 2 });
      const { y, cache } = model.forward(tensor([[4, 1, 0, 0], [0, 5, 2, 3]]));
      expect(cache.mask).toBeNull();
      expect(Array.from(y.data.subarray(0, 2))).toEqual(Array.from(model.forward(tensor([[4, 1]])).y.data));
      expect(Array.from(y.data.subarray(2, 4))).toEqual(Array.from(model.forward(tensor([[5, 2, 3]])).y.data));
    });

    it(`${api} should refuse bad options, shapes, masks and gradients with one-line errors`, () => {
      const layer = make();
      expect(() => new (layer.constructor as typeof GlobalAveragePooling1D)({ keepdims: true } as never)).toThrow(`${api}: unknown option "keepdims"`);
      expect(() => layer.outputShape([null, 3])).toThrow(`${api}: expected an input shape [batch, time, features], got [null, 3]`);
      expect(() => layer.forward(zeros([2, 3]))).toThrow(`${api}: expected input [batch, time, features], got [2, 3]`);
      expect(() => layer.forward(zeros([2, 3, 1], 'float64'))).toThrow(`${api}: expected a float32 input (the layer's dtype), got float64`);
      expect(() => layer.forward(x, { mask: zeros([2, 2]) })).toThrow(`${api}: expected a mask of shape [2, 3], got [2, 2]`);
      const { cache } = layer.forward(x);
      expect(() => layer.backward(zeros([2, 3]), cache)).toThrow(`${api}: expected an output gradient of shape [2, 2], got [2, 3]`);
      expect(layer.outputShape([null, null, 5])).toEqual([null, 5]);
      layer.build([null, 4, 2], new Random(0));
      expect(layer.params()).toEqual([]);
      expect(() => layer.setWeights([zeros([1])])).toThrow(`${api}: setWeights expected 0 tensors (the layer has no weights), got 1`);
    });
  }

  it('should rebuild equal layers from their configs', () => {
    const average = new GlobalAveragePooling1D({ name: 'mean', dtype: 'float64' });
    expect(GlobalAveragePooling1D.fromConfig(average.getConfig()).getConfig()).toEqual({ name: 'mean', dtype: 'float64' });
    expect(GlobalMaxPooling1D.fromConfig(new GlobalMaxPooling1D().getConfig()).getConfig()).toEqual({ name: 'global_max_pooling1d', dtype: 'float32' });
  });
});
