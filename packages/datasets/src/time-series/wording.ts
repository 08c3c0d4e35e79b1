// How the engine words its errors. The general loader's wording is here; a preset (the SCADA
// loader) passes its own, so that one engine reads every CSV while each API keeps its error
// class and its messages.
import { listed, quoted } from '../csv/quote.js';
import { CsvError } from './csv-error.js';

/** Where a problem is: 1-based line, header name of the column, 0-based field of the record. */
export interface Where {
  line?: number;
  column?: string;
  field?: number;
}

/** A column the options name that the header lacks, and the option naming it. */
export interface MissingColumn {
  name: string;
  option: 'time' | 'groupBy' | 'columns';
}

/** The row counts and instants of a series, for the message that none is in the time range. */
export interface SeriesSpan {
  /** The series id, undefined without groupBy. */
  id: string | undefined;
  rows: number;
  first: number;
  last: number;
  start: number;
  end: number;
}

/** The messages of the engine's errors, and the error that carries them. */
export interface Wording {
  /** The error to throw; `source` is the input's name (or undefined). */
  error(source: string | undefined, where: Where, message: string, cause?: unknown): Error;
  /** Line 1: there is nothing, not even a header. */
  empty(): string;
  /** Line 1: columns the options name are not in the header (at least one). */
  missingColumns(missing: readonly MissingColumn[], found: readonly string[], hint: string): string;
  /** An empty cell in the groupBy column. */
  emptyId(): string;
  /** A timestamp that does not parse; `offsetRequired` when one without an offset is refused. */
  badTime(text: string, offsetRequired: boolean): string;
  /** A cell that is not a number (nor a missing value). */
  badNumber(text: string, decimal: '.' | ','): string;
  /** A number beyond ±1.8e308 (`1e999`). */
  beyondDouble(text: string): string;
  /** A number kept as is in a float32 result that float32 cannot hold. */
  beyondFloat32(text: string): string;
  /** Two rows of one series at one instant under the `'error'` policy. */
  duplicate(id: string | undefined, instant: number, firstLine: number, secondLine: number): string;
  /** No row has the id `only` names (the column is the groupBy column). */
  notFound(id: string, ids: readonly string[]): string;
  /** No row of the series read is inside [start, end) (the column is the time column). */
  noRowsInRange(span: SeriesSpan): string;
  /** With a leading policy other than 'keep': a column without any value to fill from. */
  noValidValue(id: string | undefined, inRange: boolean): string;
  /** Advice after "the line is longer than 16,777,216 bytes;". */
  longLine: string;
}

const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/** The general loader's wording: `CsvError`s such as `line 7, column "speed": expected a number, got "abc"`. */
export function timeSeriesWording(api: string): Wording {
  const ofSeries = (id: string | undefined): string => (id === undefined ? '' : ` in series ${quoted(id)}`);
  return {
    error: (source, where, message, cause) =>
      new CsvError(api, { source, line: where.line, column: where.column }, message, cause === undefined ? undefined : { cause }),
    empty: () => 'the input is empty; expected a header line naming the columns',
    missingColumns: (missing, found, hint) =>
      `option "${missing[0]!.option}" names column ${quoted(missing[0]!.name)}, which is not in the header; columns found: ${listed(found)}${hint}`,
    emptyId: () => 'expected a series id, got an empty cell',
    badTime: (text, offsetRequired) =>
      offsetRequired
        ? `expected a date-time with a UTC offset such as 2024-03-01T12:00:00Z or 2024-03-01T14:00:00+02:00 (requireOffset), got ${quoted(text)}`
        : `expected a date-time such as 2024-03-01T12:00:00Z, 2024-03-01T14:00:00+02:00 or 2024-03-01 12:00, got ${quoted(text)}`,
    badNumber: (text, decimal) =>
      `expected a number, got ${quoted(text)}${decimal === '.' && /^[+-]?\d*,\d+$/.test(text.trim()) ? ' (the decimal separator is "."; pass decimal: ",")' : ''}`,
    beyondDouble: (text) => `expected a number within ±1.8e308, got ${quoted(text)}`,
    beyondFloat32: (text) => `expected a number within the float32 range (±3.4e38), got ${quoted(text)}; pass dtype: "float64"`,
    duplicate: (id, instant, firstLine) =>
      `the instant ${new Date(instant).toISOString()} is also on line ${firstLine}${ofSeries(id)}; pass duplicates: "first", "last" or "mean" to merge them`,
    notFound: (id, ids) => `option "only" names series ${quoted(id)}, which has no rows; series present: ${listed(ids)}`,
    noRowsInRange: (span) =>
      `no rows${ofSeries(span.id)} in the time range [${iso(span.start)}, ${iso(span.end)}); the ${span.rows} rows read run from ${iso(span.first)} to ${iso(span.last)}`,
    noValidValue: (id, inRange) => `no valid value${ofSeries(id)}${inRange ? ' in the time range' : ''}, so there is nothing to fill from`,
    longLine: 'rows of a time series are short: does the file have line breaks, is it CSV?',
  };
}
