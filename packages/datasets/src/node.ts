// Public API of @rnnkit/datasets/node: the SCADA loader for a file path or a Node stream,
// parsed with csv-parse's Node build (Buffers straight from the file, no decoding step).
// Everything else of the package is browser-safe and lives in the main entry.
import { createReadStream } from 'node:fs';
import { type Readable, Readable as ReadableStream, pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { createGunzip } from 'node:zlib';
import { RnnkitError, describeValue } from '@rnnkit/tensor';
import { parse } from 'csv-parse';
import type { ScadaData, ScadaOptions } from './scada/options.js';
import { type CsvParserFactory, readScada } from './scada/reader.js';
import { ScadaError } from './scada/scada-error.js';
import { isGzip } from './scada/sniff.js';

export {
  type AngleTransform,
  type DuplicatePolicy,
  type FillPolicy,
  type ScadaLeadingPolicy,
  type TimeInput,
  type ScadaOptions,
  type ScadaReport,
  type ScadaData,
} from './scada/options.js';
export { ScadaError } from './scada/reader.js';
export { parseScada, type ScadaInput } from './scada/parse-scada.js';

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
  let stream: Readable;
  let source: string;
  if (typeof input === 'string' || input instanceof URL) {
    source = typeof input === 'string' ? input : fileURLToPath(input);
    stream = createReadStream(source, { highWaterMark: 1 << 16 });
  } else if (input !== null && typeof input === 'object' && typeof (input as Readable).pipe === 'function' && Symbol.asyncIterator in input) {
    stream = input;
    const path = (input as { path?: unknown }).path;
    source = typeof path === 'string' ? path : '<stream>';
  } else {
    throw new RnnkitError(api, `expected a file path, a file URL or a Node readable stream, got ${describeValue(input)}`);
  }
  try {
    const chunks = gunzipIfCompressed(stream as AsyncIterable<Uint8Array | string>, api, source);
    return await readScada(chunks, options, { api, source, createParser, decodeBytes: false });
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}

/** The chunks as they come, or decompressed when the first one starts like gzip. */
async function* gunzipIfCompressed(chunks: AsyncIterable<Uint8Array | string>, api: string, source: string): AsyncGenerator<Uint8Array | string> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done === true) return;
  async function* all(): AsyncGenerator<Uint8Array | string> {
    yield first.value;
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) yield next.value;
  }
  if (!isGzip(first.value)) {
    yield* all();
    return;
  }
  const gunzip = createGunzip();
  // pipeline (unlike pipe) passes a read error of the source on and destroys both on exit.
  pipeline(ReadableStream.from(all()), gunzip, () => undefined);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (error) {
    if (error instanceof RnnkitError) throw error;
    const why = (error as Error).message;
    throw new ScadaError(api, { source }, `the input is gzip-compressed but cannot be decompressed (${why}): is it truncated or corrupt?`, { cause: error });
  } finally {
    gunzip.destroy();
  }
}
