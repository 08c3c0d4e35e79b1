// The options and saved configuration of the LSTM cell (lstm-cell.ts holds its maths).
import type { Activation, ActivationName } from '../activations.js';
import { type BaseCellConfig, type CellOptions, CELL_OPTION_KEYS } from './gated-cell.js';

/** What the LSTM applies to the cell state to form the output `h`. */
export type CellOutput = 'activation' | 'none';

/** Options of {@link lstmCell}. */
export interface LSTMCellOptions extends CellOptions {
  /** Activation of the input, forget and output gates. Keras' default, not TF.js' hard sigmoid. @defaultValue 'sigmoid' */
  readonly recurrentActivation?: ActivationName | Activation;
  /** Start the forget-gate bias at 1 (Jozefowicz et al., 2015), as Keras does. @defaultValue true */
  readonly unitForgetBias?: boolean;
  /** `'activation'`: Keras' `h = o ⊙ activation(c)`; `'none'`: `h = o ⊙ c` (experiments 1–2). @defaultValue 'activation' */
  readonly cellOutput?: CellOutput;
}

/** The configuration of an {@link LSTMCell}. */
export interface LSTMCellConfig extends BaseCellConfig {
  readonly recurrentActivation: string;
  readonly unitForgetBias: boolean;
  readonly cellOutput: CellOutput;
}

export const LSTM_CELL_OPTION_KEYS = [...CELL_OPTION_KEYS, 'recurrentActivation', 'unitForgetBias', 'cellOutput'] as const;
