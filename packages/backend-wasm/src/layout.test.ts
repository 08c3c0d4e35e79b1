import { describe, expect, it } from 'vitest';
import { align, bump } from './layout.js';

describe('align', () => {
  it('should round up to a multiple of 64, also past 2 GiB and 4 GiB (where 32-bit masks go wrong)', () => {
    expect(align(0)).toBe(0);
    expect(align(1)).toBe(64);
    expect(align(64)).toBe(64);
    expect(align(2 ** 31 - 1)).toBe(2 ** 31);
    expect(align(2 ** 31 + 1)).toBe(2 ** 31 + 64);
    expect(align(2 ** 32 + 65)).toBe(2 ** 32 + 128);
  });
});

describe('bump', () => {
  it('should lay buffers out one after another, aligned, across 2 GiB', () => {
    const { take, end } = bump(2 ** 31 - 64);
    expect(take(20)).toBe(2 ** 31 - 64);
    expect(take(1)).toBe(2 ** 31 + 64);
    expect(take(2 ** 28)).toBe(2 ** 31 + 128);
    expect(end()).toBe(2 ** 31 + 128 + 2 ** 30);
  });
});
