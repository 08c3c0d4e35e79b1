// The streaming engine of the CSV loaders, shared by the browser-safe and the Node entries.
// Each entry passes a factory for csv-parse's streaming parser (the browser build or the Node
// build); records arrive one at a time through `on_record` and are consumed there, so memory
// grows with what a loader keeps, not with the file.
import { allocate, formatCount, printable } from '@rnnkit/tensor';

/** Options the engine passes to csv-parse (a subset of csv-parse's own `Options`). */
export interface CsvParserOptions {
  delimiter: string;
  bom: boolean;
  skip_empty_lines: boolean;
  relax_column_count: boolean;
  /** Longest line (record) csv-parse buffers before it fails, in bytes. */
  max_record_size: number;
  /** Stream option: so large that a write never reports backpressure (see `drive`). */
  highWaterMark: number;
  on_record: (record: string[], info: { lines: number }) => null;
}

/** The part of csv-parse's stream parser (Node's or the browser build's) the engine uses. */
export interface CsvStreamParser {
  write(chunk: string | Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  resume(): unknown;
  on(event: 'error', listener: (error: unknown) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  once(event: 'drain', listener: () => void): unknown;
}

export type CsvParserFactory = (options: CsvParserOptions) => CsvStreamParser;

/** Chunks of CSV text or UTF-8 bytes. */
export type ChunkSource = AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>;

/**
 * Longest line read: rows of a time series are a few hundred bytes, so a line beyond this is
 * a file without line breaks (or not CSV), refused before it fills memory.
 */
export const MAX_LINE_BYTES = 16 * 1024 * 1024;

/** A Float64Array that doubles when full (through `allocate`, so it obeys the allocation limit). */
export class Column {
  data: Float64Array<ArrayBufferLike>;
  length = 0;
  /** @param capacity values held before the first doubling */
  constructor(
    private readonly api: string,
    capacity = 1024,
  ) {
    this.data = new Float64Array(capacity);
  }
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = allocate('float64', this.data.length * 2, undefined, this.api) as Float64Array;
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
}

/** The first failure of a parse, from a record handler or from the parser. */
export interface Failure {
  error?: { reason: unknown };
}

/** The csv-parse options every loader uses; records go to `onRecord`. */
export function parserOptions(delimiter: string, failure: Failure, onRecord: (record: string[], line: number) => void): CsvParserOptions {
  return {
    delimiter,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false,
    max_record_size: MAX_LINE_BYTES,
    highWaterMark: 2 ** 30,
    on_record: (record, info) => {
      try {
        onRecord(record, info.lines);
      } catch (error) {
        failure.error ??= { reason: error };
        throw error; // csv-parse stops and reports it too
      }
      return null; // consumed here: nothing is buffered in the stream
    },
  };
}

/**
 * Writes every chunk into the parser, then ends it.
 *
 * Records are consumed synchronously in `on_record` and nothing is pushed downstream, so a
 * write parses its chunk before it returns; the huge high-water mark keeps the stream from
 * asking us to wait for 'drain' — which the browser build signals through a setTimeout, a
 * few milliseconds per chunk. Memory stays bounded because the next chunk is only pulled
 * from the source after the previous one is parsed.
 * @returns false when there was nothing to write
 */
export async function drive(
  parser: CsvStreamParser,
  chunks: ChunkSource,
  decodeBytes: boolean,
  failure: Failure,
  checkHead: (head: string | Uint8Array) => void,
): Promise<boolean> {
  const fail = (reason: unknown): void => {
    failure.error ??= { reason };
  };
  const finished = new Promise<void>((resolve, reject) => {
    parser.on('error', (error) => {
      fail(error);
      reject(error);
    });
    parser.on('end', () => resolve());
  });
  finished.catch(() => undefined); // observed below; never an unhandled rejection
  parser.resume(); // flowing mode, so that 'end' fires
  const decoder = decodeBytes ? new TextDecoder('utf-8') : undefined;
  let wrote = false;
  const write = async (chunk: string | Uint8Array): Promise<void> => {
    wrote = true;
    const ready = parser.write(chunk, (error) => {
      if (error) fail(error);
    });
    if (!ready && failure.error === undefined) {
      await Promise.race([new Promise<void>((resolve) => parser.once('drain', resolve)), finished]);
    }
  };
  for await (const raw of chunks) {
    if (typeof raw !== 'string' && !(raw instanceof Uint8Array)) {
      throw new TypeError(`expected chunks of text or bytes (Uint8Array), got ${typeof raw}`);
    }
    if (!wrote && raw.length > 0) checkHead(raw); // before any of it is parsed as CSV
    const chunk = decoder !== undefined && typeof raw !== 'string' ? decoder.decode(raw, { stream: true }) : raw;
    if (chunk.length > 0) await write(chunk);
    if (failure.error !== undefined) break;
  }
  const rest = decoder?.decode() ?? '';
  if (failure.error === undefined && rest.length > 0) await write(rest);
  if (failure.error !== undefined) throw failure.error.reason;
  // csv-parse's browser build fails when ended without any input; nothing to parse anyway.
  if (!wrote) return false;
  parser.end();
  await finished;
  return true;
}

/** Where and what a csv-parse failure was, in words for a one-line message. */
export interface ParserFailure {
  line?: number;
  /** Header name of the field, when csv-parse named one. */
  column?: string;
  /** 0-based field index, given only with `column`. */
  field?: number;
  message: string;
}

/**
 * Describes a csv-parse error (code `CSV_…`); undefined for any other error.
 * @param header the header's names, to name the column of a field
 * @param longLineAdvice what to suggest when a line exceeds {@link MAX_LINE_BYTES}
 */
export function describeParserFailure(error: unknown, header: readonly string[] | undefined, longLineAdvice: string): ParserFailure | undefined {
  const e = error as { code?: unknown; lines?: unknown; column?: unknown; record?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code === undefined || !code.startsWith('CSV_')) return undefined;
  const line = typeof e!.lines === 'number' ? e!.lines : undefined;
  const field = typeof e!.column === 'number' ? e!.column : undefined;
  const column = field !== undefined ? header?.[field] : undefined;
  if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(e!.record)) {
    return { line, message: `the row has ${e!.record.length} fields, the header has ${header?.length ?? '?'}` };
  }
  if (code === 'CSV_MAX_RECORD_SIZE') {
    return { line, message: `the line is longer than ${formatCount(MAX_LINE_BYTES)} bytes; ${longLineAdvice}` };
  }
  const message =
    code === 'CSV_QUOTE_NOT_CLOSED'
      ? 'a quoted field is still open at the end of the input'
      : `malformed CSV (${code}): ${printable(String(e!.message), { maxLength: 300 })}`;
  return { line, column, field: column !== undefined ? field : undefined, message };
}
