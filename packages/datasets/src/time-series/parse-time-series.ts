// Browser-safe entry of the general time-series loader: text, bytes, a web ReadableStream or
// any (async) iterable of chunks, parsed with csv-parse's browser build, loaded on first use.
import { chunksOf, type CsvInput } from '../csv/chunks.js';
import type { CsvParserFactory } from '../csv/stream.js';
import type { TimeSeriesData, TimeSeriesOptions } from './options.js';
import { readTimeSeries } from './reader.js';

/** Inputs of {@link parseTimeSeries}: CSV text, UTF-8 bytes, a web stream, or (async) iterable chunks of text or UTF-8 bytes. */
export type TimeSeriesInput = CsvInput;

/**
 * Reads time series from any CSV with a timestamp column: picks columns by name, parses
 * ISO 8601 timestamps (with or without an offset), sorts, merges duplicate instants, splits
 * by a series id, resamples on a regular grid, fills gaps and encodes angles, as the options
 * say (see {@link TimeSeriesOptions}).
 *
 * The input is streamed record by record; each row keeps its instant and the selected
 * columns as numbers, and more than `maxRows` rows is an error.
 *
 * @example
 * ```ts
 * const { series } = await parseTimeSeries('time,speed\n2024-03-01 00:00,5.5\n2024-03-01 00:10,6\n');
 * series[0]!.values.shape; // [2, 1]
 * ```
 * @throws {CsvError} for unreadable input, naming the line and the column
 */
export async function parseTimeSeries(input: TimeSeriesInput, options?: TimeSeriesOptions): Promise<TimeSeriesData> {
  const api = 'parseTimeSeries';
  const { chunks } = chunksOf(api, input, true);
  const { parse } = await import('csv-parse/browser/esm');
  const createParser = parse as unknown as CsvParserFactory;
  return readTimeSeries(chunks, options, { api, source: undefined, createParser, decodeBytes: true });
}
