// The general time-series loader's engine, shared by the browser-safe and the Node entry and
// by the presets built on it (the SCADA loader). Records stream through the CSV engine one at
// a time; each row keeps only its instant, its line and the selected columns as numbers, in
// the series of its id — and rows of series not read, or outside the time range, are read
// past — so memory grows with the rows and columns kept (bounded by `maxRows`), not with the file.
import { RnnkitError, Tensor, allocate, formatCount } from '@rnnkit/tensor';
import { parseInstant } from '../csv/date-time.js';
import { readNumber } from '../csv/number.js';
import { listed, quoted, shown } from '../csv/quote.js';
import { sniffNonText } from '../csv/sniff.js';
import { type ChunkSource, Column, type CsvParserFactory, type Failure, describeParserFailure, drive, parserOptions } from '../csv/stream.js';
import { DELIMITERS, detectDelimiter, readHeaderLine } from './delimiter.js';
import {
  type ColumnTransform,
  type ResolvedTimeSeriesOptions,
  type TimeSeries,
  type TimeSeriesData,
  type TimeSeriesOptions,
  resolveTimeSeriesOptions,
} from './options.js';
import { type Rows, fillRows, gridSize, orderRows, resample } from './process.js';
import { type MissingColumn, type Where, type Wording, timeSeriesWording } from './wording.js';

export interface TimeSeriesContext {
  /** API name for errors (`parseTimeSeries`, `loadTimeSeries`, `parseScada`, …). */
  api: string;
  /** The input's name for errors; undefined for the general loader's text, bytes and streams. */
  source: string | undefined;
  createParser: CsvParserFactory;
  /** Decode byte chunks to text before parsing (the browser build takes strings only). */
  decodeBytes: boolean;
}

/** What the engine counted of one series of the result, beyond the public report. */
export interface SeriesDetails {
  /** Rows of the series, inside the time range or not. */
  rows: number;
  /** Rows inside the time range. */
  inRange: number;
  /** Missing cells of the columns read (one per column, whatever its transforms) after duplicates are merged. */
  missing: number;
  /** Values filled, one per column read (not per output column). */
  filled: number;
  /** Rows dropped before the first values (`leading: 'drop'`). */
  leadingDropped: number;
}

/** Reads time series from chunks of CSV (the public loaders). */
export async function readTimeSeries(chunks: ChunkSource, options: TimeSeriesOptions | undefined, context: TimeSeriesContext): Promise<TimeSeriesData> {
  const o = resolveTimeSeriesOptions(context.api, options);
  return (await readSeries(chunks, o, context, timeSeriesWording(context.api))).data;
}

/** The engine: reads time series as resolved options say, wording errors as `wording` says. */
export async function readSeries(
  chunks: ChunkSource,
  o: ResolvedTimeSeriesOptions,
  context: TimeSeriesContext,
  wording: Wording,
): Promise<{ data: TimeSeriesData; details: SeriesDetails[] }> {
  const reader = new TimeSeriesReader(context.api, o, context.source, wording);
  const checkText = (head: string | Uint8Array): void => reader.checkText(head);
  let delimiter = o.delimiter;
  let source = chunks;
  try {
    if (delimiter === undefined) {
      const ahead = await readHeaderLine(chunks, checkText);
      delimiter = detectDelimiter(ahead.header);
      source = ahead.chunks;
    }
    const failure: Failure = {};
    const parser = context.createParser(parserOptions(delimiter, failure, (record, line) => reader.accept(record, line)));
    const wrote = await drive(parser, source, context.decodeBytes, failure, checkText);
    if (!wrote || reader.header === undefined) throw reader.fail({ line: 1 }, wording.empty());
  } catch (error) {
    throw reader.explain(error);
  }
  return reader.finish();
}

/** The rows of one series as they are read. */
class SeriesRows {
  readonly times: Column;
  readonly lines: Column;
  readonly values: Column[];
  /** Rows of the series, inside the time range or not, and the first and last instant of them. */
  rows = 0;
  first = Infinity;
  last = -Infinity;
  constructor(api: string, k: number) {
    // Small at first: with groupBy, a file may hold many short series.
    this.times = new Column(api, 16);
    this.lines = new Column(api, 16);
    this.values = Array.from({ length: k }, () => new Column(api, 16));
  }
}

/** One output column: the field it is read from, its transform, and the column read it belongs to. */
interface Output {
  transform: ColumnTransform;
  /** Index of the column read (in `fields`). */
  read: number;
  /** The first output of its column read: counts missing and filled values for it. */
  counts: boolean;
}

function transformed(transform: ColumnTransform, value: number): number {
  switch (transform) {
    case 'raw':
      return value;
    case 'sin':
      return Math.sin((value * Math.PI) / 180);
    case 'cos':
      return Math.cos((value * Math.PI) / 180);
    case 'sinOfRawDegrees':
      // Experiment 1's original: the degree value passed to sin as if it were radians.
      return Math.sin(value);
  }
}

/** Collects rows, one record at a time, into series. */
class TimeSeriesReader {
  header: string[] | undefined;
  private timeIndex = -1;
  private groupIndex = -1;
  /** Field of each column read, in output order. */
  private fields: number[] = [];
  /** Per column read: its output columns' transforms, and whether one keeps the value as is. */
  private transforms: (readonly ColumnTransform[])[] = [];
  private keepsRaw: boolean[] = [];
  private outputs: Output[] = [];
  private columns: string[] = [];
  private readonly series = new Map<string, SeriesRows>();
  /** Every id seen, in order of first appearance (with `only`, those not read too). */
  private readonly ids: string[] = [];
  private readonly seen = new Set<string>();
  private only: string | undefined;
  private last: SeriesRows | undefined;
  private lastId: string | undefined;
  private rows = 0;
  private missing = 0;

  constructor(
    private readonly api: string,
    private readonly o: ResolvedTimeSeriesOptions,
    private readonly source: string | undefined,
    private readonly wording: Wording,
  ) {
    this.only = typeof o.only === 'string' ? o.only : undefined;
  }

  fail(where: Where, message: string, cause?: unknown): Error {
    return this.wording.error(this.source, where, message, cause);
  }

  /** Refuses input that is not CSV text (compressed, an archive, UTF-16), from its first chunk. */
  checkText(head: string | Uint8Array): void {
    const found = sniffNonText(head);
    if (found !== undefined) throw this.fail({}, `the input is ${found.what}, not CSV text; ${found.advice}`);
  }

  accept(record: string[], line: number): void {
    if (this.header === undefined) {
      this.readHeader(record, line);
      return;
    }
    if (++this.rows > this.o.maxRows) {
      throw this.fail({ line }, `more than ${formatCount(this.o.maxRows)} data rows (maxRows); pass a larger maxRows to read more, or select fewer rows upstream`);
    }
    const rows = this.seriesOf(record, line);
    if (rows === undefined) return; // a series not read
    const timeText = record[this.timeIndex]!;
    const offset = this.o.timeZoneOffset;
    const t = parseInstant(timeText, offset === undefined ? {} : { localOffset: offset, dateOnly: true });
    if (Number.isNaN(t)) {
      throw this.fail({ line, column: this.header[this.timeIndex], field: this.timeIndex }, this.wording.badTime(timeText, offset === undefined));
    }
    rows.rows++;
    if (t < rows.first) rows.first = t;
    if (t > rows.last) rows.last = t;
    if (t < this.o.start || t >= this.o.end) return;
    rows.times.push(t);
    rows.lines.push(line);
    let k = 0;
    for (let j = 0; j < this.fields.length; j++) {
      const v = this.readValue(record[this.fields[j]!]!, line, j);
      for (const transform of this.transforms[j]!) rows.values[k++]!.push(transformed(transform, v));
    }
  }

  /** The rows of the record's series, or undefined when that series is not read. */
  private seriesOf(record: string[], line: number): SeriesRows | undefined {
    const id = this.groupIndex === -1 ? '' : record[this.groupIndex]!.trim();
    if (id === this.lastId) return this.last;
    this.lastId = id;
    if (this.groupIndex !== -1 && !this.seen.has(id)) {
      if (id === '') throw this.fail({ line, column: this.o.groupBy, field: this.groupIndex }, this.wording.emptyId());
      this.seen.add(id);
      this.ids.push(id);
    }
    if (this.o.only !== undefined) {
      this.only ??= id; // { first: true }: the series of the first data row
      if (id !== this.only) return (this.last = undefined);
    }
    let rows = this.series.get(id);
    if (rows === undefined) {
      rows = new SeriesRows(this.api, this.columns.length);
      this.series.set(id, rows);
    }
    return (this.last = rows);
  }

  private readValue(cell: string, line: number, j: number): number {
    const text = cell.trim();
    if (this.o.missingValues.has(text)) {
      this.missing++;
      return NaN;
    }
    const value = readNumber(text, this.o.decimal);
    const field = this.fields[j]!;
    const where = { line, column: this.header![field], field };
    if (value === undefined) throw this.fail(where, this.wording.badNumber(cell, this.o.decimal));
    // `1e999` passes the pattern but is Infinity, which the file could not have meant.
    if (!Number.isFinite(value)) throw this.fail(where, this.wording.beyondDouble(cell));
    // Kept as is in a float32 result, a value beyond ±3.4e38 would become Infinity there.
    if (this.keepsRaw[j] && !Number.isFinite(Math.fround(value))) throw this.fail(where, this.wording.beyondFloat32(cell));
    return value;
  }

  private readHeader(record: string[], line: number): void {
    const names = record.map((name) => name.trim());
    const o = this.o;
    const missing: MissingColumn[] = [];
    const wanted: MissingColumn[] = [];
    if (o.time !== undefined) wanted.push({ name: o.time, option: 'time' });
    if (o.groupBy !== undefined) wanted.push({ name: o.groupBy, option: 'groupBy' });
    for (const name of o.columns ?? []) wanted.push({ name, option: 'columns' });
    for (const column of wanted) if (!names.includes(column.name)) missing.push(column);
    if (missing.length > 0) {
      const single = names.length === 1 && o.delimiter !== undefined && DELIMITERS.some((d) => d !== o.delimiter && names[0]!.includes(d));
      const hint = single ? ` (one column only: is the delimiter ${quoted(o.delimiter!)} right?)` : '';
      throw this.fail({ line }, this.wording.missingColumns(missing, names, hint));
    }
    const find = (name: string): number => {
      const index = names.indexOf(name);
      const again = names.indexOf(name, index + 1);
      if (again !== -1) throw this.fail({ line, column: name }, `the header has this column twice (fields ${index + 1} and ${again + 1})`);
      return index;
    };
    this.groupIndex = o.groupBy === undefined ? -1 : find(o.groupBy);
    this.timeIndex = o.time === undefined ? 0 : find(o.time);
    const time = names[this.timeIndex]!;
    const selected = o.columns ?? names.filter((_, i) => i !== this.timeIndex && i !== this.groupIndex);
    if (selected.length === 0) {
      throw this.fail({ line }, `no columns to read besides the time column ${quoted(time)}; columns found: ${listed(names)}`);
    }
    this.fields = selected.map(find);
    const special = this.fields.find((field) => field === this.timeIndex || field === this.groupIndex);
    if (special !== undefined) {
      const role = special === this.timeIndex ? `the time column${o.time === undefined ? ' (the first one, by default)' : ''}` : 'the groupBy column';
      throw this.fail({ line }, `option "columns" names column ${quoted(names[special]!)}, which is ${role}; pass time: "…" to name another`);
    }
    for (const angle of o.transforms.keys()) {
      if (!selected.includes(angle)) {
        throw this.fail({ line }, `option "angles" names column ${quoted(angle)}, which is not among the columns read: ${listed(selected)}`);
      }
    }
    this.transforms = selected.map((name) => o.transforms.get(name) ?? ['raw']);
    this.keepsRaw = this.transforms.map((list) => o.dtype === 'float32' && list.includes('raw'));
    this.outputs = this.transforms.flatMap((list, read) => list.map((transform, i) => ({ transform, read, counts: i === 0 })));
    this.columns = this.outputs.map(({ transform, read }) => (transform === 'raw' ? selected[read]! : `${selected[read]}_${transform}`));
    this.header = names;
  }

  /** Turns a parser failure into the loader's error, naming the line and column. */
  explain(error: unknown): unknown {
    if (error instanceof RnnkitError) return error;
    const found = describeParserFailure(error, this.header, this.wording.longLine);
    if (found === undefined) {
      const reason = String((error as { message?: unknown } | null)?.message ?? error);
      return this.fail({}, `could not read the input: ${shown(reason)}`, error);
    }
    const { message, ...where } = found;
    return this.fail(where, message, error);
  }

  finish(): { data: TimeSeriesData; details: SeriesDetails[] } {
    if (this.rows === 0) throw this.fail({ line: 2 }, 'the input has a header but no data rows');
    const o = this.o;
    const time = { column: this.header![this.timeIndex] };
    if (this.only !== undefined && !this.series.has(this.only)) {
      throw this.fail({ column: o.groupBy }, this.wording.notFound(this.only, this.ids));
    }
    const read = [...this.series].filter(([, rows]) => rows.times.length > 0);
    if (read.length === 0) {
      const all = [...this.series.values()];
      const id = this.only ?? (o.groupBy !== undefined && all.length === 1 ? this.series.keys().next().value : undefined);
      const span = {
        id,
        rows: all.reduce((sum, rows) => sum + rows.rows, 0),
        first: Math.min(...all.map((rows) => rows.first)),
        last: Math.max(...all.map((rows) => rows.last)),
        start: o.start,
        end: o.end,
      };
      throw this.fail(time, this.wording.noRowsInRange(span));
    }
    const k = this.columns.length;
    const report = { rows: this.rows, series: read.length, duplicates: 0, missing: this.missing, gaps: 0, filled: 0, skipped: 0 };
    const series: TimeSeries[] = [];
    const details: SeriesDetails[] = [];
    let gridRows = 0;
    for (const [id, rowsRead] of read) {
      const n = rowsRead.times.length;
      const values = new Float64Array(n * k);
      for (let c = 0; c < k; c++) {
        const column = rowsRead.values[c]!.data;
        for (let i = 0; i < n; i++) values[i * k + c] = column[i]!;
      }
      const ordered = orderRows({ times: rowsRead.times.data.subarray(0, n), values, k }, rowsRead.lines.data, o.sort, o.duplicates, o.placeMerged);
      const seriesId = o.groupBy === undefined ? undefined : id;
      if ('duplicate' in ordered) {
        const { instant, firstLine, secondLine } = ordered.duplicate;
        throw this.fail({ ...time, line: secondLine }, this.wording.duplicate(seriesId, instant, firstLine, secondLine));
      }
      report.duplicates += ordered.duplicates;
      let rows: Rows = ordered.rows;
      let missing = 0;
      for (let c = 0; c < k; c++) {
        if (!this.outputs[c]!.counts) continue;
        for (let i = 0; i < rows.times.length; i++) if (Number.isNaN(rows.values[i * k + c]!)) missing++;
      }
      if (o.interval !== undefined) {
        // Resampled rows count against maxRows too (every series together), so that a short
        // step over a long span cannot fill memory.
        const ofSeries = seriesId === undefined ? '' : ` in series ${quoted(id)}`;
        const { size } = gridSize(rows.times, o.interval);
        gridRows += size;
        if (gridRows > o.maxRows) {
          const before = gridRows - size > 0 ? ` (with ${formatCount(gridRows - size)} rows of the series before)` : '';
          throw this.fail(
            {},
            `resampling${ofSeries} every ${formatCount(o.interval)} ms from ${new Date(rows.times[0]!).toISOString()} to ${new Date(rows.times[rows.times.length - 1]!).toISOString()} gives ${formatCount(size)} rows${before}, more than maxRows (${formatCount(o.maxRows)}); pass a longer interval or a larger maxRows`,
          );
        }
        const resampled = resample(rows, o.interval);
        report.gaps += resampled.gaps;
        rows = resampled.rows;
      }
      const repaired = fillRows(rows, o.fill, o.leading);
      if (repaired.empty !== undefined) {
        const column = this.header![this.fields[this.outputs[repaired.empty]!.read]!];
        throw this.fail({ column }, this.wording.noValidValue(seriesId, Number.isFinite(o.start) || Number.isFinite(o.end)));
      }
      report.filled += repaired.filled.reduce((sum, f) => sum + f, 0);
      report.skipped += repaired.skipped;
      rows = repaired.rows;
      const m = rows.times.length;
      const data = allocate(o.dtype, m * k, [m, k], this.api);
      data.set(rows.values);
      const one: TimeSeries = { times: rows.times, values: new Tensor(data, [m, k]), columns: [...this.columns] };
      series.push(seriesId === undefined ? one : { id, ...one });
      details.push({
        rows: rowsRead.rows,
        inRange: n,
        missing,
        filled: repaired.filled.reduce((sum, f, c) => sum + (this.outputs[c]!.counts ? f : 0), 0),
        leadingDropped: repaired.leadingDropped,
      });
    }
    return { data: o.groupBy === undefined ? { series, report } : { series, ids: [...this.ids], report }, details };
  }
}
