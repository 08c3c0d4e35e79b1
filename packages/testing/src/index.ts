// Public API of @rnnkit/testing. Everything a user may import is listed here by name.
export { type Law, runLaws } from './law-runner.js';
export { layerLaws, type LayerLawsOptions, type LayerUnderTest, type SymbolicShapeLike } from './layer-laws.js';
export { lossLaws, type LossLawsOptions, type LossUnderTest, type LossSample } from './loss-laws.js';
export { optimizerLaws, type OptimizerLawsOptions, type OptimizerUnderTest, type OptimizerPluginLike } from './optimizer-laws.js';
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
