// Public API of @rnnkit/cell-peephole-lstm. Everything a user may import is listed here by name.
export { peepholeLSTM, peepholeLSTMCell, peepholeLSTMCellPlugin, type PeepholeLSTMCellOptions } from './peephole-lstm.js';
