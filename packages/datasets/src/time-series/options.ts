// Options and results of the general time-series CSV loader (both entries share them).
import { type DType, RnnkitError, type Tensor, describeValue } from '@rnnkit/tensor';
import { parseInstant } from '../csv/date-time.js';
import { checkOptions, choiceOption, dtypeOption, integerOption } from '../options.js';
import type { MergedPlace } from './process.js';

/** An instant: a `Date`, milliseconds since the epoch, or an ISO date-time with an offset or `Z`. */
export type TimeInput = Date | number | string;

/**
 * Rows of one series with the same instant: throw naming both lines (`'error'`), keep the
 * `'first'` or the `'last'` in file order, average them (`'mean'`, per column, over the
 * values present), or `'keep'` every one of them (in file order among themselves).
 */
export type TimeSeriesDuplicates = 'error' | 'first' | 'last' | 'mean' | 'keep';

/**
 * Repair of missing values (empty cells, `missingValues`, and grid instants without rows
 * when resampling), per column in time order: `'forward'` copies the last value before,
 * `'linear'` interpolates in time between the values around, `'drop'` removes the row,
 * `'none'` leaves NaN. Values before a column's first one (and, for `'linear'`, after its
 * last) have nothing to fill from and stay NaN.
 */
export type TimeSeriesFill = 'forward' | 'linear' | 'drop' | 'none';

/** Options of `parseTimeSeries` and `loadTimeSeries`. */
export interface TimeSeriesOptions {
  /**
   * Field separator.
   * @defaultValue detected from the header line: the most frequent of `,` `;` tab `|` outside quotes (`,` if none)
   */
  delimiter?: string;
  /**
   * Columns read as numbers, in the order of the output.
   * @defaultValue every column but `time` and `groupBy`, in header order
   */
  columns?: readonly string[];
  /**
   * Column holding the timestamp: ISO 8601 with an offset (`2024-03-01T12:00:00Z`,
   * `2024-03-01T14:00:00+02:00`), or without one (`2024-03-01 12:00`, `2024-03-01 12:00:30`,
   * `2024-03-01`), read at `timeZoneOffset`.
   * @defaultValue the first column of the header
   */
  time?: string;
  /**
   * Offset from UTC, in minutes, of timestamps written without one (120 for `+02:00`).
   * @defaultValue 0 (UTC)
   */
  timeZoneOffset?: number;
  /**
   * Refuse a timestamp written without a UTC offset (or a date without a time) instead of
   * reading it at `timeZoneOffset`: for exports in a local time whose offset changes at
   * daylight-saving time, where such a timestamp is ambiguous.
   * @defaultValue false
   */
  requireOffset?: boolean;
  /**
   * Keep rows at or after this instant (rows before it are read past, not kept).
   * @defaultValue no lower bound
   */
  start?: TimeInput;
  /**
   * Keep rows strictly before this instant.
   * @defaultValue no upper bound
   */
  end?: TimeInput;
  /**
   * Sort each series by instant (a stable sort). With `false`, rows keep file order.
   * @defaultValue true
   */
  sort?: boolean;
  /**
   * Policy for rows of the same series with the same instant.
   * @defaultValue 'error'
   */
  duplicates?: TimeSeriesDuplicates;
  /**
   * Column holding a series id (a turbine, a sensor): one series per id, in order of first
   * appearance.
   * @defaultValue one series of every row
   */
  groupBy?: string;
  /**
   * With `groupBy`, read one series only: the one with this id, or `{ first: true }` for the
   * series of the first data row. Rows of other series are read past without being parsed
   * or kept (their ids are still listed in `ids`), so memory follows that series, not the file.
   * @defaultValue every series
   */
  only?: string | { readonly first: true };
  /**
   * Resample each series on a grid of this step: milliseconds, or a string such as `'500ms'`,
   * `'30s'`, `'10min'`, `'1h'`, `'1d'`. Grid instants are multiples of the step since the
   * epoch, from the first row's to the last row's; each takes the mean of the rows in
   * `[instant, instant + step)`, and one without rows is a gap, repaired by `fill`.
   * @defaultValue no resampling
   */
  interval?: number | string;
  /**
   * Repair of missing values and gaps.
   * @defaultValue 'none'
   */
  fill?: TimeSeriesFill;
  /**
   * Columns holding angles in degrees: each becomes two columns `<name>_sin` and `<name>_cos`
   * in its place (so that 359° and 1° are neighbours, and means and interpolation are right).
   * @defaultValue none
   */
  angles?: readonly string[];
  /**
   * Cell texts (after trimming spaces) that mean "missing".
   * @defaultValue ['', 'NaN', 'NA', 'null']
   */
  missingValues?: readonly string[];
  /**
   * Decimal separator of the numbers (`12,5` with `','`).
   * @defaultValue '.'
   */
  decimal?: '.' | ',';
  /**
   * Most data rows read (every series together), and most rows a resampled series may have;
   * more is an error, so that a wrong file or step cannot fill memory.
   * @defaultValue 500_000
   */
  maxRows?: number;
  /**
   * Element type of `values`.
   * @defaultValue 'float32'
   */
  dtype?: DType;
}

/** One series of the result. */
export interface TimeSeries {
  /** The series id (the `groupBy` column's value); absent without `groupBy`. */
  readonly id?: string;
  /** UTC instant of each row, in milliseconds since the epoch. */
  readonly times: Float64Array;
  /** `[rows, columns.length]`. */
  readonly values: Tensor;
  /** Name of each column of `values` (angles as `<name>_sin`, `<name>_cos`). */
  readonly columns: readonly string[];
}

/** Counts of what the loader read and repaired, over every series. */
export interface TimeSeriesReport {
  /** Data rows read. */
  readonly rows: number;
  /** Series in the result. */
  readonly series: number;
  /** Rows that repeated an instant of their series (dropped or averaged). */
  readonly duplicates: number;
  /** Missing cells in the columns read (before resampling and filling). */
  readonly missing: number;
  /** Grid instants without any row (with `interval`). */
  readonly gaps: number;
  /** Values filled (`fill: 'forward'` or `'linear'`). */
  readonly filled: number;
  /** Rows left out because a value was missing (`fill: 'drop'`). */
  readonly skipped: number;
}

/** What `parseTimeSeries` and `loadTimeSeries` return. */
export interface TimeSeriesData {
  readonly series: TimeSeries[];
  /** With `groupBy`: every series id of the input, in order of first appearance (with `only`, those not read too). */
  readonly ids?: readonly string[];
  readonly report: TimeSeriesReport;
}

/**
 * What a value read from a column becomes: itself (`'raw'`), the sine or cosine of it read as
 * degrees, or (the SCADA preset's experiment-1 quirk) the sine of it read as radians.
 */
export type ColumnTransform = 'raw' | 'sin' | 'cos' | 'sinOfRawDegrees';

/**
 * What to do, with forward fill, with the rows before a column's first value: leave them NaN,
 * copy that value back over them, or drop them (up to the last column's first value).
 */
export type LeadingPolicy = 'keep' | 'backward' | 'drop';

/** The options the engine runs on: the public options checked, and the knobs presets set. */
export interface ResolvedTimeSeriesOptions {
  /** undefined: detect from the header line. */
  delimiter: string | undefined;
  columns: readonly string[] | undefined;
  time: string | undefined;
  /** Offset of timestamps without one; undefined refuses them (and dates alone). */
  timeZoneOffset: number | undefined;
  start: number;
  end: number;
  sort: boolean;
  duplicates: TimeSeriesDuplicates;
  /** With `sort: false`, where a merged instant goes; the public options put it where it first appears. */
  placeMerged: MergedPlace;
  groupBy: string | undefined;
  only: string | { readonly first: true } | undefined;
  /** Step in milliseconds, or undefined. */
  interval: number | undefined;
  fill: TimeSeriesFill;
  /** Output columns of a column read (absent: `['raw']`); `angles` become `['sin', 'cos']`. */
  transforms: ReadonlyMap<string, readonly ColumnTransform[]>;
  /** With forward fill; the public options keep leading NaN. */
  leading: LeadingPolicy;
  missingValues: ReadonlySet<string>;
  decimal: '.' | ',';
  /** Infinity for no limit (presets only). */
  maxRows: number;
  dtype: DType;
}

const KNOWN: readonly (keyof TimeSeriesOptions)[] = [
  'delimiter',
  'columns',
  'time',
  'timeZoneOffset',
  'requireOffset',
  'start',
  'end',
  'sort',
  'duplicates',
  'groupBy',
  'only',
  'interval',
  'fill',
  'angles',
  'missingValues',
  'decimal',
  'maxRows',
  'dtype',
];

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, min: 60_000, h: 3_600_000, d: 86_400_000 };

/** The resampling step in milliseconds, from a number or text such as `'10min'`. */
export function intervalMs(api: string, value: unknown): number {
  let ms = NaN;
  if (typeof value === 'number') ms = value;
  else if (typeof value === 'string') {
    const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|min|h|d)\s*$/.exec(value);
    if (m !== null) ms = Number(m[1]) * UNIT_MS[m[2]!]!;
  }
  if (!Number.isInteger(ms) || ms < 1 || ms > 1e15) {
    throw new RnnkitError(
      api,
      `option "interval" must be a whole number of milliseconds ≥ 1 or a step such as "500ms", "30s", "10min", "1h", "1d", got ${describeValue(value)}`,
    );
  }
  return ms;
}

function name(api: string, option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RnnkitError(api, `option "${option}" must be a non-empty column name, got ${describeValue(value)}`);
  }
  return value.trim();
}

function names(api: string, option: string, value: unknown, allowEmpty: boolean): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || (!allowEmpty && value.length === 0) || !value.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new RnnkitError(api, `option "${option}" must be ${allowEmpty ? 'an' : 'a non-empty'} array of column names, got ${describeValue(value)}`);
  }
  const trimmed = value.map((v: string) => v.trim());
  const repeated = trimmed.find((v, i) => trimmed.indexOf(v) !== i);
  if (repeated !== undefined) throw new RnnkitError(api, `option "${option}" names ${describeValue(repeated)} twice`);
  return trimmed;
}

/** The largest epoch milliseconds a Date holds (±100,000,000 days around 1970). */
const MAX_DATE_MILLISECONDS = 8.64e15;

/** An instant option (`start`, `end`) in epoch milliseconds, or the fallback when undefined. */
export function instantOption(api: string, option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  let t = NaN;
  if (value instanceof Date) t = value.getTime();
  else if (typeof value === 'number') t = value;
  else if (typeof value === 'string') t = parseInstant(value);
  // Beyond ±8.64e15 ms a Date is invalid (and cannot be written in a message).
  if (!(Math.abs(t) <= MAX_DATE_MILLISECONDS)) {
    throw new RnnkitError(
      api,
      `option "${option}" must be a Date, epoch milliseconds (within ±8.64e15) or an ISO date-time with an offset (2013-01-01T00:00:00+01:00), got ${describeValue(value)}`,
    );
  }
  return t;
}

/** `start` and `end` in epoch milliseconds; refuses an empty range. */
export function timeRange(api: string, start: unknown, end: unknown): { start: number; end: number } {
  const range = { start: instantOption(api, 'start', start, -Infinity), end: instantOption(api, 'end', end, Infinity) };
  if (!(range.start < range.end)) {
    throw new RnnkitError(api, `the time range is empty: start ${new Date(range.start).toISOString()} is not before end ${new Date(range.end).toISOString()}`);
  }
  return range;
}

/** The field separator: non-empty, without quotes or line breaks, and not the decimal separator. */
export function delimiterOption(api: string, value: unknown, decimal: string): void {
  if (typeof value !== 'string' || value.length === 0 || /["\r\n]/.test(value)) {
    throw new RnnkitError(api, `option "delimiter" must be a non-empty string without quotes or line breaks, got ${describeValue(value)}`);
  }
  if (value === decimal) throw new RnnkitError(api, `the decimal separator and the delimiter are both "${decimal}"`);
}

export function resolveTimeSeriesOptions(api: string, options: TimeSeriesOptions | undefined): ResolvedTimeSeriesOptions {
  const o = checkOptions(api, options, KNOWN);
  const delimiter = o.delimiter;
  const decimal = choiceOption(api, 'decimal', o.decimal, ['.', ','], '.');
  if (delimiter !== undefined) delimiterOption(api, delimiter, decimal);
  const columns = names(api, 'columns', o.columns, false);
  const time = name(api, 'time', o.time);
  const groupBy = name(api, 'groupBy', o.groupBy);
  const angles = names(api, 'angles', o.angles, true) ?? [];
  for (const special of [time, groupBy]) {
    if (special !== undefined && columns?.includes(special)) {
      throw new RnnkitError(api, `option "columns" names ${describeValue(special)}, which is the ${special === time ? 'time' : 'groupBy'} column`);
    }
  }
  if (time !== undefined && time === groupBy) throw new RnnkitError(api, `options "time" and "groupBy" name the same column ${describeValue(time)}`);
  if (columns !== undefined) {
    const stray = angles.find((a) => !columns.includes(a));
    if (stray !== undefined) {
      throw new RnnkitError(api, `option "angles" names ${describeValue(stray)}, which is not one of the columns [${columns.join(', ')}]`);
    }
  }
  if (o.sort !== undefined && typeof o.sort !== 'boolean') {
    throw new RnnkitError(api, `option "sort" must be true or false, got ${describeValue(o.sort)}`);
  }
  const sort = o.sort ?? true;
  const interval = o.interval === undefined ? undefined : intervalMs(api, o.interval);
  if (interval !== undefined && !sort) {
    throw new RnnkitError(api, 'option "interval" resamples in time order; it cannot be combined with sort: false');
  }
  if (o.requireOffset !== undefined && typeof o.requireOffset !== 'boolean') {
    throw new RnnkitError(api, `option "requireOffset" must be true or false, got ${describeValue(o.requireOffset)}`);
  }
  if (o.requireOffset === true && o.timeZoneOffset !== undefined) {
    throw new RnnkitError(api, 'option "timeZoneOffset" reads timestamps without an offset, which requireOffset: true refuses; pass one of them');
  }
  const only = o.only;
  if (only !== undefined) {
    if (groupBy === undefined) throw new RnnkitError(api, 'option "only" picks a series of the groupBy column; pass groupBy too');
    const first = only !== null && typeof only === 'object' && (only as { first?: unknown }).first === true && Object.keys(only).length === 1;
    if (!first && (typeof only !== 'string' || only.trim() === '')) {
      throw new RnnkitError(api, `option "only" must be a series id or { first: true }, got ${describeValue(only)}`);
    }
  }
  const missing = o.missingValues ?? ['', 'NaN', 'NA', 'null'];
  if (!Array.isArray(missing) || !missing.every((m) => typeof m === 'string')) {
    throw new RnnkitError(api, `option "missingValues" must be an array of strings, got ${describeValue(missing)}`);
  }
  return {
    delimiter,
    columns,
    time,
    timeZoneOffset: o.requireOffset === true ? undefined : integerOption(api, 'timeZoneOffset', o.timeZoneOffset, 0, -14 * 60, 14 * 60),
    ...timeRange(api, o.start, o.end),
    sort,
    duplicates: choiceOption(api, 'duplicates', o.duplicates, ['error', 'first', 'last', 'mean', 'keep'], 'error'),
    placeMerged: 'first',
    groupBy,
    only: typeof only === 'string' ? only.trim() : only,
    interval,
    fill: choiceOption(api, 'fill', o.fill, ['forward', 'linear', 'drop', 'none'], 'none'),
    transforms: new Map(angles.map((name) => [name, ['sin', 'cos'] as const])),
    leading: 'keep',
    missingValues: new Set(missing.map((m: string) => m.trim())),
    decimal,
    maxRows: integerOption(api, 'maxRows', o.maxRows, 500_000, 1),
    dtype: dtypeOption(api, o.dtype),
  };
}
