// Flatten in Keras' config vocabulary: no keys of its own as TF.js writes it; Keras writes
// `data_format`, which changes nothing for channels_last.
import type { LayerCodec } from './codec.js';
import { Flatten } from './flatten.js';

/** Saves and loads {@link Flatten} as Keras' `Flatten`. */
export const flattenCodec: LayerCodec<Flatten> = {
  className: 'Flatten',
  owns: (layer) => layer instanceof Flatten,
  save: () => ({}),
  load(reader, { name, dtype }) {
    reader.mustBe('data_format', 'channels_last', 'rnnkit flattens in channels_last order');
    return new Flatten({ name, dtype });
  },
  paramCount: () => 0,
};
