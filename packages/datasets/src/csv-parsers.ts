// The SCADA and time-series CSV parsers and their types: part of the public API of both
// entries, @rnnkit/datasets (with the in-memory parsers) and @rnnkit/datasets/node (with the
// file loaders, which take the same options and return the same data). Listed once here.
export {
  type AngleTransform,
  type DuplicatePolicy,
  type FillPolicy,
  type ScadaLeadingPolicy,
  type TimeInput,
  type ScadaOptions,
  type ScadaReport,
  type ScadaData,
} from './scada/options.js';
export { ScadaError } from './scada/reader.js';
export { parseScada, type ScadaInput } from './scada/parse-scada.js';
export {
  type TimeSeriesDuplicates,
  type TimeSeriesFill,
  type TimeSeriesOptions,
  type TimeSeries,
  type TimeSeriesReport,
  type TimeSeriesData,
} from './time-series/options.js';
export { CsvError, type CsvLocation } from './time-series/csv-error.js';
export { parseTimeSeries, type TimeSeriesInput } from './time-series/parse-time-series.js';
