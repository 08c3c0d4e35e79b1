import { describe, expect, it } from 'vitest';
import { readFloats } from './weights.js';

describe('readFloats', () => {
  const values = Float32Array.of(1.5, -2, 3.25, 4);
  const bytes = new Uint8Array(values.buffer);

  it('should view aligned weights in place, holding them once rather than twice', () => {
    const read = readFloats(bytes, 4, 2);
    expect(Array.from(read)).toEqual([-2, 3.25]);
    expect(read.buffer).toBe(values.buffer);
  });

  it('should copy weights that do not start on a 4-byte boundary', () => {
    const shifted = new Uint8Array(17);
    shifted.set(bytes, 1);
    const read = readFloats(shifted, 1, 4);
    expect(Array.from(read)).toEqual([1.5, -2, 3.25, 4]);
    expect(read.buffer).not.toBe(shifted.buffer);
  });
});
