// Public API of @rnnkit/testing. Everything a user may import is listed here by name.
export { type Law, runLaws } from './law-runner.js';
export { layerLaws, type LayerLawsOptions, type LayerUnderTest, type SymbolicShapeLike } from './layer-laws.js';
export { lossLaws, type LossLawsOptions, type LossUnderTest, type LossSample } from './loss-laws.js';
export { optimizerLaws, type OptimizerLawsOptions, type OptimizerUnderTest, type OptimizerPluginLike } from './optimizer-laws.js';
export {
  optimizerKernelLaws,
  type OptimizerKernelLawsOptions,
  type KernelOptimizerUnderTest,
} from './optimizer-kernel-laws.js';
export {
  type ShapeArbOptions,
  type TensorArbOptions,
  type BroadcastablePairArbOptions,
  type MatmulPairArbOptions,
  type MatmulPair,
  shapeArb,
  tensorArb,
  broadcastableShapePairArb,
  broadcastablePairArb,
  matmulPairArb,
} from './arbitraries.js';
export { type KernelLawsOptions, kernelLaws } from './kernel-laws.js';
export {
  recurrentLaws,
  type RecurrentLawsOptions,
  type RecurrentLayerUnderTest,
  type RecurrentLayerOptionsLike,
} from './recurrent-laws.js';
export { recurrentKernelLaws, type RecurrentKernelLawsOptions } from './recurrent-kernel-laws.js';
export {
  type CellUnderTest,
  type CellVectorLike,
  type ForwardStepsLike,
  type BackwardStepsLike,
  type RecurrentPassUnderTest,
  type PassForwardLike,
  type PassBackwardLike,
} from './recurrent-steps.js';
