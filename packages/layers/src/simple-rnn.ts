import type { Activation } from './activations.js';
import { type SimpleRNNCellOptions, SimpleRNNCell } from './cells/simple-rnn-cell.js';
import { checkOptionKeys } from './common.js';
import type { LayerConfig } from './layer.js';
import { type RecurrentConfig, type RecurrentOptions, RECURRENT_OPTION_KEYS, recurrentConfig, splitOptions } from './recurrent.js';
import { RNN } from './rnn.js';

/** Options of {@link SimpleRNN}. */
export interface SimpleRNNOptions extends RecurrentOptions {
  /**
   * Learn the initial state `h_0` (a `[units]` parameter named `initialState`, shared by
   * every sequence of a batch and starting at zero), as experiment 4 learns its `S_0`.
   * An `initialState` passed to `forward` still takes precedence.
   * @defaultValue false
   */
  readonly learnableInitialState?: boolean;
}

/** The configuration of a {@link SimpleRNN}. */
export interface SimpleRNNConfig extends RecurrentConfig {
  readonly learnableInitialState: boolean;
}

/**
 * The fully recurrent layer, Keras' SimpleRNN: the generic {@link RNN} over a
 * {@link SimpleRNNCell}, `h_t = activation(x_t·W + h_{t−1}·U + b)`, with kernel `W`
 * `[features, units]`, recurrent kernel `U` `[units, units]` and bias `b` `[units]`. With
 * `activation: 'tanh'` and `learnableInitialState: true` it is the state update of
 * experiment 4 (`S_k = tanh(Z_k + S_{k−1}·W + b)` with a learnable `S_0`).
 */
export class SimpleRNN extends RNN {
  override readonly className: string = 'SimpleRNN';
  declare readonly cell: SimpleRNNCell;

  constructor(options: SimpleRNNOptions) {
    checkOptionKeys('SimpleRNN', options, [...RECURRENT_OPTION_KEYS, 'learnableInitialState']);
    const { cell, layer } = splitOptions(options);
    super({ ...layer, cell: new SimpleRNNCell(cell as unknown as SimpleRNNCellOptions, 'SimpleRNN') }, { api: 'SimpleRNN', defaultName: 'simple_rnn' });
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): SimpleRNN {
    return new SimpleRNN(config as unknown as SimpleRNNOptions);
  }

  get activation(): Activation {
    return this.cell.activation;
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

  override getConfig(): SimpleRNNConfig {
    return {
      ...recurrentConfig(this.name, this.cell.getConfig(), this.returnSequences, this.returnState, this.goBackwards, this.stateful, this.seed),
      learnableInitialState: this.learnableInitialState,
    };
  }
}

/** Creates a {@link SimpleRNN} layer: `simpleRNN({ units: 16, activation: 'sigmoid' })`. */
export function simpleRNN(options: SimpleRNNOptions): SimpleRNN {
  return new SimpleRNN(options);
}
