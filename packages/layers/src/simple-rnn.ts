import { type SimpleRNNCellOptions, SimpleRNNCell } from './cells/simple-rnn-cell.js';
import type { LayerConfig } from './layer.js';
import { type RecurrentConfig, type RecurrentOptions, KerasRecurrentLayer } from './recurrent.js';

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
export class SimpleRNN extends KerasRecurrentLayer<SimpleRNNCell> {
  override readonly className: string = 'SimpleRNN';

  constructor(options: SimpleRNNOptions) {
    super('SimpleRNN', 'simple_rnn', options, ['learnableInitialState'], (cell) => new SimpleRNNCell(cell as unknown as SimpleRNNCellOptions, 'SimpleRNN'));
  }

  /** Rebuilds a layer from {@link getConfig}'s output (custom functions must be passed again). */
  static fromConfig(config: LayerConfig): SimpleRNN {
    return new SimpleRNN(config as unknown as SimpleRNNOptions);
  }

  override getConfig(): SimpleRNNConfig {
    return {
      ...this.commonConfig(this.cell.getConfig()),
      learnableInitialState: this.learnableInitialState,
    };
  }
}

/** Creates a {@link SimpleRNN} layer: `simpleRNN({ units: 16, activation: 'sigmoid' })`. */
export function simpleRNN(options: SimpleRNNOptions): SimpleRNN {
  return new SimpleRNN(options);
}
