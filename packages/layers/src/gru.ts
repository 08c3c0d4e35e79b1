import type { Activation, ActivationName } from './activations.js';
import { type GRUCellOptions, GRUCell } from './cells/gru-cell.js';
import type { LayerConfig } from './layer.js';
import { type RecurrentConfig, type RecurrentOptions, KerasRecurrentLayer } from './recurrent.js';

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
export class GRU extends KerasRecurrentLayer<GRUCell> {
  override readonly className: string = 'GRU';

  constructor(options: GRUOptions) {
    super('GRU', 'gru', options, ['recurrentActivation', 'resetAfter'], (cell) => new GRUCell(cell as unknown as GRUCellOptions, 'GRU'));
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): GRU {
    return new GRU(config as unknown as GRUOptions);
  }

  get recurrentActivation(): Activation {
    return this.cell.recurrentActivation;
  }

  get resetAfter(): boolean {
    return this.cell.resetAfter;
  }

  override getConfig(): GRUConfig {
    const cell = this.cell.getConfig();
    return {
      ...this.commonConfig(cell),
      recurrentActivation: cell.recurrentActivation,
      resetAfter: cell.resetAfter,
    };
  }
}

/** Creates a {@link GRU} layer: `gru({ units: 16, resetAfter: false })`. */
export function gru(options: GRUOptions): GRU {
  return new GRU(options);
}
