import { describe, expect, it } from 'vitest';
import { type Activation, activationNames, activations, getActivation } from './activations.js';

function apply(activation: Activation, values: number[]): number[] {
  const x = Float64Array.from(values);
  const out = new Float64Array(values.length);
  activation.forward(x, 0, out, 0, values.length);
  return Array.from(out);
}

describe('activations', () => {
  it('should clip 0.2·x + 0.5 to [0, 1] in hardSigmoid (Keras 2 / TF.js)', () => {
    expect(apply(activations.hardSigmoid, [-3, -2.5, 0, 1, 2.5, 3])).toEqual([0, 0, 0.5, 0.7, 1, 1]);
  });

  it('should evaluate sigmoid without overflow for huge arguments', () => {
    const [low, zero, high] = apply(activations.sigmoid, [-1000, 0, 1000]);
    expect(low).toBe(0);
    expect(zero).toBe(0.5);
    expect(high).toBe(1);
  });

  it('should give a uniform softmax for equal inputs, even huge ones', () => {
    expect(apply(activations.softmax, [1000, 1000, 1000, 1000])).toEqual([0.25, 0.25, 0.25, 0.25]);
  });

  it('should work on the given range only, leaving the rest untouched', () => {
    const x = Float64Array.from([-1, -2, 3, 4]);
    activations.relu.forward(x, 1, x, 1, 2);
    expect(Array.from(x)).toEqual([-1, 0, 3, 4]);
  });

  it('should pass NaN through instead of throwing', () => {
    for (const name of activationNames) {
      expect(apply(activations[name], [Number.NaN]).every(Number.isNaN), name).toBe(true);
    }
  });

  it("should resolve names, Keras' snake_case hard_sigmoid and Activation objects", () => {
    expect(getActivation('tanh')).toBe(activations.tanh);
    expect(getActivation('hard_sigmoid')).toBe(activations.hardSigmoid);
    const custom: Activation = { name: 'double', forward: () => {}, backward: () => {} };
    expect(getActivation(custom)).toBe(custom);
  });

  it('should refuse an unknown name with an error listing the known ones', () => {
    expect(() => getActivation('swish', 'Dense')).toThrow(
      'Dense: activation must be one of "linear", "sigmoid", "hardSigmoid", "tanh", "relu", "softmax" or an Activation object, got "swish"',
    );
  });
});
