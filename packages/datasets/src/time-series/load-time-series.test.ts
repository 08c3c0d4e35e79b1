import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { CsvError, loadTimeSeries } from '../node.js';

const dir = mkdtempSync(join(tmpdir(), 'rnnkit-time-series-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2024, 2, 1);
const text = 'sensor;time;temp\nS2;2024-03-01 00:10;2.5\nS1;2024-03-01 00:00;1\nS2;2024-03-01 00:00;2\n';

describe('loadTimeSeries', () => {
  it('should read a file by path and by file URL', async () => {
    const path = join(dir, 'plain.csv');
    writeFileSync(path, text);
    for (const input of [path, pathToFileURL(path)]) {
      const data = await loadTimeSeries(input, { time: 'time', groupBy: 'sensor', dtype: 'float64' });
      expect(data.series.map((s) => s.id)).toEqual(['S2', 'S1']);
      expect(Array.from(data.series[0]!.values.data)).toEqual([2, 2.5]);
      expect(Array.from(data.series[0]!.times)).toEqual([T0, T0 + 600_000]);
    }
  });

  it('should decompress a gzip file, recognised by its first bytes whatever its name', async () => {
    const path = join(dir, 'compressed.csv.gz');
    const named = join(dir, 'no-extension');
    const gz = gzipSync(Buffer.from(text));
    writeFileSync(path, gz);
    writeFileSync(named, gz);
    for (const input of [path, named]) {
      const data = await loadTimeSeries(input, { time: 'time', groupBy: 'sensor', dtype: 'float64' });
      expect(Array.from(data.series[1]!.values.data)).toEqual([1]);
      expect(data.report.rows).toBe(3);
    }
  });

  it('should read a Node readable', async () => {
    const data = await loadTimeSeries(Readable.from([Buffer.from(text.slice(0, 20)), Buffer.from(text.slice(20))]), { time: 'time', columns: ['temp'], duplicates: 'mean' });
    expect(data.series).toHaveLength(1);
    expect(data.report.duplicates).toBe(1);
  });

  it('should name the file, the line and the column in errors', async () => {
    const path = join(dir, 'bad.csv.gz');
    writeFileSync(path, gzipSync(Buffer.from('time,speed\n2024-03-01 00:00,1\n2024-03-01 00:10,fast\n')));
    const error = (await loadTimeSeries(path).catch((e: unknown) => e)) as CsvError;
    expect(error).toBeInstanceOf(CsvError);
    expect(error.message).toBe(`loadTimeSeries: ${path}, line 3, column "speed": expected a number, got "fast"`);
    expect(error.source).toBe(path);
  });

  it('should refuse a truncated gzip file', async () => {
    const path = join(dir, 'truncated.csv.gz');
    const rows = Array.from({ length: 2000 }, (_, i) => `${new Date(T0 + i * 60_000).toISOString()},${i}\n`);
    const gz = gzipSync(Buffer.from(`time,v\n${rows.join('')}`));
    writeFileSync(path, gz.subarray(0, gz.length - 12));
    await expect(loadTimeSeries(path)).rejects.toThrow(/gzip-compressed but cannot be decompressed/);
  });

  it('should refuse what is not a path, URL or readable', async () => {
    await expect(loadTimeSeries(42 as unknown as string)).rejects.toThrow('loadTimeSeries: expected a file path, a file URL or a Node readable stream, got number 42');
  });
});
