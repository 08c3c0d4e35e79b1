// Public API of @rnnkit/datasets (browser-safe: no Node imports). The Node file loader is in
// the `@rnnkit/datasets/node` entry.
export { type SeedOptions } from './options.js';
export {
  type BitOrder,
  type BinaryAdditionOptions,
  type BinaryAdditionData,
  type EncodeBitsOptions,
  type DecodeBitsOptions,
  type DecodeSequencesOptions,
  type FormatAdditionOptions,
  binaryAddition,
  encodeBits,
  decodeBits,
  decodeSequences,
  formatAddition,
} from './binary-addition.js';
export { type SineWithPhaseNoiseOptions, type NoisySineOptions, sineWithPhaseNoise, noisySine } from './sine.js';
export { type SeriesInput } from './series.js';
export {
  type SlidingWindowsOptions,
  type Windows,
  type TurbineWindowsOptions,
  type TrainTestSplitOptions,
  type TrainTestSplit,
  type Splittable,
  slidingWindows,
  turbineWindows,
  trainTestSplit,
} from './windows.js';
export {
  type MinMaxScalerParams,
  type ZScoreScalerParams,
  type ScalerParams,
  type Scalable,
  type Scaled,
  type Scaler,
  type MinMaxScalerOptions,
  fitMinMaxScaler,
  fitZScoreScaler,
  scalerFromParams,
} from './scalers.js';
export { type ForwardFillLeading, type ForwardFillOptions, forwardFill } from './fill.js';
// The SCADA and time-series parsers and their types, which the Node entry exports too.
export * from './csv-parsers.js';
export { parseDateTime } from './scada/date-time.js';
export {
  type SyntheticScadaOptions,
  SYNTHETIC_SCADA_COLUMNS,
  scadaSampleOptions,
  syntheticScadaCsv,
} from './scada/synthetic.js';
