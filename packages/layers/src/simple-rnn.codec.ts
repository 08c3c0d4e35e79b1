// SimpleRNN in Keras' config vocabulary. Its learnable initial state has no place in Keras:
// it travels in `rnnkit_learnable_initial_state` and the file's rnnkit field.
import type { LayerCodec } from './codec.js';
import { cellWeightNames, loadRecurrentKeys, recurrentParamCount, saveRecurrentKeys } from './recurrent.codec.js';
import { SimpleRNN } from './simple-rnn.js';

/** Saves and loads {@link SimpleRNN} as Keras' `SimpleRNN` (weights `simple_rnn_cell/kernel`, …). */
export const simpleRNNCodec: LayerCodec<SimpleRNN> = {
  className: 'SimpleRNN',
  owns: (layer) => layer instanceof SimpleRNN,
  save(layer, writer) {
    const config = layer.getConfig();
    const keras = saveRecurrentKeys(config, writer);
    return config.learnableInitialState ? { ...keras, rnnkit_learnable_initial_state: true } : keras;
  },
  load(reader, { name, dtype }) {
    const options = loadRecurrentKeys(reader, false);
    const learnableInitialState = reader.boolean('rnnkit_learnable_initial_state', false);
    return new SimpleRNN({ ...options, learnableInitialState, name, dtype });
  },
  weightNames: (layer) =>
    cellWeightNames('simple_rnn_cell', layer).map((name, i) =>
      layer.params()[i]!.name === 'initialState' ? { name: 'initial_state', rnnkitOnly: true as const } : name,
    ),
  paramCount(layer, inputShape) {
    const config = layer.getConfig();
    return recurrentParamCount(inputShape, config.units, 1, config.useBias ? 1 : 0, config.learnableInitialState ? config.units : 0);
  },
};
