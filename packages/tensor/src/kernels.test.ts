import { afterEach, describe, expect, it } from 'vitest';
import { type KernelBackend, gemm, getBackend, jsBackend, setBackend } from './kernels.js';
import { matmul } from './linalg.js';
import { tensor } from './tensor.js';

// A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]: A·B = [[58, 64], [139, 154]]
// (1·7 + 2·9 + 3·11 = 58, 1·8 + 2·10 + 3·12 = 64, 4·7 + 5·9 + 6·11 = 139, 4·8 + 5·10 + 6·12 = 154).
const A = [1, 2, 3, 4, 5, 6];
const AT = [1, 4, 2, 5, 3, 6]; // A stored transposed, [3, 2]
const B = [7, 8, 9, 10, 11, 12];
const BT = [7, 9, 11, 8, 10, 12]; // B stored transposed, [2, 3]
const AB = [58, 64, 139, 154];

describe('gemm', () => {
  afterEach(() => setBackend(jsBackend));

  for (const [Type, name] of [[Float32Array, 'float32'], [Float64Array, 'float64']] as const) {
    it(`should multiply a 2×3 by a 3×2 matrix (${name})`, () => {
      const c = new Type(4);
      gemm(false, false, 2, 2, 3, new Type(A), 0, new Type(B), 0, 0, c, 0);
      expect(Array.from(c)).toEqual(AB);
    });

    it(`should read transposed operands for every flag combination (${name})`, () => {
      for (const [tA, tB] of [[false, true], [true, false], [true, true]] as const) {
        const c = new Type(4);
        gemm(tA, tB, 2, 2, 3, new Type(tA ? AT : A), 0, new Type(tB ? BT : B), 0, 0, c, 0);
        expect(Array.from(c)).toEqual(AB);
      }
    });
  }

  it('should add to C when beta is 1 and overwrite it when beta is 0', () => {
    const c = new Float64Array([1, -1, 2, -2]);
    gemm(false, false, 2, 2, 3, new Float64Array(A), 0, new Float64Array(B), 0, 1, c, 0);
    expect(Array.from(c)).toEqual([59, 63, 141, 152]);
    gemm(false, false, 2, 2, 3, new Float64Array(A), 0, new Float64Array(B), 0, 0, c, 0);
    expect(Array.from(c)).toEqual(AB);
  });

  it('should honour offsets and leave the rest of the storage alone', () => {
    const a = new Float32Array([9, 9, ...A, 9]);
    const b = new Float32Array([9, ...B]);
    const c = new Float32Array([-1, -1, -1, 0, 0, 0, 0, -1]);
    gemm(false, false, 2, 2, 3, a, 2, b, 1, 0, c, 3);
    expect(Array.from(c)).toEqual([-1, -1, -1, ...AB, -1]);
  });

  it('should zero C when k is 0 and beta is 0', () => {
    const c = new Float32Array([5, 5, 5, 5]);
    gemm(false, false, 2, 2, 0, new Float32Array(0), 0, new Float32Array(0), 0, 0, c, 0);
    expect(Array.from(c)).toEqual([0, 0, 0, 0]);
  });

  it('should reject operands of different dtypes', () => {
    expect(() => gemm(false, false, 2, 2, 3, new Float64Array(A), 0, new Float32Array(B), 0, 0, new Float32Array(4), 0)).toThrow(
      'gemm: A, B and C must share a dtype: C is float32, A is float64',
    );
  });

  it('should reject operands that are too short for the sizes', () => {
    expect(() => gemm(false, false, 2, 2, 3, new Float32Array(A), 1, new Float32Array(B), 0, 0, new Float32Array(4), 0)).toThrow(
      'gemm: A needs 6 elements from offset 1, but its storage has 6',
    );
  });

  it('should reject a C that overlaps A', () => {
    const shared = new Float32Array(12);
    expect(() => gemm(false, false, 2, 2, 3, shared, 0, new Float32Array(B), 0, 0, shared.subarray(4), 0)).toThrow(
      'gemm: C must not overlap A or B',
    );
  });

  it('should reject negative or fractional sizes and a beta other than 0 or 1', () => {
    const f = new Float32Array(8);
    expect(() => gemm(false, false, -1, 2, 2, f, 0, f, 0, 0, new Float32Array(8), 0)).toThrow('gemm: m must be an integer from 0 to 2147483647, got -1');
    expect(() => gemm(false, false, 2, 2, 1.5, f, 0, f, 0, 0, new Float32Array(8), 0)).toThrow('gemm: k must be an integer from 0 to 2147483647, got 1.5');
    expect(() => gemm(false, false, 1, 1, 1, f, 0, f, 0, 2 as 0, new Float32Array(8), 0)).toThrow('gemm: beta must be 0 or 1, got 2');
    // Past 2^31 − 1 (what a WebAssembly backend's i32 holds), even when nothing is multiplied.
    expect(() => gemm(false, false, 2 ** 31, 1, 0, f, 0, f, 0, 0, new Float32Array(8), 0)).toThrow(
      'gemm: m must be an integer from 0 to 2147483647, got 2147483648',
    );
    expect(() => gemm(false, false, 1, 1, 1, f, 0, f, 0, 0, [0] as never, 0)).toThrow('gemm: C must be a Float32Array or Float64Array, got Array');
  });
});

describe('kernel backends', () => {
  afterEach(() => setBackend(jsBackend));

  it('should start with the plain-JS backend', () => {
    expect(getBackend()).toBe(jsBackend);
    expect(jsBackend.name).toBe('js');
  });

  it('should route gemm and matmul through the backend that was set', () => {
    const calls: number[][] = [];
    const recording: KernelBackend = {
      name: 'recording',
      gemm: (...args) => {
        calls.push([args[2], args[3], args[4]]);
        jsBackend.gemm(...args);
      },
    };
    setBackend(recording);
    expect(getBackend()).toBe(recording);
    const product = matmul(tensor([[1, 2, 3], [4, 5, 6]]), tensor([[7, 8], [9, 10], [11, 12]]));
    expect(product.toArray()).toEqual([[58, 64], [139, 154]]);
    expect(calls).toEqual([[2, 2, 3]]);
  });

  it('should reject something that is not a backend', () => {
    expect(() => setBackend({ name: 'broken' } as unknown as KernelBackend)).toThrow(
      'setBackend: expected a backend object { name: string, gemm: function }',
    );
    expect(getBackend()).toBe(jsBackend);
  });
});
