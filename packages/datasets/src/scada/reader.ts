// The SCADA loader as a preset of the general time-series loader, shared by the browser-safe
// and the Node entry: the La Haute Borne export's columns, delimiter and date format go in as
// engine options (see resolveScadaOptions), the engine reads the CSV, and the result and the
// errors come back in the SCADA loader's own shape and words.
import { readSeries } from '../time-series/reader.js';
import type { MissingColumn, Wording } from '../time-series/wording.js';
import type { ChunkSource, CsvParserFactory } from '../csv/stream.js';
import { type ResolvedScadaOptions, type ScadaData, type ScadaOptions, resolveScadaOptions } from './options.js';
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
  const o = resolveScadaOptions(context.api, options);
  const source = o.source ?? context.source;
  const { data, details } = await readSeries(chunks, o.engine, { ...context, source }, scadaWording(context.api, o));
  const series = data.series[0]!;
  const read = details[0]!;
  return {
    source,
    turbine: series.id!,
    turbines: [...data.ids!],
    columns: series.columns,
    time: series.times,
    values: series.values,
    report: {
      rowsRead: data.report.rows,
      turbineRows: read.rows,
      rowsInRange: read.inRange,
      duplicatesDropped: data.report.duplicates,
      missingValues: read.missing,
      valuesFilled: read.filled,
      leadingRowsDropped: read.leadingDropped,
    },
  };
}

const iso = (t: number): string => (Number.isFinite(t) ? new Date(t).toISOString() : String(t));

/** The SCADA loader's messages, as its users (and its tests) know them. */
function scadaWording(api: string, o: ResolvedScadaOptions): Wording {
  // Missing columns are listed turbine, time, variables: the order of the export's header.
  const rank = (column: MissingColumn): number => ['groupBy', 'time', 'columns'].indexOf(column.option);
  return {
    error: (source, where, message, cause) => new ScadaError(api, { source: source!, ...where }, message, cause === undefined ? undefined : { cause }),
    empty: () => `the input is empty; expected a header line such as ${[o.turbineColumn, o.timeColumn, ...o.variables].join(o.delimiter)}`,
    missingColumns: (missing, found, hint) => {
      const names = [...missing].sort((a, b) => rank(a) - rank(b)).map((column) => column.name);
      return `missing column${names.length > 1 ? 's' : ''} ${listed(names)}; columns found: ${listed(found)}${hint}`;
    },
    emptyId: () => 'the turbine name is empty',
    badTime: (text) => `cannot parse ${quoted(text)} as a date-time; expected ISO 8601 with a UTC offset such as 2013-01-01T00:00:00+01:00`,
    badNumber: (text, decimal) => {
      const hint = decimal === '.' && /^[+-]?\d*,\d+$/.test(text.trim()) ? ' (the decimal separator is "."; pass decimal: ",")' : '';
      return `cannot parse ${quoted(text)} as a number${hint}`;
    },
    beyondDouble: (text) => `${quoted(text)} is beyond the range of numbers (±1.8e308)`,
    beyondFloat32: (text) => `${quoted(text)} is beyond the float32 range (±3.4e38); pass dtype: "float64"`,
    duplicate: (id, instant, firstLine, secondLine) =>
      `turbine ${shown(id!)} has two rows for ${new Date(instant).toISOString()} (lines ${firstLine} and ${secondLine}); set duplicates to "first", "last" or "keep"`,
    notFound: (id, ids) => `no rows for turbine ${quoted(id)}; turbines present: ${listed(ids)}`,
    noRowsInRange: (span) =>
      `no rows of turbine ${shown(span.id!)} in the time range [${iso(span.start)}, ${iso(span.end)}); its ${span.rows} rows run from ${iso(span.first)} to ${iso(span.last)}`,
    noValidValue: (id, inRange) => `turbine ${shown(id!)} has no valid value in this column${inRange ? ' in the time range' : ''}, so there is nothing to fill from`,
    longLine: 'SCADA rows are short: does the file have line breaks, is it CSV?',
  };
}
