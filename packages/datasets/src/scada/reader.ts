// The SCADA loader's engine, shared by the browser-safe and the Node entry. Records stream
// through the CSV engine (csv/stream.ts) one at a time, and only the selected turbine's
// instants and the selected columns are kept, so memory grows with what is selected, not
// with the file.
import { RnnkitError, Tensor, allocate } from '@rnnkit/tensor';
import { parseDateTime } from '../csv/date-time.js';
import { readNumber } from '../csv/number.js';
import { sniffNonText } from '../csv/sniff.js';
import { type ChunkSource, Column, type CsvParserFactory, type Failure, describeParserFailure, drive, parserOptions } from '../csv/stream.js';
import { fillColumn } from '../fill.js';
import { type AngleTransform, type ResolvedScadaOptions, type ScadaData, type ScadaOptions, resolveScadaOptions } from './options.js';
import { ScadaError, listed, quoted, shown } from './scada-error.js';

export { ScadaError } from './scada-error.js';
export type { ChunkSource, CsvParserFactory } from '../csv/stream.js';

export interface ReadContext {
  /** API name for errors (`parseScada`, `loadScada`). */
  api: string;
  /** Name of the input when the options give none. */
  source: string;
  createParser: CsvParserFactory;
  /** Decode byte chunks to text before parsing (the browser build takes strings only). */
  decodeBytes: boolean;
}

/** Reads SCADA rows from chunks of CSV. */
export async function readScada(chunks: ChunkSource, options: ScadaOptions | undefined, context: ReadContext): Promise<ScadaData> {
  const { api } = context;
  const o = resolveScadaOptions(api, options);
  const reader = new RecordReader(api, o, o.source ?? context.source);
  const failure: Failure = {};
  const parser = context.createParser(parserOptions(o.delimiter, failure, (record, line) => reader.accept(record, line)));
  let wrote: boolean;
  try {
    wrote = await drive(parser, chunks, context.decodeBytes, failure, (head) => reader.checkText(head));
  } catch (error) {
    throw reader.explain(error);
  }
  if (!wrote || reader.header === undefined) throw reader.emptyError();
  return reader.finish();
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
    const text = cell.trim();
    if (this.o.missingValues.has(text)) return NaN;
    const value = readNumber(text, this.o.decimal);
    if (value === undefined) {
      const hint = this.o.decimal === '.' && /^[+-]?\d*,\d+$/.test(text) ? ' (the decimal separator is "."; pass decimal: ",")' : '';
      this.fail(line, this.o.variables[variable], `cannot parse ${quoted(cell)} as a number${hint}`, field);
    }
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
    const found = describeParserFailure(error, this.header, 'SCADA rows are short: does the file have line breaks, is it CSV?');
    if (found === undefined) {
      const reason = String((error as { message?: unknown } | null)?.message ?? error);
      return new ScadaError(this.api, { source: this.source }, `could not read the input: ${shown(reason)}`, { cause: error });
    }
    const { message, ...where } = found;
    return new ScadaError(this.api, { source: this.source, ...where }, message, { cause: error });
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
