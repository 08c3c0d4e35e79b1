import { describe, expect, it } from 'vitest';
import { broadcastShapes } from './broadcast.js';
import {
  abs,
  add,
  addInPlace,
  addScaledInPlace,
  clip,
  div,
  divInPlace,
  exp,
  log,
  maximum,
  minimum,
  mul,
  mulInPlace,
  neg,
  pow,
  relu,
  scaleInPlace,
  sigmoid,
  sqrt,
  square,
  sub,
  subInPlace,
  tanh,
} from './elementwise.js';
import { Tensor, scalar, tensor, zeros } from './tensor.js';

describe('broadcastShapes', () => {
  it('should align shapes at the last axis and stretch lengths of 1', () => {
    expect(broadcastShapes([2, 1, 3], [4, 1])).toEqual([2, 4, 3]);
    expect(broadcastShapes([], [3])).toEqual([3]);
    expect(broadcastShapes([0, 1], [1, 5])).toEqual([0, 5]);
  });

  it('should name both shapes when they cannot be broadcast', () => {
    expect(() => broadcastShapes([2, 3], [4])).toThrow('broadcastShapes: shapes [2, 3] and [4] cannot be broadcast');
  });

  it('should reject something that is not a shape', () => {
    expect(() => broadcastShapes([2, -1], [2])).toThrow('broadcastShapes: shape lengths must be non-negative integers, got [2, -1]');
  });
});

describe('binary ops', () => {
  const a = tensor([[1, 2, 3], [4, 5, 6]]);
  const column = tensor([[10], [20]]);
  const row = tensor([1, -1, 2]);

  it('should add, subtract, multiply and divide element-wise', () => {
    const b = tensor([[2, 2, 2], [4, 4, 4]]);
    expect(add(a, b).toArray()).toEqual([[3, 4, 5], [8, 9, 10]]);
    expect(sub(a, b).toArray()).toEqual([[-1, 0, 1], [0, 1, 2]]);
    expect(mul(a, b).toArray()).toEqual([[2, 4, 6], [16, 20, 24]]);
    expect(div(a, b).toArray()).toEqual([[0.5, 1, 1.5], [1, 1.25, 1.5]]);
  });

  it('should broadcast a column against a row', () => {
    expect(add(column, row).toArray()).toEqual([[11, 9, 12], [21, 19, 22]]);
    expect(mul(a, row).toArray()).toEqual([[1, -2, 6], [4, -5, 12]]);
    expect(sub(row, a).toArray()).toEqual([[0, -3, -1], [-3, -6, -4]]);
  });

  it('should accept numbers on either side', () => {
    expect(sub(a, 1).toArray()).toEqual([[0, 1, 2], [3, 4, 5]]);
    expect(sub(10, a).toArray()).toEqual([[9, 8, 7], [6, 5, 4]]);
    expect(add(1, 2).toArray()).toBe(3);
  });

  it('should raise to powers, including a broadcast exponent', () => {
    expect(pow(a, 2).toArray()).toEqual([[1, 4, 9], [16, 25, 36]]);
    expect(pow(2, row).toArray()).toEqual([2, 0.5, 4]);
  });

  it('should take the element-wise maximum and minimum and propagate NaN', () => {
    const x = tensor([1, NaN, 5, -2]);
    const y = tensor([3, 0, 4, NaN]);
    expect(maximum(x, y).toArray()).toEqual([3, NaN, 5, NaN]);
    expect(minimum(x, y).toArray()).toEqual([1, NaN, 4, NaN]);
    expect(maximum(a, 3.5).toArray()).toEqual([[3.5, 3.5, 3.5], [4, 5, 6]]);
  });

  it('should give float64 when either operand is float64, else float32', () => {
    const f64 = tensor([1, 2, 3], 'float64');
    expect(add(row, f64).dtype).toBe('float64');
    expect(add(f64, 1).dtype).toBe('float64');
    expect(add(row, 1).dtype).toBe('float32');
    expect(add(row, row).data).toBeInstanceOf(Float32Array);
  });

  it('should name the op and both shapes when broadcasting fails', () => {
    expect(() => add(zeros([2, 3]), zeros([4]))).toThrow('add: shapes [2, 3] and [4] cannot be broadcast');
    expect(() => mul(zeros([2, 3]), zeros([3, 2]))).toThrow('mul: shapes [2, 3] and [3, 2] cannot be broadcast');
  });

  it('should reject operands that are neither tensors nor numbers', () => {
    expect(() => add(zeros([2]), '1' as unknown as number)).toThrow('add: right operand must be a Tensor or a number, got "1"');
    expect(() => div([1, 2] as unknown as Tensor, 1)).toThrow('div: left operand must be a Tensor or a number, got [1, 2]');
  });

  it('should write into out and return it', () => {
    const out = zeros([2, 3]);
    const result = add(column, row, out);
    expect(result).toBe(out);
    expect(out.toArray()).toEqual([[11, 9, 12], [21, 19, 22]]);
  });

  it('should allow out to be one of the inputs', () => {
    const x = tensor([[1, 2, 3], [4, 5, 6]]);
    mul(x, row, x);
    expect(x.toArray()).toEqual([[1, -2, 6], [4, -5, 12]]);
  });

  it('should reject an out of the wrong shape or dtype', () => {
    expect(() => add(a, row, zeros([3, 2]))).toThrow('add: out has shape [3, 2], expected [2, 3]');
    expect(() => add(a, row, zeros([2, 3], 'float64'))).toThrow('add: out has dtype float64, expected float32');
    expect(() => sub(a, 1, 'x' as unknown as Tensor)).toThrow('sub: out must be a Tensor, got "x"');
  });

  it('should handle empty tensors', () => {
    expect(add(zeros([0, 3]), row).shape).toEqual([0, 3]);
  });
});

describe('in-place updates', () => {
  it('should add, subtract, multiply and divide into the target', () => {
    const t = tensor([[1, 2], [3, 4]]);
    expect(addInPlace(t, tensor([10, 20]))).toBe(t);
    expect(t.toArray()).toEqual([[11, 22], [13, 24]]);
    subInPlace(t, 1);
    expect(t.toArray()).toEqual([[10, 21], [12, 23]]);
    mulInPlace(t, tensor([[2], [0.5]]));
    expect(t.toArray()).toEqual([[20, 42], [6, 11.5]]);
    divInPlace(t, 2);
    expect(t.toArray()).toEqual([[10, 21], [3, 5.75]]);
  });

  it('should scale the target by a number', () => {
    const t = tensor([1, -2, 3], 'float64');
    expect(scaleInPlace(t, -0.5)).toBe(t);
    expect(t.toArray()).toEqual([-0.5, 1, -1.5]);
  });

  it('should add a scaled source (a gradient-descent step)', () => {
    const value = tensor([1, 2, 3]);
    const grad = tensor([10, -10, 0]);
    expect(addScaledInPlace(value, grad, -0.25)).toBe(value);
    expect(value.toArray()).toEqual([-1.5, 4.5, 3]);
  });

  it('should keep the target dtype when the source is float64', () => {
    const t = tensor([1, 2]);
    addInPlace(t, tensor([0.5, 0.5], 'float64'));
    expect(t.dtype).toBe('float32');
    expect(t.toArray()).toEqual([1.5, 2.5]);
  });

  it('should reject a source that does not broadcast to the target shape', () => {
    expect(() => addInPlace(zeros([3]), zeros([2, 3]))).toThrow(
      "addInPlace: source of shape [2, 3] does not broadcast to the target's shape [3]",
    );
    expect(() => mulInPlace(zeros([2, 3]), zeros([2]))).toThrow('mulInPlace: shapes [2, 3] and [2] cannot be broadcast');
  });

  it('should reject a target that is not a tensor and a scale that is not a number', () => {
    expect(() => addInPlace(1 as unknown as Tensor, 1)).toThrow('addInPlace: target must be a Tensor, got number 1');
    expect(() => scaleInPlace(zeros([1]), '2' as unknown as number)).toThrow('scaleInPlace: factor must be a number, got "2"');
    expect(() => scaleInPlace(null as unknown as Tensor, 2)).toThrow('scaleInPlace: target must be a Tensor, got null');
    expect(() => addScaledInPlace(zeros([1]), zeros([1]), undefined as unknown as number)).toThrow(
      'addScaledInPlace: scale must be a number, got undefined',
    );
  });
});

describe('unary ops', () => {
  const x = tensor([-4, -1, 0, 0.25, 9], 'float64');

  it('should negate, square, take square roots and absolute values', () => {
    expect(neg(x).toArray()).toEqual([4, 1, -0, -0.25, -9]);
    expect(square(x).toArray()).toEqual([16, 1, 0, 0.0625, 81]);
    expect(sqrt(x).toArray()).toEqual([NaN, NaN, 0, 0.5, 3]);
    expect(abs(x).toArray()).toEqual([4, 1, 0, 0.25, 9]);
  });

  it('should exponentiate and take logarithms', () => {
    expect(exp(tensor([0, 1], 'float64')).toArray()).toEqual([1, Math.E]);
    expect(log(tensor([1, Math.E, 0, -1], 'float64')).toArray()).toEqual([0, 1, -Infinity, NaN]);
  });

  it('should compute the logistic sigmoid, symmetric around 0.5', () => {
    const s = sigmoid(tensor([0, Math.log(3), -Math.log(3)], 'float64')).data;
    expect(s[0]).toBe(0.5);
    expect(s[1]).toBeCloseTo(0.75, 15); // 1 / (1 + 1/3)
    expect(s[2]).toBeCloseTo(0.25, 15); // 1/3 / (1 + 1/3)
  });

  it('should saturate sigmoid and tanh without overflow', () => {
    const big = tensor([-1e4, -800, 800, 1e4], 'float64');
    expect(sigmoid(big).toArray()).toEqual([0, 0, 1, 1]);
    expect(tanh(big).toArray()).toEqual([-1, -1, 1, 1]);
  });

  it('should compute tanh', () => {
    const t = tanh(tensor([0, Math.log(2)], 'float64')).data;
    expect(t[0]).toBe(0);
    expect(t[1]).toBeCloseTo(0.6, 15); // (2 − 1/2) / (2 + 1/2)
  });

  it('should zero negative values in relu and keep NaN', () => {
    expect(relu(tensor([-2, 0, 3, NaN])).toArray()).toEqual([0, 0, 3, NaN]);
  });

  it('should clip into [min, max]', () => {
    expect(clip(x, -1, 1).toArray()).toEqual([-1, -1, 0, 0.25, 1]);
    expect(clip(x, 0, Infinity).toArray()).toEqual([0, 0, 0, 0.25, 9]);
  });

  it('should reject clip bounds in the wrong order or not numbers', () => {
    expect(() => clip(x, 1, -1)).toThrow('clip: expected numbers min ≤ max, got min 1, max -1');
    expect(() => clip(x, NaN, 1)).toThrow('clip: expected numbers min ≤ max, got min NaN, max 1');
  });

  it('should keep the dtype and write into out, which may be the input', () => {
    const f32 = tensor([1, 2]);
    expect(square(f32).dtype).toBe('float32');
    const same = tensor([-1, 2]);
    expect(abs(same, same)).toBe(same);
    expect(same.toArray()).toEqual([1, 2]);
  });

  it('should reject an out of the wrong shape or dtype and an input that is not a tensor', () => {
    expect(() => exp(x, zeros([5]))).toThrow('exp: out has dtype float32, expected float64');
    expect(() => sigmoid(x, zeros([4], 'float64'))).toThrow('sigmoid: out has shape [4], expected [5]');
    expect(() => tanh([1] as unknown as Tensor)).toThrow('tanh: input must be a Tensor, got [1]');
  });

  it('should map a 0-d tensor to a 0-d tensor', () => {
    expect(neg(scalar(2)).toArray()).toBe(-2);
  });
});
