// Public API of @rnnkit/losses. Everything a user may import is listed here by name.
export type { Loss, LossResult, LossComputeOptions, LossConfig, Reduction } from './loss.js';
export {
  meanSquaredError,
  halfSumOfSquares,
  meanAbsoluteError,
  binaryCrossentropy,
  type ErrorLossOptions,
  type HalfSumOfSquaresOptions,
  type BinaryCrossentropyOptions,
} from './elementwise.js';
export { softmaxCrossEntropy, type SoftmaxCrossEntropyOptions } from './softmax-cross-entropy.js';
export { selectFeatures, type SelectFeaturesOptions } from './select-features.js';
export { getLoss, lossNames } from './get-loss.js';
