// The built-in cells as factories and plugins: `new RNN({ cell: lstmCell({ units: 32 }) })`,
// or as plugins for the RNN layer's codec: `rnnCodec({ cells: [lstmCellPlugin, myCellPlugin] })`.
import type { CellPlugin } from '../cell.js';
import { type LSTMCellOptions, LSTMCell } from './lstm-cell.js';
import { type GRUCellOptions, GRUCell } from './gru-cell.js';
import { type SimpleRNNCellOptions, SimpleRNNCell } from './simple-rnn-cell.js';

/** Creates an LSTM cell: `new RNN({ cell: lstmCell({ units: 32 }) })`. */
export function lstmCell(options: LSTMCellOptions): LSTMCell {
  return new LSTMCell(options);
}

/** The LSTM cell as a plugin (Keras' class name 'LSTMCell'). */
export const lstmCellPlugin: CellPlugin<LSTMCellOptions> = Object.freeze({ name: 'LSTMCell', create: lstmCell });

/** Creates a GRU cell: `new RNN({ cell: gruCell({ units: 16 }) })`. */
export function gruCell(options: GRUCellOptions): GRUCell {
  return new GRUCell(options);
}

/** The GRU cell as a plugin (Keras' class name 'GRUCell'). */
export const gruCellPlugin: CellPlugin<GRUCellOptions> = Object.freeze({ name: 'GRUCell', create: gruCell });

/** Creates a SimpleRNN cell: `new RNN({ cell: simpleRNNCell({ units: 16 }) })`. */
export function simpleRNNCell(options: SimpleRNNCellOptions): SimpleRNNCell {
  return new SimpleRNNCell(options);
}

/** The SimpleRNN cell as a plugin (Keras' class name 'SimpleRNNCell'). */
export const simpleRNNCellPlugin: CellPlugin<SimpleRNNCellOptions> = Object.freeze({ name: 'SimpleRNNCell', create: simpleRNNCell });
