import { fromTypedArray } from '@rnnkit/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fitMinMaxScaler, fitZScoreScaler, scalerFromParams } from './scalers.js';

const dataArb = fc
  .record({ rows: fc.integer({ min: 1, max: 20 }), features: fc.integer({ min: 1, max: 4 }) })
  .chain(({ rows, features }) =>
    fc
      .array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: rows * features, maxLength: rows * features })
      .map((values) => ({ rows, features, data: fromTypedArray(Float64Array.from(values), [rows, features]) })),
  );
const rangeArb = fc
  .tuple(fc.double({ min: -10, max: 10, noNaN: true }), fc.double({ min: 0.1, max: 10, noNaN: true }))
  .map(([low, width]) => [low, low + width] as [number, number]);

/** A feature that varies well above rounding error (degenerate ones are only shifted, by design). */
function varies(values: number[]): boolean {
  const low = Math.min(...values);
  const high = Math.max(...values);
  return high - low > 1e-6 * (1 + Math.max(Math.abs(low), Math.abs(high)));
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < actual.length; i++) {
    expect(Math.abs(actual[i]! - expected[i]!)).toBeLessThanOrEqual(tolerance * (1 + Math.abs(expected[i]!)));
  }
}

describe('scalers (properties)', () => {
  it('should give back the data after transform then inverseTransform (min-max)', () => {
    fc.assert(
      fc.property(dataArb, rangeArb, ({ data }, featureRange) => {
        const scaler = fitMinMaxScaler(data, { featureRange });
        close(scaler.inverseTransform(scaler.transform(data)).data, data.data, 1e-9);
      }),
    );
  });

  it('should give back the data after transform then inverseTransform (z-score)', () => {
    fc.assert(
      fc.property(dataArb, ({ data }) => {
        const scaler = fitZScoreScaler(data);
        close(scaler.inverseTransform(scaler.transform(data)).data, data.data, 1e-9);
      }),
    );
  });

  it('should map training data into the feature range, reaching both ends for a varying feature', () => {
    fc.assert(
      fc.property(dataArb, rangeArb, ({ rows, features, data }, [low, high]) => {
        const scaled = fitMinMaxScaler(data, { featureRange: [low, high] }).transform(data);
        for (let j = 0; j < features; j++) {
          const column = Array.from({ length: rows }, (_, i) => scaled.data[i * features + j]!);
          const raw = Array.from({ length: rows }, (_, i) => data.data[i * features + j]!);
          for (const v of column) expect(v >= low - 1e-9 && v <= high + 1e-9).toBe(true);
          if (varies(raw)) {
            expect(Math.min(...column)).toBeCloseTo(low, 9);
            expect(Math.max(...column)).toBeCloseTo(high, 9);
          }
        }
      }),
    );
  });

  it('should give each varying training feature mean 0 and standard deviation 1 (z-score)', () => {
    fc.assert(
      fc.property(dataArb, ({ rows, features, data }) => {
        const scaled = fitZScoreScaler(data).transform(data);
        for (let j = 0; j < features; j++) {
          const column = Array.from({ length: rows }, (_, i) => scaled.data[i * features + j]!);
          const raw = Array.from({ length: rows }, (_, i) => data.data[i * features + j]!);
          if (!varies(raw)) continue;
          const mean = column.reduce((s, v) => s + v, 0) / rows;
          expect(Math.abs(mean)).toBeLessThan(1e-6);
          const variance = column.reduce((s, v) => s + (v - mean) ** 2, 0) / rows;
          expect(variance).toBeCloseTo(1, 6);
        }
      }),
    );
  });

  it('should rebuild an identical scaler from JSON-saved params', () => {
    fc.assert(
      fc.property(dataArb, fc.boolean(), ({ data }, minMax) => {
        const scaler = minMax ? fitMinMaxScaler(data) : fitZScoreScaler(data);
        const restored = scalerFromParams(JSON.parse(JSON.stringify(scaler.params)));
        expect(Array.from(restored.transform(data).data)).toEqual(Array.from(scaler.transform(data).data));
      }),
    );
  });
});
