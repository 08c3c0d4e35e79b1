// Public API of @rnnkit/datasets/node: the CSV loaders for a file path or a Node stream,
// parsed with csv-parse's Node build (Buffers straight from the file, no decoding step).
// Everything else of the package is browser-safe and lives in the main entry.
import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import { gunzipIfCompressed, openNodeInput } from './csv/node-input.js';
import type { ScadaData, ScadaOptions } from './scada/options.js';
import { type CsvParserFactory, readScada } from './scada/reader.js';
import { ScadaError } from './scada/scada-error.js';
import { CsvError } from './time-series/csv-error.js';
import type { TimeSeriesData, TimeSeriesOptions } from './time-series/options.js';
import { readTimeSeries } from './time-series/reader.js';

// The parsers and types of the main entry that go with the loaders below.
export * from './csv-parsers.js';

const createParser = parse as unknown as CsvParserFactory;

/**
 * Reads one turbine's rows from a La Haute Borne SCADA export on disk (a path or `file:`
 * URL) or from a Node readable stream. The file is streamed: memory holds the selected
 * turbine's instants and the selected variables, not the file. A gzip-compressed file
 * (`export.csv.gz`, recognised by its first bytes) is decompressed as it streams; other
 * compressed files and archives are refused with an error saying so. Same options and
 * result as `parseScada`.
 *
 * @example
 * ```ts
 * import { loadScada } from '@rnnkit/datasets/node';
 * const data = await loadScada('la-haute-borne-data-2013-2016.csv', { angles: { Wa_c_avg: 'sinOfRawDegrees' } });
 * data.values.shape; // [rows, 1]
 * ```
 * @throws {ScadaError} for an unreadable input, naming the file, the line and the column
 */
export async function loadScada(input: string | URL | Readable, options?: ScadaOptions): Promise<ScadaData> {
  const api = 'loadScada';
  const { stream, source } = openNodeInput(api, input);
  try {
    const chunks = gunzipIfCompressed(stream as AsyncIterable<Uint8Array | string>, (why, cause) =>
      new ScadaError(api, { source }, `the input is gzip-compressed but cannot be decompressed (${why}): is it truncated or corrupt?`, { cause }),
    );
    return await readScada(chunks, options, { api, source, createParser, decodeBytes: false });
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}

/**
 * Reads time series from a CSV file on disk (a path or `file:` URL) or a Node readable
 * stream, streamed record by record. A gzip-compressed file (`data.csv.gz`, recognised by its
 * first bytes) is decompressed as it streams; other compressed files and archives are
 * refused with an error saying so. Same options and result as `parseTimeSeries`.
 *
 * @example
 * ```ts
 * import { loadTimeSeries } from '@rnnkit/datasets/node';
 * const { series } = await loadTimeSeries('weather.csv.gz', { time: 'date', columns: ['temp', 'wind_dir'], angles: ['wind_dir'], interval: '1h', fill: 'linear' });
 * series[0]!.columns; // ['temp', 'wind_dir_sin', 'wind_dir_cos']
 * ```
 * @throws {CsvError} for an unreadable input, naming the file, the line and the column
 */
export async function loadTimeSeries(input: string | URL | Readable, options?: TimeSeriesOptions): Promise<TimeSeriesData> {
  const api = 'loadTimeSeries';
  const { stream, source } = openNodeInput(api, input);
  const named = source === '<stream>' ? undefined : source;
  try {
    const chunks = gunzipIfCompressed(stream as AsyncIterable<Uint8Array | string>, (why, cause) =>
      new CsvError(api, { source: named }, `the input is gzip-compressed but cannot be decompressed (${why}): is it truncated or corrupt?`, { cause }),
    );
    return await readTimeSeries(chunks, options, { api, source: named, createParser, decodeBytes: false });
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}
