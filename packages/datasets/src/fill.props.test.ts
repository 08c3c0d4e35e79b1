import { fromTypedArray } from '@rnnkit/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { forwardFill } from './fill.js';

const holeyArb = fc
  .record({ rows: fc.integer({ min: 0, max: 30 }), features: fc.integer({ min: 1, max: 3 }) })
  .chain(({ rows, features }) =>
    fc
      .array(fc.option(fc.double({ min: -1e3, max: 1e3, noNaN: true }), { freq: 3 }), { minLength: rows * features, maxLength: rows * features })
      .map((cells) => ({ rows, features, values: Float64Array.from(cells, (c) => (c === null ? NaN : c)) })),
  );

describe('forwardFill (properties)', () => {
  it('should leave no missing value past the first valid one of each feature', () => {
    fc.assert(
      fc.property(holeyArb, ({ rows, features, values }) => {
        const filled = forwardFill(fromTypedArray(values, [rows, features]));
        for (let j = 0; j < features; j++) {
          let seenValid = false;
          for (let i = 0; i < rows; i++) {
            const original = values[i * features + j]!;
            if (!Number.isNaN(original)) seenValid = true;
            expect(Number.isNaN(filled.data[i * features + j]!)).toBe(!seenValid);
          }
        }
      }),
    );
  });

  it('should fill each gap with the last valid value before it and keep valid values', () => {
    fc.assert(
      fc.property(holeyArb, ({ rows, features, values }) => {
        const filled = forwardFill(fromTypedArray(values, [rows, features]));
        for (let j = 0; j < features; j++) {
          let last = NaN;
          for (let i = 0; i < rows; i++) {
            const v = values[i * features + j]!;
            if (!Number.isNaN(v)) last = v;
            expect(Object.is(filled.data[i * features + j], last)).toBe(true);
          }
        }
      }),
    );
  });

  it('should leave no missing value at all with leading "backward" when a feature has any valid value', () => {
    fc.assert(
      fc.property(holeyArb, ({ rows, features, values }) => {
        const filled = forwardFill(fromTypedArray(values, [rows, features]), { leading: 'backward' });
        for (let j = 0; j < features; j++) {
          const column = Array.from({ length: rows }, (_, i) => values[i * features + j]!);
          const anyValid = column.some((v) => !Number.isNaN(v));
          const after = Array.from({ length: rows }, (_, i) => filled.data[i * features + j]!);
          expect(after.some((v) => Number.isNaN(v))).toBe(!anyValid && rows > 0);
        }
      }),
    );
  });
});
