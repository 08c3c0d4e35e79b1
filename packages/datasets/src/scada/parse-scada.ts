// Browser-safe entry of the SCADA loader: text, a web ReadableStream or any (async) iterable
// of chunks, parsed with csv-parse's browser build. The parser is loaded on first use, so
// importing the generators of this package does not pull a CSV parser in.
import { RnnkitError, describeValue } from '@rnnkit/tensor';
import type { ScadaData, ScadaOptions } from './options.js';
import { type ChunkSource, type CsvParserFactory, readScada } from './reader.js';

/** Inputs of {@link parseScada}: CSV text, a web stream, or (async) iterable chunks of text or UTF-8 bytes. */
export type ScadaInput =
  | string
  | ReadableStream<Uint8Array | string>
  | AsyncIterable<Uint8Array | string>
  | Iterable<Uint8Array | string>;

const CHUNK = 1 << 16; // characters per write when the input is one string

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

function chunksOf(api: string, input: ScadaInput): { chunks: ChunkSource; source: string } {
  if (typeof input === 'string') return { chunks: textChunks(input), source: '<text>' };
  if (input !== null && typeof input === 'object') {
    if (typeof (input as ReadableStream).getReader === 'function') {
      return { chunks: streamChunks(input as ReadableStream<Uint8Array | string>), source: '<stream>' };
    }
    if (Symbol.asyncIterator in input || Symbol.iterator in input) {
      return { chunks: input as ChunkSource, source: '<stream>' };
    }
  }
  throw new RnnkitError(api, `expected CSV text, a ReadableStream or an iterable of chunks, got ${describeValue(input)}`);
}

/** Slices of a string, never splitting a surrogate pair. */
function* textChunks(text: string): Generator<string> {
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + CHUNK, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    yield text.slice(start, end);
    start = end;
  }
}

/** A web stream's chunks; releases (and on early exit cancels) the stream. */
async function* streamChunks(stream: ReadableStream<Uint8Array | string>): AsyncGenerator<Uint8Array | string> {
  const reader = stream.getReader();
  let done = false;
  try {
    while (true) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      yield next.value;
    }
  } finally {
    if (!done) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
