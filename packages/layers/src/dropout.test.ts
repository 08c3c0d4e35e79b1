import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor } from '@rnnkit/tensor';
import { Dropout } from './dropout.js';
import { layerFromConfig } from './from-config.js';

function ones(shape: number[]): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Float32Array(size).fill(1), shape);
}

describe('Dropout', () => {
  it('should be the identity at inference', () => {
    const layer = new Dropout({ rate: 0.5 });
    const x = tensor([[1, -2, 3], [4, 5, -6]]);
    const { y, cache } = layer.forward(x);
    expect(y.toArray()).toEqual(x.toArray());
    expect(layer.backward(x, cache).toArray()).toEqual(x.toArray());
  });

  it('should zero about rate of the values while training and scale the rest by 1/(1 − rate)', () => {
    const layer = new Dropout({ rate: 0.25, seed: 3 });
    const y = layer.forward(ones([40, 50]), { training: true }).y.data;
    const zeros = y.filter((v) => v === 0).length;
    expect(zeros / y.length).toBeGreaterThan(0.2);
    expect(zeros / y.length).toBeLessThan(0.3);
    expect(y.every((v) => v === 0 || Math.abs(v - 1 / 0.75) < 1e-6)).toBe(true);
  });

  it('should pass the gradient through the same mask as the forward pass', () => {
    const layer = new Dropout({ rate: 0.5, seed: 1 });
    const x = ones([4, 6]);
    const { y, cache } = layer.forward(x, { training: true });
    const dx = layer.backward(ones([4, 6]), cache);
    expect(Array.from(dx.data)).toEqual(Array.from(y.data));
  });

  it('should draw the same masks for the same seed and new masks on each training call', () => {
    const a = new Dropout({ rate: 0.5, seed: 9 });
    const b = new Dropout({ rate: 0.5, seed: 9 });
    const x = ones([3, 8]);
    const first = a.forward(x, { training: true }).y.data;
    expect(Array.from(b.forward(x, { training: true }).y.data)).toEqual(Array.from(first));
    expect(Array.from(a.forward(x, { training: true }).y.data)).not.toEqual(Array.from(first));
  });

  it('should rebuild from its config', () => {
    const layer = new Dropout({ rate: 0.1, seed: 5, name: 'drop' });
    const copy = layerFromConfig('Dropout', JSON.parse(JSON.stringify(layer.getConfig())));
    expect(copy).toBeInstanceOf(Dropout);
    expect(copy.getConfig()).toEqual({ name: 'drop', rate: 0.1, seed: 5, dtype: 'float32' });
    copy.build([null, 2], new Random(0));
    expect(copy.params()).toEqual([]);
  });

  it('should refuse a rate outside [0, 1), unknown options and wrong inputs', () => {
    expect(() => new Dropout({ rate: 1 })).toThrow('Dropout: rate must be a number in [0, 1), got number 1');
    expect(() => new Dropout({ rate: -0.1 })).toThrow('Dropout: rate must be a number in [0, 1)');
    expect(() => new Dropout({ rate: 0.1, noiseShape: [1] } as never)).toThrow('Dropout: unknown option "noiseShape"');
    expect(() => new Dropout({ rate: 0.1 }).forward(tensor([1]))).toThrow('Dropout: expected input [batch, …], got [1]');
  });
});
