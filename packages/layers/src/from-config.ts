import { RnnkitError } from '@rnnkit/tensor';
import { ActivationLayer } from './activation-layer.js';
import { Bidirectional } from './bidirectional.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { Flatten } from './flatten.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';
import { GRU } from './gru.js';
import type { Layer, LayerConfig } from './layer.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { RepeatVector } from './repeat-vector.js';
import { SimpleRNN } from './simple-rnn.js';
import { TimeDistributed } from './time-distributed.js';

/** The built-in layer classes by class name, each with a static `fromConfig`. */
export const builtinLayers: Readonly<Record<string, { fromConfig(config: LayerConfig): Layer }>> = Object.freeze({
  Dense,
  SimpleRNN,
  LSTM,
  GRU,
  Activation: ActivationLayer,
  Dropout,
  Masking,
  // Its wrapped layers are resolved through this same list.
  Bidirectional: { fromConfig: (config: LayerConfig): Layer => Bidirectional.fromConfig(config, builtinLayers) },
  Embedding,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  RepeatVector,
  Flatten,
  TimeDistributed: { fromConfig: (config: LayerConfig): Layer => TimeDistributed.fromConfig(config, builtinLayers) },
});

/**
 * Rebuilds a built-in layer from its class name and {@link Layer.getConfig} output (not yet
 * built: build it, then `setWeights`). Unknown class names are an error listing the known ones.
 */
export function layerFromConfig(className: string, config: LayerConfig): Layer {
  const cls = Object.prototype.hasOwnProperty.call(builtinLayers, className) ? builtinLayers[className] : undefined;
  if (cls === undefined) {
    throw new RnnkitError(
      'layerFromConfig',
      `unknown layer class ${JSON.stringify(className)}; known: ${Object.keys(builtinLayers).join(', ')}`,
    );
  }
  return cls.fromConfig(config);
}
