// The Activation layer in Keras' config vocabulary.
import { ActivationLayer } from './activation-layer.js';
import type { LayerCodec } from './codec.js';

/** Saves and loads {@link ActivationLayer} as Keras' `Activation` (no weights). */
export const activationLayerCodec: LayerCodec<ActivationLayer> = {
  className: 'Activation',
  owns: (layer) => layer instanceof ActivationLayer,
  save: (layer, writer) => ({ activation: writer.activation('activation', layer.getConfig().activation) }),
  load: (reader, { name, dtype }) => new ActivationLayer({ activation: reader.activation('activation', null), name, dtype }),
  paramCount: () => 0,
};
