// Public API of @rnnkit/datasets/node: the SCADA loader for a file path or a Node stream,
// parsed with csv-parse's Node build (Buffers straight from the file, no decoding step).
// Everything else of the package is browser-safe and lives in the main entry.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { RnnkitError } from '@rnnkit/tensor';
import { parse } from 'csv-parse';
import { describe } from './options.js';
import type { ScadaData, ScadaOptions } from './scada/options.js';
import { type CsvParserFactory, readScada } from './scada/reader.js';

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
 * turbine's instants and the selected variables, not the file. Same options and result as
 * `parseScada`.
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
    throw new RnnkitError(api, `expected a file path, a file URL or a Node readable stream, got ${describe(input)}`);
  }
  try {
    return await readScada(stream as AsyncIterable<Uint8Array | string>, options, { api, source, createParser, decodeBytes: false });
  } finally {
    if (!stream.destroyed) stream.destroy();
  }
}
