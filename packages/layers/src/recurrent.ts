// What SimpleRNN, LSTM and GRU share on top of the generic RNN: their common options and
// configuration (Keras' layer options, the cell's and the layer's in one object).
import type { DType } from '@rnnkit/tensor';
import type { Activation, ActivationName } from './activations.js';
import type { RecurrentCell } from './cell.js';
import type { BaseCellConfig, CellOptions, GatedCell } from './cells/gated-cell.js';
import { type InitializerConfigValue, checkOptionKeys } from './common.js';
import type { LayerConfig } from './layer.js';
import { RNN } from './rnn.js';
import type { StatefulConfig, StatefulOptions } from './rnn-stateful.js';

/** Options shared by {@link SimpleRNN}, {@link LSTM} and {@link GRU}: the cell's and the layer's. */
export interface RecurrentOptions extends CellOptions, StatefulOptions {
  /** Activation of the state update (LSTM: of the candidate and the cell output). @defaultValue 'tanh' */
  readonly activation?: ActivationName | Activation;
  /** Output every step, `[batch, time, units]`, rather than the last, `[batch, units]`. @defaultValue false */
  readonly returnSequences?: boolean;
  /** Also return the final state(s) from `forward` (`states`), for chunked sequences or encoders. @defaultValue false */
  readonly returnState?: boolean;
  /**
   * Process the sequence from its last step to its first (Keras' `go_backwards`); with
   * returnSequences the output steps come in that order, reversed in time.
   * @defaultValue false
   */
  readonly goBackwards?: boolean;
  /**
   * Seed of the layer's own generator of dropout masks (with `dropout` or `recurrentDropout`),
   * so training runs repeat exactly. @defaultValue one drawn from the model's generator at build
   */
  readonly seed?: number;
  /** Instance name. @defaultValue the class name in snake case, e.g. 'lstm' */
  readonly name?: string;
}

/** The configuration of a recurrent layer: its options with every default filled in. */
export interface RecurrentConfig extends LayerConfig, StatefulConfig {
  readonly name: string;
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  readonly kernelInitializer: InitializerConfigValue;
  readonly recurrentInitializer: InitializerConfigValue;
  readonly biasInitializer: InitializerConfigValue;
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
  readonly dtype: DType;
  readonly dropout: number;
  readonly recurrentDropout: number;
  /** The seed of the dropout masks, when given or drawn at build. */
  readonly seed?: number;
}

export const RECURRENT_OPTION_KEYS = [
  'units',
  'activation',
  'useBias',
  'kernelInitializer',
  'recurrentInitializer',
  'biasInitializer',
  'returnSequences',
  'returnState',
  'goBackwards',
  'stateful',
  'dtype',
  'dropout',
  'recurrentDropout',
  'seed',
  'name',
] as const;

/** The options of the layer (the rest are the cell's). */
export const LAYER_OPTION_KEYS: readonly string[] = ['returnSequences', 'returnState', 'goBackwards', 'name', 'learnableInitialState', 'stateful', 'seed'];

/** Splits a layer's options into the cell's and the layer's own. */
export function splitOptions<O extends object>(options: O): { cell: Record<string, unknown>; layer: Record<string, unknown> } {
  const cell: Record<string, unknown> = {};
  const layer: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(options)) (LAYER_OPTION_KEYS.includes(key) ? layer : cell)[key] = value;
  return { cell, layer };
}

/**
 * The configuration every recurrent layer records, in the order it always had: the name, the
 * cell's common options, then the layer's; then the dropout rates and the masks' seed (if any).
 */
export function recurrentConfig(
  name: string,
  cell: BaseCellConfig,
  returnSequences: boolean,
  returnState: boolean,
  goBackwards: boolean,
  stateful = false,
  seed?: number,
): RecurrentConfig {
  return {
    name,
    units: cell.units,
    activation: cell.activation,
    useBias: cell.useBias,
    kernelInitializer: cell.kernelInitializer,
    recurrentInitializer: cell.recurrentInitializer,
    biasInitializer: cell.biasInitializer,
    returnSequences,
    returnState,
    goBackwards,
    stateful,
    dtype: cell.dtype,
    dropout: cell.dropout,
    recurrentDropout: cell.recurrentDropout,
    ...(seed === undefined ? {} : { seed }),
  };
}

/** A built-in cell as {@link KerasRecurrentLayer} sees it: the common options and a Keras configuration. */
type KerasCell = GatedCell & RecurrentCell & { getConfig(): BaseCellConfig };

/**
 * The common part of SimpleRNN, LSTM and GRU: the generic {@link RNN} over one built-in cell,
 * built from Keras' flat options (the cell's and the layer's in one object), with the cell's
 * common options readable on the layer.
 */
export abstract class KerasRecurrentLayer<C extends KerasCell> extends RNN {
  declare readonly cell: C;

  /**
   * Checks `options` against the common keys and `cellKeys` (the cell's own), then builds the
   * cell from its share of them with `makeCell`.
   */
  protected constructor(
    api: string,
    defaultName: string,
    options: RecurrentOptions,
    cellKeys: readonly string[],
    makeCell: (cellOptions: Record<string, unknown>) => C,
  ) {
    checkOptionKeys(api, options, [...RECURRENT_OPTION_KEYS, ...cellKeys]);
    const { cell, layer } = splitOptions(options);
    super({ ...layer, cell: makeCell(cell) }, { api, defaultName });
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

  /** The configuration every recurrent layer records (see {@link recurrentConfig}), from the cell's. */
  protected commonConfig(cell: BaseCellConfig): RecurrentConfig {
    return recurrentConfig(this.name, cell, this.returnSequences, this.returnState, this.goBackwards, this.stateful, this.seed);
  }
}
