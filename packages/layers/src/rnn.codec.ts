// The generic RNN layer in Keras' config vocabulary: Keras' `RNN` layer, whose config holds
// its cell as `cell: { class_name, config }`. The cell's class is resolved through the
// CellPlugins the codec is made with (`rnnCodec({ cells: [lstmCellPlugin, myCellPlugin] })`);
// its config is the cell's `getConfig()` in Keras' spelling: snake_case keys, activations
// and initialisers by their Keras names, training-only keys of Keras' cells dropped.
import { type DType, RnnkitError } from '@rnnkit/tensor';
import type { CellPlugin, RecurrentCell } from './cell.js';
import type { LayerCodec } from './codec.js';
import { describeValue } from './common.js';
import { type KerasConfig, type KerasConfigReader, type KerasConfigWriter, camelCase, isKerasConfig, ownKey, snakeCase } from './keras-config.js';
import { GRUCell } from './cells/gru-cell.js';
import { LSTMCell } from './cells/lstm-cell.js';
import { SimpleRNNCell } from './cells/simple-rnn-cell.js';
import type { SymbolicShape } from './layer.js';
import { DROPOUT_KEYS, RECURRENT_TRAINING_KEYS, dropTrainingKeys, loadDropoutRates, recurrentParamCount, refuseRecurrentKeys } from './recurrent.codec.js';
import { RNN } from './rnn.js';

/** A cell plugin of any options type. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCellPlugin = CellPlugin<any>;

/** Options of {@link rnnCodec}. */
export interface RNNCodecOptions {
  /**
   * The cell types a saved RNN may hold, each by its plugin's `name`, which is the cell's
   * Keras class name in files (`'LSTMCell'`) and, in snake case, the middle part of its
   * weight names (`rnn/lstm_cell/kernel`). A cell is saved by the first plugin whose
   * `create(cell.getConfig())` makes a cell of the same `kind`.
   */
  readonly cells: readonly AnyCellPlugin[];
}

/** Keys of a Keras cell config that rnnkit's cells have no use for. */
const IGNORED_CELL_KEYS = ['name', 'trainable', 'implementation', 'seed'];

const isActivationKey = (key: string): boolean => key === 'activation' || key.endsWith('_activation');
const isInitializerKey = (key: string): boolean => key.endsWith('_initializer');

/** The first plugin that makes cells of `cell`'s kind from its config. */
function pluginFor(plugins: readonly AnyCellPlugin[], cell: RecurrentCell): AnyCellPlugin | undefined {
  const config = JSON.stringify(cell.getConfig());
  return plugins.find((plugin) => {
    try {
      return plugin.create(JSON.parse(config)).kind === cell.kind;
    } catch {
      return false;
    }
  });
}

/** The cell's config in Keras' spelling (its dtype is the model's, recorded by the model IO). */
function saveCellConfig(cell: RecurrentCell, writer: KerasConfigWriter): KerasConfig {
  const keras: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(cell.getConfig())) {
    const k = snakeCase(key);
    if (camelCase(k) !== key) writer.fail(`the cell's config key "${key}" does not come back from Keras' spelling "${k}"; name it in plain camelCase`);
    if (k === 'dtype') keras[k] = 'float32';
    else if (isActivationKey(k) && typeof value === 'string') keras[k] = writer.activation(k, value);
    else if (isInitializerKey(k)) keras[k] = writer.initializer(k, value);
    else keras[k] = value;
  }
  if (Object.keys(writer.inexactInitializers).length > 0) keras.rnnkit_initializers = writer.inexactInitializers;
  return keras;
}

/**
 * The options for the cell's plugin from a Keras cell config (null values leave the cell's
 * defaults, and so do dropout rates of 0: a cell without dropout options still loads).
 */
function loadCellOptions(reader: KerasConfigReader, dtype: DType): Record<string, unknown> {
  const options: Record<string, unknown> = { ...loadDropoutRates(reader) };
  dropTrainingKeys(reader);
  reader.ignore(...IGNORED_CELL_KEYS);
  for (const key of Object.keys(reader.config)) {
    // rnnkit_initializers is read by the initialisers; other rnnkit_* keys are a newer rnnkit's, refused by finish().
    if (key.startsWith('rnnkit_') || IGNORED_CELL_KEYS.includes(key) || RECURRENT_TRAINING_KEYS.includes(key) || DROPOUT_KEYS.includes(key)) continue;
    if (key === 'dtype') {
      reader.dtype();
      options.dtype = dtype;
      continue;
    }
    const value = reader.get(key);
    let option: unknown = value;
    if (isInitializerKey(key)) option = reader.initializer(key, null);
    else if (value === null) continue;
    else if (isActivationKey(key)) option = reader.activation(key, null);
    if (option !== null) options[camelCase(key)] = JSON.parse(JSON.stringify(option)) as unknown;
  }
  return options;
}

/** The numbers a built-in cell's parameters hold for `inputShape`; undefined for other cells (they report no sizes). */
function builtinCellParamCount(cell: RecurrentCell, inputShape: SymbolicShape): number | undefined {
  const gates = cell instanceof LSTMCell ? 4 : cell instanceof GRUCell ? 3 : cell instanceof SimpleRNNCell ? 1 : 0;
  if (gates === 0) return undefined;
  const gated = cell as LSTMCell | GRUCell | SimpleRNNCell;
  const biasRows = !gated.useBias ? 0 : gated instanceof GRUCell && gated.resetAfter ? 2 : 1;
  return recurrentParamCount(inputShape, cell.units, gates, biasRows);
}

/**
 * The codec of the generic {@link RNN} layer (not of its subclasses SimpleRNN, LSTM and
 * GRU, which have their own), for the cells in `options.cells`. Learnable initial states
 * travel in the file's rnnkit field (`rnn/initial_state`, `rnn/initial_state_c`). Its
 * `paramCount` knows the built-in cells; an RNN over another cell is built before its
 * size is checked against the file.
 *
 * @example
 * saveModel(model, { codecs: [...builtinCodecs, rnnCodec({ cells: [lstmCellPlugin, peepholeCellPlugin] })] });
 */
export function rnnCodec(options: RNNCodecOptions): LayerCodec<RNN> {
  const cells = options?.cells;
  if (!Array.isArray(cells) || !cells.every((p) => p !== null && typeof p === 'object' && typeof p.name === 'string' && typeof p.create === 'function')) {
    throw new RnnkitError('rnnCodec', `cells must be an array of cell plugins { name, create }, got ${describeValue(cells)}`);
  }
  const known = (): string => cells.map((p) => p.name).join(', ') || 'none';
  const cellPrefix = (layer: RNN): string => snakeCase(pluginFor(cells, layer.cell)?.name ?? layer.cell.kind);
  return {
    className: 'RNN',
    owns: (layer) => layer instanceof RNN && layer.className === 'RNN',
    save(layer, writer) {
      const plugin = pluginFor(cells, layer.cell);
      if (plugin === undefined) return writer.fail(`its cell of kind "${layer.cell.kind}" is made by none of the cell plugins of rnnCodec (${known()}); pass its plugin in cells`);
      const config = layer.getConfig();
      return {
        cell: { class_name: plugin.name, config: saveCellConfig(layer.cell, writer.nested('cell')) },
        return_sequences: config.returnSequences,
        return_state: false,
        go_backwards: config.goBackwards,
        stateful: config.stateful === true,
        unroll: false,
        ...(config.learnableInitialState === true ? { rnnkit_learnable_initial_state: true } : {}),
      };
    },
    load(reader, { name, dtype }) {
      const cell = reader.get('cell');
      const className = isKerasConfig(cell) ? ownKey(cell, 'class_name') : undefined;
      const cellConfig = isKerasConfig(cell) ? ownKey(cell, 'config') : undefined;
      if (typeof className !== 'string' || !isKerasConfig(cellConfig)) {
        reader.fail(`cell must be { class_name, config }, got ${reader.describe(cell)}`);
      }
      const plugin = cells.find((p) => p.name === className);
      if (plugin === undefined) return reader.fail(`cell class ${reader.describe(className)} has no plugin; rnnCodec was given ${known()}`);
      const cellReader = reader.nested('cell.config', cellConfig as KerasConfig);
      const made = plugin.create(loadCellOptions(cellReader, dtype));
      cellReader.finish();
      if (made.dtype !== dtype) reader.fail(`the ${plugin.name} plugin made a ${made.dtype} cell for a ${dtype} model`);
      const returnSequences = reader.boolean('return_sequences', false);
      const goBackwards = reader.boolean('go_backwards', false);
      const stateful = reader.boolean('stateful', false);
      refuseRecurrentKeys(reader);
      reader.ignore('unroll', 'zero_output_for_mask');
      const learnableInitialState = reader.boolean('rnnkit_learnable_initial_state', false);
      return new RNN({ cell: made, returnSequences, goBackwards, learnableInitialState, stateful, name });
    },
    paramCount(layer, inputShape) {
      const cell = builtinCellParamCount(layer.cell, inputShape);
      const states = layer.learnableInitialState ? layer.cell.states.reduce((n, state) => n + state.size, 0) : 0;
      return cell === undefined ? undefined : cell + states;
    },
    weightNames(layer) {
      const prefix = cellPrefix(layer);
      const cellParams = layer.cell.params().length;
      return layer.params().map((p, i) => (i < cellParams ? `${prefix}/${snakeCase(p.name)}` : { name: snakeCase(p.name), rnnkitOnly: true as const }));
    },
  };
}
