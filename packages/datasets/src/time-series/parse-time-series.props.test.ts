import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTimeSeries } from './parse-time-series.js';

const MIN = 60_000;
const STEPS = [1000, 10 * MIN, 60 * MIN] as const;

/** A series on a grid of `step`: distinct grid instants (not in order) with 1–3 columns of finite values or gaps (NaN). */
const seriesArb = fc
  .record({
    step: fc.constantFrom(...STEPS),
    start: fc.integer({ min: -1e6, max: 1e6 }), // grid index of the first instant (before and after 1970)
    indices: fc.uniqueArray(fc.integer({ min: 0, max: 200 }), { minLength: 1, maxLength: 60 }),
    columns: fc.integer({ min: 1, max: 3 }),
    seed: fc.array(fc.option(fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true }), { nil: undefined }), { minLength: 180, maxLength: 180 }),
  })
  .map(({ step, start, indices, columns, seed }) => ({
    step,
    columns,
    times: indices.map((i) => (start + i) * step),
    // `+ 0` turns -0 into 0: CSV text writes both as "0".
    values: indices.map((_, r) => Array.from({ length: columns }, (_, c) => (seed[(r * columns + c) % seed.length] ?? NaN) + 0)),
  }));

interface Series {
  step: number;
  columns: number;
  times: number[];
  values: number[][];
}

/** Writes a series as CSV: ISO instants with a random offset each, shortest round-trip numbers, empty cells for NaN. */
function format(series: Series, offsets: number[], delimiter: string): string {
  const header = ['time', ...Array.from({ length: series.columns }, (_, c) => `v${c}`)].join(delimiter);
  const rows = series.times.map((t, r) => {
    const offset = offsets[r % offsets.length]!;
    const local = new Date(t + offset * MIN).toISOString().slice(0, 19); // wall time at the offset
    const sign = offset < 0 ? '-' : '+';
    const abs = Math.abs(offset);
    const zone = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
    return [`${local}${zone}`, ...series.values[r]!.map((v) => (Number.isNaN(v) ? '' : String(v)))].join(delimiter);
  });
  return `${header}\n${rows.join('\n')}\n`;
}

describe('parseTimeSeries (properties)', () => {
  it('should round-trip a formatted series: parse(format(series)) gives its instants and values, sorted', async () => {
    await fc.assert(
      fc.asyncProperty(seriesArb, fc.array(fc.integer({ min: -720, max: 840 }), { minLength: 1, maxLength: 4 }), fc.constantFrom(',', ';', '\t', '|'), async (series, offsets, delimiter) => {
        const data = await parseTimeSeries(format(series, offsets, delimiter), { dtype: 'float64' });
        const order = series.times.map((_, r) => r).sort((a, b) => series.times[a]! - series.times[b]!);
        expect(Array.from(data.series[0]!.times)).toEqual(order.map((r) => series.times[r]!));
        expect(Array.from(data.series[0]!.values.data)).toEqual(order.flatMap((r) => series.values[r]!));
      }),
      { numRuns: 60 },
    );
  });

  it('should leave a series already on the grid unchanged when resampling at its step (gaps aside, NaN)', async () => {
    await fc.assert(
      fc.asyncProperty(seriesArb, async (series) => {
        const csv = format(series, [0], ',');
        const plain = await parseTimeSeries(csv, { dtype: 'float64' });
        const resampled = await parseTimeSeries(csv, { dtype: 'float64', interval: series.step, fill: 'drop' });
        const plainDropped = await parseTimeSeries(csv, { dtype: 'float64', fill: 'drop' });
        // Every grid instant with a row keeps that row's values exactly; the rest are gaps.
        expect(Array.from(resampled.series[0]!.times)).toEqual(Array.from(plainDropped.series[0]!.times));
        expect(Array.from(resampled.series[0]!.values.data)).toEqual(Array.from(plainDropped.series[0]!.values.data));
        const none = await parseTimeSeries(csv, { dtype: 'float64', interval: series.step });
        const span = (plain.series[0]!.times.at(-1)! - plain.series[0]!.times[0]!) / series.step + 1;
        expect(none.series[0]!.times.length).toBe(span);
        expect(none.report.gaps).toBe(span - plain.series[0]!.times.length);
        // …and at the instants with a row, the row itself (missing values included).
        const k = series.columns;
        const at = Array.from(plain.series[0]!.times, (t) => (t - none.series[0]!.times[0]!) / series.step);
        const picked = at.flatMap((g) => Array.from(none.series[0]!.values.data.subarray(g * k, g * k + k)));
        expect(picked).toEqual(Array.from(plain.series[0]!.values.data));
      }),
      { numRuns: 60 },
    );
  });
});
