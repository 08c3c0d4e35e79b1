// Public API of @rnnkit/layers. Everything a user may import is listed here by name.
export type { SymbolicShape, BuildOptions, ForwardOptions, ForwardResult, BackwardOptions, BackwardResult, LayerConfig, Layer, RecurrentLayer } from './layer.js';
export { type Activation, type ActivationName, activations, activationNames, getActivation, isActivation } from './activations.js';
export { type InitializerConfigValue } from './common.js';
export { Dense, dense, type DenseOptions, type DenseConfig, type DenseCache } from './dense.js';
export { Recurrent, type RecurrentOptions, type RecurrentConfig, type RecurrentCache, type CellRun, type SequenceShape } from './recurrent.js';
export { SimpleRNN, simpleRNN, type SimpleRNNOptions, type SimpleRNNConfig } from './simple-rnn.js';
export { LSTM, lstm, type LSTMOptions, type LSTMConfig, type LSTMRun, type CellOutput } from './lstm.js';
export { GRU, gru, type GRUOptions, type GRUConfig, type GRURun } from './gru.js';
export { ActivationLayer, activationLayer, type ActivationLayerOptions, type ActivationLayerConfig, type ActivationLayerCache } from './activation-layer.js';
export { Dropout, dropout, type DropoutOptions, type DropoutConfig, type DropoutCache } from './dropout.js';
export { layerFromConfig, builtinLayers } from './from-config.js';
export { Sequential, sequential, type SequentialOptions, type SequentialCache, type SequentialConfig, type SequentialFromConfigOptions } from './sequential.js';
