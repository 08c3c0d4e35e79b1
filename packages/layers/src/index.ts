// Public API of @rnnkit/layers. Everything a user may import is listed here by name.
export type { SymbolicShape, BuildOptions, ForwardOptions, ForwardResult, BackwardOptions, BackwardResult, LayerConfig, Layer, LayerStepper, RecurrentLayer } from './layer.js';
export { chainSteppers, checkStepperArguments, statelessStepper } from './stepper.js';
export { type Activation, type ActivationName, activations, activationNames, getActivation, isActivation } from './activations.js';
export { type InitializerConfigValue } from './common.js';
export { Dense, dense, type DenseOptions, type DenseConfig, type DenseCache } from './dense.js';
export type {
  CellVector,
  ForwardSteps,
  BackwardSteps,
  CellBuildOptions,
  CellConfig,
  RecurrentCell,
  CellPlugin,
  PassForward,
  PassBackward,
  RecurrentPass,
} from './cell.js';
export {
  defineCell,
  type CellDefinition,
  type CellParamSpec,
  type CellOptionValue,
  type DefinedCell,
  type DefinedCellOptions,
  type DefinedCellType,
  type Widened,
} from './define-cell.js';
export { RNN, rnn, type RNNOptions, type RNNConfig, type RNNCache, type RNNIdentity } from './rnn.js';
export { StatefulRecurrentLayer, type StatefulOptions, type StatefulConfig } from './rnn-stateful.js';
export { type CellOptions, type BaseCellConfig } from './cells/gated-cell.js';
export { SimpleRNNCell, type SimpleRNNCellOptions, type SimpleRNNCellConfig } from './cells/simple-rnn-cell.js';
export { LSTMCell, type LSTMCellOptions, type LSTMCellConfig, type CellOutput } from './cells/lstm-cell.js';
export { GRUCell, type GRUCellOptions, type GRUCellConfig } from './cells/gru-cell.js';
export { lstmCell, lstmCellPlugin, gruCell, gruCellPlugin, simpleRNNCell, simpleRNNCellPlugin } from './cells/cell-plugins.js';
export { type RecurrentOptions, type RecurrentConfig } from './recurrent.js';
export { SimpleRNN, simpleRNN, type SimpleRNNOptions, type SimpleRNNConfig } from './simple-rnn.js';
export { LSTM, lstm, type LSTMOptions, type LSTMConfig } from './lstm.js';
export { GRU, gru, type GRUOptions, type GRUConfig } from './gru.js';
export { Masking, masking, type MaskingOptions, type MaskingConfig, type MaskingCache } from './masking.js';
export { Embedding, embedding, type EmbeddingOptions, type EmbeddingConfig, type EmbeddingCache } from './embedding.js';
export {
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  globalAveragePooling1D,
  globalMaxPooling1D,
  type GlobalPooling1DOptions,
  type GlobalPooling1DConfig,
  type GlobalAveragePooling1DCache,
  type GlobalMaxPooling1DCache,
} from './global-pooling.js';
export { RepeatVector, repeatVector, type RepeatVectorOptions, type RepeatVectorConfig, type RepeatVectorCache } from './repeat-vector.js';
export { Flatten, flatten, type FlattenOptions, type FlattenConfig, type FlattenCache } from './flatten.js';
export { TimeDistributed, timeDistributed, type TimeDistributedOptions, type TimeDistributedConfig, type TimeDistributedCache } from './time-distributed.js';
export { ActivationLayer, activationLayer, type ActivationLayerOptions, type ActivationLayerConfig, type ActivationLayerCache } from './activation-layer.js';
export { Dropout, dropout, type DropoutOptions, type DropoutConfig, type DropoutCache } from './dropout.js';
export {
  Bidirectional,
  bidirectional,
  type BidirectionalOptions,
  type BidirectionalConfig,
  type BidirectionalCache,
  type DirectionalLayer,
  type MergeMode,
  type WrappedLayerConfig,
} from './bidirectional.js';
export { layerFromConfig, builtinLayers } from './from-config.js';
export { Sequential, sequential, type SequentialOptions, type SequentialCache, type SequentialConfig, type SequentialFromConfigOptions } from './sequential.js';
export {
  type KerasDialect,
  type KerasConfig,
  type KerasConfigReport,
  type KerasConfigReaderOptions,
  KerasConfigReader,
  KerasConfigWriter,
  initializerToKeras,
  initializerFromKeras,
  snakeCase,
  camelCase,
} from './keras-config.js';
export { type LayerCodec, type AnyLayerCodec, type CodecWeightName, type CodecLoadContext, codecOwns, codecWeightNames } from './codec.js';
export { denseCodec } from './dense.codec.js';
export { simpleRNNCodec } from './simple-rnn.codec.js';
export { lstmCodec } from './lstm.codec.js';
export { gruCodec } from './gru.codec.js';
export { activationLayerCodec } from './activation-layer.codec.js';
export { maskingCodec } from './masking.codec.js';
export { dropoutCodec } from './dropout.codec.js';
export { embeddingCodec } from './embedding.codec.js';
export { globalAveragePooling1DCodec, globalMaxPooling1DCodec } from './global-pooling.codec.js';
export { repeatVectorCodec } from './repeat-vector.codec.js';
export { flattenCodec } from './flatten.codec.js';
export { timeDistributedCodec, type TimeDistributedCodecOptions } from './time-distributed.codec.js';
export { bidirectionalCodec, type BidirectionalCodecOptions } from './bidirectional.codec.js';
export { builtinCodecs } from './builtin-codecs.js';
export { rnnCodec, type RNNCodecOptions, type AnyCellPlugin } from './rnn.codec.js';
export {
  saveRecurrentKeys,
  loadRecurrentKeys,
  refuseRecurrentKeys,
  dropTrainingKeys,
  recurrentParamCount,
  type RecurrentConfigKeys,
  type RecurrentKerasOptions,
} from './recurrent.codec.js';
