// Options and results of the La Haute Borne SCADA loader (both entries share them).
import { type DType, RnnkitError, type Tensor, describeValue } from '@rnnkit/tensor';
import { checkOptions, choiceOption, dtypeOption } from '../options.js';
import { parseDateTime } from './date-time.js';

/**
 * What to make of a column: `'raw'` keeps the value; `'sin'` and `'cos'` read it as an
 * angle in degrees and give `sin(deg · π/180)` and `cos(deg · π/180)`; `'sinOfRawDegrees'`
 * reproduces experiment 1's original quirk, `sin(deg)` — the degree value taken as radians.
 */
export type AngleTransform = 'raw' | 'sin' | 'cos' | 'sinOfRawDegrees';

/**
 * Rows of the same turbine with the same instant: keep the `'first'` or the `'last'` in file
 * order, `'keep'` all of them, or throw (`'error'`) naming the lines of both.
 */
export type DuplicatePolicy = 'first' | 'last' | 'keep' | 'error';

/** `'forward'` fills a missing value with the last valid one before it; `'none'` leaves NaN. */
export type FillPolicy = 'forward' | 'none';

/**
 * Rows before the first valid value (with forward fill): `'drop'` removes every row before
 * the first row from which all selected variables have had a valid value; `'keep'` leaves
 * those values NaN; `'backward'` copies each variable's first valid value back over them.
 */
export type ScadaLeadingPolicy = 'drop' | 'keep' | 'backward';

/** An instant: a `Date`, milliseconds since the epoch, or an ISO date-time with an offset or `Z`. */
export type TimeInput = Date | number | string;

/** Options of `parseScada` and `loadScada`. */
export interface ScadaOptions {
  /**
   * Name of the turbine whose rows are read (column `Wind_turbine_name`).
   * @defaultValue the turbine of the first data row, as experiment 1 takes it
   */
  turbine?: string;
  /**
   * Columns read as numbers, in the order of the output features.
   * @defaultValue ['Wa_c_avg'] (wind direction in degrees)
   */
  variables?: readonly string[];
  /**
   * Keep rows at or after this instant.
   * @defaultValue no lower bound
   */
  start?: TimeInput;
  /**
   * Keep rows strictly before this instant.
   * @defaultValue no upper bound
   */
  end?: TimeInput;
  /**
   * Sort the rows by their UTC instant (a stable sort: equal instants keep file order).
   * Exports are not always in time order, and offsets change at daylight-saving time.
   * @defaultValue true
   */
  sort?: boolean;
  /**
   * Policy for rows with the same instant (judged after sorting).
   * @defaultValue 'first'
   */
  duplicates?: DuplicatePolicy;
  /**
   * Repair of missing values (empty cells or `missingValues`), per variable, in time order.
   * @defaultValue 'forward'
   */
  fill?: FillPolicy;
  /**
   * With forward fill, what becomes of the rows before the first valid value.
   * @defaultValue 'drop'
   */
  fillLeading?: ScadaLeadingPolicy;
  /**
   * Features made from variables holding angles in degrees, e.g.
   * `{ Wa_c_avg: ['sin', 'cos'] }` gives the features `Wa_c_avg_sin` and `Wa_c_avg_cos`
   * in place of `Wa_c_avg`. Each key must be one of `variables`.
   * @defaultValue every variable 'raw'
   */
  angles?: Readonly<Record<string, AngleTransform | readonly AngleTransform[]>>;
  /**
   * Field separator.
   * @defaultValue ';'
   */
  delimiter?: string;
  /**
   * Decimal separator of the numbers.
   * @defaultValue '.'
   */
  decimal?: '.' | ',';
  /**
   * Cell texts (after trimming spaces) that mean "missing".
   * @defaultValue ['', 'NaN', 'NA']
   */
  missingValues?: readonly string[];
  /**
   * Column holding the turbine name.
   * @defaultValue 'Wind_turbine_name'
   */
  turbineColumn?: string;
  /**
   * Column holding the date-time (ISO 8601 with a UTC offset).
   * @defaultValue 'Date_time'
   */
  timeColumn?: string;
  /**
   * Name of the input used in error messages.
   * @defaultValue the file path (`loadScada`), else `<text>` or `<stream>`
   */
  source?: string;
  /**
   * Element type of `values`.
   * @defaultValue 'float32'
   */
  dtype?: DType;
}

/** Counts of what the loader read and repaired. */
export interface ScadaReport {
  /** Data rows in the input (every turbine). */
  readonly rowsRead: number;
  /** Rows of the selected turbine. */
  readonly turbineRows: number;
  /** Rows of the selected turbine inside the time range. */
  readonly rowsInRange: number;
  /** Rows removed by the duplicate policy. */
  readonly duplicatesDropped: number;
  /** Missing cells among the selected variables of the rows kept (before filling). */
  readonly missingValues: number;
  /** Missing cells filled (forward, or backward with `fillLeading: 'backward'`). */
  readonly valuesFilled: number;
  /** Rows removed before the first valid value (`fillLeading: 'drop'`). */
  readonly leadingRowsDropped: number;
}

/** Rows of one turbine from a SCADA export. */
export interface ScadaData {
  /** The input's name, as used in error messages. */
  readonly source: string;
  /** The turbine read. */
  readonly turbine: string;
  /** Every turbine of the input, in order of first appearance. */
  readonly turbines: readonly string[];
  /** Name of each feature of `values` (a variable, or `variable_sin`, `variable_cos`, …). */
  readonly columns: readonly string[];
  /** UTC instant of each row, in milliseconds since the epoch. */
  readonly time: Float64Array;
  /** `[rows, columns.length]`: one row per kept instant. */
  readonly values: Tensor;
  /** What was read and repaired. */
  readonly report: ScadaReport;
}

export interface ResolvedScadaOptions {
  turbine: string | undefined;
  variables: readonly string[];
  start: number;
  end: number;
  sort: boolean;
  duplicates: DuplicatePolicy;
  fill: FillPolicy;
  fillLeading: ScadaLeadingPolicy;
  /** Per variable, its transforms. */
  transforms: readonly (readonly AngleTransform[])[];
  delimiter: string;
  decimal: '.' | ',';
  missingValues: ReadonlySet<string>;
  turbineColumn: string;
  timeColumn: string;
  source: string | undefined;
  dtype: DType;
}

const KNOWN: readonly (keyof ScadaOptions)[] = [
  'turbine',
  'variables',
  'start',
  'end',
  'sort',
  'duplicates',
  'fill',
  'fillLeading',
  'angles',
  'delimiter',
  'decimal',
  'missingValues',
  'turbineColumn',
  'timeColumn',
  'source',
  'dtype',
];
const TRANSFORMS: readonly AngleTransform[] = ['raw', 'sin', 'cos', 'sinOfRawDegrees'];

function nonEmptyString(api: string, name: string, value: unknown, fallback: string): string {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new RnnkitError(api, `option "${name}" must be a non-empty string, got ${describeValue(value)}`);
  }
  return value.trim();
}

/** The largest epoch milliseconds a Date holds (±100,000,000 days around 1970). */
const MAX_DATE_MILLISECONDS = 8.64e15;

function instant(api: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  let t = NaN;
  if (value instanceof Date) t = value.getTime();
  else if (typeof value === 'number') t = value;
  else if (typeof value === 'string') t = parseDateTime(value);
  // Beyond ±8.64e15 ms a Date is invalid (and cannot be written in a message).
  if (!(Math.abs(t) <= MAX_DATE_MILLISECONDS)) {
    throw new RnnkitError(
      api,
      `option "${name}" must be a Date, epoch milliseconds (within ±8.64e15) or an ISO date-time with an offset (2013-01-01T00:00:00+01:00), got ${describeValue(value)}`,
    );
  }
  return t;
}

export function resolveScadaOptions(api: string, options: ScadaOptions | undefined): ResolvedScadaOptions {
  const o = checkOptions(api, options, KNOWN);
  const turbine = o.turbine === undefined ? undefined : nonEmptyString(api, 'turbine', o.turbine, '');
  const variables = o.variables ?? ['Wa_c_avg'];
  if (!Array.isArray(variables) || variables.length === 0 || !variables.every((v) => typeof v === 'string' && v.trim() !== '')) {
    throw new RnnkitError(api, `option "variables" must be a non-empty array of column names, got ${describeValue(variables)}`);
  }
  const names = variables.map((v: string) => v.trim());
  const repeated = names.find((v, i) => names.indexOf(v) !== i);
  if (repeated !== undefined) throw new RnnkitError(api, `option "variables" names ${repeated} twice`);
  const start = instant(api, 'start', o.start, -Infinity);
  const end = instant(api, 'end', o.end, Infinity);
  if (!(start < end)) {
    throw new RnnkitError(api, `the time range is empty: start ${new Date(start).toISOString()} is not before end ${new Date(end).toISOString()}`);
  }
  if (o.sort !== undefined && typeof o.sort !== 'boolean') {
    throw new RnnkitError(api, `option "sort" must be true or false, got ${describeValue(o.sort)}`);
  }
  const fill = choiceOption(api, 'fill', o.fill, ['forward', 'none'], 'forward');
  if (fill === 'none' && o.fillLeading !== undefined) {
    throw new RnnkitError(api, 'option "fillLeading" only applies with fill: "forward"');
  }
  const transforms = names.map((): readonly AngleTransform[] => ['raw']);
  if (o.angles !== undefined) {
    if (o.angles === null || typeof o.angles !== 'object' || Array.isArray(o.angles)) {
      throw new RnnkitError(api, `option "angles" must be an object such as { Wa_c_avg: ['sin', 'cos'] }, got ${describeValue(o.angles)}`);
    }
    for (const [name, value] of Object.entries(o.angles)) {
      const index = names.indexOf(name);
      if (index === -1) {
        throw new RnnkitError(api, `option "angles" names ${name}, which is not one of the variables [${names.join(', ')}]`);
      }
      const list = (typeof value === 'string' ? [value] : value) as unknown;
      if (
        !Array.isArray(list) ||
        list.length === 0 ||
        !list.every((t) => (TRANSFORMS as readonly unknown[]).includes(t)) ||
        new Set(list).size !== list.length
      ) {
        throw new RnnkitError(
          api,
          `option "angles.${name}" must be one or more distinct transforms of ${TRANSFORMS.map((t) => `"${t}"`).join(', ')}, got ${describeValue(value)}`,
        );
      }
      transforms[index] = list as AngleTransform[];
    }
  }
  const delimiter = o.delimiter ?? ';';
  if (typeof delimiter !== 'string' || delimiter.length === 0 || /["\r\n]/.test(delimiter)) {
    throw new RnnkitError(api, `option "delimiter" must be a non-empty string without quotes or line breaks, got ${describeValue(delimiter)}`);
  }
  const decimal = choiceOption(api, 'decimal', o.decimal, ['.', ','], '.');
  if (decimal === delimiter) throw new RnnkitError(api, `the decimal separator and the delimiter are both "${decimal}"`);
  const missing = o.missingValues ?? ['', 'NaN', 'NA'];
  if (!Array.isArray(missing) || !missing.every((m) => typeof m === 'string')) {
    throw new RnnkitError(api, `option "missingValues" must be an array of strings, got ${describeValue(missing)}`);
  }
  if (o.source !== undefined && typeof o.source !== 'string') {
    throw new RnnkitError(api, `option "source" must be a string, got ${describeValue(o.source)}`);
  }
  return {
    turbine,
    variables: names,
    start,
    end,
    sort: o.sort ?? true,
    duplicates: choiceOption(api, 'duplicates', o.duplicates, ['first', 'last', 'keep', 'error'], 'first'),
    fill,
    fillLeading: choiceOption(api, 'fillLeading', o.fillLeading, ['drop', 'keep', 'backward'], 'drop'),
    transforms,
    delimiter,
    decimal,
    missingValues: new Set(missing.map((m: string) => m.trim())),
    turbineColumn: nonEmptyString(api, 'turbineColumn', o.turbineColumn, 'Wind_turbine_name'),
    timeColumn: nonEmptyString(api, 'timeColumn', o.timeColumn, 'Date_time'),
    source: o.source,
    dtype: dtypeOption(api, o.dtype),
  };
}
