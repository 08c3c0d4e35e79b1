import { Tensor, fromTypedArray } from '@rnnkit/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { slidingWindows, trainTestSplit } from './windows.js';

const seriesArb = fc
  .record({
    window: fc.integer({ min: 1, max: 8 }),
    horizon: fc.integer({ min: 1, max: 4 }),
    features: fc.integer({ min: 1, max: 3 }),
    extra: fc.integer({ min: 0, max: 30 }),
    stride: fc.integer({ min: 1, max: 4 }),
  })
  .chain((c) => {
    const n = c.window + c.horizon + c.extra;
    return fc
      .array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: n * c.features, maxLength: n * c.features })
      .map((values) => ({ ...c, n, values: Float64Array.from(values) }));
  });

function asSeries(values: Float64Array, n: number, features: number): Tensor {
  return features === 1 ? fromTypedArray(values) : fromTypedArray(values, [n, features]);
}

describe('slidingWindows (properties)', () => {
  it('should cut n − window − horizon + 1 windows with stride 1', () => {
    fc.assert(
      fc.property(seriesArb, ({ window, horizon, features, n, values }) => {
        const { inputs, targets } = slidingWindows(asSeries(values, n, features), { window, horizon });
        const count = n - window - horizon + 1;
        expect(inputs.shape).toEqual([count, window, features]);
        expect(targets.shape).toEqual([count, horizon * features]);
      }),
    );
  });

  it('should cut floor((n − window − horizon) / stride) + 1 windows with any stride', () => {
    fc.assert(
      fc.property(seriesArb, ({ window, horizon, features, stride, n, values }) => {
        const { inputs } = slidingWindows(asSeries(values, n, features), { window, horizon, stride });
        expect(inputs.shape[0]).toBe(Math.floor((n - window - horizon) / stride) + 1);
      }),
    );
  });

  it('should make window k the series slice k·stride … + window and its targets the horizon after it', () => {
    fc.assert(
      fc.property(seriesArb, ({ window, horizon, features, stride, n, values }) => {
        const { inputs, targets } = slidingWindows(asSeries(values, n, features), { window, horizon, stride });
        const count = inputs.shape[0]!;
        for (let k = 0; k < count; k++) {
          const start = k * stride;
          expect(Array.from(inputs.data.subarray(k * window * features, (k + 1) * window * features))).toEqual(
            Array.from(values.subarray(start * features, (start + window) * features)),
          );
          expect(Array.from(targets.data.subarray(k * horizon * features, (k + 1) * horizon * features))).toEqual(
            Array.from(values.subarray((start + window) * features, (start + window + horizon) * features)),
          );
        }
      }),
    );
  });

  it('should give the same windows for a number[], number[][] rows and a tensor of the same series', () => {
    fc.assert(
      fc.property(seriesArb, ({ window, horizon, features, n, values }) => {
        const fromTensor = slidingWindows(asSeries(values, n, features), { window, horizon, dtype: 'float64' });
        const rows = Array.from({ length: n }, (_, i) => Array.from(values.subarray(i * features, (i + 1) * features)));
        const plain = features === 1 ? Array.from(values) : rows;
        const fromArrays = slidingWindows(plain, { window, horizon, dtype: 'float64' });
        expect(Array.from(fromArrays.inputs.data)).toEqual(Array.from(fromTensor.inputs.data));
        expect(Array.from(fromArrays.targets.data)).toEqual(Array.from(fromTensor.targets.data));
      }),
    );
  });
});

describe('trainTestSplit (properties)', () => {
  const splitArb = fc.record({
    values: fc.array(fc.integer(), { maxLength: 60 }),
    fraction: fc.double({ min: 0.01, max: 0.99, noNaN: true }),
  });

  it('should give sizes that add up to the whole, in original order (train then test)', () => {
    fc.assert(
      fc.property(splitArb, ({ values, fraction }) => {
        const { train, test } = trainTestSplit(values, { trainFraction: fraction });
        expect(train.length + test.length).toBe(values.length);
        expect(train.length).toBe(Math.round(fraction * values.length));
        expect([...train, ...test]).toEqual(values);
      }),
    );
  });

  it('should split every tensor of a record at the same row and keep row order', () => {
    fc.assert(
      fc.property(splitArb, fc.integer({ min: 1, max: 3 }), ({ values, fraction }, width) => {
        const n = values.length;
        const inputs = fromTypedArray(Float64Array.from({ length: n * width }, (_, i) => i), [n, width]);
        const targets = fromTypedArray(Float64Array.from(values), [n, 1]);
        const trainCount = Math.round(fraction * n);
        const { train, test } = trainTestSplit({ inputs, targets }, { trainCount });
        expect(train.inputs.shape).toEqual([trainCount, width]);
        expect(test.targets.shape).toEqual([n - trainCount, 1]);
        expect([...train.inputs.data, ...test.inputs.data]).toEqual([...inputs.data]);
        expect([...train.targets.data, ...test.targets.data]).toEqual(values);
      }),
    );
  });
});
