// The options and saved configuration of the GRU cell (gru-cell.ts holds its maths).
import type { Activation, ActivationName } from '../activations.js';
import { type BaseCellConfig, type CellOptions, CELL_OPTION_KEYS } from './gated-cell.js';

/** Options of {@link gruCell}. */
export interface GRUCellOptions extends CellOptions {
  /** Activation of the update and reset gates. Keras' default, not TF.js' hard sigmoid. @defaultValue 'sigmoid' */
  readonly recurrentActivation?: ActivationName | Activation;
  /**
   * Apply the reset gate after the recurrent product (`r ⊙ (h·U_h + b′_h)`, Keras 2's default
   * and cuDNN's, bias `[2, 3·units]`) rather than before it (`(r ⊙ h)·U_h`, Keras 1 and
   * TF.js, bias `[3·units]`).
   * @defaultValue true
   */
  readonly resetAfter?: boolean;
}

/** The configuration of a {@link GRUCell}. */
export interface GRUCellConfig extends BaseCellConfig {
  readonly recurrentActivation: string;
  readonly resetAfter: boolean;
}

export const GRU_CELL_OPTION_KEYS = [...CELL_OPTION_KEYS, 'recurrentActivation', 'resetAfter'] as const;
