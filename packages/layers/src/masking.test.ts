import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor, zeros } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import type { Layer } from './layer.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { Sequential } from './sequential.js';

const x = tensor([
  [[1, 2], [0, 0], [3, 0]],
  [[0, 0], [0, 0], [-1, 5]],
]);

describe('Masking', () => {
  it('should mask the steps whose features all equal maskValue, zero them, and zero their gradients', () => {
    const layer = new Masking();
    layer.build([null, 3, 2], new Random(0));
    expect(Array.from(layer.computeMask(x, null).data)).toEqual([1, 0, 1, 0, 0, 1]);
    const { y, cache } = layer.forward(tensor([[[1, 2], [0, 0], [3, 0]], [[0, 0], [0, 0], [-1, 5]]]));
    expect(Array.from(y.data)).toEqual([1, 2, 0, 0, 3, 0, 0, 0, 0, 0, -1, 5]);
    const dy = tensor([[[1, 1], [1, 1], [1, 1]], [[2, 2], [2, 2], [2, 2]]]);
    expect(Array.from(layer.backward(dy, cache).data)).toEqual([1, 1, 0, 0, 1, 1, 0, 0, 0, 0, 2, 2]);
  });

  it('should mask by another maskValue, and keep what a mask given already masks', () => {
    const layer = new Masking({ maskValue: 3 });
    const given = new Tensor(new Float32Array([0, 1, 1, 1, 1, 1]), [2, 3]);
    // Step (0, 2) is [3, 0]: not all 3, so it counts; step (0, 0) is masked by the given mask.
    expect(Array.from(layer.computeMask(x, given).data)).toEqual([0, 1, 1, 1, 1, 1]);
    expect(Array.from(new Masking({ maskValue: 3 }).computeMask(tensor([[[3, 3]]]), null).data)).toEqual([0]);
  });

  it('should refuse bad options and inputs with one-line errors', () => {
    expect(() => new Masking({ maskValue: Number.NaN })).toThrow(/^Masking: maskValue must be a number \(not NaN\), got /);
    expect(() => new Masking({ value: 0 } as never)).toThrow('Masking: unknown option "value"');
    expect(() => new Masking().forward(tensor([[1, 2]]))).toThrow('Masking: expected input [batch, time, features], got [1, 2]');
    expect(() => new Masking().outputShape([null, 2])).toThrow('Masking: expected an input shape [batch, time, features], got [null, 2]');
    expect(() => new Masking().forward(zeros([1, 2, 2], 'float64'))).toThrow("Masking: expected a float32 input (the layer's dtype), got float64");
  });
});

describe('masks in a Sequential model', () => {
  it('should pass the mask from Masking to the recurrent layer and on, and give padded sequences the unpadded result', () => {
    const model = new Sequential({
      layers: [new Masking(), new LSTM({ units: 3, returnSequences: true }), new Dense({ units: 2 })],
      inputShape: [null, 2],
      seed: 4,
    });
    const { y, cache } = model.forward(x);
    expect(Array.from(cache.mask!.data)).toEqual([1, 0, 1, 0, 0, 1]);
    // Sample 1 has one valid step, the last: alone it is that one step.
    const alone = model.forward(tensor([[[-1, 5]]])).y;
    expect(Array.from(y.data.subarray(10, 12))).toEqual(Array.from(alone.data));
    // Before it, the LSTM outputs zeros, so Dense gives its bias.
    const bias = model.layers[2]!.params()[1]!.value.data;
    expect(Array.from(y.data.subarray(6, 8))).toEqual(Array.from(bias));
  });

  it('should take a mask given to forward, and use it up in a recurrent layer without returnSequences', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], inputShape: [null, 2], seed: 1 });
    const mask = new Tensor(new Float32Array([1, 1, 0, 1, 0, 0]), [2, 3]);
    const { y, cache } = model.forward(x, { mask });
    expect(cache.mask).toBeNull();
    const first = model.forward(tensor([[[1, 2], [0, 0]]])).y.data[0]!;
    expect(y.data[0]).toBeCloseTo(first, 6);
  });

  it('should refuse to pass a mask to a layer that cannot take one', () => {
    const plain: Layer = {
      className: 'Plain',
      name: 'plain',
      dtype: 'float32',
      built: true,
      build: () => {},
      params: () => [],
      outputShape: (s) => s,
      forward: (input) => ({ y: input, cache: null }),
      backward: (dy) => dy,
      getWeights: () => [],
      setWeights: () => {},
      getConfig: () => ({ name: 'plain' }),
    };
    const model = new Sequential({ layers: [new Masking(), plain], inputShape: [null, 2] });
    expect(() => model.forward(x)).toThrow(/^Sequential: layer 1 "plain" \(Plain\) .*cannot take a mask/);
    expect(() => model.forward(x, { mask: new Tensor(new Float32Array(5), [5]) })).toThrow(/mask/);
  });
});
