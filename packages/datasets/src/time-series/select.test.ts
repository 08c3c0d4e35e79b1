import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { CsvError } from './csv-error.js';
import type { TimeSeriesData, TimeSeriesOptions } from './options.js';
import { parseTimeSeries } from './parse-time-series.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 1); // 2024-03-01T00:00:00Z
const f64: TimeSeriesOptions = { dtype: 'float64' };
const values = (data: TimeSeriesData, s = 0): number[] => Array.from(data.series[s]!.values.data);
const times = (data: TimeSeriesData, s = 0): number[] => Array.from(data.series[s]!.times);

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RnnkitError);
    return error as Error;
  }
  throw new Error('expected a rejection');
}

describe('parseTimeSeries: one series of many (only)', () => {
  const text = 'id,time,v\nB,2024-03-01 00:10,2\nA,2024-03-01 00:10,20\nB,2024-03-01 00:00,1\nC,2024-03-01 00:00,30\n';

  it('should read only the series named, and list every id of the input', async () => {
    const data = await parseTimeSeries(text, { ...f64, time: 'time', groupBy: 'id', only: 'A' });
    expect(data.series.map((s) => s.id)).toEqual(['A']);
    expect(values(data)).toEqual([20]);
    expect(data.ids).toEqual(['B', 'A', 'C']);
    expect(data.report).toMatchObject({ rows: 4, series: 1 });
  });

  it('should read the series of the first data row with { first: true }', async () => {
    const data = await parseTimeSeries(text, { ...f64, time: 'time', groupBy: 'id', only: { first: true } });
    expect(data.series.map((s) => s.id)).toEqual(['B']);
    expect(values(data)).toEqual([1, 2]);
  });

  it('should read past the rows of other series without parsing them', async () => {
    const bad = 'id,time,v\nA,2024-03-01 00:00,1\nB,not a time,north\nA,2024-03-01 00:10,2\n';
    expect(values(await parseTimeSeries(bad, { ...f64, time: 'time', groupBy: 'id', only: 'A' }))).toEqual([1, 2]);
    await expect(parseTimeSeries(bad, { time: 'time', groupBy: 'id' })).rejects.toThrow(/line 3, column "time"/);
  });

  it('should list the ids present when the one named has no rows', async () => {
    const error = await failure(parseTimeSeries(text, { time: 'time', groupBy: 'id', only: 'Z' }));
    expect(error).toBeInstanceOf(CsvError);
    expect(error.message).toBe('parseTimeSeries: column "id": option "only" names series "Z", which has no rows; series present: B, A, C');
  });

  it('should refuse only without groupBy, and values that are not an id or { first: true }', async () => {
    expect((await failure(parseTimeSeries(text, { only: 'A' }))).message).toBe(
      'parseTimeSeries: option "only" picks a series of the groupBy column; pass groupBy too',
    );
    expect((await failure(parseTimeSeries(text, { time: 'time', groupBy: 'id', only: { first: false } as never }))).message).toMatch(
      /^parseTimeSeries: option "only" must be a series id or \{ first: true \}, got/,
    );
  });
});

describe('parseTimeSeries: time range (start, end)', () => {
  const text = 'time,v\n2024-03-01 00:00,0\n2024-03-01 00:10,1\n2024-03-01 00:20,2\n2024-03-01 00:30,3\n';

  it('should keep rows from start (inclusive) to end (exclusive), given as ISO text, Date or epoch ms', async () => {
    const data = await parseTimeSeries(text, { ...f64, start: '2024-03-01T00:10:00Z', end: new Date(T0 + 30 * MIN) });
    expect(values(data)).toEqual([1, 2]);
    expect(times(data)).toEqual([T0 + 10 * MIN, T0 + 20 * MIN]);
    expect(values(await parseTimeSeries(text, { ...f64, start: T0 + 25 * MIN }))).toEqual([3]);
  });

  it('should say where the rows are when none is in the range', async () => {
    const error = await failure(parseTimeSeries(text, { start: '2025-01-01T00:00:00Z' }));
    expect(error.message).toBe(
      'parseTimeSeries: column "time": no rows in the time range [2025-01-01T00:00:00.000Z, Infinity); the 4 rows read run from 2024-03-01T00:00:00.000Z to 2024-03-01T00:30:00.000Z',
    );
  });

  it('should refuse an empty range and bounds that are not instants', async () => {
    expect((await failure(parseTimeSeries(text, { start: 10, end: 5 }))).message).toMatch(/^parseTimeSeries: the time range is empty/);
    expect((await failure(parseTimeSeries(text, { end: '2024-03-01' }))).message).toMatch(/^parseTimeSeries: option "end" must be a Date, epoch milliseconds/);
  });
});

describe('parseTimeSeries: formats of exports (requireOffset, decimal)', () => {
  it('should refuse a timestamp without an offset with requireOffset, and read those with one', async () => {
    const ok = await parseTimeSeries('time;v\n2013-01-01T00:00:00+01:00;1\n', { ...f64, requireOffset: true });
    expect(times(ok)).toEqual([Date.UTC(2012, 11, 31, 23)]);
    for (const time of ['2013-01-01 00:00', '2013-01-01']) {
      const error = await failure(parseTimeSeries(`time;v\n${time};1\n`, { requireOffset: true }));
      expect(error.message).toBe(
        `parseTimeSeries: line 2, column "time": expected a date-time with a UTC offset such as 2024-03-01T12:00:00Z or 2024-03-01T14:00:00+02:00 (requireOffset), got "${time}"`,
      );
    }
    expect((await failure(parseTimeSeries('time;v\n', { requireOffset: true, timeZoneOffset: 60 }))).message).toMatch(/option "timeZoneOffset"/);
  });

  it('should read decimal commas on request, and hint at them otherwise', async () => {
    const text = 'time;v\n2024-03-01 00:00;12,5\n2024-03-01 00:10;-0,25\n';
    expect(values(await parseTimeSeries(text, { ...f64, decimal: ',' }))).toEqual([12.5, -0.25]);
    expect((await failure(parseTimeSeries(text))).message).toBe(
      'parseTimeSeries: line 2, column "v": expected a number, got "12,5" (the decimal separator is "."; pass decimal: ",")',
    );
    expect((await failure(parseTimeSeries(text, { delimiter: ',', decimal: ',' }))).message).toBe(
      'parseTimeSeries: the decimal separator and the delimiter are both ","',
    );
  });
});

describe('parseTimeSeries: duplicates "keep"', () => {
  const dup = 'time,v\n2024-03-01 00:10,5\n2024-03-01 00:00,1\n2024-03-01 00:10,7\n';

  it('should keep every row of a repeated instant, in file order among themselves', async () => {
    const data = await parseTimeSeries(dup, { ...f64, duplicates: 'keep' });
    expect(values(data)).toEqual([1, 5, 7]);
    expect(times(data)).toEqual([T0, T0 + 10 * MIN, T0 + 10 * MIN]);
    expect(data.report.duplicates).toBe(0);
    expect(values(await parseTimeSeries(dup, { ...f64, duplicates: 'keep', sort: false }))).toEqual([5, 1, 7]);
  });
});
