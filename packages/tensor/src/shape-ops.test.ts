import { describe, expect, it } from 'vitest';
import { assignSelect, concat, expandDims, reshape, select, slice, split, squeeze, stack } from './shape-ops.js';
import { Tensor, arange, tensor, zeros } from './tensor.js';

// [batch 2, time 3, features 2]: value = 100·b + 10·t + f
const seq = tensor([
  [[0, 1], [10, 11], [20, 21]],
  [[100, 101], [110, 111], [120, 121]],
]);

describe('reshape', () => {
  it('should infer one -1 length and share storage', () => {
    const x = arange(6);
    const y = reshape(x, [2, -1]);
    expect(y.shape).toEqual([2, 3]);
    y.set([1, 2], 50);
    expect(x.get(5)).toBe(50);
  });

  it('should name both shapes when the sizes differ', () => {
    expect(() => reshape(arange(6), [4, -1])).toThrow('reshape: cannot reshape shape [6] (6 elements) into [4, -1]');
    expect(() => reshape(1 as unknown as Tensor, [1])).toThrow('reshape: input must be a Tensor, got number 1');
  });
});

describe('squeeze and expandDims', () => {
  it('should drop every axis of length 1 by default', () => {
    expect(squeeze(zeros([1, 3, 1, 2])).shape).toEqual([3, 2]);
  });

  it('should drop only the given axes', () => {
    expect(squeeze(zeros([1, 3, 1]), -1).shape).toEqual([1, 3]);
    expect(squeeze(zeros([1, 3, 1]), [0, 2]).shape).toEqual([3]);
  });

  it('should refuse to drop an axis longer than 1', () => {
    expect(() => squeeze(zeros([2, 3]), 1)).toThrow('squeeze: axis 1 has length 3, expected 1 (shape [2, 3])');
  });

  it('should insert an axis of length 1, counting negative positions from the end', () => {
    const x = zeros([2, 3]);
    expect(expandDims(x, 0).shape).toEqual([1, 2, 3]);
    expect(expandDims(x, 2).shape).toEqual([2, 3, 1]);
    expect(expandDims(x, -1).shape).toEqual([2, 3, 1]);
    expect(expandDims(x, -3).shape).toEqual([1, 2, 3]);
    expect(expandDims(x, 0).data).toBe(x.data);
  });

  it('should reject an insertion point past the end', () => {
    expect(() => expandDims(zeros([2, 3]), 3)).toThrow('expandDims: axis 3 is out of range for a tensor of rank 3');
  });
});

describe('slice', () => {
  const m = arange(12).reshape([3, 4]);

  it('should copy a box given begin and size', () => {
    expect(slice(m, [1, 1], [2, 2]).toArray()).toEqual([[5, 6], [9, 10]]);
  });

  it('should run to the end for size -1 or an omitted size, and take missing axes whole', () => {
    expect(slice(m, [0, 2], [-1, 2]).toArray()).toEqual([[2, 3], [6, 7], [10, 11]]);
    expect(slice(m, 2).toArray()).toEqual([[8, 9, 10, 11]]);
    expect(slice(m, [1], [1]).toArray()).toEqual([[4, 5, 6, 7]]);
  });

  it('should count a negative begin from the end', () => {
    expect(slice(m, [-1, -2]).toArray()).toEqual([[10, 11]]);
  });

  it('should allow empty slices', () => {
    expect(slice(m, [3, 0], [0, 4]).shape).toEqual([0, 4]);
  });

  it('should return a copy', () => {
    const s = slice(m, [0, 0], [1, 1]);
    s.set([0, 0], 99);
    expect(m.get(0, 0)).toBe(0);
  });

  it('should explain a box that does not fit', () => {
    expect(() => slice(zeros([2, 4]), [0, 3], [1, 2])).toThrow('slice: begin 3 + size 2 exceeds length 4 of axis 1 (shape [2, 4])');
    expect(() => slice(zeros([2, 4]), [5])).toThrow('slice: begin 5 is out of range for axis 0 of length 2 (shape [2, 4])');
    expect(() => slice(zeros([2, 4]), [0, 0], [1, -2])).toThrow('slice: size -2 for axis 1 must be a non-negative integer or -1');
    expect(() => slice(zeros([2]), [0, 0])).toThrow('slice: begin [0, 0] and size [] must not be longer than the rank 1 (shape [2])');
  });
});

describe('select and assignSelect', () => {
  it('should take one time step of [batch, time, features]', () => {
    expect(select(seq, 1, 2).toArray()).toEqual([[20, 21], [120, 121]]);
    expect(select(seq, 1, -3).toArray()).toEqual([[0, 1], [100, 101]]);
  });

  it('should select along the first and last axes', () => {
    expect(select(seq, 0, 1).toArray()).toEqual([[100, 101], [110, 111], [120, 121]]);
    expect(select(seq, -1, 1).toArray()).toEqual([[1, 11, 21], [101, 111, 121]]);
  });

  it('should write into out without allocating a result', () => {
    const out = zeros([2, 2]);
    expect(select(seq, 1, 1, out)).toBe(out);
    expect(out.toArray()).toEqual([[10, 11], [110, 111]]);
  });

  it('should explain bad axes, indices and outs', () => {
    expect(() => select(zeros([2, 5, 3]), 1, 5)).toThrow('select: index 5 is out of bounds for axis 1 of length 5 (shape [2, 5, 3])');
    expect(() => select(zeros([2, 5, 3]), 3, 0)).toThrow('select: axis 3 is out of range for a tensor of rank 3');
    expect(() => select(zeros([2, 5, 3]), 1, 0, zeros([2, 5]))).toThrow('select: out has shape [2, 5], expected [2, 3]');
    expect(() => select(zeros([2, 5, 3]), 1, 0, zeros([2, 3], 'float64'))).toThrow('select: out has dtype float64, expected float32');
    const x = zeros([2, 2, 2]);
    expect(() => select(x, 0, 1, new Tensor(x.data.subarray(0, 4), [2, 2]))).toThrow(
      'select: out must not share storage with the input',
    );
  });

  it('should write a step back into the sequence', () => {
    const target = zeros([2, 3, 2]);
    expect(assignSelect(target, 1, 1, tensor([[1, 2], [3, 4]]))).toBe(target);
    expect(target.toArray()).toEqual([
      [[0, 0], [1, 2], [0, 0]],
      [[0, 0], [3, 4], [0, 0]],
    ]);
  });

  it('should reject a source of the wrong shape', () => {
    expect(() => assignSelect(zeros([2, 3, 2]), 1, 0, zeros([3, 2]))).toThrow(
      'assignSelect: source has shape [3, 2], expected [2, 2] (target [2, 3, 2] without axis 1)',
    );
  });
});

describe('concat, stack and split', () => {
  it('should join along an existing axis', () => {
    const a = tensor([[1, 2]]);
    const b = tensor([[3, 4], [5, 6]]);
    expect(concat([a, b]).toArray()).toEqual([[1, 2], [3, 4], [5, 6]]);
    expect(concat([tensor([[1], [2]]), tensor([[3, 4], [5, 6]])], -1).toArray()).toEqual([[1, 3, 4], [2, 5, 6]]);
  });

  it('should give float64 when any input is float64', () => {
    expect(concat([tensor([1]), tensor([2], 'float64')]).dtype).toBe('float64');
  });

  it('should explain shapes that differ outside the axis', () => {
    expect(() => concat([zeros([2, 3]), zeros([3, 4])])).toThrow(
      'concat: tensor 1 has shape [3, 4], which differs from [2, 3] outside axis 0',
    );
    expect(() => concat([])).toThrow('concat: expected a non-empty array of tensors, got an empty array');
    expect(() => concat([zeros([]), zeros([])])).toThrow('concat: cannot concatenate 0-d tensors (use stack)');
    expect(() => concat([zeros([1]), 1 as unknown as Tensor])).toThrow('concat: tensor 1 must be a Tensor, got number 1');
  });

  it('should stack time steps into [batch, time, features]', () => {
    const steps = [0, 1, 2].map((t) => select(seq, 1, t));
    expect(stack(steps, 1).toArray()).toEqual(seq.toArray());
    expect(stack([tensor(1), tensor(2)]).toArray()).toEqual([1, 2]);
  });

  it('should explain stacking tensors of different shapes', () => {
    expect(() => stack([zeros([2, 3]), zeros([2, 4])])).toThrow('stack: tensor 1 has shape [2, 4], expected [2, 3] like tensor 0');
  });

  it('should split into equal parts or given sizes', () => {
    const x = arange(6).reshape([2, 3]);
    expect(split(x, 2).map((t) => t.toArray())).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
    expect(split(x, [1, 0, 2], 1).map((t) => t.toArray())).toEqual([[[0], [3]], [[], []], [[1, 2], [4, 5]]]);
  });

  it('should explain splits that do not add up', () => {
    expect(() => split(zeros([2, 5]), 2, 1)).toThrow('split: axis 1 of length 5 cannot be split into 2 equal parts (shape [2, 5])');
    expect(() => split(zeros([2, 5]), [2, 2], 1)).toThrow(
      'split: sizes [2, 2] must be non-negative integers summing to 5, the length of axis 1 (shape [2, 5])',
    );
    expect(() => split(zeros([2]), 'x' as unknown as number)).toThrow('split: expected a count or an array of sizes, got "x"');
  });
});
