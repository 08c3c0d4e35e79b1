// GRU in Keras' config vocabulary. `reset_after` changed its default between Keras
// versions (TF.js only has false), so a Keras file must state it.
import type { LayerCodec } from './codec.js';
import { GRU } from './gru.js';
import { cellWeightNames, loadRecurrentKeys, recurrentParamCount, saveRecurrentKeys } from './recurrent.codec.js';

/** Saves and loads {@link GRU} as Keras' `GRU` (weights `gru_cell/kernel`, …). */
export const gruCodec: LayerCodec<GRU> = {
  className: 'GRU',
  owns: (layer) => layer instanceof GRU,
  save(layer, writer) {
    const config = layer.getConfig();
    return saveRecurrentKeys(config, writer, { implementation: 2, reset_after: config.resetAfter });
  },
  load(reader, { name, dtype }) {
    const options = loadRecurrentKeys(reader, true);
    const resetAfter = reader.get('reset_after');
    if (resetAfter === undefined || resetAfter === null) {
      if (reader.dialect !== 'tfjs') reader.fail('reset_after is missing; its default differs between Keras versions, so it must be given');
    } else if (typeof resetAfter !== 'boolean') {
      reader.fail(`reset_after must be true or false, got ${reader.describe(resetAfter)}`);
    }
    return new GRU({
      ...options,
      resetAfter: resetAfter === true,
      name,
      dtype,
    });
  },
  weightNames: (layer) => cellWeightNames('gru_cell', layer),
  paramCount(layer, inputShape) {
    const config = layer.getConfig();
    return recurrentParamCount(inputShape, config.units, 3, config.useBias ? (config.resetAfter ? 2 : 1) : 0);
  },
};
