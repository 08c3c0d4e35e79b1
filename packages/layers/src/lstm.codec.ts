// LSTM in Keras' config vocabulary. The cell without output squashing (experiments 1–2)
// has no Keras spelling: it travels in `rnnkit_cell_output`.
import type { LayerCodec } from './codec.js';
import type { CellOutput } from './cells/lstm-cell.js';
import { LSTM } from './lstm.js';
import { cellWeightNames, loadRecurrentKeys, recurrentParamCount, saveRecurrentKeys } from './recurrent.codec.js';

/** Saves and loads {@link LSTM} as Keras' `LSTM` (weights `lstm_cell/kernel`, …). */
export const lstmCodec: LayerCodec<LSTM> = {
  className: 'LSTM',
  owns: (layer) => layer instanceof LSTM,
  save(layer, writer) {
    const config = layer.getConfig();
    const keras = saveRecurrentKeys(config, writer, { unit_forget_bias: config.unitForgetBias, implementation: 2 });
    return config.cellOutput === 'none' ? { ...keras, rnnkit_cell_output: 'none' } : keras;
  },
  load(reader, { name, dtype }) {
    const options = loadRecurrentKeys(reader, true);
    const unitForgetBias = reader.boolean('unit_forget_bias', true);
    const cellOutput = reader.get('rnnkit_cell_output');
    if (cellOutput !== undefined && cellOutput !== 'none' && cellOutput !== 'activation') {
      reader.fail(`rnnkit_cell_output must be "none" or "activation", got ${reader.describe(cellOutput)}`);
    }
    return new LSTM({
      ...options,
      unitForgetBias,
      ...(cellOutput === undefined ? {} : { cellOutput: cellOutput as CellOutput }),
      name,
      dtype,
    });
  },
  weightNames: (layer) => cellWeightNames('lstm_cell', layer),
  paramCount(layer, inputShape) {
    const config = layer.getConfig();
    return recurrentParamCount(inputShape, config.units, 4, config.useBias ? 1 : 0);
  },
};
