// Options and results of the La Haute Borne SCADA loader (both entries share them).
import { type DType, RnnkitError, type Tensor, describeValue } from '@rnnkit/tensor';
import { checkOptions, choiceOption, dtypeOption } from '../options.js';
import { type ResolvedTimeSeriesOptions, type TimeInput, delimiterOption, timeRange } from '../time-series/options.js';

export type { TimeInput } from '../time-series/options.js';

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

/** The SCADA options as the time-series engine runs them, and what the preset's messages need. */
export interface ResolvedScadaOptions {
  engine: ResolvedTimeSeriesOptions;
  turbineColumn: string;
  timeColumn: string;
  variables: readonly string[];
  delimiter: string;
  source: string | undefined;
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

/** Checks the SCADA options and maps them onto the time-series engine's (the La Haute Borne preset). */
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
  const range = timeRange(api, o.start, o.end);
  if (o.sort !== undefined && typeof o.sort !== 'boolean') {
    throw new RnnkitError(api, `option "sort" must be true or false, got ${describeValue(o.sort)}`);
  }
  const fill = choiceOption(api, 'fill', o.fill, ['forward', 'none'], 'forward');
  if (fill === 'none' && o.fillLeading !== undefined) {
    throw new RnnkitError(api, 'option "fillLeading" only applies with fill: "forward"');
  }
  const transforms = new Map<string, readonly AngleTransform[]>();
  if (o.angles !== undefined) {
    if (o.angles === null || typeof o.angles !== 'object' || Array.isArray(o.angles)) {
      throw new RnnkitError(api, `option "angles" must be an object such as { Wa_c_avg: ['sin', 'cos'] }, got ${describeValue(o.angles)}`);
    }
    for (const [name, value] of Object.entries(o.angles)) {
      if (!names.includes(name)) {
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
      transforms.set(name, list as AngleTransform[]);
    }
  }
  const delimiter = o.delimiter ?? ';';
  const decimal = choiceOption(api, 'decimal', o.decimal, ['.', ','], '.');
  delimiterOption(api, delimiter, decimal);
  const missing = o.missingValues ?? ['', 'NaN', 'NA'];
  if (!Array.isArray(missing) || !missing.every((m) => typeof m === 'string')) {
    throw new RnnkitError(api, `option "missingValues" must be an array of strings, got ${describeValue(missing)}`);
  }
  if (o.source !== undefined && typeof o.source !== 'string') {
    throw new RnnkitError(api, `option "source" must be a string, got ${describeValue(o.source)}`);
  }
  const turbineColumn = nonEmptyString(api, 'turbineColumn', o.turbineColumn, 'Wind_turbine_name');
  const timeColumn = nonEmptyString(api, 'timeColumn', o.timeColumn, 'Date_time');
  return {
    // The La Haute Borne export as the general loader reads it: one series per turbine, only
    // the one asked for (or the first) kept; local times that must carry their offset.
    engine: {
      delimiter,
      columns: names,
      time: timeColumn,
      timeZoneOffset: undefined,
      ...range,
      sort: o.sort ?? true,
      duplicates: choiceOption(api, 'duplicates', o.duplicates, ['first', 'last', 'keep', 'error'], 'first'),
      placeMerged: 'kept', // file order: the row kept stays where it is
      groupBy: turbineColumn,
      only: turbine ?? { first: true },
      interval: undefined,
      fill,
      transforms,
      leading: choiceOption(api, 'fillLeading', o.fillLeading, ['drop', 'keep', 'backward'], 'drop'),
      missingValues: new Set(missing.map((m: string) => m.trim())),
      decimal,
      maxRows: Infinity, // memory follows the one turbine kept; the 4-turbine export of 2013–2016 has about 840,000 rows
      dtype: dtypeOption(api, o.dtype),
    },
    turbineColumn,
    timeColumn,
    variables: names,
    delimiter,
    source: o.source,
  };
}
