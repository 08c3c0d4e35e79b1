// RepeatVector in Keras' config vocabulary: `{ n }`, no weights.
import type { LayerCodec } from './codec.js';
import { RepeatVector } from './repeat-vector.js';

/** Saves and loads {@link RepeatVector} as Keras' `RepeatVector`. */
export const repeatVectorCodec: LayerCodec<RepeatVector> = {
  className: 'RepeatVector',
  owns: (layer) => layer instanceof RepeatVector,
  save: (layer) => ({ n: layer.n }),
  load: (reader, { name, dtype }) => new RepeatVector({ n: reader.positiveInteger('n'), name, dtype }),
  paramCount: () => 0,
};
