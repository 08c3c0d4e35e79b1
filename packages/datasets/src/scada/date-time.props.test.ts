import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDateTime, parseDateTime } from './date-time.js';

describe('date-time (properties)', () => {
  it('should read back the instant of any local time written with any offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2100, 0, 1) / 1000 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (seconds, offset) => {
          const instant = seconds * 1000;
          const text = formatDateTime(instant, offset);
          expect(parseDateTime(text)).toBe(instant);
          expect(Date.parse(text)).toBe(instant); // the engine agrees
        },
      ),
    );
  });
});
