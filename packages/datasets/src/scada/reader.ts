// The SCADA loader's engine, shared by the browser-safe and the Node entry. Each entry passes
// a factory for csv-parse's streaming parser (the browser build or the Node build); records
// arrive one at a time through `on_record`, and only the selected turbine's instants and the
// selected columns are kept, so memory grows with what is selected, not with the file.
import { RnnkitError, Tensor, allocate, formatCount, printable } from '@rnnkit/tensor';
import { fillColumn } from '../fill.js';
import { type AngleTransform, type ResolvedScadaOptions, type ScadaData, type ScadaOptions, resolveScadaOptions } from './options.js';
import { parseDateTime } from './date-time.js';
import { ScadaError, listed, quoted, shown } from './scada-error.js';
import { sniffNonText } from './sniff.js';

export { ScadaError } from './scada-error.js';

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

export interface ReadContext {
  /** API name for errors (`parseScada`, `loadScada`). */
  api: string;
  /** Name of the input when the options give none. */
  source: string;
  createParser: CsvParserFactory;
  /** Decode byte chunks to text before parsing (the browser build takes strings only). */
  decodeBytes: boolean;
}

/** A Float64Array that doubles when full (through `allocate`, so it obeys the allocation limit). */
class Column {
  data: Float64Array<ArrayBufferLike> = new Float64Array(1024);
  length = 0;
  constructor(private readonly api: string) {}
  push(value: number): void {
    if (this.length === this.data.length) {
      const bigger = allocate('float64', this.data.length * 2, undefined, this.api) as Float64Array;
      bigger.set(this.data);
      this.data = bigger;
    }
    this.data[this.length++] = value;
  }
}

/**
 * Longest line read: SCADA rows are a few hundred bytes, so a line beyond this is a file
 * without line breaks (or not CSV), refused before it fills memory.
 */
const MAX_LINE_BYTES = 16 * 1024 * 1024;

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The first failure of a parse, from a record handler or from the parser. */
interface Failure {
  error?: { reason: unknown };
}

/** Reads SCADA rows from chunks of CSV. */
export async function readScada(chunks: ChunkSource, options: ScadaOptions | undefined, context: ReadContext): Promise<ScadaData> {
  const { api } = context;
  const o = resolveScadaOptions(api, options);
  const reader = new RecordReader(api, o, o.source ?? context.source);
  const failure: Failure = {};
  const parser = context.createParser({
    delimiter: o.delimiter,
    bom: true,
    skip_empty_lines: true,
    relax_column_count: false,
    max_record_size: MAX_LINE_BYTES,
    highWaterMark: 2 ** 30,
    on_record: (record, info) => {
      try {
        reader.accept(record, info.lines);
      } catch (error) {
        failure.error ??= { reason: error };
        throw error; // csv-parse stops and reports it too
      }
      return null; // consumed here: nothing is buffered in the stream
    },
  });
  let wrote: boolean;
  try {
    wrote = await drive(parser, chunks, context.decodeBytes, failure, (head) => reader.checkText(head));
  } catch (error) {
    throw reader.explain(error);
  }
  if (!wrote || reader.header === undefined) throw reader.emptyError();
  return reader.finish();
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
async function drive(
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

/** Collects the selected rows, one record at a time. */
class RecordReader {
  header: string[] | undefined;
  private turbineIndex = -1;
  private timeIndex = -1;
  private variableIndex: number[] = [];
  private turbine: string | undefined;
  private readonly turbines: string[] = [];
  private readonly seen = new Set<string>();
  private lastName = '';
  private readonly time: Column;
  private readonly lines: Column;
  private readonly columns: Column[];
  /** Per variable: whether a float32 result stores the value itself (its "raw" transform). */
  private readonly keepsRaw: readonly boolean[];
  private sorted = true;
  private rowsRead = 0;
  private turbineRows = 0;
  private firstInstant = Infinity;
  private lastInstant = -Infinity;

  constructor(
    private readonly api: string,
    private readonly o: ResolvedScadaOptions,
    private readonly source: string,
  ) {
    this.turbine = o.turbine;
    this.time = new Column(api);
    this.lines = new Column(api);
    this.columns = o.variables.map(() => new Column(api));
    this.keepsRaw = o.transforms.map((list) => o.dtype === 'float32' && list.includes('raw'));
  }

  /** Refuses input that is not CSV text (compressed, an archive, UTF-16), from its first chunk. */
  checkText(head: string | Uint8Array): void {
    const found = sniffNonText(head);
    if (found !== undefined) this.fail(undefined, undefined, `the input is ${found.what}, not CSV text; ${found.advice}`);
  }

  private fail(line: number | undefined, column: string | undefined, message: string, field?: number): never {
    throw new ScadaError(this.api, { source: this.source, line, column, field }, message);
  }

  accept(record: string[], line: number): void {
    if (this.header === undefined) {
      this.readHeader(record, line);
      return;
    }
    this.rowsRead++;
    const o = this.o;
    const name = record[this.turbineIndex]!.trim();
    if (name !== this.lastName) {
      this.lastName = name;
      if (!this.seen.has(name)) {
        if (name === '') this.fail(line, o.turbineColumn, 'the turbine name is empty', this.turbineIndex);
        this.seen.add(name);
        this.turbines.push(name);
      }
    }
    if (this.turbine === undefined) this.turbine = name;
    if (name !== this.turbine) return;
    this.turbineRows++;
    const text = record[this.timeIndex]!;
    const t = parseDateTime(text);
    if (Number.isNaN(t)) {
      this.fail(
        line,
        o.timeColumn,
        `cannot parse ${quoted(text)} as a date-time; expected ISO 8601 with a UTC offset such as 2013-01-01T00:00:00+01:00`,
        this.timeIndex,
      );
    }
    if (t < this.firstInstant) this.firstInstant = t;
    if (t > this.lastInstant) this.lastInstant = t;
    if (t < o.start || t >= o.end) return;
    if (this.time.length > 0 && t < this.time.data[this.time.length - 1]!) this.sorted = false;
    this.time.push(t);
    this.lines.push(line);
    for (let j = 0; j < this.columns.length; j++) {
      const index = this.variableIndex[j]!;
      this.columns[j]!.push(this.parseNumber(record[index]!, line, j, index));
    }
  }

  private parseNumber(cell: string, line: number, variable: number, field: number): number {
    let text = cell.trim();
    if (this.o.missingValues.has(text)) return NaN;
    if (this.o.decimal === ',') text = text.replace(',', '.');
    if (!NUMBER.test(text)) {
      const hint = this.o.decimal === '.' && /^[+-]?\d*,\d+$/.test(text) ? ' (the decimal separator is "."; pass decimal: ",")' : '';
      this.fail(line, this.o.variables[variable], `cannot parse ${quoted(cell)} as a number${hint}`, field);
    }
    const value = Number(text);
    // `1e999` passes the pattern but is Infinity, which the file could not have meant.
    if (!Number.isFinite(value)) {
      this.fail(line, this.o.variables[variable], `${quoted(cell)} is beyond the range of numbers (±1.8e308)`, field);
    }
    // Kept as is in a float32 result, a value beyond ±3.4e38 would become Infinity there.
    if (this.keepsRaw[variable] && !Number.isFinite(Math.fround(value))) {
      this.fail(line, this.o.variables[variable], `${quoted(cell)} is beyond the float32 range (±3.4e38); pass dtype: "float64"`, field);
    }
    return value;
  }


  private readHeader(record: string[], line: number): void {
    const names = record.map((name) => name.trim());
    const o = this.o;
    const required = [o.turbineColumn, o.timeColumn, ...o.variables];
    const missing = required.filter((name) => !names.includes(name));
    if (missing.length > 0) {
      const hint =
        names.length === 1 && /[,\t|]/.test(names[0]!)
          ? ` (one column only: is the delimiter ${quoted(o.delimiter)} right?)`
          : '';
      this.fail(
        line,
        undefined,
        `missing column${missing.length > 1 ? 's' : ''} ${listed(missing)}; columns found: ${listed(names)}${hint}`,
      );
    }
    for (const name of required) {
      const first = names.indexOf(name);
      const again = names.indexOf(name, first + 1);
      if (again !== -1) this.fail(line, name, `the header has this column twice (fields ${first + 1} and ${again + 1})`);
    }
    this.turbineIndex = names.indexOf(o.turbineColumn);
    this.timeIndex = names.indexOf(o.timeColumn);
    this.variableIndex = o.variables.map((v) => names.indexOf(v));
    this.header = names;
  }

  emptyError(): ScadaError {
    const expected = [this.o.turbineColumn, this.o.timeColumn, ...this.o.variables].join(this.o.delimiter);
    return new ScadaError(this.api, { source: this.source, line: 1 }, `the input is empty; expected a header line such as ${expected}`);
  }

  /** Turns a parser failure into a ScadaError naming the line and column. */
  explain(error: unknown): unknown {
    if (error instanceof RnnkitError) return error;
    const e = error as { code?: unknown; lines?: unknown; column?: unknown; record?: unknown; message?: unknown } | null;
    const code = typeof e?.code === 'string' ? e.code : undefined;
    if (code === undefined || !code.startsWith('CSV_')) {
      return new ScadaError(this.api, { source: this.source }, `could not read the input: ${shown(String(e?.message ?? error))}`, { cause: error });
    }
    const line = typeof e!.lines === 'number' ? e!.lines : undefined;
    const field = typeof e!.column === 'number' ? e!.column : undefined;
    const column = field !== undefined ? this.header?.[field] : undefined;
    let message: string;
    if (code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && Array.isArray(e!.record)) {
      message = `the row has ${e!.record.length} fields, the header has ${this.header?.length ?? '?'}`;
      return new ScadaError(this.api, { source: this.source, line }, message, { cause: error });
    }
    if (code === 'CSV_QUOTE_NOT_CLOSED') {
      message = 'a quoted field is still open at the end of the input';
    } else if (code === 'CSV_MAX_RECORD_SIZE') {
      message = `the line is longer than ${formatCount(MAX_LINE_BYTES)} bytes; SCADA rows are short: does the file have line breaks, is it CSV?`;
      return new ScadaError(this.api, { source: this.source, line }, message, { cause: error });
    } else {
      message = `malformed CSV (${code}): ${printable(String(e!.message), { maxLength: 300 })}`;
    }
    return new ScadaError(this.api, { source: this.source, line, column, field: column !== undefined ? field : undefined }, message, { cause: error });
  }

  finish(): ScadaData {
    const o = this.o;
    const where = { source: this.source };
    if (this.rowsRead === 0) {
      throw new ScadaError(this.api, { ...where, line: 2 }, 'the input has a header but no data rows');
    }
    const turbine = this.turbine!;
    if (this.turbineRows === 0) {
      throw new ScadaError(
        this.api,
        { ...where, column: o.turbineColumn },
        `no rows for turbine ${quoted(turbine)}; turbines present: ${listed(this.turbines)}`,
      );
    }
    const n = this.time.length;
    if (n === 0) {
      const iso = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));
      throw new ScadaError(
        this.api,
        { ...where, column: o.timeColumn },
        `no rows of turbine ${shown(turbine)} in the time range [${iso(o.start)}, ${iso(o.end)}); its ${this.turbineRows} rows run from ${iso(this.firstInstant)} to ${iso(this.lastInstant)}`,
      );
    }
    const time = this.time.data;
    const lines = this.lines.data;
    // Output order: row indices, stably sorted by instant (ties keep file order).
    let order: Uint32Array<ArrayBufferLike> = Uint32Array.from({ length: n }, (_, i) => i);
    if (o.sort && !this.sorted) order.sort((a, b) => time[a]! - time[b]! || a - b);
    const duplicates = this.resolveDuplicates(order, time, lines);
    order = duplicates.order;
    const m = order.length;

    // Gather the kept rows column by column (values stay float64 until the very end).
    const variables = o.variables.length;
    const gathered = new Float64Array(m * variables);
    const times = new Float64Array(m);
    let missingValues = 0;
    for (let r = 0; r < m; r++) {
      const i = order[r]!;
      times[r] = time[i]!;
      for (let j = 0; j < variables; j++) {
        const v = this.columns[j]!.data[i]!;
        if (Number.isNaN(v)) missingValues++;
        gathered[r * variables + j] = v;
      }
    }
    let valuesFilled = 0;
    let drop = 0;
    if (o.fill === 'forward') {
      for (let j = 0; j < variables; j++) {
        const { filled, firstValid } = fillColumn(gathered, j, variables, m, o.fillLeading === 'backward' ? 'backward' : 'keep');
        valuesFilled += filled;
        if (firstValid === m && o.fillLeading !== 'keep') {
          throw new ScadaError(
            this.api,
            { ...where, column: o.variables[j] },
            `turbine ${shown(turbine)} has no valid value in this column${Number.isFinite(o.start) || Number.isFinite(o.end) ? ' in the time range' : ''}, so there is nothing to fill from`,
          );
        }
        if (o.fillLeading === 'drop') drop = Math.max(drop, firstValid);
      }
    }
    const features = o.transforms.reduce((sum, list) => sum + list.length, 0);
    const columns: string[] = [];
    o.variables.forEach((name, j) => {
      for (const transform of o.transforms[j]!) columns.push(transform === 'raw' ? name : `${name}_${transform}`);
    });
    const rows = m - drop;
    const values = allocate(o.dtype, rows * features, [rows, features], this.api);
    for (let r = 0; r < rows; r++) {
      let k = r * features;
      for (let j = 0; j < variables; j++) {
        const v = gathered[(r + drop) * variables + j]!;
        for (const transform of o.transforms[j]!) values[k++] = applyTransform(transform, v);
      }
    }
    return {
      source: this.source,
      turbine,
      turbines: [...this.turbines],
      columns,
      time: times.slice(drop),
      values: new Tensor(values, [rows, features]),
      report: {
        rowsRead: this.rowsRead,
        turbineRows: this.turbineRows,
        rowsInRange: n,
        duplicatesDropped: duplicates.dropped,
        missingValues,
        valuesFilled,
        leadingRowsDropped: drop,
      },
    };
  }

  /** Applies the duplicate policy to rows in output order. */
  private resolveDuplicates(order: Uint32Array<ArrayBufferLike>, time: Float64Array, lines: Float64Array): { order: Uint32Array<ArrayBufferLike>; dropped: number } {
    const policy = this.o.duplicates;
    if (policy === 'keep') return { order, dropped: 0 };
    // For each instant, the row that represents it: the first or last in file order.
    const chosen = new Map<number, number>();
    for (const i of order) {
      const t = time[i]!;
      const previous = chosen.get(t);
      if (previous === undefined) {
        chosen.set(t, i);
      } else if (policy === 'error') {
        const [a, b] = [Math.min(previous, i), Math.max(previous, i)];
        throw new ScadaError(
          this.api,
          { source: this.source, line: lines[b], column: this.o.timeColumn },
          `turbine ${shown(this.turbine!)} has two rows for ${new Date(t).toISOString()} (lines ${lines[a]} and ${lines[b]}); set duplicates to "first", "last" or "keep"`,
        );
      } else if ((policy === 'first') === i < previous) {
        chosen.set(t, i);
      }
    }
    if (chosen.size === order.length) return { order, dropped: 0 };
    const kept = new Uint32Array(chosen.size);
    let k = 0;
    for (const i of order) if (chosen.get(time[i]!) === i) kept[k++] = i;
    return { order: kept, dropped: order.length - kept.length };
  }
}

function applyTransform(transform: AngleTransform, degrees: number): number {
  switch (transform) {
    case 'raw':
      return degrees;
    case 'sin':
      return Math.sin((degrees * Math.PI) / 180);
    case 'cos':
      return Math.cos((degrees * Math.PI) / 180);
    case 'sinOfRawDegrees':
      // Experiment 1's original: the degree value passed to sin as if it were radians.
      return Math.sin(degrees);
  }
}
