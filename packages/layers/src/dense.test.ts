import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';

function built(options: ConstructorParameters<typeof Dense>[0], features: number, seed = 0): Dense {
  const layer = new Dense(options);
  layer.build([null, features], new Random(seed));
  return layer;
}

describe('Dense', () => {
  it('should compute x·W + b on the last axis', () => {
    const layer = built({ units: 3 }, 2);
    layer.setWeights([tensor([[1, 0, -1], [2, 1, 0]]), tensor([0.5, 0, 0])]);
    expect(layer.forward(tensor([[1, 2]])).y.toArray()).toEqual([[5.5, 2, -1]]);
  });

  it('should apply the same weights to every step of [batch, time, features]', () => {
    const layer = built({ units: 1, activation: 'relu' }, 2);
    layer.setWeights([tensor([[1], [-1]]), tensor([0])]);
    const y = layer.forward(tensor([[[3, 1], [1, 3]], [[2, 2], [5, 0]]]));
    expect(y.y.shape).toEqual([2, 2, 1]);
    expect(y.y.toArray()).toEqual([[[2], [0]], [[0], [5]]]);
    expect(layer.outputShape([null, 7, 2])).toEqual([null, 7, 1]);
  });

  it('should draw a Glorot-uniform kernel and a zero bias by default, the same for the same seed', () => {
    const layer = built({ units: 5 }, 3, 42);
    const [kernel, bias] = layer.getWeights() as [Tensor, Tensor];
    const limit = Math.sqrt(6 / (3 + 5));
    expect(Array.from(kernel.data).every((v) => Math.abs(v) <= limit)).toBe(true);
    expect(new Set(kernel.data).size).toBe(15);
    expect(Array.from(bias.data)).toEqual([0, 0, 0, 0, 0]);
    expect(built({ units: 5 }, 3, 42).getWeights()[0]!.data).toEqual(kernel.data);
  });

  it('should have only a kernel without bias', () => {
    const layer = built({ units: 2, useBias: false }, 3);
    expect(layer.params().map((p) => p.name)).toEqual(['kernel']);
  });

  it('should return copies from getWeights', () => {
    const layer = built({ units: 2 }, 2);
    const [kernel] = layer.getWeights();
    kernel!.data.fill(7);
    expect(layer.params()[0]!.value.data.includes(7)).toBe(false);
  });

  it('should pass NaN inputs through as NaN outputs', () => {
    const layer = built({ units: 2, activation: 'sigmoid' }, 1);
    expect(Array.from(layer.forward(tensor([[Number.NaN]])).y.data).every(Number.isNaN)).toBe(true);
  });

  it('should use float64 throughout when asked', () => {
    const layer = built({ units: 2, dtype: 'float64' }, 2);
    const { y, cache } = layer.forward(new Tensor(new Float64Array(4), [2, 2]));
    expect(y.dtype).toBe('float64');
    expect(layer.backward(y, cache).dtype).toBe('float64');
    expect(layer.params()[0]!.value.dtype).toBe('float64');
  });

  it('should refuse unknown options, bad units and unknown activations', () => {
    expect(() => new Dense({ units: 2, unit: 3 } as never)).toThrow('Dense: unknown option "unit"');
    expect(() => new Dense({ units: 0 })).toThrow('Dense: units must be a positive integer, got number 0');
    expect(() => new Dense({ units: 1, activation: 'gelu' as never })).toThrow('Dense: activation must be one of');
  });

  it('should refuse inputs of the wrong features, rank or dtype, and a layer not built', () => {
    const layer = built({ units: 2 }, 2);
    expect(() => layer.forward(tensor([[1, 2, 3]]))).toThrow('Dense: expected input [batch, …, 2], got [1, 3]');
    expect(() => layer.forward(tensor([1, 2]))).toThrow('Dense: expected input [batch, …, 2], got [2]');
    expect(() => layer.forward(tensor([[1, 2]], 'float64'))).toThrow('Dense: expected a float32 input');
    expect(() => new Dense({ units: 1 }).forward(tensor([[1]]))).toThrow('Dense: layer "dense" is not built');
  });

  it('should check setWeights shapes and leave the weights unchanged on error', () => {
    const layer = built({ units: 2 }, 3);
    const before = layer.getWeights();
    expect(() => layer.setWeights([tensor([[1, 2, 3], [4, 5, 6]]), tensor([0, 0])])).toThrow(
      'Dense: setWeights: kernel must have shape [3, 2], got [2, 3]',
    );
    expect(() => layer.setWeights([before[0]!])).toThrow('Dense: setWeights expected 2 tensors (kernel, bias), got 1');
    expect(layer.getWeights()[0]!.data).toEqual(before[0]!.data);
  });

  it('should refuse an output gradient of the wrong shape', () => {
    const layer = built({ units: 2 }, 2);
    const { cache } = layer.forward(tensor([[1, 2]]));
    expect(() => layer.backward(tensor([[1, 2, 3]]), cache)).toThrow('Dense: expected an output gradient of shape [1, 2], got [1, 3]');
  });
});
