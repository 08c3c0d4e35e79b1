import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sigmoidFloat32, tanhFloat32 } from './float32-math.js';

const bits = new Int32Array(2);
const view = new Float32Array(bits.buffer);

/** Distance in float32 units in the last place (adjacent floats are 1 apart; ±0 are 0 apart). */
function ulps(a: number, b: number): number {
  view[0] = a;
  view[1] = b;
  const order = (i: number): number => (bits[i]! < 0 ? -(bits[i]! & 0x7fffffff) : bits[i]!);
  return Math.abs(order(0) - order(1));
}

function apply(f: typeof sigmoidFloat32, values: readonly number[]): Float32Array {
  const x = Float32Array.from(values);
  const out = new Float32Array(x.length);
  f(x, 0, out, 0, x.length);
  return out;
}

const exactSigmoid = (v: number): number => (v >= 0 ? 1 / (1 + Math.exp(-v)) : Math.exp(v) / (1 + Math.exp(v)));

// Arguments as float32 values: wide ranges, and small ones where tanh switches to its series.
const argumentArb = fc.oneof(
  fc.float({ min: -200, max: 200, noNaN: true }),
  fc.float({ min: -1, max: 1, noNaN: true }),
  fc.float({ min: Math.fround(-0.3), max: Math.fround(0.3), noNaN: true }),
);

describe('float32 sigmoid and tanh (property)', () => {
  it('should give sigmoid within one float32 ulp of the correctly rounded value', () => {
    fc.assert(
      fc.property(fc.array(argumentArb, { minLength: 1, maxLength: 50 }), (values) => {
        const got = apply(sigmoidFloat32, values);
        values.forEach((v, i) => expect(ulps(got[i]!, Math.fround(exactSigmoid(v))), `σ(${v})`).toBeLessThanOrEqual(1));
      }),
      { numRuns: 200 },
    );
  });

  it('should give tanh within one float32 ulp of the correctly rounded value', () => {
    fc.assert(
      fc.property(fc.array(argumentArb, { minLength: 1, maxLength: 50 }), (values) => {
        const got = apply(tanhFloat32, values);
        values.forEach((v, i) => expect(ulps(got[i]!, Math.fround(Math.tanh(v))), `tanh(${v})`).toBeLessThanOrEqual(1));
      }),
      { numRuns: 200 },
    );
  });

  it('should be odd (tanh) and satisfy σ(−x) = 1 − σ(x) up to rounding', () => {
    fc.assert(
      fc.property(argumentArb, (v) => {
        const [t, tNeg] = apply(tanhFloat32, [v, -v]);
        expect(tNeg === -t!, `tanh(${v}) = ${t}, tanh(${-v}) = ${tNeg}`).toBe(true); // ±0 count as equal
        const [s, sNeg] = apply(sigmoidFloat32, [v, -v]);
        expect(Math.abs(s! + sNeg! - 1)).toBeLessThanOrEqual(2 ** -23);
      }),
    );
  });
});

describe('float32 sigmoid and tanh: special values', () => {
  it('should map ±Infinity to the limits and keep NaN', () => {
    expect(Array.from(apply(sigmoidFloat32, [-Infinity, Infinity, 0]))).toEqual([0, 1, 0.5]);
    expect(Array.from(apply(tanhFloat32, [-Infinity, Infinity, 0]))).toEqual([-1, 1, 0]);
    expect(Number.isNaN(apply(sigmoidFloat32, [Number.NaN])[0])).toBe(true);
    expect(Number.isNaN(apply(tanhFloat32, [Number.NaN])[0])).toBe(true);
  });

  it('should work in place on the given range only', () => {
    const x = Float32Array.from([5, 0, 0, 5]);
    sigmoidFloat32(x, 1, x, 1, 2);
    expect(Array.from(x)).toEqual([5, 0.5, 0.5, 5]);
  });
});
