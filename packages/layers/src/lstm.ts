import type { Activation, ActivationName } from './activations.js';
import { type CellOutput, type LSTMCellOptions, LSTMCell } from './cells/lstm-cell.js';
import type { LayerConfig } from './layer.js';
import { type RecurrentConfig, type RecurrentOptions, KerasRecurrentLayer } from './recurrent.js';

/** Options of {@link LSTM}. */
export interface LSTMOptions extends RecurrentOptions {
  /** Activation of the input, forget and output gates. Keras' default, not TF.js' hard sigmoid. @defaultValue 'sigmoid' */
  readonly recurrentActivation?: ActivationName | Activation;
  /**
   * Start the forget-gate bias at 1 (Jozefowicz et al., 2015), as Keras does; the rest of
   * the bias comes from `biasInitializer`.
   * @defaultValue true
   */
  readonly unitForgetBias?: boolean;
  /**
   * The output: `'activation'` is Keras' `h = o ⊙ activation(c)`; `'none'` is the cell of
   * experiments 1–2, `h = o ⊙ c`, with no squashing of the cell state.
   * @defaultValue 'activation'
   */
  readonly cellOutput?: CellOutput;
}

/** The configuration of an {@link LSTM}. */
export interface LSTMConfig extends RecurrentConfig {
  readonly recurrentActivation: string;
  readonly unitForgetBias: boolean;
  readonly cellOutput: CellOutput;
}

/**
 * Long short-term memory in Keras' layout: the generic {@link RNN} over an {@link LSTMCell}
 * (read cells/lstm-cell.ts for the equations). Weights: kernel `W` `[features, 4·units]`,
 * recurrent kernel `U` `[units, 4·units]`, bias `[4·units]`, gate blocks i, f, c̃, o.
 * States: `[h, c]`.
 */
export class LSTM extends KerasRecurrentLayer<LSTMCell> {
  override readonly className: string = 'LSTM';

  constructor(options: LSTMOptions) {
    super('LSTM', 'lstm', options, ['recurrentActivation', 'unitForgetBias', 'cellOutput'], (cell) => new LSTMCell(cell as unknown as LSTMCellOptions, 'LSTM'));
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): LSTM {
    return new LSTM(config as unknown as LSTMOptions);
  }

  get recurrentActivation(): Activation {
    return this.cell.recurrentActivation;
  }

  get unitForgetBias(): boolean {
    return this.cell.unitForgetBias;
  }

  get cellOutput(): CellOutput {
    return this.cell.cellOutput;
  }

  override getConfig(): LSTMConfig {
    const cell = this.cell.getConfig();
    return {
      ...this.commonConfig(cell),
      recurrentActivation: cell.recurrentActivation,
      unitForgetBias: cell.unitForgetBias,
      cellOutput: cell.cellOutput,
    };
  }
}

/** Creates an {@link LSTM} layer: `lstm({ units: 32 })`. */
export function lstm(options: LSTMOptions): LSTM {
  return new LSTM(options);
}
