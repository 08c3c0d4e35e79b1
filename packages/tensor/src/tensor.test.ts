import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_ALLOCATION_LIMIT,
  Random,
  RnnkitError,
  allocate,
  arange,
  full,
  getAllocationLimit,
  glorotUniform,
  orthogonal,
  setAllocationLimit,
  tensor,
  zeros,
} from './index.js';

afterEach(() => {
  setAllocationLimit(DEFAULT_ALLOCATION_LIMIT);
});

describe('allocation limits', () => {
  it('should default to 4 GiB per tensor', () => {
    expect(DEFAULT_ALLOCATION_LIMIT).toBe(4 * 1024 ** 3);
    expect(getAllocationLimit()).toBe(DEFAULT_ALLOCATION_LIMIT);
  });

  it('should refuse a shape beyond any typed array with an error naming the shape and bytes, not a RangeError', () => {
    expect(() => zeros([1e9, 1e9])).toThrow(RnnkitError);
    expect(() => zeros([1e9, 1e9])).toThrow(
      'zeros: shape [1000000000, 1000000000] (float32) needs 4,000,000,000,000,000,000 bytes (1,000,000,000,000,000,000 elements), ' +
        'more than the allocation limit of 4,294,967,296 bytes (4 GiB); check the sizes, or raise the limit with setAllocationLimit(bytes) if the machine has the memory',
    );
  });

  it('should refuse storage beyond the limit before allocating it, for every creation path', () => {
    setAllocationLimit(1024);
    expect(zeros([256]).size).toBe(256); // exactly 1024 bytes of float32
    expect(() => zeros([257])).toThrow('zeros: shape [257] (float32) needs 1,028 bytes (257 elements), more than the allocation limit of 1,024 bytes (1 KiB)');
    expect(() => zeros([128, 2], 'float64')).toThrow('zeros: shape [128, 2] (float64) needs 2,048 bytes');
    expect(() => full([300], 1)).toThrow(/^full: shape \[300\]/);
    expect(() => arange(300)).toThrow(/^arange: shape \[300\]/);
    expect(() => zeros([16, 16]).astype('float64')).toThrow(/^Tensor\.astype: shape \[16, 16\] \(float64\) needs 2,048 bytes/);
    expect(() => tensor(Array.from({ length: 300 }, () => 0))).toThrow(/^tensor: shape \[300\]/);
    expect(() => allocate('float32', 300)).toThrow(/^allocate: a tensor \(float32\) needs 1,200 bytes/);
  });

  it('should refuse an initialiser asked for a huge weight (as a layer of 1e6 units builds)', () => {
    // The recurrent kernel of a four-gate layer of 1e6 units: [units, 4 · units].
    expect(() => glorotUniform()([1e6, 4e6], new Random(0))).toThrow(/^glorotUniform: shape \[1000000, 4000000\] \(float64\) needs 32,000,000,000,000 bytes \(4,000,000,000,000 elements\)/);
    expect(() => orthogonal()([1e6, 4e6], new Random(0))).toThrow(/^orthogonal: shape \[1000000, 4000000\]/);
  });

  it('should turn the engine refusing a count into a clear error when the limit is lifted', () => {
    expect(setAllocationLimit(Infinity)).toBe(DEFAULT_ALLOCATION_LIMIT);
    expect(() => zeros([1e9, 1e9])).toThrow(/^zeros: shape \[1000000000, 1000000000\] \(float32\) needs 4,000,000,000,000,000,000 bytes \(1,000,000,000,000,000,000 elements\), which the JavaScript engine cannot allocate \(.+\)$/);
    expect(() => allocate('float32', -1)).toThrow('allocate: cannot allocate a tensor (float32): expected a non-negative element count, got number -1');
  });

  it('should refuse a count that is not a number at all', () => {
    expect(() => allocate('float64', NaN)).toThrow('allocate: cannot allocate a tensor (float64): expected a non-negative element count, got number NaN');
  });

  it('should check the limit it is given', () => {
    for (const bad of [0, -5, 1.5, NaN, '1e9'] as unknown[]) {
      expect(() => setAllocationLimit(bad as number)).toThrow(/^setAllocationLimit: expected a positive whole number of bytes or Infinity, got /);
    }
    expect(getAllocationLimit()).toBe(DEFAULT_ALLOCATION_LIMIT);
    expect(setAllocationLimit(2048)).toBe(DEFAULT_ALLOCATION_LIMIT);
    expect(getAllocationLimit()).toBe(2048);
  });
});

describe('tensor() on untrusted nesting', () => {
  it('should refuse nesting deeper than 64 levels and an array inside itself, instead of hanging or overflowing the stack', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(() => tensor(deep as number[])).toThrow(/^tensor: arrays nested deeper than 64 levels \(at (\[0\]){64}\); is an array inside itself\?$/);
    const cyclic: unknown[] = [];
    cyclic.push(cyclic);
    expect(() => tensor(cyclic as number[])).toThrow(/^tensor: arrays nested deeper than 64 levels/);
    let ok: unknown = 2;
    for (let i = 0; i < 64; i++) ok = [ok];
    expect(tensor(ok as number[]).rank).toBe(64);
  });
});

describe('values quoted in tensor errors', () => {
  it('should cut a long string given where a number belongs', () => {
    expect(() => tensor([1, 'x'.repeat(1000) as never])).toThrow(`tensor: expected a number at [1], got "${'x'.repeat(100)}"… (900 more characters)`);
  });
});
