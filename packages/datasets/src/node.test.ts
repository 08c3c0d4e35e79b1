import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadScada, ScadaError } from './node.js';
import { syntheticScadaCsv } from './scada/synthetic.js';
import { naiveScada } from './scada/test-oracle.js';
import { turbineWindows } from './windows.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/la-haute-borne-sample.csv', import.meta.url));
const fixtureText = readFileSync(FIXTURE, 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'rnnkit-datasets-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('loadScada: the committed fixture', () => {
  it('should read the first turbine of the file, sorted across the offset change, as a naive reading does', async () => {
    const data = await loadScada(FIXTURE, { dtype: 'float64' });
    const oracle = naiveScada(fixtureText);
    expect(data.source).toBe(FIXTURE);
    expect(data.turbine).toBe(oracle.turbine);
    expect(data.turbines).toEqual(oracle.turbines);
    expect(data.turbines).toHaveLength(4);
    expect(Array.from(data.time)).toEqual(oracle.time);
    expect(Array.from(data.values.data)).toEqual(oracle.columns[0]);
    // The fixture crosses the switch to summer time: both offsets are present, instants stay 10 minutes apart or more.
    expect(fixtureText).toContain('+01:00');
    expect(fixtureText).toContain('+02:00');
    for (let i = 1; i < data.time.length; i++) expect(data.time[i]! - data.time[i - 1]!).toBeGreaterThanOrEqual(600_000);
    // …and it is not in time order, so sorting is needed.
    const fileOrder = naiveScada(fixtureText, {}).time;
    expect(fileOrder).toEqual([...fileOrder].sort((a, b) => a - b)); // the oracle sorts…
    const raw = fixtureText
      .trimEnd()
      .split('\n')
      .filter((line) => line.startsWith(`${data.turbine};`))
      .map((line) => Date.parse(line.split(';')[1]!));
    expect(raw.some((t, i) => i > 0 && t < raw[i - 1]!)).toBe(true); // …the turbine's rows in the file are not
  });

  it('should report the duplicated and missing rows the fixture holds', async () => {
    const data = await loadScada(FIXTURE, { variables: ['Wa_c_avg', 'Ws_avg', 'P_avg'] });
    const lines = fixtureText.trimEnd().split('\n').filter((line) => line.startsWith(`${data.turbine};`));
    const instants = new Set(lines.map((line) => line.split(';')[1]));
    expect(data.report.turbineRows).toBe(lines.length);
    expect(data.report.duplicatesDropped).toBe(lines.length - instants.size);
    expect(data.report.duplicatesDropped).toBeGreaterThan(0);
    expect(data.report.missingValues).toBeGreaterThan(0);
  });

  it('should give experiment 1 its 6 (x, y) pairs from the sine of the first 10 directions', async () => {
    const data = await loadScada(FIXTURE, { angles: { Wa_c_avg: 'sinOfRawDegrees' }, dtype: 'float64' });
    const degrees = naiveScada(fixtureText).columns[0]!.slice(0, 10);
    const { inputs, targets } = turbineWindows(data.values);
    expect(inputs.shape).toEqual([1, 6, 4]);
    expect(targets.shape).toEqual([1, 6, 1]);
    expect(inputs.get(0, 2, 3)).toBeCloseTo(Math.sin(degrees[5]!), 12);
    expect(targets.get(0, 5, 0)).toBeCloseTo(Math.sin(degrees[9]!), 12);
  });
});

describe('loadScada: inputs', () => {
  it('should read a file URL, a file stream (named by its path) and any Node readable', async () => {
    const expected = Array.from((await loadScada(FIXTURE)).values.data);
    expect(Array.from((await loadScada(new URL(`file://${FIXTURE}`))).values.data)).toEqual(expected);
    const fromFileStream = await loadScada(createReadStream(FIXTURE, { highWaterMark: 97 }));
    expect(fromFileStream.source).toBe(FIXTURE);
    expect(Array.from(fromFileStream.values.data)).toEqual(expected);
    const fromReadable = await loadScada(Readable.from([fixtureText.slice(0, 1000), fixtureText.slice(1000)]));
    expect(fromReadable.source).toBe('<stream>');
    expect(Array.from(fromReadable.values.data)).toEqual(expected);
  });

  it('should stream a generated 20,000-row export to the same result as a naive reading', async () => {
    const file = join(dir, 'large.csv');
    const text = [...syntheticScadaCsv({ rows: 20_000, seed: 42, missingRate: 0.05, duplicateRate: 0.01, lateRate: 0.05, lineEnding: '\r\n', bom: true })].join('');
    writeFileSync(file, text);
    const variables = ['Wa_c_avg', 'Ws_avg'];
    const data = await loadScada(file, { turbine: 'R80736', variables, dtype: 'float64' });
    const oracle = naiveScada(text, { turbine: 'R80736', variables });
    expect(data.report.rowsRead).toBe(20_000);
    expect(Array.from(data.time)).toEqual(oracle.time);
    const rows = oracle.time.length;
    expect(rows).toBeGreaterThan(4500);
    for (let j = 0; j < 2; j++) {
      expect(Array.from({ length: rows }, (_, i) => data.values.data[i * 2 + j])).toEqual(oracle.columns[j]);
    }
  });
});

describe('loadScada: errors name the file', () => {
  it('should name the file, line and column of a bad value', async () => {
    const file = join(dir, 'bad.csv');
    writeFileSync(file, 'Wind_turbine_name;Date_time;Wa_c_avg\r\nR1;2013-01-01T00:00:00+01:00;12\r\nR1;2013-01-01T00:10:00+01:00;1x2\r\n');
    const error = await loadScada(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScadaError);
    expect((error as Error).message).toBe(`loadScada: ${file}, line 3, column Wa_c_avg (field 3): cannot parse "1x2" as a number`);
  });

  it('should name the file and line of a malformed row early in a large file, through the Node parser', async () => {
    const file = join(dir, 'malformed.csv');
    const text = [...syntheticScadaCsv({ rows: 30_000, seed: 3 })].join('');
    const lines = text.split('\n');
    lines[2] = lines[2]!.split(';').slice(0, 5).join(';');
    writeFileSync(file, lines.join('\n'));
    await expect(loadScada(file)).rejects.toThrow(`loadScada: ${file}, line 3: the row has 5 fields, the header has 15`);
  });

  it('should name the file of an empty file and of a missing column', async () => {
    const empty = join(dir, 'empty.csv');
    writeFileSync(empty, '');
    await expect(loadScada(empty)).rejects.toThrow(`loadScada: ${empty}, line 1: the input is empty`);
    const noColumn = join(dir, 'no-column.csv');
    writeFileSync(noColumn, '\ufeffWind_turbine_name;Date_time\nR1;2013-01-01T00:00:00Z\n');
    await expect(loadScada(noColumn)).rejects.toThrow(
      `loadScada: ${noColumn}, line 1: missing column Wa_c_avg; columns found: Wind_turbine_name, Date_time`,
    );
  });

  it('should say when the file cannot be opened, and refuse what is not a path or stream', async () => {
    const missing = join(dir, 'nope.csv');
    await expect(loadScada(missing)).rejects.toThrow(new RegExp(`loadScada: ${missing}: could not read the input: ENOENT`));
    await expect(loadScada(42 as never)).rejects.toThrow(/loadScada: expected a file path, a file URL or a Node readable stream/);
  });
});

describe('loadScada: compressed files', () => {
  it('should read a gzip-compressed export as the same rows', async () => {
    const { gzipSync } = await import('node:zlib');
    const file = join(dir, 'sample.csv.gz');
    writeFileSync(file, gzipSync(fixtureText));
    const plain = await loadScada(FIXTURE, { dtype: 'float64' });
    const unzipped = await loadScada(file, { dtype: 'float64' });
    expect(Array.from(unzipped.values.data)).toEqual(Array.from(plain.values.data));
    expect(Array.from(unzipped.time)).toEqual(Array.from(plain.time));
    expect(unzipped.source).toBe(file);
  });

  it('should name line and column in a gzip-compressed file', async () => {
    const { gzipSync } = await import('node:zlib');
    const file = join(dir, 'bad.csv.gz');
    writeFileSync(file, gzipSync('Wind_turbine_name;Date_time;Wa_c_avg\nR1;2013-01-01T00:00:00+01:00;1e999\n'));
    await expect(loadScada(file)).rejects.toThrow(`loadScada: ${file}, line 2, column Wa_c_avg (field 3): "1e999" is beyond the range of numbers (±1.8e308)`);
  });

  it('should say when gzip data is truncated', async () => {
    const { gzipSync } = await import('node:zlib');
    const file = join(dir, 'truncated.csv.gz');
    const whole = gzipSync(fixtureText);
    writeFileSync(file, whole.subarray(0, whole.length >> 1));
    await expect(loadScada(file)).rejects.toThrow(
      new RegExp(`^loadScada: ${file}: the input is gzip-compressed but cannot be decompressed \\(unexpected end of file\\): is it truncated or corrupt\\?$`),
    );
  });

  it('should refuse other compressed files, saying what they are', async () => {
    const file = join(dir, 'sample.csv.xz');
    writeFileSync(file, Uint8Array.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]));
    await expect(loadScada(file)).rejects.toThrow(`loadScada: ${file}: the input is xz-compressed, not CSV text; decompress it first (unxz)`);
  });
});
