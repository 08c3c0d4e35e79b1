// Options and results of the general time-series CSV loader (both entries share them).
import { type DType, RnnkitError, type Tensor, describeValue } from '@rnnkit/tensor';
import { checkOptions, choiceOption, dtypeOption, integerOption } from '../options.js';

/**
 * Rows of one series with the same instant: throw naming both lines (`'error'`), keep the
 * `'first'` or the `'last'` in file order, or average them (`'mean'`, per column, over the
 * values present).
 */
export type TimeSeriesDuplicates = 'error' | 'first' | 'last' | 'mean';

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
  readonly report: TimeSeriesReport;
}

export interface ResolvedTimeSeriesOptions {
  /** undefined: detect from the header line. */
  delimiter: string | undefined;
  columns: readonly string[] | undefined;
  time: string | undefined;
  timeZoneOffset: number;
  sort: boolean;
  duplicates: TimeSeriesDuplicates;
  groupBy: string | undefined;
  /** Step in milliseconds, or undefined. */
  interval: number | undefined;
  fill: TimeSeriesFill;
  angles: readonly string[];
  missingValues: ReadonlySet<string>;
  maxRows: number;
  dtype: DType;
}

const KNOWN: readonly (keyof TimeSeriesOptions)[] = [
  'delimiter',
  'columns',
  'time',
  'timeZoneOffset',
  'sort',
  'duplicates',
  'groupBy',
  'interval',
  'fill',
  'angles',
  'missingValues',
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

export function resolveTimeSeriesOptions(api: string, options: TimeSeriesOptions | undefined): ResolvedTimeSeriesOptions {
  const o = checkOptions(api, options, KNOWN);
  const delimiter = o.delimiter;
  if (delimiter !== undefined && (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter))) {
    throw new RnnkitError(api, `option "delimiter" must be a non-empty string without quotes or line breaks, got ${describeValue(delimiter)}`);
  }
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
  const missing = o.missingValues ?? ['', 'NaN', 'NA', 'null'];
  if (!Array.isArray(missing) || !missing.every((m) => typeof m === 'string')) {
    throw new RnnkitError(api, `option "missingValues" must be an array of strings, got ${describeValue(missing)}`);
  }
  return {
    delimiter,
    columns,
    time,
    timeZoneOffset: integerOption(api, 'timeZoneOffset', o.timeZoneOffset, 0, -14 * 60, 14 * 60),
    sort,
    duplicates: choiceOption(api, 'duplicates', o.duplicates, ['error', 'first', 'last', 'mean'], 'error'),
    groupBy,
    interval,
    fill: choiceOption(api, 'fill', o.fill, ['forward', 'linear', 'drop', 'none'], 'none'),
    angles,
    missingValues: new Set(missing.map((m: string) => m.trim())),
    maxRows: integerOption(api, 'maxRows', o.maxRows, 500_000, 1),
    dtype: dtypeOption(api, o.dtype),
  };
}
