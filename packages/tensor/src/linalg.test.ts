import { describe, expect, it } from 'vitest';
import { dot, matmul, outer, permute, tensordot, transpose } from './linalg.js';
import { Tensor, arange, tensor, zeros } from './tensor.js';

const A = tensor([[1, 2, 3], [4, 5, 6]]);
const B = tensor([[7, 8], [9, 10], [11, 12]]);
// A·B worked by hand: [[1·7+2·9+3·11, 1·8+2·10+3·12], [4·7+5·9+6·11, 4·8+5·10+6·12]]
const AB = [[58, 64], [139, 154]];

describe('matmul', () => {
  it('should multiply two matrices', () => {
    expect(matmul(A, B).toArray()).toEqual(AB);
  });

  it('should use transposed operands without copying them first', () => {
    const At = tensor([[1, 4], [2, 5], [3, 6]]);
    const Bt = tensor([[7, 9, 11], [8, 10, 12]]);
    expect(matmul(At, B, { transposeA: true }).toArray()).toEqual(AB);
    expect(matmul(A, Bt, { transposeB: true }).toArray()).toEqual(AB);
    expect(matmul(At, Bt, { transposeA: true, transposeB: true }).toArray()).toEqual(AB);
  });

  it('should multiply batches and broadcast a single matrix over them', () => {
    const batch = tensor([[[1, 2, 3], [4, 5, 6]], [[1, 0, 0], [0, 0, 1]]]);
    expect(matmul(batch, B).toArray()).toEqual([AB, [[7, 8], [11, 12]]]);
    const identity = tensor([[[1, 0], [0, 1]], [[0, 1], [1, 0]]]);
    expect(matmul(identity, A).toArray()).toEqual([[[1, 2, 3], [4, 5, 6]], [[4, 5, 6], [1, 2, 3]]]);
  });

  it('should broadcast batch axes against each other', () => {
    const a = zeros([2, 1, 3, 4]);
    const b = zeros([5, 4, 2]);
    expect(matmul(a, b).shape).toEqual([2, 5, 3, 2]);
  });

  it('should write into out and compute mixed dtypes in float64', () => {
    const out = zeros([2, 2], 'float64');
    expect(matmul(A, B.astype('float64'), { out })).toBe(out);
    expect(out.toArray()).toEqual(AB);
  });

  it('should give zeros for an empty inner dimension', () => {
    expect(matmul(zeros([2, 0]), zeros([0, 3])).toArray()).toEqual([[0, 0, 0], [0, 0, 0]]);
  });

  it('should name both shapes when the inner dimensions differ', () => {
    expect(() => matmul(zeros([2, 3]), zeros([4, 5]))).toThrow('matmul: inner dimensions differ: [2, 3] · [4, 5]');
    expect(() => matmul(zeros([3, 2]), zeros([4, 5]), { transposeA: true })).toThrow(
      'matmul: inner dimensions differ: [3, 2]ᵀ · [4, 5]',
    );
  });

  it('should reject vectors, unbroadcastable batches, unknown options and bad flags', () => {
    expect(() => matmul(zeros([3]), zeros([3, 2]))).toThrow('matmul: expected tensors of rank ≥ 2, got [3] and [3, 2] (use dot for vectors)');
    expect(() => matmul(zeros([2, 2, 3]), zeros([3, 3, 2]))).toThrow(
      'matmul: batch axes [2] and [3] cannot be broadcast (shapes [2, 2, 3] and [3, 3, 2])',
    );
    expect(() => matmul(A, B, { transpose: true } as never)).toThrow(
      'matmul: unknown option "transpose"; valid options are transposeA, transposeB, out',
    );
    expect(() => matmul(A, B, { transposeA: 1 } as never)).toThrow('matmul: transposeA must be a boolean, got number 1');
    expect(() => matmul(A, 2 as unknown as Tensor)).toThrow('matmul: b must be a Tensor, got number 2');
  });

  it('should reject an out of the wrong shape or one that shares storage with an operand', () => {
    expect(() => matmul(A, B, { out: zeros([2, 3]) })).toThrow('matmul: out has shape [2, 3], expected [2, 2]');
    const square = tensor([[1, 2], [3, 4]]);
    expect(() => matmul(square, square, { out: square })).toThrow('matmul: out must not share storage with a');
  });
});

describe('tensordot', () => {
  it('should contract the last axes of a with the first of b (default 2)', () => {
    const a = arange(24).reshape([2, 3, 4]);
    const b = arange(12).reshape([3, 4]);
    // Σ_jk a[i,j,k]·b[j,k] = Σ_n (12i + n)·n over n = 0…11 = 12i·66 + 506
    expect(tensordot(a, b).toArray()).toEqual([506, 1298]);
  });

  it('should equal matmul with one contracted axis', () => {
    expect(tensordot(A, B, 1).toArray()).toEqual(AB);
  });

  it('should contract chosen pairs of axes in the given order', () => {
    // aᵀb via axis 0 of both.
    expect(tensordot(A, tensor([[1, 0], [0, 1]]), [[0], [0]]).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
    // Pairing axes (1, 0) of a with (0, 1) of b is the full contraction Σ a[i,j]·b[j,i] = trace(AB).
    expect(tensordot(A, B, [[1, 0], [0, 1]]).toArray()).toBe(58 + 154);
  });

  it('should give the outer product with axes 0', () => {
    expect(tensordot(tensor([1, 2]), tensor([3, 4, 5]), 0).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
  });

  it('should name the axes whose lengths differ', () => {
    expect(() => tensordot(zeros([2, 3]), zeros([4, 5]), 1)).toThrow(
      'tensordot: contracted axes differ in length: axis 1 of [2, 3] has 3, axis 0 of [4, 5] has 4',
    );
  });

  it('should reject bad axis arguments', () => {
    expect(() => tensordot(zeros([2]), zeros([2]), 2)).toThrow('tensordot: axes must be an integer from 0 to 1 for shapes [2] and [2], got 2');
    expect(() => tensordot(zeros([2, 2]), zeros([2, 2]), [[0, 1], [0]])).toThrow(
      'tensordot: expected as many axes of a as of b, got [0, 1] and [0]',
    );
    expect(() => tensordot(zeros([2, 2]), zeros([2, 2]), [[0, -2], [0, 1]])).toThrow('tensordot: an axis is listed twice in [0, -2]');
    expect(() => tensordot(zeros([2]), zeros([2]), 'x' as never)).toThrow(
      'tensordot: axes must be a number or a pair [axesOfA, axesOfB], got "x"',
    );
  });
});

describe('dot', () => {
  it('should give the inner product of two vectors as a 0-d tensor', () => {
    const d = dot(tensor([1, 2, 3]), tensor([4, 5, 6]));
    expect(d.shape).toEqual([]);
    expect(d.item()).toBe(32);
  });

  it('should multiply matrices and matrix·vector', () => {
    expect(dot(A, B).toArray()).toEqual(AB);
    expect(dot(A, tensor([1, 0, -1])).toArray()).toEqual([-2, -2]);
  });

  it('should contract the last axis of a with the second-to-last of b for higher ranks', () => {
    expect(dot(zeros([2, 3, 4]), zeros([5, 4, 6])).shape).toEqual([2, 3, 5, 6]);
  });

  it('should scale by a 0-d operand', () => {
    expect(dot(tensor([1, 2]), tensor(3)).toArray()).toEqual([3, 6]);
  });

  it('should name both shapes when the inner dimensions differ', () => {
    expect(() => dot(zeros([3]), zeros([4]))).toThrow('dot: inner dimensions differ: [3] · [4]');
    expect(() => dot(zeros([2, 3]), zeros([4, 5]))).toThrow('dot: inner dimensions differ: [2, 3] · [4, 5]');
  });
});

describe('outer', () => {
  it('should multiply every pair of elements', () => {
    expect(outer(tensor([1, 2]), tensor([3, 4, 5])).toArray()).toEqual([[3, 4, 5], [6, 8, 10]]);
  });

  it('should write into out', () => {
    const out = zeros([1, 2], 'float64');
    outer(tensor([2], 'float64'), tensor([1, -1]), out);
    expect(out.toArray()).toEqual([[2, -2]]);
  });

  it('should insist on vectors', () => {
    expect(() => outer(zeros([2, 3]), zeros([4]))).toThrow('outer: expected two 1-D tensors, got [2, 3] and [4]');
  });
});

describe('transpose and permute', () => {
  it('should swap the axes of a matrix', () => {
    expect(transpose(A).toArray()).toEqual([[1, 4], [2, 5], [3, 6]]);
  });

  it('should reverse all axes by default and follow a given permutation', () => {
    const t = arange(6).reshape([1, 2, 3]);
    expect(transpose(t).shape).toEqual([3, 2, 1]);
    expect(permute(t, [1, 0, 2]).toArray()).toEqual([[[0, 1, 2]], [[3, 4, 5]]]);
    expect(transpose(t, [0, 2, 1]).toArray()).toEqual([[[0, 3], [1, 4], [2, 5]]]);
  });

  it('should return a copy', () => {
    const t = tensor([[1, 2], [3, 4]]);
    const u = transpose(t);
    u.set([0, 0], 9);
    expect(t.get(0, 0)).toBe(1);
  });

  it('should reject something that is not a permutation', () => {
    expect(() => transpose(zeros([1, 2, 3]), [0, 0, 1])).toThrow('transpose: expected a permutation of 0…2 (rank 3), got [0, 0, 1]');
    expect(() => permute(zeros([1, 2]), [1])).toThrow('permute: expected a permutation of 0…1 (rank 2), got [1]');
  });
});
