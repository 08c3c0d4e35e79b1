// The general time-series loader's engine, shared by the browser-safe and the Node entry.
// Records stream through the CSV engine one at a time; each row keeps only its instant, its
// line and the selected columns as numbers, in the series of its id, so memory grows with
// the rows and columns kept (bounded by `maxRows`), not with the file.
import { RnnkitError, Tensor, allocate, formatCount } from '@rnnkit/tensor';
import { parseInstant } from '../csv/date-time.js';
import { readNumber } from '../csv/number.js';
import { listed, quoted, shown } from '../csv/quote.js';
import { sniffNonText } from '../csv/sniff.js';
import { type ChunkSource, Column, type CsvParserFactory, type Failure, describeParserFailure, drive, parserOptions } from '../csv/stream.js';
import { CsvError } from './csv-error.js';
import { DELIMITERS, detectDelimiter, readHeaderLine } from './delimiter.js';
import {
  type ResolvedTimeSeriesOptions,
  type TimeSeries,
  type TimeSeriesData,
  type TimeSeriesOptions,
  resolveTimeSeriesOptions,
} from './options.js';
import { type Rows, fillRows, gridSize, orderRows, resample } from './process.js';

export interface TimeSeriesContext {
  /** API name for errors (`parseTimeSeries`, `loadTimeSeries`). */
  api: string;
  /** The file path, named in errors; undefined for text, bytes and streams. */
  source: string | undefined;
  createParser: CsvParserFactory;
  /** Decode byte chunks to text before parsing (the browser build takes strings only). */
  decodeBytes: boolean;
}

/** Reads time series from chunks of CSV. */
export async function readTimeSeries(chunks: ChunkSource, options: TimeSeriesOptions | undefined, context: TimeSeriesContext): Promise<TimeSeriesData> {
  const { api } = context;
  const o = resolveTimeSeriesOptions(api, options);
  const reader = new TimeSeriesReader(api, o, context.source);
  const checkText = (head: string | Uint8Array): void => reader.checkText(head);
  let delimiter = o.delimiter;
  let source = chunks;
  try {
    if (delimiter === undefined) {
      const ahead = await readHeaderLine(chunks, checkText);
      delimiter = detectDelimiter(ahead.header);
      source = ahead.chunks;
    }
    reader.delimiter = delimiter;
    const failure: Failure = {};
    const parser = context.createParser(parserOptions(delimiter, failure, (record, line) => reader.accept(record, line)));
    const wrote = await drive(parser, source, context.decodeBytes, failure, checkText);
    if (!wrote || reader.header === undefined) throw reader.fail(1, undefined, 'the input is empty; expected a header line naming the columns');
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
  constructor(api: string, k: number) {
    // Small at first: with groupBy, a file may hold many short series.
    this.times = new Column(api, 16);
    this.lines = new Column(api, 16);
    this.values = Array.from({ length: k }, () => new Column(api, 16));
  }
}

/** Collects rows, one record at a time, into series. */
class TimeSeriesReader {
  header: string[] | undefined;
  delimiter = ',';
  private timeIndex = -1;
  private groupIndex = -1;
  /** Field of each selected column, in output order. */
  private fields: number[] = [];
  /** Per selected column: read as an angle in degrees (two output columns). */
  private isAngle: boolean[] = [];
  private columns: string[] = [];
  private readonly series = new Map<string, SeriesRows>();
  private last: SeriesRows | undefined;
  private lastId: string | undefined;
  private rows = 0;
  private missing = 0;

  constructor(
    private readonly api: string,
    private readonly o: ResolvedTimeSeriesOptions,
    private readonly source: string | undefined,
  ) {}

  fail(line: number | undefined, column: string | undefined, message: string): CsvError {
    return new CsvError(this.api, { source: this.source, line, column }, message);
  }

  /** Refuses input that is not CSV text (compressed, an archive, UTF-16), from its first chunk. */
  checkText(head: string | Uint8Array): void {
    const found = sniffNonText(head);
    if (found !== undefined) throw this.fail(undefined, undefined, `the input is ${found.what}, not CSV text; ${found.advice}`);
  }

  accept(record: string[], line: number): void {
    if (this.header === undefined) {
      this.readHeader(record, line);
      return;
    }
    if (++this.rows > this.o.maxRows) {
      throw this.fail(line, undefined, `more than ${formatCount(this.o.maxRows)} data rows (maxRows); pass a larger maxRows to read more, or select fewer rows upstream`);
    }
    const rows = this.seriesOf(record, line);
    const timeText = record[this.timeIndex]!;
    const t = parseInstant(timeText, { localOffset: this.o.timeZoneOffset, dateOnly: true });
    if (Number.isNaN(t)) {
      throw this.fail(
        line,
        this.header[this.timeIndex],
        `expected a date-time such as 2024-03-01T12:00:00Z, 2024-03-01T14:00:00+02:00 or 2024-03-01 12:00, got ${quoted(timeText)}`,
      );
    }
    rows.times.push(t);
    rows.lines.push(line);
    let k = 0;
    for (let j = 0; j < this.fields.length; j++) {
      const v = this.readValue(record[this.fields[j]!]!, line, j);
      if (this.isAngle[j]) {
        const radians = (v * Math.PI) / 180;
        rows.values[k++]!.push(Math.sin(radians));
        rows.values[k++]!.push(Math.cos(radians));
      } else {
        rows.values[k++]!.push(v);
      }
    }
  }

  private seriesOf(record: string[], line: number): SeriesRows {
    const id = this.groupIndex === -1 ? '' : record[this.groupIndex]!.trim();
    if (id === this.lastId) return this.last!;
    if (this.groupIndex !== -1 && id === '') throw this.fail(line, this.o.groupBy, 'expected a series id, got an empty cell');
    let rows = this.series.get(id);
    if (rows === undefined) {
      rows = new SeriesRows(this.api, this.columns.length);
      this.series.set(id, rows);
    }
    this.lastId = id;
    this.last = rows;
    return rows;
  }

  private readValue(cell: string, line: number, j: number): number {
    const text = cell.trim();
    if (this.o.missingValues.has(text)) {
      this.missing++;
      return NaN;
    }
    const value = readNumber(text);
    const column = this.header![this.fields[j]!];
    if (value === undefined) throw this.fail(line, column, `expected a number, got ${quoted(cell)}`);
    if (!Number.isFinite(value)) throw this.fail(line, column, `expected a number within ±1.8e308, got ${quoted(cell)}`);
    if (this.o.dtype === 'float32' && !this.isAngle[j] && !Number.isFinite(Math.fround(value))) {
      throw this.fail(line, column, `expected a number within the float32 range (±3.4e38), got ${quoted(cell)}; pass dtype: "float64"`);
    }
    return value;
  }

  private readHeader(record: string[], line: number): void {
    const names = record.map((name) => name.trim());
    const o = this.o;
    const find = (name: string, option: string): number => {
      const index = names.indexOf(name);
      if (index === -1) {
        const single = names.length === 1 && o.delimiter !== undefined && DELIMITERS.some((d) => d !== o.delimiter && names[0]!.includes(d));
        const hint = single ? ` (one column only: is the delimiter ${quoted(o.delimiter!)} right?)` : '';
        throw this.fail(line, undefined, `${option} names column ${quoted(name)}, which is not in the header; columns found: ${listed(names)}${hint}`);
      }
      const again = names.indexOf(name, index + 1);
      if (again !== -1) throw this.fail(line, name, `the header has this column twice (fields ${index + 1} and ${again + 1})`);
      return index;
    };
    this.timeIndex = o.time === undefined ? 0 : find(o.time, 'option "time"');
    this.groupIndex = o.groupBy === undefined ? -1 : find(o.groupBy, 'option "groupBy"');
    const time = names[this.timeIndex]!;
    const selected = o.columns ?? names.filter((_, i) => i !== this.timeIndex && i !== this.groupIndex);
    if (selected.length === 0) {
      throw this.fail(line, undefined, `no columns to read besides the time column ${quoted(time)}; columns found: ${listed(names)}`);
    }
    this.fields = selected.map((name) => find(name, 'option "columns"'));
    const special = this.fields.find((field) => field === this.timeIndex || field === this.groupIndex);
    if (special !== undefined) {
      const role = special === this.timeIndex ? `the time column${o.time === undefined ? ' (the first one, by default)' : ''}` : 'the groupBy column';
      throw this.fail(line, undefined, `option "columns" names column ${quoted(names[special]!)}, which is ${role}; pass time: "…" to name another`);
    }
    for (const angle of o.angles) {
      if (!selected.includes(angle)) {
        throw this.fail(line, undefined, `option "angles" names column ${quoted(angle)}, which is not among the columns read: ${listed(selected)}`);
      }
    }
    this.isAngle = selected.map((name) => o.angles.includes(name));
    this.columns = selected.flatMap((name, j) => (this.isAngle[j] ? [`${name}_sin`, `${name}_cos`] : [name]));
    this.header = names;
  }

  /** Turns a parser failure into a CsvError naming the line and column. */
  explain(error: unknown): unknown {
    if (error instanceof RnnkitError) return error;
    const found = describeParserFailure(error, this.header, 'rows of a time series are short: does the file have line breaks, is it CSV?');
    if (found === undefined) {
      const reason = String((error as { message?: unknown } | null)?.message ?? error);
      return new CsvError(this.api, { source: this.source }, `could not read the input: ${shown(reason)}`, { cause: error });
    }
    return new CsvError(this.api, { source: this.source, line: found.line, column: found.column }, found.message, { cause: error });
  }

  finish(): TimeSeriesData {
    if (this.rows === 0) throw this.fail(2, undefined, 'the input has a header but no data rows');
    const o = this.o;
    const k = this.columns.length;
    const report = { rows: this.rows, series: this.series.size, duplicates: 0, missing: this.missing, gaps: 0, filled: 0, skipped: 0 };
    const series: TimeSeries[] = [];
    let gridRows = 0;
    for (const [id, read] of this.series) {
      const n = read.times.length;
      const values = new Float64Array(n * k);
      for (let c = 0; c < k; c++) {
        const column = read.values[c]!.data;
        for (let i = 0; i < n; i++) values[i * k + c] = column[i]!;
      }
      const ordered = orderRows({ times: read.times.data.subarray(0, n), values, k }, read.lines.data, o.sort, o.duplicates);
      const ofSeries = o.groupBy === undefined ? '' : ` in series ${quoted(id)}`;
      if ('duplicate' in ordered) {
        const { instant, firstLine, secondLine } = ordered.duplicate;
        throw this.fail(
          secondLine,
          this.header![this.timeIndex],
          `the instant ${new Date(instant).toISOString()} is also on line ${firstLine}${ofSeries}; pass duplicates: "first", "last" or "mean" to merge them`,
        );
      }
      report.duplicates += ordered.duplicates;
      let rows: Rows = ordered.rows;
      if (o.interval !== undefined) {
        // Resampled rows count against maxRows too (every series together), so that a short
        // step over a long span cannot fill memory.
        const { size } = gridSize(rows.times, o.interval);
        gridRows += size;
        if (gridRows > o.maxRows) {
          const before = gridRows - size > 0 ? ` (with ${formatCount(gridRows - size)} rows of the series before)` : '';
          throw this.fail(
            undefined,
            undefined,
            `resampling${ofSeries} every ${formatCount(o.interval)} ms from ${new Date(rows.times[0]!).toISOString()} to ${new Date(rows.times[rows.times.length - 1]!).toISOString()} gives ${formatCount(size)} rows${before}, more than maxRows (${formatCount(o.maxRows)}); pass a longer interval or a larger maxRows`,
          );
        }
        const resampled = resample(rows, o.interval);
        report.gaps += resampled.gaps;
        rows = resampled.rows;
      }
      const repaired = fillRows(rows, o.fill);
      report.filled += repaired.filled;
      report.skipped += repaired.skipped;
      rows = repaired.rows;
      const m = rows.times.length;
      const data = allocate(o.dtype, m * k, [m, k], this.api);
      data.set(rows.values);
      const one: TimeSeries = { times: rows.times, values: new Tensor(data, [m, k]), columns: [...this.columns] };
      series.push(o.groupBy === undefined ? one : { id, ...one });
    }
    return { series, report };
  }
}
