// Dropout in Keras' config vocabulary.
import type { LayerCodec } from './codec.js';
import { Dropout } from './dropout.js';

/** Saves and loads {@link Dropout} as Keras' `Dropout` (no weights; the seed is kept). */
export const dropoutCodec: LayerCodec<Dropout> = {
  className: 'Dropout',
  owns: (layer) => layer instanceof Dropout,
  save(layer) {
    const config = layer.getConfig();
    return { rate: config.rate, noise_shape: null, seed: config.seed };
  },
  load(reader, { name, dtype }) {
    const rate = reader.get('rate') as number;
    if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) reader.fail(`rate must be a number in [0, 1), got ${reader.describe(rate)}`);
    const seed = reader.get('seed');
    if (seed !== undefined && seed !== null && (typeof seed !== 'number' || !Number.isSafeInteger(seed))) {
      reader.fail(`seed must be an integer or null, got ${reader.describe(seed)}`);
    }
    reader.trainingOnly(['noise_shape'], (v) => v === undefined || v === null, 'rnnkit drops whole elements');
    return new Dropout({ rate, ...(typeof seed === 'number' ? { seed } : {}), name, dtype });
  },
  paramCount: () => 0,
};
