import { describe, expect, it } from 'vitest';
import { allFinite, firstNonFinite } from './finite.js';

describe('allFinite / firstNonFinite', () => {
  it('should find the first NaN or infinity at every offset, in every tail length, in both dtypes', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (let n = 0; n <= 9; n++) {
        const values = Array.from({ length: n }, (_, i) => (i % 3) - 1.5e30);
        const data = dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values);
        expect(allFinite(data)).toBe(true);
        expect(firstNonFinite(data)).toBe(-1);
        for (let at = 0; at < n; at++) {
          for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
            const copy = data.slice();
            copy[at] = bad;
            if (at + 1 < n) copy[n - 1] = bad; // a later one is not the first
            expect(allFinite(copy), `${dtype} n=${n} at=${at} ${bad}`).toBe(false);
            expect(firstNonFinite(copy)).toBe(at);
          }
        }
      }
    }
  });

  it('should count the largest finite values and -0 as finite', () => {
    expect(allFinite(Float32Array.of(3.4028234663852886e38, -3.4028234663852886e38, -0, 1e-45))).toBe(true);
    expect(allFinite([Number.MAX_VALUE, -Number.MAX_VALUE, Number.MIN_VALUE, -0])).toBe(true);
  });
});
