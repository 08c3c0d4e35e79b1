// Public API of @rnnkit/optimizers. Everything a user may import is listed here by name.
export {
  type OptionValue,
  type OptionsShape,
  type StateValue,
  type StateShape,
  type UpdateContext,
  type UpdateResult,
  type OptimizerDefinition,
  type OptimizerPlugin,
  type AnyOptimizerPlugin,
  type OptionsOf,
  type StateOf,
  RUNNER_OPTION_KEYS,
  defineOptimizer,
} from './plugin.js';
export {
  type KernelSlotKey,
  type OptimizerKernelDeclaration,
  type OptimizerKernelLayout,
  type OptimizerKernelBuffers,
  type OptimizerKernelWorkspace,
  type OptimizerKernels,
  isOptimizerKernels,
  optimizerKernelsOf,
} from './kernel.js';
export { type RunnerOptions, type OptimizerOptions, type ParamCollection } from './runner-options.js';
export { type SavedLearningRate, type OptimizerSnapshot } from './snapshot.js';
export { type Optimizer, createOptimizer } from './optimizer.js';
export { type LoadOptimizerOptions, loadOptimizer } from './load-optimizer.js';
export { NonFiniteStepError } from './rollback.js';
export {
  type BuiltInOptimizerName,
  type BuiltInOptimizer,
  BUILT_IN_OPTIMIZERS,
  getOptimizer,
} from './built-in.js';
export {
  type LearningRateSchedule,
  type InverseTimeDecayOptions,
  type ExponentialDecayOptions,
  type StepDecayOptions,
  type CosineDecayOptions,
  constantLearningRate,
  inverseTimeDecay,
  exponentialDecay,
  stepDecay,
  cosineDecay,
} from './schedules.js';
export { type JsonValue, encodeState, decodeState } from './state.js';
export { type SgdOptions, type SgdState, sgd } from './sgd.js';
export { type RmspropOptions, type RmspropState, rmsprop } from './rmsprop.js';
export {
  type RmspropNesterovOptions,
  type RmspropNesterovState,
  rmspropNesterov,
} from './rmsprop-nesterov.js';
export {
  type AdamOptions,
  type AdamwOptions,
  type AdamState,
  type AdamaxOptions,
  type AdamaxState,
  adam,
  adamw,
  adamax,
} from './adam.js';
export { type AdagradOptions, type AdagradState, adagrad } from './adagrad.js';
export { type AdadeltaOptions, type AdadeltaState, adadelta } from './adadelta.js';
