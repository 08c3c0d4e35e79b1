import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { CsvError } from './csv-error.js';
import type { TimeSeriesData, TimeSeriesOptions } from './options.js';
import { parseTimeSeries } from './parse-time-series.js';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 1); // 2024-03-01T00:00:00Z

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<CsvError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(CsvError);
    expect(error).toBeInstanceOf(RnnkitError);
    return error as CsvError;
  }
  throw new Error('expected a rejection');
}

/** Same as {@link failure}, for errors in the options (plain RnnkitError). */
async function optionFailure(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(RnnkitError);
    return (error as Error).message;
  }
  throw new Error('expected a rejection');
}

const values = (data: TimeSeriesData, s = 0): number[] => Array.from(data.series[s]!.values.data);
const times = (data: TimeSeriesData, s = 0): number[] => Array.from(data.series[s]!.times);
const f64: TimeSeriesOptions = { dtype: 'float64' };

describe('parseTimeSeries: format', () => {
  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', 'pipe'],
  ])('should detect %j (%s) as the delimiter from the header line', async (d) => {
    const text = ['time', 'a', 'b'].join(d) + '\n' + ['2024-03-01T00:00:00Z', '1.5', '2'].join(d) + '\n';
    const data = await parseTimeSeries(text, f64);
    expect(data.series[0]!.columns).toEqual(['a', 'b']);
    expect(values(data)).toEqual([1.5, 2]);
  });

  it('should count delimiters outside quotes only when detecting', async () => {
    // Two commas inside the quoted name, one semicolon outside: the delimiter is ";".
    const data = await parseTimeSeries('time;"speed, m/s, avg"\n2024-03-01 00:00;3\n', f64);
    expect(data.series[0]!.columns).toEqual(['speed, m/s, avg']);
  });

  it('should prefer the earlier of , ; tab | when counts tie', async () => {
    const data = await parseTimeSeries('time;x,b\n2024-03-01 00:00,2\n', { ...f64, time: 'time;x' });
    expect(data.series[0]!.columns).toEqual(['b']);
    expect(values(data)).toEqual([2]);
  });

  it('should read a header line with a quoted line break whole when detecting', async () => {
    const data = await parseTimeSeries('"time\n(UTC)";speed\n2024-03-01 00:00;3\n', f64);
    expect(data.series[0]!.columns).toEqual(['speed']);
    expect(values(data)).toEqual([3]);
  });

  it('should take an explicit delimiter as given', async () => {
    const error = await failure(parseTimeSeries('time;a\n2024-03-01 00:00;1\n', { delimiter: ',', columns: ['a'] }));
    expect(error.message).toBe(
      'parseTimeSeries: line 1: option "columns" names column "a", which is not in the header; columns found: time;a (one column only: is the delimiter "," right?)',
    );
  });

  it('should read quoted fields, with delimiters, quotes and line breaks inside', async () => {
    const text = 'time,note,v\n"2024-03-01 00:00","a, ""b""\nc",7\n2024-03-01 00:10,x,"8"\n';
    const data = await parseTimeSeries(text, { ...f64, columns: ['v'] });
    expect(values(data)).toEqual([7, 8]);
    expect(times(data)).toEqual([T0, T0 + 10 * MIN]);
  });

  it('should skip a byte-order mark and read CRLF line ends, from text and from bytes', async () => {
    const text = '\ufefftime,v\r\n2024-03-01 00:00,1\r\n2024-03-01 00:10,2\r\n';
    for (const input of [text, new TextEncoder().encode(text)]) {
      const data = await parseTimeSeries(input, f64);
      expect(data.series[0]!.columns).toEqual(['v']);
      expect(values(data)).toEqual([1, 2]);
    }
  });

  it('should read chunks of an iterable, split anywhere (even inside a character)', async () => {
    const bytes = new TextEncoder().encode('time,wärme\n2024-03-01 00:00,1\n2024-03-01 00:10,2\n');
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    async function* slowly() {
      for (const chunk of chunks) yield chunk;
    }
    for (const input of [chunks, slowly()]) {
      const data = await parseTimeSeries(input, f64);
      expect(data.series[0]!.columns).toEqual(['wärme']);
      expect(values(data)).toEqual([1, 2]);
    }
  });

  it('should skip blank lines before the header when detecting the delimiter', async () => {
    const data = await parseTimeSeries('\n\ntime;v\n2024-03-01 00:00;4\n', f64);
    expect(values(data)).toEqual([4]);
  });

  it('should keep the selected columns in the order asked, and read missing cells as NaN', async () => {
    const text = 'a,time,b,c\n1,2024-03-01 00:00,2,3\nNA,2024-03-01 00:10,,6\n';
    const data = await parseTimeSeries(text, { ...f64, time: 'time', columns: ['c', 'a'] });
    expect(data.series[0]!.columns).toEqual(['c', 'a']);
    expect(values(data)).toEqual([3, 1, 6, NaN]);
    expect(data.report.missing).toBe(1); // the empty b is not read
    expect(data.series[0]!.id).toBeUndefined();
  });

  it('should give float32 values by default', async () => {
    const data = await parseTimeSeries('time,v\n2024-03-01 00:00,0.1\n');
    expect(data.series[0]!.values.dtype).toBe('float32');
    expect(values(data)).toEqual([Math.fround(0.1)]);
  });
});

describe('parseTimeSeries: time', () => {
  it('should read offsets, Z, and times without an offset as UTC', async () => {
    const text = [
      'time,v',
      '2024-03-01T02:00:00+02:00,1', // 00:00Z
      '2024-03-01T00:10:00Z,2',
      '2024-03-01 00:20,3',
      '2024-03-01 00:30:30,4',
      '2024-03-01T00:40:00.250-01:30,5', // 02:10:00.250Z
      '2024-03-02,6',
    ].join('\n');
    const data = await parseTimeSeries(text, f64);
    expect(times(data)).toEqual([T0, T0 + 10 * MIN, T0 + 20 * MIN, T0 + 30.5 * MIN, T0 + 130 * MIN + 250, T0 + 1440 * MIN]);
  });

  it('should read times without an offset at timeZoneOffset, and leave those with one alone', async () => {
    const data = await parseTimeSeries('time,v\n2024-03-01 02:00,1\n2024-03-01T03:00:00Z,2\n', { ...f64, timeZoneOffset: 120 });
    expect(times(data)).toEqual([T0, T0 + 180 * MIN]);
  });

  it('should take the first column as the time by default, and another when asked', async () => {
    const data = await parseTimeSeries('v,stamp\n1,2024-03-01 00:10\n2,2024-03-01 00:00\n', { ...f64, time: 'stamp' });
    expect(times(data)).toEqual([T0, T0 + 10 * MIN]);
    expect(values(data)).toEqual([2, 1]);
    const error = await failure(parseTimeSeries('v,stamp\n1,2024-03-01 00:10\n'));
    expect(error.message).toBe('parseTimeSeries: line 2, column "v": expected a date-time such as 2024-03-01T12:00:00Z, 2024-03-01T14:00:00+02:00 or 2024-03-01 12:00, got "1"');
  });

  it('should refuse an impossible date or offset, naming line and column', async () => {
    for (const bad of ['2024-02-30 00:00', '2024-03-01 24:00', '2024-03-01T00:00+15:00', '01/03/2024 00:00']) {
      const error = await failure(parseTimeSeries(`time,v\n2024-03-01 00:00,1\n${bad},2\n`));
      expect(error.line).toBe(3);
      expect(error.column).toBe('time');
      expect(error.message).toContain(`got "${bad}"`);
    }
  });
});

describe('parseTimeSeries: order and duplicates', () => {
  const text = 'time,v\n2024-03-01 00:20,3\n2024-03-01 00:00,1\n2024-03-01 00:10,2\n';

  it('should sort rows by instant by default, and keep file order with sort: false', async () => {
    expect(values(await parseTimeSeries(text, f64))).toEqual([1, 2, 3]);
    const unsorted = await parseTimeSeries(text, { ...f64, sort: false });
    expect(values(unsorted)).toEqual([3, 1, 2]);
    expect(times(unsorted)).toEqual([T0 + 20 * MIN, T0, T0 + 10 * MIN]);
  });

  it('should sort instants written with different offsets by their UTC instant', async () => {
    // 00:50+01:00 is 23:50Z the day before: first, although its wall-clock text sorts last.
    const data = await parseTimeSeries('time,v\n2024-03-01T00:10:00Z,2\n2024-03-01T00:50:00+01:00,1\n', f64);
    expect(values(data)).toEqual([1, 2]);
    expect(times(data)).toEqual([T0 - 10 * MIN, T0 + 10 * MIN]);
  });

  const dup = 'time,a,b\n2024-03-01 00:10,5,\n2024-03-01 00:00,1,10\n2024-03-01 00:10,7,20\n2024-03-01 00:10,9,40\n';

  it('should refuse duplicate instants by default, naming both lines', async () => {
    const error = await failure(parseTimeSeries(dup));
    expect(error.message).toBe(
      'parseTimeSeries: line 4, column "time": the instant 2024-03-01T00:10:00.000Z is also on line 2; pass duplicates: "first", "last" or "mean" to merge them',
    );
    expect(error.line).toBe(4);
  });

  it.each([
    ['first', [1, 10, 5, NaN]],
    ['last', [1, 10, 9, 40]],
    ['mean', [1, 10, 7, 30]], // NaN is left out of the mean
  ] as const)('should keep the %s row of a duplicated instant', async (duplicates, expected) => {
    const data = await parseTimeSeries(dup, { ...f64, duplicates });
    expect(values(data)).toEqual(expected);
    expect(times(data)).toEqual([T0, T0 + 10 * MIN]);
    expect(data.report.duplicates).toBe(2);
  });

  it('should put a merged instant where it first appears with sort: false', async () => {
    const data = await parseTimeSeries(dup, { ...f64, duplicates: 'last', sort: false });
    expect(values(data)).toEqual([9, 40, 1, 10]);
  });
});

describe('parseTimeSeries: groupBy', () => {
  const text = 'turbine,time,v\nB,2024-03-01 00:10,2\nA,2024-03-01 00:10,20\nB,2024-03-01 00:00,1\nA,2024-03-01 00:00,10\n';

  it('should give one sorted series per id, in order of first appearance, without the id column', async () => {
    const data = await parseTimeSeries(text, { ...f64, time: 'time', groupBy: 'turbine' });
    expect(data.series.map((s) => s.id)).toEqual(['B', 'A']);
    expect(data.series[0]!.columns).toEqual(['v']);
    expect(values(data, 0)).toEqual([1, 2]);
    expect(values(data, 1)).toEqual([10, 20]);
    expect(times(data, 1)).toEqual([T0, T0 + 10 * MIN]);
    expect(data.report).toMatchObject({ rows: 4, series: 2, duplicates: 0 });
  });

  it('should judge duplicates within a series only, and name the series', async () => {
    const data = await parseTimeSeries(text, { time: 'time', groupBy: 'turbine' });
    expect(data.report.duplicates).toBe(0);
    const error = await failure(parseTimeSeries(text + 'A,2024-03-01 00:00,11\n', { time: 'time', groupBy: 'turbine' }));
    expect(error.message).toContain('line 6, column "time": the instant 2024-03-01T00:00:00.000Z is also on line 5 in series "A"');
  });

  it('should refuse an empty id', async () => {
    const error = await failure(parseTimeSeries(text + ' ,2024-03-01 00:20,3\n', { time: 'time', groupBy: 'turbine' }));
    expect(error.message).toBe('parseTimeSeries: line 6, column "turbine": expected a series id, got an empty cell');
  });
});

describe('parseTimeSeries: resampling and fill', () => {
  // 00:00 → 2, 00:10 missing value, 00:20 and 00:30 no rows, 00:40 → 10 (two rows in its bucket: 9 and 11).
  const text = 'time,v\n2024-03-01 00:00,2\n2024-03-01 00:10,\n2024-03-01 00:41,9\n2024-03-01 00:49:59,11\n';

  it('should put the mean of each step on a grid of multiples of the step, with NaN for gaps (fill: none)', async () => {
    const data = await parseTimeSeries(text, { ...f64, interval: '10min' });
    expect(times(data)).toEqual([0, 10, 20, 30, 40].map((m) => T0 + m * MIN));
    expect(values(data)).toEqual([2, NaN, NaN, NaN, 10]);
    expect(data.report).toMatchObject({ rows: 4, gaps: 2, missing: 1, filled: 0, skipped: 0 });
  });

  it('should carry the last value forward (fill: forward)', async () => {
    const data = await parseTimeSeries(text, { ...f64, interval: 600_000, fill: 'forward' });
    expect(values(data)).toEqual([2, 2, 2, 2, 10]);
    expect(data.report.filled).toBe(3);
  });

  it('should interpolate in time (fill: linear)', async () => {
    const data = await parseTimeSeries(text, { ...f64, interval: '10min', fill: 'linear' });
    expect(values(data)).toEqual([2, 4, 6, 8, 10]);
    expect(data.report.filled).toBe(3);
  });

  it('should leave out instants without a value (fill: drop)', async () => {
    const data = await parseTimeSeries(text, { ...f64, interval: '10min', fill: 'drop' });
    expect(times(data)).toEqual([T0, T0 + 40 * MIN]);
    expect(values(data)).toEqual([2, 10]);
    expect(data.report.skipped).toBe(3);
  });

  it('should align the grid to multiples of the step since the epoch, not to the first row', async () => {
    const data = await parseTimeSeries('time,v\n2024-03-01 00:07,1\n2024-03-01 01:59,2\n', { ...f64, interval: '1h' });
    expect(times(data)).toEqual([T0, T0 + 60 * MIN]);
    expect(values(data)).toEqual([1, 2]);
  });

  it('should fill missing cells without resampling too, interpolating by time', async () => {
    const data = await parseTimeSeries('time,v\n2024-03-01 00:00,0\n2024-03-01 00:10,\n2024-03-01 00:40,8\n', { ...f64, fill: 'linear' });
    expect(values(data)).toEqual([0, 2, 8]);
  });

  it('should leave values before the first one (and after the last, for linear) NaN', async () => {
    const t = 'time,v\n2024-03-01 00:00,\n2024-03-01 00:10,1\n2024-03-01 00:20,\n';
    expect(values(await parseTimeSeries(t, { ...f64, fill: 'forward' }))).toEqual([NaN, 1, 1]);
    expect(values(await parseTimeSeries(t, { ...f64, fill: 'linear' }))).toEqual([NaN, 1, NaN]);
  });

  it.each([
    ['1h', 3_600_000],
    ['30s', 30_000],
    ['500ms', 500],
    ['1.5min', 90_000],
    ['1d', 86_400_000],
  ])('should read the interval %j as %d ms', async (interval, ms) => {
    const data = await parseTimeSeries(`time,v\n2024-03-01 00:00,1\n${new Date(T0 + ms).toISOString()},2\n`, { interval });
    expect(times(data)).toEqual([T0, T0 + ms]);
  });

  it('should refuse a resampling grid longer than maxRows', async () => {
    const error = await failure(parseTimeSeries('time,v\n2024-03-01 00:00,1\n2024-03-02 00:00,2\n', { interval: '1s', maxRows: 1000 }));
    expect(error.message).toMatch(/^parseTimeSeries: resampling every 1,000 ms from .* gives 86,401 rows, more than maxRows \(1,000\)/);
  });

  it('should count the resampled rows of every series together against maxRows', async () => {
    const text = 'id,time,v\nA,2024-03-01 00:00,1\nA,2024-03-01 00:05,2\nB,2024-03-01 00:00,3\nB,2024-03-01 00:05,4\n';
    const options: TimeSeriesOptions = { time: 'time', groupBy: 'id', interval: '1min' };
    expect((await parseTimeSeries(text, { ...options, maxRows: 12 })).series.map((s) => s.times.length)).toEqual([6, 6]);
    const error = await failure(parseTimeSeries(text, { ...options, maxRows: 11 }));
    expect(error.message).toContain('resampling in series "B" every 60,000 ms');
    expect(error.message).toContain('gives 6 rows (with 6 rows of the series before), more than maxRows (11)');
  });
});

describe('parseTimeSeries: angles', () => {
  it('should replace an angle column by its sine and cosine, in place', async () => {
    const data = await parseTimeSeries('time,speed,dir,p\n2024-03-01 00:00,5,90,1\n2024-03-01 00:10,6,180,2\n', { ...f64, angles: ['dir'] });
    expect(data.series[0]!.columns).toEqual(['speed', 'dir_sin', 'dir_cos', 'p']);
    const v = values(data);
    expect(v[0]).toBe(5);
    expect(v[1]).toBeCloseTo(1, 12);
    expect(v[2]).toBeCloseTo(0, 12);
    expect(v[3]).toBe(1);
    expect(v[4]).toBe(6);
    expect(v[5]).toBeCloseTo(0, 12);
    expect(v[6]).toBeCloseTo(-1, 12);
    expect(v[7]).toBe(2);
  });

  it('should average angles as vectors when resampling (350° and 10° give 0°, not 180°)', async () => {
    const data = await parseTimeSeries('time,dir\n2024-03-01 00:00,350\n2024-03-01 00:05,10\n', { ...f64, angles: ['dir'], interval: '10min' });
    const [sin, cos] = values(data);
    expect(Math.atan2(sin!, cos!)).toBeCloseTo(0, 12);
    expect(cos).toBeGreaterThan(0);
  });

  it('should refuse an angle that is not read', async () => {
    const message = await optionFailure(parseTimeSeries('time,a,b\n2024-03-01 00:00,1,2\n', { columns: ['a'], angles: ['b'] }));
    expect(message).toBe('parseTimeSeries: option "angles" names "b", which is not one of the columns [a]');
    const error = await failure(parseTimeSeries('time,a\n2024-03-01 00:00,1\n', { angles: ['zz'] }));
    expect(error.message).toBe('parseTimeSeries: line 1: option "angles" names column "zz", which is not among the columns read: a');
  });
});

describe('parseTimeSeries: limits', () => {
  const rows = (n: number): string => 'time,v\n' + Array.from({ length: n }, (_, i) => `${new Date(T0 + i * MIN).toISOString()},${i}\n`).join('');

  it('should read exactly maxRows rows, and refuse one more at its line', async () => {
    expect((await parseTimeSeries(rows(5), { maxRows: 5 })).report.rows).toBe(5);
    const error = await failure(parseTimeSeries(rows(6), { maxRows: 5 }));
    expect(error.message).toBe('parseTimeSeries: line 7: more than 5 data rows (maxRows); pass a larger maxRows to read more, or select fewer rows upstream');
  });

  it('should stop reading a stream at the row beyond maxRows', async () => {
    let pulled = 0;
    function* endless() {
      yield 'time,v\n';
      for (let i = 0; ; i++) {
        pulled++;
        yield `${new Date(T0 + i * MIN).toISOString()},${i}\n`;
      }
    }
    await failure(parseTimeSeries(endless(), { maxRows: 100 }));
    expect(pulled).toBeLessThan(200);
  });
});

describe('parseTimeSeries: errors', () => {
  it('should name the line and column of a bad number', async () => {
    const text = 'time,speed\n' + Array.from({ length: 5 }, (_, i) => `2024-03-01 00:0${i},${i}\n`).join('') + '2024-03-01 00:09,abc\n';
    const error = await failure(parseTimeSeries(text));
    expect(error.message).toBe('parseTimeSeries: line 7, column "speed": expected a number, got "abc"');
    expect([error.line, error.column, error.source]).toEqual([7, 'speed', undefined]);
  });

  it('should refuse numbers beyond double and (by default) float32 range', async () => {
    expect((await failure(parseTimeSeries('time,v\n2024-03-01 00:00,1e999\n'))).message).toBe(
      'parseTimeSeries: line 2, column "v": expected a number within ±1.8e308, got "1e999"',
    );
    expect((await failure(parseTimeSeries('time,v\n2024-03-01 00:00,1e39\n'))).message).toContain('float32 range');
    expect(values(await parseTimeSeries('time,v\n2024-03-01 00:00,1e39\n', f64))).toEqual([1e39]);
  });

  it('should name a missing column and list the columns found', async () => {
    const error = await failure(parseTimeSeries('time,speed,power\n2024-03-01 00:00,1,2\n', { columns: ['speed', 'dir'] }));
    expect(error.message).toBe('parseTimeSeries: line 1: option "columns" names column "dir", which is not in the header; columns found: time, speed, power');
    const time = await failure(parseTimeSeries('t,v\n', { time: 'time' }));
    expect(time.message).toBe('parseTimeSeries: line 1: option "time" names column "time", which is not in the header; columns found: t, v');
  });

  it('should escape control characters and bidi overrides from the input in messages', async () => {
    const error = await failure(parseTimeSeries('time,v\n2024-03-01 00:00,\x1b]0;pwned\x07\u202e\n'));
    expect(error.message).toBe('parseTimeSeries: line 2, column "v": expected a number, got "\\x1b]0;pwned\\x07\\u202e"');
    const long = await failure(parseTimeSeries(`time,v\n2024-03-01 00:00,"${'"'.repeat(2)}${'x'.repeat(300)}"\n`));
    expect(long.message).toBe(`parseTimeSeries: line 2, column "v": expected a number, got "\\"${'x'.repeat(99)}"… (201 more characters)`);
    const header = await failure(parseTimeSeries('time,"a\x1b[2Jb"\n2024-03-01 00:00,1\n', { columns: ['x'] }));
    expect(header.message).toContain('columns found: time, a\\x1b[2Jb');
    expect([...header.message].filter((ch) => ch < ' ' || ch === '\u202e')).toEqual([]);
  });

  it('should report a row with the wrong number of fields, and an unclosed quote', async () => {
    expect((await failure(parseTimeSeries('time,v\n2024-03-01 00:00,1,2\n'))).message).toBe('parseTimeSeries: line 2: the row has 3 fields, the header has 2');
    const open = await failure(parseTimeSeries('time,v\n2024-03-01 00:00,"1\n'));
    expect(open.message).toMatch(/^parseTimeSeries: line \d+(, column "v")?: a quoted field is still open at the end of the input$/);
  });

  it('should refuse an empty input and a header without rows', async () => {
    expect((await failure(parseTimeSeries(''))).message).toBe('parseTimeSeries: line 1: the input is empty; expected a header line naming the columns');
    expect((await failure(parseTimeSeries('time,v\n'))).message).toBe('parseTimeSeries: line 2: the input has a header but no data rows');
  });

  it('should name compressed and binary input from its first bytes', async () => {
    const gzip = await failure(parseTimeSeries(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0])));
    expect(gzip.message).toBe('parseTimeSeries: the input is gzip-compressed, not CSV text; decompress it first (gunzip)');
    const utf16 = await failure(parseTimeSeries(new Uint8Array([0xff, 0xfe, 0x74, 0])));
    expect(utf16.message).toContain('UTF-16');
  });

  it('should refuse unknown options and bad option values, naming them', async () => {
    const t = 'time,v\n2024-03-01 00:00,1\n';
    expect(await optionFailure(parseTimeSeries(t, { colums: ['v'] } as TimeSeriesOptions))).toMatch(/^parseTimeSeries: unknown option "colums"; valid options are delimiter, columns, time/);
    expect(await optionFailure(parseTimeSeries(t, { interval: '10 minutes' }))).toMatch(/^parseTimeSeries: option "interval" must be a whole number of milliseconds/);
    expect(await optionFailure(parseTimeSeries(t, { duplicates: 'median' as 'first' }))).toBe(
      'parseTimeSeries: option "duplicates" must be one of "error", "first", "last", "mean", "keep", got "median"',
    );
    expect(await optionFailure(parseTimeSeries(t, { fill: 'backward' as 'none' }))).toContain('option "fill" must be one of');
    expect(await optionFailure(parseTimeSeries(t, { interval: '1h', sort: false }))).toContain('cannot be combined with sort: false');
    expect(await optionFailure(parseTimeSeries(t, { maxRows: 0 }))).toBe('parseTimeSeries: option "maxRows" must be an integer ≥ 1, got number 0');
    expect(await optionFailure(parseTimeSeries(t, { columns: ['time'], time: 'time' }))).toContain('which is the time column');
    expect((await failure(parseTimeSeries(t, { columns: ['time'] }))).message).toBe(
      'parseTimeSeries: line 1: option "columns" names column "time", which is the time column (the first one, by default); pass time: "…" to name another',
    );
    expect(await optionFailure(parseTimeSeries(42 as unknown as string))).toBe(
      'parseTimeSeries: expected CSV text, UTF-8 bytes (Uint8Array), a ReadableStream or an iterable of chunks, got number 42',
    );
  });
});
