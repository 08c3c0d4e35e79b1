import type { Activation, ActivationName } from './activations.js';
import { type GRUCellOptions, GRUCell } from './cells/gru-cell.js';
import { checkOptionKeys } from './common.js';
import type { LayerConfig } from './layer.js';
import { type RecurrentConfig, type RecurrentOptions, RECURRENT_OPTION_KEYS, recurrentConfig, splitOptions } from './recurrent.js';
import { RNN } from './rnn.js';

/** Options of {@link GRU}. */
export interface GRUOptions extends RecurrentOptions {
  /** Activation of the update and reset gates. Keras' default, not TF.js' hard sigmoid. @defaultValue 'sigmoid' */
  readonly recurrentActivation?: ActivationName | Activation;
  /**
   * Apply the reset gate after the recurrent product (`r ⊙ (h·U_h + b_h)`, Keras 2's default
   * and cuDNN's convention, bias `[2, 3·units]`: input row, recurrent row) rather than before
   * it (`(r ⊙ h)·U_h`, Keras 1 and TF.js, bias `[3·units]`).
   * @defaultValue true
   */
  readonly resetAfter?: boolean;
}

/** The configuration of a {@link GRU}. */
export interface GRUConfig extends RecurrentConfig {
  readonly recurrentActivation: string;
  readonly resetAfter: boolean;
}

/**
 * Gated recurrent unit in Keras' layout: the generic {@link RNN} over a {@link GRUCell} (read
 * cells/gru-cell.ts for the equations). Kernel `W` `[features, 3·units]`, recurrent kernel
 * `U` `[units, 3·units]`, gate blocks z (update), r (reset), h̃ (candidate); with resetAfter
 * the bias is `[2, 3·units]` (input bias, then recurrent bias).
 */
export class GRU extends RNN {
  override readonly className: string = 'GRU';
  declare readonly cell: GRUCell;

  constructor(options: GRUOptions) {
    checkOptionKeys('GRU', options, [...RECURRENT_OPTION_KEYS, 'recurrentActivation', 'resetAfter']);
    const { cell, layer } = splitOptions(options);
    super({ ...layer, cell: new GRUCell(cell as unknown as GRUCellOptions, 'GRU') }, { api: 'GRU', defaultName: 'gru' });
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): GRU {
    return new GRU(config as unknown as GRUOptions);
  }

  get activation(): Activation {
    return this.cell.activation;
  }

  get recurrentActivation(): Activation {
    return this.cell.recurrentActivation;
  }

  get useBias(): boolean {
    return this.cell.useBias;
  }

  /** Fraction of the inputs dropped while training. */
  get dropout(): number {
    return this.cell.dropout;
  }

  /** Fraction of the recurrent state dropped while training. */
  get recurrentDropout(): number {
    return this.cell.recurrentDropout;
  }

  get resetAfter(): boolean {
    return this.cell.resetAfter;
  }

  override getConfig(): GRUConfig {
    const cell = this.cell.getConfig();
    return {
      ...recurrentConfig(this.name, cell, this.returnSequences, this.returnState, this.goBackwards, this.stateful, this.seed),
      recurrentActivation: cell.recurrentActivation,
      resetAfter: cell.resetAfter,
    };
  }
}

/** Creates a {@link GRU} layer: `gru({ units: 16, resetAfter: false })`. */
export function gru(options: GRUOptions): GRU {
  return new GRU(options);
}
