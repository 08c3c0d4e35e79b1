// GlobalAveragePooling1D and GlobalMaxPooling1D in Keras' config vocabulary: no weights;
// TF.js writes no keys of their own, Keras 3 writes `data_format` and `keepdims`.
import type { LayerCodec } from './codec.js';
import type { KerasConfigReader } from './keras-config.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';

/** Refuses the Keras settings rnnkit's pooling layers do not have. */
function readKerasKeys(reader: KerasConfigReader): void {
  reader.mustBe('data_format', 'channels_last', 'rnnkit pools [batch, time, features] inputs');
  reader.mustBe('keepdims', false, 'the output is [batch, features]');
}

/** Saves and loads {@link GlobalAveragePooling1D} as Keras' `GlobalAveragePooling1D`. */
export const globalAveragePooling1DCodec: LayerCodec<GlobalAveragePooling1D> = {
  className: 'GlobalAveragePooling1D',
  owns: (layer) => layer instanceof GlobalAveragePooling1D,
  save: () => ({}),
  load(reader, { name, dtype }) {
    readKerasKeys(reader);
    return new GlobalAveragePooling1D({ name, dtype });
  },
  paramCount: () => 0,
};

/** Saves and loads {@link GlobalMaxPooling1D} as Keras' `GlobalMaxPooling1D`. */
export const globalMaxPooling1DCodec: LayerCodec<GlobalMaxPooling1D> = {
  className: 'GlobalMaxPooling1D',
  owns: (layer) => layer instanceof GlobalMaxPooling1D,
  save: () => ({}),
  load(reader, { name, dtype }) {
    readKerasKeys(reader);
    return new GlobalMaxPooling1D({ name, dtype });
  },
  paramCount: () => 0,
};
