// Browser-safe entry of the SCADA loader: text, a web ReadableStream or any (async) iterable
// of chunks, parsed with csv-parse's browser build. The parser is loaded on first use, so
// importing the generators of this package does not pull a CSV parser in.
import { chunksOf } from '../csv/chunks.js';
import type { ScadaData, ScadaOptions } from './options.js';
import { type CsvParserFactory, readScada } from './reader.js';

/** Inputs of {@link parseScada}: CSV text, a web stream, or (async) iterable chunks of text or UTF-8 bytes. */
export type ScadaInput =
  | string
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

/**
 * Reads one turbine's rows from a La Haute Borne SCADA export (`;`-separated CSV with
 * `Wind_turbine_name`, `Date_time` and `*_avg/_min/_max/_std` columns).
 *
 * Streams are parsed as they arrive: memory holds the selected turbine's instants and the
 * selected variables only. Rows are then sorted by UTC instant, deduplicated, forward-filled
 * and transformed as the options say (see {@link ScadaOptions}).
 *
 * @example
 * ```ts
 * const response = await fetch('la-haute-borne-data-2013-2016.csv');
 * const data = await parseScada(response.body!, { angles: { Wa_c_avg: ['sin', 'cos'] } });
 * data.columns; // ['Wa_c_avg_sin', 'Wa_c_avg_cos']
 * ```
 * @throws {ScadaError} for unreadable input, naming the input, the line and the column
 */
export async function parseScada(input: ScadaInput, options?: ScadaOptions): Promise<ScadaData> {
  const api = 'parseScada';
  const { chunks, source } = chunksOf(api, input);
  const { parse } = await import('csv-parse/browser/esm');
  const createParser = parse as unknown as CsvParserFactory;
  return readScada(chunks, options, { api, source, createParser, decodeBytes: true });
}
