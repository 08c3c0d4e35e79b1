import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { broadcastablePairArb, broadcastableShapePairArb, shapeArb, tensorArb } from '@rnnkit/testing';
import { broadcastShapes } from './broadcast.js';
import {
  type Operand,
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
  sigmoid,
  sqrt,
  square,
  sub,
  subInPlace,
  tanh,
} from './elementwise.js';
import { broadcastAt, indices, mismatch, naiveBroadcastShape } from './naive.test-util.js';
import { type DType, Tensor, zeros } from './tensor.js';

const dtypeArb = fc.constantFrom<DType>('float32', 'float64');
const dtypePairArb = fc.tuple(dtypeArb, dtypeArb);
const round = (dtype: DType, v: number): number => (dtype === 'float32' ? Math.fround(v) : v);

const binaryOps: [string, (a: Operand, b: Operand, out?: Tensor) => Tensor, (x: number, y: number) => number][] = [
  ['add', add, (x, y) => x + y],
  ['sub', sub, (x, y) => x - y],
  ['mul', mul, (x, y) => x * y],
  ['div', div, (x, y) => x / y],
  ['pow', pow, (x, y) => Math.pow(x, y)],
  ['maximum', maximum, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.max(x, y))],
  ['minimum', minimum, (x, y) => (Number.isNaN(x) || Number.isNaN(y) ? NaN : Math.min(x, y))],
];

/** Expected values of a broadcast binary op, computed index by index. */
function naiveBinary(a: Tensor, b: Tensor, f: (x: number, y: number) => number, dtype: DType): number[] {
  const shape = naiveBroadcastShape(a.shape, b.shape)!;
  return indices(shape).map((index) => round(dtype, f(broadcastAt(a, index), broadcastAt(b, index))));
}

describe('broadcastShapes (property)', () => {
  it('should agree with the numpy rule on arbitrary pairs of shapes, compatible or not', () => {
    const sides = shapeArb({ maxRank: 4, minSide: 0, maxSide: 3 });
    fc.assert(
      fc.property(fc.oneof(fc.tuple(sides, sides), broadcastableShapePairArb({ minSide: 0 })), ([a, b]) => {
        const expected = naiveBroadcastShape(a, b);
        if (expected === null) expect(() => broadcastShapes(a, b)).toThrow('cannot be broadcast');
        else expect(broadcastShapes(a, b)).toEqual(expected);
      }),
    );
  });

  it('should be symmetric', () => {
    fc.assert(
      fc.property(broadcastableShapePairArb(), ([a, b]) => {
        expect(broadcastShapes(a, b)).toEqual(broadcastShapes(b, a));
      }),
    );
  });
});

describe('binary ops (property)', () => {
  for (const [name, op, f] of binaryOps) {
    it(`should make ${name} equal the index-by-index reference on broadcast pairs`, () => {
      fc.assert(
        fc.property(dtypePairArb.chain((dtypes) => broadcastablePairArb({ dtypes, min: -3, max: 3 })), ([a, b]) => {
          const result = op(a, b);
          const dtype = a.dtype === 'float64' || b.dtype === 'float64' ? 'float64' : 'float32';
          expect(result.dtype).toBe(dtype);
          expect(result.shape).toEqual(naiveBroadcastShape(a.shape, b.shape));
          expect(mismatch(result.data, naiveBinary(a, b, f, dtype), () => 0)).toBeNull();
        }),
        { numRuns: 50 },
      );
    });
  }

  it('should treat a number like a 0-d tensor on either side', () => {
    fc.assert(
      fc.property(tensorArb({ dtype: 'float64' }), fc.double({ min: -5, max: 5, noNaN: true }), (t, v) => {
        const asTensor = new Tensor(new Float64Array([v]), []);
        expect(Array.from(sub(t, v).data)).toEqual(Array.from(sub(t, asTensor).data));
        expect(Array.from(sub(v, t).data)).toEqual(Array.from(sub(asTensor, t).data));
      }),
    );
  });

  it('should write the same values into out as it returns without one', () => {
    fc.assert(
      fc.property(broadcastablePairArb(), ([a, b]) => {
        const out = zeros(broadcastShapes(a.shape, b.shape));
        expect(mul(a, b, out)).toBe(out);
        expect(Array.from(out.data)).toEqual(Array.from(mul(a, b).data));
      }),
    );
  });
});

describe('in-place updates (property)', () => {
  const cases: [string, (t: Tensor, s: Operand) => Tensor, (a: Operand, b: Operand) => Tensor][] = [
    ['addInPlace', addInPlace, add],
    ['subInPlace', subInPlace, sub],
    ['mulInPlace', mulInPlace, mul],
    ['divInPlace', divInPlace, div],
    ['addScaledInPlace', (t, s) => addScaledInPlace(t, s, 1), add],
  ];
  for (const [name, inPlace, pure] of cases) {
    it(`should make ${name} equal the out-of-place op on a target of the broadcast shape`, () => {
      fc.assert(
        fc.property(broadcastablePairArb({ dtypes: ['float64', 'float64'] }), ([a, b]) => {
          // Widen a to the broadcast shape first, so the source always broadcasts to the target.
          const target = add(a, zeros(broadcastShapes(a.shape, b.shape), 'float64'));
          const expected = pure(target, b);
          expect(inPlace(target, b)).toBe(target);
          expect(mismatch(target.data, expected.data, () => 0)).toBeNull();
        }),
        { numRuns: 50 },
      );
    });
  }

  it('should make addScaledInPlace add scale times the source', () => {
    fc.assert(
      fc.property(tensorArb({ dtype: 'float64', shape: [3, 2] }), tensorArb({ dtype: 'float64', shape: [2] }), fc.double({ min: -4, max: 4, noNaN: true }), (t, s, scale) => {
        const expected = add(t, mul(s, scale));
        addScaledInPlace(t, s, scale);
        expect(mismatch(t.data, expected.data, () => 1e-12)).toBeNull();
      }),
    );
  });
});

describe('unary ops (property)', () => {
  const unaryOps: [string, (x: Tensor, out?: Tensor) => Tensor, (v: number) => number][] = [
    ['neg', neg, (v) => -v],
    ['square', square, (v) => v * v],
    ['sqrt', sqrt, Math.sqrt],
    ['exp', exp, Math.exp],
    ['log', log, Math.log],
    ['abs', abs, Math.abs],
    ['tanh', tanh, Math.tanh],
    ['relu', relu, (v) => Math.max(v, 0)],
    ['clip', (x, out) => clip(x, -0.5, 2, out), (v) => Math.min(Math.max(v, -0.5), 2)],
  ];
  for (const [name, op, f] of unaryOps) {
    it(`should make ${name} apply the scalar function to every element`, () => {
      fc.assert(
        fc.property(dtypeArb.chain((dtype) => tensorArb({ dtype, min: -5, max: 5 })), (x) => {
          const y = op(x);
          expect(y.shape).toEqual(x.shape);
          expect(y.dtype).toBe(x.dtype);
          const expected = Array.from(x.data, (v) => round(x.dtype, f(v)));
          expect(mismatch(y.data, expected, () => 0)).toBeNull();
        }),
        { numRuns: 30 },
      );
    });
  }

  it('should keep sigmoid and tanh finite and within their ranges for |x| ≤ 1e4', () => {
    fc.assert(
      fc.property(dtypeArb.chain((dtype) => tensorArb({ dtype, min: -1e4, max: 1e4, maxSide: 6 })), (x) => {
        for (const v of sigmoid(x).data) expect(Number.isFinite(v) && v >= 0 && v <= 1).toBe(true);
        for (const v of tanh(x).data) expect(Number.isFinite(v) && v >= -1 && v <= 1).toBe(true);
      }),
    );
  });

  it('should make sigmoid equal 1 / (1 + e^−x) where that form is safe', () => {
    fc.assert(
      fc.property(tensorArb({ dtype: 'float64', min: -30, max: 30 }), (x) => {
        const expected = Array.from(x.data, (v) => 1 / (1 + Math.exp(-v)));
        expect(mismatch(sigmoid(x).data, expected, (i) => 4e-16 * expected[i]! + 1e-300)).toBeNull();
      }),
    );
  });

  it('should satisfy σ(−x) = 1 − σ(x)', () => {
    fc.assert(
      fc.property(tensorArb({ dtype: 'float64', min: -40, max: 40 }), (x) => {
        const left = sigmoid(neg(x)).data;
        const right = Array.from(sigmoid(x).data, (s) => 1 - s);
        expect(mismatch(left, right, () => 2e-16)).toBeNull();
      }),
    );
  });

  it('should give the same values in place as into a new tensor', () => {
    fc.assert(
      fc.property(tensorArb(), (x) => {
        const expected = Array.from(sigmoid(x).data);
        sigmoid(x, x);
        expect(Array.from(x.data)).toEqual(expected);
      }),
    );
  });
});
