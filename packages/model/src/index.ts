// Public API of @rnnkit/model. Everything a user may import is listed here by name.
export {
  type TrainableModel,
  type ProgressEvent,
  type EpochLogs,
  type BatchLogs,
  type History,
  fit,
} from './fit.js';
export {
  type FitOptions,
  type FitCallbacks,
  type EarlyStoppingOptions,
  type OptimizerChoice,
  type FitOptimizerOptions,
} from './fit-options.js';
export { type TrainingState } from './training-state.js';
export { type EvaluateOptions, type PredictOptions, evaluate, predict } from './evaluate.js';
export { type StreamableModel, type StreamOptions, type Stream, createStream } from './stream.js';
export { resetStates } from './states.js';
export { type TraceOptions, type RecurrentTrace, type SequenceTrace, traceSequence } from './trace.js';
export { type ForecastResult, forecast } from './forecast/forecast.js';
export { type ForecastOptions, type ForecastScaler, type ForecastIntervalOptions } from './forecast/options.js';
export { type ForecastInterval } from './forecast/intervals.js';
export { type MaseOptions, mae, rmse, smape, mase } from './forecast/metrics.js';
export {
  type SeasonalNaiveOptions,
  type ForecastScores,
  type CompareWithBaselinesInput,
  type BaselineComparison,
  persistenceForecast,
  seasonalNaiveForecast,
  compareWithBaselines,
} from './forecast/baselines.js';
export { type SeriesValues } from './forecast/values.js';
export { type Dataset } from './data.js';
export {
  type MetricFunction,
  meanAbsoluteErrorMetric,
  meanSquaredErrorMetric,
  binaryAccuracyMetric,
} from './metrics.js';
export {
  type ModelArtifacts,
  type ModelJson,
  type ModelLimits,
  type RnnkitModelFacts,
  type WeightSpec,
  type WeightsManifestGroup,
  DEFAULT_MODEL_LIMITS,
} from './io/format.js';
export { type SaveModelOptions, type LoadModelOptions, type LoadedModel, saveModel, loadModel } from './io/memory.js';
export { SUPPORTED_LAYERS } from './io/topology.js';
