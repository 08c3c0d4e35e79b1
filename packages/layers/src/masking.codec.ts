// Masking in Keras' config vocabulary.
import type { LayerCodec } from './codec.js';
import { Masking } from './masking.js';

/** Saves and loads {@link Masking} as Keras' `Masking` (no weights). */
export const maskingCodec: LayerCodec<Masking> = {
  className: 'Masking',
  owns: (layer) => layer instanceof Masking,
  save: (layer) => ({ mask_value: layer.maskValue }),
  load(reader, { name, dtype }) {
    const value: unknown = reader.get('mask_value') ?? 0;
    if (typeof value !== 'number' || Number.isNaN(value)) return reader.fail(`mask_value must be a number, got ${reader.describe(value)}`);
    return new Masking({ maskValue: value, name, dtype });
  },
  paramCount: () => 0,
};
