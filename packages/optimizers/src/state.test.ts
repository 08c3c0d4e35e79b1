import { describe, expect, it } from 'vitest';
import { decodeState, encodeState } from './state.js';

describe('encodeState / decodeState', () => {
  it('should round-trip typed arrays and numbers JSON cannot hold, bit for bit', () => {
    const state = {
      m: Float32Array.from([0.1, -0, NaN, Infinity, -Infinity, 3.4e38]),
      v: Float64Array.from([Math.PI, -0, 5e-324]),
      t: -0,
      nested: [{ flag: true, label: 'x', none: null }],
    };
    const decoded = decodeState('test', JSON.parse(JSON.stringify(encodeState('test', state)))) as typeof state;
    expect(decoded.m).toBeInstanceOf(Float32Array);
    expect(decoded.v).toBeInstanceOf(Float64Array);
    expect(Array.from(decoded.m).map((x) => Object.is(x, -0) ? '-0' : String(x))).toEqual(
      Array.from(state.m).map((x) => Object.is(x, -0) ? '-0' : String(x)),
    );
    expect(Array.from(decoded.v)).toEqual(Array.from(state.v));
    expect(Object.is(decoded.v[1], -0)).toBe(true);
    expect(Object.is(decoded.t, -0)).toBe(true);
    expect(decoded.nested).toEqual(state.nested);
  });

  it('should refuse what is not plain data, naming where it is', () => {
    expect(() => encodeState('adam', { buffer: new Int32Array(2) } as never)).toThrow(
      /^adam: state must be plain data .* got an Int32Array at state.buffer/,
    );
    expect(() => encodeState('adam', { f: () => 1 } as never)).toThrow(/got a function at state.f/);
    expect(() => encodeState('adam', { $number: 1 })).toThrow('adam: state key "$number" at state is reserved');
  });

  it('should refuse a malformed saved typed array or number', () => {
    expect(() => decodeState('load', { a: { $typedArray: 'int8', values: [] } })).toThrow(
      'load: expected { $typedArray: "float32" | "float64", values: [...] } at state.a',
    );
    expect(() => decodeState('load', { a: { $number: 'big' } })).toThrow('load: expected a number at state.a, got "big"');
  });
});
