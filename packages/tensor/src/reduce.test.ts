import { describe, expect, it } from 'vitest';
import { argmax, max, mean, min, norm, sum } from './reduce.js';
import { Tensor, tensor, zeros } from './tensor.js';

const m = tensor([
  [1, 5, 3],
  [4, 2, 6],
]);

describe('sum', () => {
  it('should sum all elements by default', () => {
    expect(sum(m).toArray()).toBe(21);
    expect(sum(m).shape).toEqual([]);
  });

  it('should sum over one axis, negative axes counting from the end', () => {
    expect(sum(m, 0).toArray()).toEqual([5, 7, 9]);
    expect(sum(m, 1).toArray()).toEqual([9, 12]);
    expect(sum(m, -1).toArray()).toEqual([9, 12]);
  });

  it('should sum over several axes and keep reduced axes with keepDims', () => {
    const t = tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]);
    expect(sum(t, [0, 2]).toArray()).toEqual([14, 22]);
    expect(sum(t, [0, 2], true).shape).toEqual([1, 2, 1]);
    expect(sum(m, undefined, true).toArray()).toEqual([[21]]);
  });

  it('should return a copy when the axis list is empty', () => {
    expect(sum(m, []).toArray()).toEqual(m.toArray());
  });

  it('should give 0 for an empty reduction and keep the dtype', () => {
    expect(sum(zeros([0, 3], 'float64'), 0).toArray()).toEqual([0, 0, 0]);
    expect(sum(zeros([2], 'float64')).dtype).toBe('float64');
  });

  it('should write into out', () => {
    const out = zeros([3]);
    expect(sum(m, 0, false, out)).toBe(out);
    expect(out.toArray()).toEqual([5, 7, 9]);
    expect(() => sum(m, 0, true, out)).toThrow('sum: out has shape [3], expected [1, 3]');
  });

  it('should reject bad axes', () => {
    expect(() => sum(m, 2)).toThrow('sum: axis 2 is out of range for a tensor of rank 2');
    expect(() => sum(m, [0, -2])).toThrow('sum: axis 0 is listed twice in [0, -2]');
    expect(() => sum(m, '0' as unknown as number)).toThrow('sum: axis must be a number or an array of numbers, got "0"');
  });

  it('should reject a non-boolean keepDims and a non-tensor input', () => {
    expect(() => sum(m, 0, 1 as unknown as boolean)).toThrow('sum: keepDims must be a boolean, got 1');
    expect(() => sum([1, 2] as unknown as Tensor)).toThrow('sum: input must be a Tensor, got [1, 2]');
  });
});

describe('mean and norm', () => {
  it('should average over axes', () => {
    expect(mean(m).toArray()).toBe(3.5);
    expect(mean(m, 0).toArray()).toEqual([2.5, 3.5, 4.5]);
    expect(mean(m, 1, true).toArray()).toEqual([[3], [4]]);
  });

  it('should give NaN for the mean of nothing', () => {
    expect(mean(zeros([0])).toArray()).toBeNaN();
  });

  it('should compute the Euclidean norm', () => {
    expect(norm(tensor([3, 4])).toArray()).toBe(5);
    expect(norm(tensor([[3, 4], [6, 8]]), 1).toArray()).toEqual([5, 10]);
    expect(norm(tensor([[3, 4], [6, 8]]), 0, true).shape).toEqual([1, 2]);
  });
});

describe('max, min and argmax', () => {
  it('should find extremes over axes', () => {
    expect(max(m).toArray()).toBe(6);
    expect(min(m).toArray()).toBe(1);
    expect(max(m, 0).toArray()).toEqual([4, 5, 6]);
    expect(min(m, 1, true).toArray()).toEqual([[1], [2]]);
  });

  it('should propagate NaN', () => {
    expect(max(tensor([1, NaN, 3])).toArray()).toBeNaN();
    expect(min(tensor([NaN, 1])).toArray()).toBeNaN();
  });

  it('should find the index of the largest value, the first on ties', () => {
    expect(argmax(m, 1).toArray()).toEqual([1, 2]);
    expect(argmax(m, 0).toArray()).toEqual([1, 0, 1]);
    expect(argmax(tensor([2, 7, 7, 1])).toArray()).toBe(1);
    expect(argmax(tensor([-Infinity, -Infinity])).toArray()).toBe(0);
  });

  it('should give the flat index over all axes, like numpy on the flattened tensor', () => {
    expect(argmax(m).toArray()).toBe(5);
    expect(argmax(m, undefined, true).shape).toEqual([1, 1]);
  });

  it('should point at the first NaN', () => {
    expect(argmax(tensor([1, NaN, 5, NaN])).toArray()).toBe(1);
  });

  it('should refuse to reduce empty axes', () => {
    expect(() => max(zeros([2, 0]), 1)).toThrow('max: cannot reduce an empty tensor over axis 1 (shape [2, 0])');
    expect(() => argmax(zeros([0]))).toThrow('argmax: cannot reduce an empty tensor over all axes (shape [0])');
    expect(() => min(zeros([0, 2]), [0])).toThrow('min: cannot reduce an empty tensor over axis [0] (shape [0, 2])');
  });

  it('should allow reducing an empty tensor over a non-empty axis', () => {
    expect(max(zeros([0, 2]), 1).shape).toEqual([0]);
  });
});
