import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor } from '@rnnkit/tensor';
import { ActivationLayer } from './activation-layer.js';
import { layerFromConfig } from './from-config.js';
import { Sequential } from './sequential.js';
import { Dense } from './dense.js';

describe('ActivationLayer', () => {
  it('should apply an element-wise activation to every value, keeping the shape', () => {
    const layer = new ActivationLayer({ activation: 'relu' });
    const y = layer.forward(tensor([[[-1, 2], [3, -4]]])).y;
    expect(y.shape).toEqual([1, 2, 2]);
    expect(y.toArray()).toEqual([[[0, 2], [3, 0]]]);
  });

  it("should apply TF.js' hard sigmoid clip(0.2·x + 0.5, 0, 1)", () => {
    const layer = new ActivationLayer({ activation: 'hard_sigmoid' as never, dtype: 'float64' });
    const xs = [-3, -2.5, -1, 0, 1, 2.5, 3];
    const y = Array.from(layer.forward(new Tensor(Float64Array.from(xs), [1, 7])).y.data);
    const expected = xs.map((x) => Math.min(1, Math.max(0, 0.2 * x + 0.5)));
    y.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 12));
  });

  it('should normalise each row of the last axis with softmax', () => {
    const layer = new ActivationLayer({ activation: 'softmax', dtype: 'float64' });
    const x = new Tensor(Float64Array.from([1, 2, 3, 0, 0, 0]), [2, 3]);
    const y = layer.forward(x).y.data;
    const e = [Math.exp(1), Math.exp(2), Math.exp(3)];
    const s = e[0]! + e[1]! + e[2]!;
    expect(y[0]).toBeCloseTo(e[0]! / s, 12);
    expect(y[2]).toBeCloseTo(e[2]! / s, 12);
    expect(y[3]).toBeCloseTo(1 / 3, 12);
  });

  it('should have no weights and accept only an empty setWeights', () => {
    const layer = new ActivationLayer({ activation: 'tanh' });
    layer.build([null, 3], new Random(0));
    expect(layer.built).toBe(true);
    expect(layer.params()).toEqual([]);
    expect(layer.getWeights()).toEqual([]);
    expect(() => layer.setWeights([tensor([1])])).toThrow('Activation: setWeights expected 0 tensors');
  });

  it('should rebuild from its config under the class name "Activation"', () => {
    const layer = new ActivationLayer({ activation: 'sigmoid', name: 'squash' });
    const copy = layerFromConfig('Activation', JSON.parse(JSON.stringify(layer.getConfig())));
    expect(copy).toBeInstanceOf(ActivationLayer);
    expect(copy.getConfig()).toEqual({ name: 'squash', activation: 'sigmoid', dtype: 'float32' });
  });

  it('should be auto-named "activation", "activation_1" inside a Sequential', () => {
    const model = new Sequential({
      layers: [new Dense({ units: 2 }), new ActivationLayer({ activation: 'relu' }), new ActivationLayer({ activation: 'tanh' })],
      inputShape: [3],
    });
    expect(model.layerNames).toEqual(['dense', 'activation', 'activation_1']);
  });

  it('should refuse a missing or unknown activation, unknown options and wrong inputs', () => {
    expect(() => new ActivationLayer({} as never)).toThrow('Activation: activation is required');
    expect(() => new ActivationLayer({ activation: 'gelu' as never })).toThrow('Activation: activation must be one of');
    expect(() => new ActivationLayer({ activation: 'relu', rate: 1 } as never)).toThrow('Activation: unknown option "rate"');
    const layer = new ActivationLayer({ activation: 'relu' });
    expect(() => layer.forward(tensor([1, 2]))).toThrow('Activation: expected input [batch, …, features], got [2]');
    expect(() => layer.forward(tensor([[1, 2]], 'float64'))).toThrow('Activation: expected a float32 input');
  });
});
