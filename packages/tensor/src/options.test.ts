import { describe, expect, it } from 'vitest';
import { RnnkitError } from './errors.js';
import { checkOptionKeys, describeValue } from './options.js';
import { Tensor } from './tensor.js';

describe('describeValue', () => {
  it('should show each kind of value the way an error message quotes it', () => {
    expect(describeValue(null)).toBe('null');
    expect(describeValue(undefined)).toBe('undefined');
    expect(describeValue(Number.NaN)).toBe('number NaN');
    expect(describeValue(true)).toBe('boolean true');
    expect(describeValue('relu')).toBe('"relu"');
    expect(describeValue([1, null, 'a', {}])).toBe('[1, null, "a", object]');
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue({ a: 1 })).toBe('an object');
    expect(describeValue(Object.create(null))).toBe('an object');
    expect(describeValue(new Float32Array(2))).toBe('a Float32Array');
    expect(describeValue(new Int32Array(2))).toBe('an Int32Array');
    expect(describeValue(new Tensor(new Float64Array(1), [1]))).toBe('a Tensor');
  });

  it('should escape and cut strings and long arrays', () => {
    expect(describeValue('a\x1bb')).toBe('"a\\x1bb"');
    expect(describeValue('x'.repeat(150))).toBe(`"${'x'.repeat(100)}"… (50 more characters)`);
    expect(describeValue(Array.from({ length: 10 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, … (10 items)]');
  });
});

describe('checkOptionKeys', () => {
  it('should accept known keys and name the first unknown one with the valid list', () => {
    expect(() => checkOptionKeys('f', { a: 1 }, ['a', 'b'])).not.toThrow();
    expect(() => checkOptionKeys('f', { a: 1, c: 2, d: 3 }, ['a', 'b'])).toThrow(
      new RnnkitError('f', 'unknown option "c"; valid options are a, b'),
    );
    expect(() => checkOptionKeys('f', { c: 2 }, [])).toThrow('f: unknown option "c"; it takes no options');
  });

  it('should refuse a non-object and word nested keys through what', () => {
    expect(() => checkOptionKeys('f', [1], ['a'])).toThrow('f: expected an options object, got [1]');
    expect(() => checkOptionKeys('f', null, ['a'])).toThrow('f: expected an options object, got null');
    expect(() => checkOptionKeys('fit', { onEpoch: 1 }, ['onEpochEnd'], 'callback')).toThrow(
      'fit: unknown callback "onEpoch"; valid callbacks are onEpochEnd',
    );
    expect(() => checkOptionKeys('fit', 3, ['onEpochEnd'], 'callback')).toThrow('fit: expected a callbacks object, got number 3');
  });

  it('should ignore inherited keys', () => {
    const options = Object.create({ inherited: 1 }) as object;
    expect(() => checkOptionKeys('f', options, [])).not.toThrow();
  });
});
