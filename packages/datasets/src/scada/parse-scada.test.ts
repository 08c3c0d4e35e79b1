import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { ScadaOptions } from './options.js';
import { parseScada } from './parse-scada.js';
import { ScadaError } from './reader.js';

const HEADER = 'Wind_turbine_name;Date_time;Wa_c_avg;Ws_avg';
const csv = (rows: string[], eol = '\n'): string => [HEADER, ...rows].join(eol) + eol;

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(promise: Promise<unknown>): Promise<ScadaError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ScadaError);
    expect(error).toBeInstanceOf(RnnkitError);
    return error as ScadaError;
  }
  throw new Error('expected a rejection');
}

function webStream(chunks: (string | Uint8Array)[]): ReadableStream<string | Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

const values = (data: { values: { data: ArrayLike<number> } }): number[] => Array.from(data.values.data);

describe('parseScada: selection and order', () => {
  // 01:50+01:00 is 00:50Z; 03:00+02:00 (after the switch to summer time) is 01:00Z.
  const text = csv([
    'R80711;2013-03-31T01:50:00+01:00;10;5',
    'R80721;2013-03-31T01:50:00+01:00;20;6',
    'R80711;2013-03-31T03:00:00+02:00;30;7',
    'R80711;2013-03-31T01:40:00+01:00;40;8',
  ]);

  it('should take the first turbine of the file and Wa_c_avg by default, sorted by UTC instant', async () => {
    const data = await parseScada(text);
    expect(data.turbine).toBe('R80711');
    expect(data.turbines).toEqual(['R80711', 'R80721']);
    expect(data.columns).toEqual(['Wa_c_avg']);
    expect(data.values.shape).toEqual([3, 1]);
    expect(values(data)).toEqual([40, 10, 30]);
    expect(Array.from(data.time)).toEqual([
      Date.UTC(2013, 2, 31, 0, 40),
      Date.UTC(2013, 2, 31, 0, 50),
      Date.UTC(2013, 2, 31, 1, 0),
    ]);
    expect(data.source).toBe('<text>');
  });

  it('should keep file order when sort is false', async () => {
    expect(values(await parseScada(text, { sort: false }))).toEqual([10, 30, 40]);
  });

  it('should read the named turbine and variables in the order asked', async () => {
    const data = await parseScada(text, { turbine: 'R80721', variables: ['Ws_avg', 'Wa_c_avg'] });
    expect(data.columns).toEqual(['Ws_avg', 'Wa_c_avg']);
    expect(data.values.toArray()).toEqual([[6, 20]]);
  });

  it('should keep rows from start (inclusive) to end (exclusive)', async () => {
    const data = await parseScada(text, { start: '2013-03-31T00:50:00Z', end: new Date(Date.UTC(2013, 2, 31, 1, 0)) });
    expect(values(data)).toEqual([10]);
    const fromNumber = await parseScada(text, { start: Date.UTC(2013, 2, 31, 0, 50) });
    expect(values(fromNumber)).toEqual([10, 30]);
  });

  it('should count what it read', async () => {
    const data = await parseScada(text, { start: '2013-03-31T00:45:00Z' });
    expect(data.report).toEqual({
      rowsRead: 4,
      turbineRows: 3,
      rowsInRange: 2,
      duplicatesDropped: 0,
      missingValues: 0,
      valuesFilled: 0,
      leadingRowsDropped: 0,
    });
  });

  it('should return float64 values on request', async () => {
    expect((await parseScada(text, { dtype: 'float64' })).values.dtype).toBe('float64');
  });
});

describe('parseScada: missing values', () => {
  const text = csv([
    'R1;2013-01-01T00:00:00+01:00;;1',
    'R1;2013-01-01T00:10:00+01:00;NaN;',
    'R1;2013-01-01T00:20:00+01:00;30;3',
    'R1;2013-01-01T00:30:00+01:00;;',
    'R1;2013-01-01T00:40:00+01:00;50; 5 ',
  ]);
  const both: ScadaOptions = { variables: ['Wa_c_avg', 'Ws_avg'] };

  it('should forward-fill and drop the rows before every variable has had a value', async () => {
    const data = await parseScada(text, both);
    expect(data.values.toArray()).toEqual([[30, 3], [30, 3], [50, 5]]);
    expect(data.report.leadingRowsDropped).toBe(2);
    expect(data.report.missingValues).toBe(5);
    expect(data.report.valuesFilled).toBe(3); // Ws at 00:10, both at 00:30
    expect(data.time[0]).toBe(Date.parse('2013-01-01T00:20:00+01:00'));
  });

  it('should leave NaN before the first value with fillLeading "keep"', async () => {
    const data = await parseScada(text, { ...both, fillLeading: 'keep' });
    expect(data.values.toArray()).toEqual([[NaN, 1], [NaN, 1], [30, 3], [30, 3], [50, 5]]);
  });

  it('should copy the first value back with fillLeading "backward"', async () => {
    const data = await parseScada(text, { ...both, fillLeading: 'backward' });
    expect(data.values.toArray()).toEqual([[30, 1], [30, 1], [30, 3], [30, 3], [50, 5]]);
  });

  it('should leave every gap NaN with fill "none"', async () => {
    const data = await parseScada(text, { fill: 'none' });
    expect(values(data)).toEqual([NaN, NaN, 30, NaN, 50]);
  });

  it('should refuse to fill a column without any value', async () => {
    const error = await failure(parseScada(csv(['R1;2013-01-01T00:00:00Z;;1']), both));
    expect(error.message).toMatch(/parseScada: <text>, column Wa_c_avg: turbine R1 has no valid value in this column/);
    expect(error.column).toBe('Wa_c_avg');
  });
});

describe('parseScada: duplicate instants', () => {
  // The second and third rows are the same instant written with two offsets.
  const text = csv([
    'R1;2013-01-01T00:00:00Z;1;0',
    'R1;2013-01-01T01:10:00+01:00;2;0',
    'R1;2013-01-01T00:10:00+00:00;3;0',
    'R1;2013-01-01T00:20:00Z;4;0',
  ]);

  it('should keep the first in file order by default', async () => {
    const data = await parseScada(text);
    expect(values(data)).toEqual([1, 2, 4]);
    expect(data.report.duplicatesDropped).toBe(1);
  });

  it('should keep the last with "last", and all with "keep"', async () => {
    expect(values(await parseScada(text, { duplicates: 'last' }))).toEqual([1, 3, 4]);
    expect(values(await parseScada(text, { duplicates: 'keep' }))).toEqual([1, 2, 3, 4]);
    expect(values(await parseScada(text, { duplicates: 'last', sort: false }))).toEqual([1, 3, 4]);
  });

  it('should name both lines with "error"', async () => {
    const error = await failure(parseScada(text, { duplicates: 'error' }));
    expect(error.message).toMatch(/line 4, column Date_time: turbine R1 has two rows for 2013-01-01T00:10:00.000Z \(lines 3 and 4\)/);
    expect(error.line).toBe(4);
  });
});

describe('parseScada: angles', () => {
  const text = csv(['R1;2013-01-01T00:00:00Z;90;0', 'R1;2013-01-01T00:10:00Z;180;0']);

  it('should give sin and cos of degrees in radians, beside the raw value on request', async () => {
    const data = await parseScada(text, { angles: { Wa_c_avg: ['sin', 'cos', 'raw'] }, dtype: 'float64' });
    expect(data.columns).toEqual(['Wa_c_avg_sin', 'Wa_c_avg_cos', 'Wa_c_avg']);
    const [first, second] = data.values.toArray() as number[][];
    expect(first![0]).toBeCloseTo(1, 12);
    expect(first![1]).toBeCloseTo(0, 12);
    expect(first![2]).toBe(90);
    expect(second![0]).toBeCloseTo(0, 12);
    expect(second![1]).toBeCloseTo(-1, 12);
  });

  it('should reproduce experiment 1 quirk, the sine of the raw degree value, only when asked by name', async () => {
    const data = await parseScada(text, { angles: { Wa_c_avg: 'sinOfRawDegrees' }, dtype: 'float64' });
    expect(data.columns).toEqual(['Wa_c_avg_sinOfRawDegrees']);
    expect(values(data)).toEqual([Math.sin(90), Math.sin(180)]);
  });

  it('should refuse angles of a column that is not a variable, or unknown transforms', async () => {
    await expect(parseScada(text, { angles: { Ws_avg: ['sin'] } })).rejects.toThrow(
      /parseScada: option "angles" names Ws_avg, which is not one of the variables \[Wa_c_avg\]/,
    );
    await expect(parseScada(text, { angles: { Wa_c_avg: ['tan' as never] } })).rejects.toThrow(/option "angles.Wa_c_avg"/);
  });
});

describe('parseScada: real-world CSV details', () => {
  const rows = ['R1;2013-01-01T00:00:00+01:00;10;1', 'R1;2013-01-01T00:10:00+01:00;20;2'];

  it('should read a byte-order mark and CRLF line ends', async () => {
    const data = await parseScada('\ufeff' + csv(rows, '\r\n'));
    expect(values(data)).toEqual([10, 20]);
  });

  it('should read a byte-order mark arriving as bytes in a web stream split mid-character', async () => {
    const bytes = new TextEncoder().encode('\ufeff' + csv(['Rè;2013-01-01T00:00:00Z;10;1'], '\r\n'));
    const chunks = [bytes.subarray(0, 2), bytes.subarray(2, 60), bytes.subarray(60, 61), bytes.subarray(61)];
    const data = await parseScada(webStream(chunks));
    expect(data.turbine).toBe('Rè');
    expect(values(data)).toEqual([10]);
    expect(data.source).toBe('<stream>');
  });

  it('should read quoted fields, with the delimiter and quotes inside them', async () => {
    const text = [
      '"Wind_turbine_name";"Date_time";"Wa_c_avg";"Ws_avg"',
      '"R ""A"";1";"2013-01-01T00:00:00Z";"12.5";"1"',
      '"R ""A"";1";2013-01-01T00:10:00Z;"13";2',
    ].join('\r\n');
    const data = await parseScada(text);
    expect(data.turbine).toBe('R "A";1');
    expect(values(data)).toEqual([12.5, 13]);
  });

  it('should skip blank lines and accept a missing final line break', async () => {
    const text = `${HEADER}\n\n${rows[0]}\n\n${rows[1]}`;
    expect(values(await parseScada(text))).toEqual([10, 20]);
  });

  it('should read decimal commas on request', async () => {
    const text = csv(['R1;2013-01-01T00:00:00Z;12,5;1']);
    expect(values(await parseScada(text, { decimal: ',' }))).toEqual([12.5]);
  });

  it('should read text longer than one chunk and async iterables of chunks', async () => {
    const many = Array.from({ length: 3000 }, (_, i) => `R1;${new Date(Date.UTC(2013, 0, 1) + i * 600_000).toISOString()};${i};1`);
    const text = csv(many);
    expect(text.length).toBeGreaterThan(1 << 16);
    const data = await parseScada(text);
    expect(data.values.shape).toEqual([3000, 1]);
    expect(data.values.data[2999]).toBe(2999);
    async function* pieces() {
      for (let i = 0; i < text.length; i += 777) yield text.slice(i, i + 777);
    }
    expect(values(await parseScada(pieces()))).toEqual(values(data));
  });
});

describe('parseScada: errors name the input, line and column', () => {
  it('should refuse an empty input', async () => {
    for (const text of ['', '\ufeff', '\n\n', '\r\n']) {
      const error = await failure(parseScada(text));
      expect(error.message).toMatch(/^parseScada: <text>, line 1: the input is empty; expected a header line such as Wind_turbine_name;Date_time;Wa_c_avg$/);
    }
    await failure(parseScada(webStream([])));
  });

  it('should refuse a header without data rows', async () => {
    await expect(parseScada(HEADER + '\n')).rejects.toThrow(/parseScada: <text>, line 2: the input has a header but no data rows/);
  });

  it('should list the columns found when a required column is missing', async () => {
    const error = await failure(parseScada('Wind_turbine_name;Date_time;Ws_avg\nR1;2013-01-01T00:00:00Z;1\n', { source: 'farm.csv' }));
    expect(error.message).toBe(
      'parseScada: farm.csv, line 1: missing column Wa_c_avg; columns found: Wind_turbine_name, Date_time, Ws_avg',
    );
    expect(error.source).toBe('farm.csv');
    expect(error.line).toBe(1);
  });

  it('should refuse a header that names a required column twice', async () => {
    await expect(parseScada('Wind_turbine_name;Date_time;Wa_c_avg;Wa_c_avg\nR1;2013-01-01T00:00:00Z;1;2\n')).rejects.toThrow(
      /parseScada: <text>, line 1, column Wa_c_avg: the header has this column twice \(fields 3 and 4\)/,
    );
  });

  it('should hint at the delimiter when the header is one comma-separated field', async () => {
    await expect(parseScada('Wind_turbine_name,Date_time,Wa_c_avg\n')).rejects.toThrow(/is the delimiter ";" right\?/);
  });

  it('should name line and column of an unparseable number', async () => {
    const error = await failure(parseScada(csv(['R1;2013-01-01T00:00:00Z;1;1', 'R1;2013-01-01T00:10:00Z;north;1']), { source: 'a.csv' }));
    expect(error.message).toBe('parseScada: a.csv, line 3, column Wa_c_avg (field 3): cannot parse "north" as a number');
    expect([error.line, error.column]).toEqual([3, 'Wa_c_avg']);
    await expect(parseScada(csv(['R1;2013-01-01T00:00:00Z;12,5;1']))).rejects.toThrow(/pass decimal: ","/);
  });

  it('should name line and column of an unparseable date, including one without an offset', async () => {
    for (const date of ['2013-13-01T00:00:00+01:00', '2013-01-01T00:00:00', 'yesterday', '']) {
      const error = await failure(parseScada(csv([`R1;${date};1;1`])));
      expect(error.message).toContain(`<text>, line 2, column Date_time (field 2): cannot parse ${JSON.stringify(date)} as a date-time`);
    }
  });

  it('should list the turbines present when the one asked for is not', async () => {
    const text = csv(['R80711;2013-01-01T00:00:00Z;1;1', 'R80721;2013-01-01T00:00:00Z;1;1']);
    const error = await failure(parseScada(text, { turbine: 'R99999' }));
    expect(error.message).toBe('parseScada: <text>, column Wind_turbine_name: no rows for turbine "R99999"; turbines present: R80711, R80721');
  });

  it('should say when no row falls in the time range', async () => {
    await expect(parseScada(csv(['R1;2013-01-01T00:00:00Z;1;1']), { start: '2014-01-01T00:00:00Z' })).rejects.toThrow(
      /no rows of turbine R1 in the time range \[2014-01-01T00:00:00.000Z, Infinity\); its 1 rows run from 2013-01-01T00:00:00.000Z/,
    );
  });

  it('should name the line of a row with too few fields and of an unclosed quote', async () => {
    await expect(parseScada(csv(['R1;2013-01-01T00:00:00Z;1;1', 'R1;2013-01-01T00:10:00Z;1']))).rejects.toThrow(
      /parseScada: <text>, line 3: the row has 3 fields, the header has 4/,
    );
    await expect(parseScada(csv(['R1;2013-01-01T00:00:00Z;"1;1']))).rejects.toThrow(/line 2.*a quoted field is still open at the end of the input/);
  });

  it('should refuse unknown options and bad option values', async () => {
    await expect(parseScada(csv([]), { turbines: ['R1'] } as never)).rejects.toThrow(/parseScada: unknown option "turbines"/);
    await expect(parseScada(csv([]), { variables: [] })).rejects.toThrow(/option "variables"/);
    await expect(parseScada(csv([]), { start: '2013-01-01' })).rejects.toThrow(/option "start"/);
    await expect(parseScada(csv([]), { start: 10, end: 5 })).rejects.toThrow(/the time range is empty/);
    await expect(parseScada(csv([]), { fill: 'none', fillLeading: 'drop' })).rejects.toThrow(/fillLeading/);
    await expect(parseScada(csv([]), { duplicates: 'mean' as never })).rejects.toThrow(/option "duplicates"/);
    await expect(parseScada(42 as never)).rejects.toThrow(/parseScada: expected CSV text, a ReadableStream or an iterable of chunks/);
  });
});

describe('parseScada: untrusted input is quoted safely', () => {
  it('should escape terminal controls and bidi overrides from the header in messages', async () => {
    // OSC 2 (retitle the terminal), a clear screen, a right-to-left override, a C1 CSI.
    const error = await failure(parseScada('Wind_turbine_name;Date_time;\x1b]2:owned\x07\x1b[2J\u202eWs\x9b2J\nR1;2013-01-01T00:00:00Z;1\n'));
    expect(error.message).toBe(
      'parseScada: <text>, line 1: missing column Wa_c_avg; columns found: Wind_turbine_name, Date_time, \\x1b]2:owned\\x07\\x1b[2J\\u202eWs\\x9b2J',
    );
  });

  it('should escape controls in values, turbine names and dates', async () => {
    const number = await failure(parseScada(csv(['R1;2013-01-01T00:00:00Z;\x1b[2J;1'])));
    expect(number.message).toBe('parseScada: <text>, line 2, column Wa_c_avg (field 3): cannot parse "\\x1b[2J" as a number');
    const date = await failure(parseScada(csv(['R1;2013\x1bc;1;1'])));
    expect(date.message).toContain('cannot parse "2013\\x1bc" as a date-time');
    const turbine = await failure(parseScada(csv(['R\x1b[31m1;2013-01-01T00:00:00Z;1;1']), { turbine: 'R2' }));
    expect(turbine.message).toBe('parseScada: <text>, column Wind_turbine_name: no rows for turbine "R2"; turbines present: R\\x1b[31m1');
  });

  it('should cut a 10 MB header line with a count of what was left out', async () => {
    const header = 'W'.repeat(10_000_000);
    const error = await failure(parseScada(`${header}\nR1\n`));
    expect(error.message).toBe(
      `parseScada: <text>, line 1: missing columns Wind_turbine_name, Date_time, Wa_c_avg; columns found: ${'W'.repeat(100)}… (9,999,900 more characters)`,
    );
  });

  it('should list at most 40 names, then count the rest', async () => {
    const header = Array.from({ length: 1000 }, (_, i) => `c${i}`).join(';');
    const error = await failure(parseScada(`${header}\n`));
    expect(error.message).toMatch(/columns found: c0, c1, .*, c39 and 960 more$/);
  });

  it('should name a compressed file or an archive instead of reporting garbage columns', async () => {
    const cases: [number[], string][] = [
      [[0x1f, 0x8b, 0x08, 0x00, 0x00], 'the input is gzip-compressed, not CSV text; decompress it first (gunzip)'],
      [[0x50, 0x4b, 0x03, 0x04, 0x14], 'the input is a zip archive (or an .xlsx workbook), not CSV text; extract the CSV file from it first'],
      [[...'BZh91AY&SY'].map((c) => c.charCodeAt(0)), 'the input is bzip2-compressed, not CSV text; decompress it first (bunzip2)'],
      [[0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00], 'the input is xz-compressed, not CSV text; decompress it first (unxz)'],
      [[0x28, 0xb5, 0x2f, 0xfd, 0x24], 'the input is zstd-compressed, not CSV text; decompress it first (unzstd)'],
      [[0xff, 0xfe, 0x57, 0x00, 0x69, 0x00], 'the input is UTF-16 text, not CSV text; save it as UTF-8'],
    ];
    for (const [bytes, message] of cases) {
      const asBytes = await failure(parseScada(webStream([Uint8Array.from([...bytes, 0x0a, 0x41])]), { source: 'data.csv' }));
      expect(asBytes.message).toBe(`parseScada: data.csv: ${message}`);
      // The same file decoded as UTF-8 text before it reached the loader (fetch's text()).
      const asText = await failure(parseScada(new TextDecoder().decode(Uint8Array.from([...bytes, 0x0a, 0x41]))));
      expect(asText.message).toBe(`parseScada: <text>: ${message}`);
    }
  });

  it('should call a file with NUL bytes binary', async () => {
    const utf16WithoutMark = new Uint8Array(new Uint16Array([...HEADER].map((c) => c.charCodeAt(0))).buffer);
    await expect(parseScada(webStream([utf16WithoutMark]))).rejects.toThrow(
      'parseScada: <stream>: the input is binary data or UTF-16 text, not UTF-8 text (a NUL byte at offset 1), not CSV text; give a UTF-8 CSV export',
    );
  });

  it('should refuse numbers that overflow to Infinity, naming line and column', async () => {
    for (const cell of ['1e999', '-1e999', '1.8e308']) {
      const error = await failure(parseScada(csv(['R1;2013-01-01T00:00:00Z;1;1', `R1;2013-01-01T00:10:00Z;${cell};1`])));
      expect(error.message).toBe(`parseScada: <text>, line 3, column Wa_c_avg (field 3): "${cell}" is beyond the range of numbers (±1.8e308)`);
    }
    await expect(parseScada(csv(['R1;2013-01-01T00:00:00Z;1;1e999']), { variables: ['Wa_c_avg', 'Ws_avg'] })).rejects.toThrow(
      'line 2, column Ws_avg (field 4): "1e999" is beyond the range',
    );
  });

  it('should refuse values beyond float32 kept raw in a float32 result, and keep them in float64', async () => {
    const text = csv(['R1;2013-01-01T00:00:00Z;1e39;1']);
    await expect(parseScada(text)).rejects.toThrow(
      'parseScada: <text>, line 2, column Wa_c_avg (field 3): "1e39" is beyond the float32 range (±3.4e38); pass dtype: "float64"',
    );
    expect(values(await parseScada(text, { dtype: 'float64' }))).toEqual([1e39]);
    // Only the sine is kept: finite in float32.
    expect(values(await parseScada(text, { angles: { Wa_c_avg: 'sin' } }))[0]).toBe(Math.fround(Math.sin((1e39 * Math.PI) / 180)));
  });

  it('should read a timestamp of year 50 as year 50', async () => {
    const data = await parseScada(csv(['R1;0050-01-01T00:00:00+01:00;1;1']));
    expect(new Date(data.time[0]!).toISOString()).toBe('0049-12-31T23:00:00.000Z');
  });

  it('should refuse time bounds a Date cannot hold instead of failing to print them', async () => {
    await expect(parseScada(csv(['R1;2013-01-01T00:00:00Z;1;1']), { start: 1e300 })).rejects.toThrow(
      /^parseScada: option "start" must be a Date, epoch milliseconds \(within ±8\.64e15\)/,
    );
  });
});

describe('parseScada: lines without end', () => {
  it('should refuse a line longer than 16 MiB instead of buffering it all', async () => {
    const error = await failure(parseScada(`${HEADER}\nR1;${'x'.repeat(17 * 1024 * 1024)}`));
    expect(error.message).toBe(
      'parseScada: <text>, line 2: the line is longer than 16,777,216 bytes; SCADA rows are short: does the file have line breaks, is it CSV?',
    );
  });
});
