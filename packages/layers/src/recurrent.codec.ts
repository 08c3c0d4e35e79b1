// The Keras config keys every recurrent layer shares (SimpleRNN, LSTM, GRU and the generic
// RNN): units, activations, initialisers, dropout rates, and the settings rnnkit refuses or
// drops. Each layer's own codec adds its keys around these.
import type { InitializerConfig } from '@rnnkit/tensor';
import type { ActivationName } from './activations.js';
import type { KerasConfig, KerasConfigReader, KerasConfigWriter } from './keras-config.js';
import { snakeCase } from './keras-config.js';
import type { Layer, SymbolicShape } from './layer.js';

/** The part of a recurrent layer's `getConfig()` these keys come from. */
export interface RecurrentConfigKeys {
  readonly units: number;
  readonly activation: string;
  readonly recurrentActivation?: string;
  readonly useBias: boolean;
  readonly kernelInitializer: unknown;
  readonly recurrentInitializer: unknown;
  readonly biasInitializer: unknown;
  readonly returnSequences: boolean;
  /** Absent is false. */
  readonly goBackwards?: boolean;
  /** Keras' `stateful` (absent: false). */
  readonly stateful?: boolean;
  /** Keras' `dropout` and `recurrent_dropout` (absent: 0). */
  readonly dropout?: number;
  readonly recurrentDropout?: number;
}

/** The recurrent options a Keras config holds (camelCase, as the layers take them). */
export interface RecurrentKerasOptions extends RecurrentConfigKeys {
  readonly activation: ActivationName;
  readonly recurrentActivation?: ActivationName;
  readonly kernelInitializer: string | InitializerConfig;
  readonly recurrentInitializer: string | InitializerConfig;
  readonly biasInitializer: string | InitializerConfig;
  /** Keras 3's `seed` of the dropout masks, when the file has one. */
  readonly seed?: number;
}

const TRAINING_ONLY = [
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
];

/**
 * The shared keys of a recurrent layer's Keras config, with `cellKeys` (the layer's own,
 * e.g. LSTM's `unit_forget_bias`) after the initialisers. `recurrentActivation` is written
 * when the config has one.
 */
export function saveRecurrentKeys(
  config: RecurrentConfigKeys,
  writer: KerasConfigWriter,
  cellKeys: KerasConfig = {},
): KerasConfig {
  const keras: Record<string, unknown> = { units: config.units, activation: writer.activation('activation', config.activation) };
  if (config.recurrentActivation !== undefined) keras.recurrent_activation = writer.activation('recurrent_activation', config.recurrentActivation);
  keras.use_bias = config.useBias;
  keras.kernel_initializer = writer.initializer('kernel_initializer', config.kernelInitializer);
  keras.recurrent_initializer = writer.initializer('recurrent_initializer', config.recurrentInitializer);
  keras.bias_initializer = writer.initializer('bias_initializer', config.biasInitializer);
  Object.assign(keras, cellKeys);
  for (const key of TRAINING_ONLY) keras[key] = null;
  Object.assign(keras, { dropout: config.dropout ?? 0, recurrent_dropout: config.recurrentDropout ?? 0, return_sequences: config.returnSequences, return_state: false, go_backwards: config.goBackwards === true, stateful: config.stateful === true, unroll: false });
  return keras;
}

/**
 * Reads the shared keys. `recurrentActivation` true reads `recurrent_activation`, whose
 * default differs between Keras (sigmoid) and TF.js (hard sigmoid): absent means the dialect's.
 */
export function loadRecurrentKeys(reader: KerasConfigReader, recurrentActivation: boolean): RecurrentKerasOptions {
  const units = reader.positiveInteger('units');
  const activation = reader.activation('activation', 'tanh');
  const gate = recurrentActivation ? reader.activation('recurrent_activation', reader.dialect === 'tfjs' ? 'hardSigmoid' : 'sigmoid') : undefined;
  const options = {
    units,
    activation,
    ...(gate === undefined ? {} : { recurrentActivation: gate }),
    useBias: reader.boolean('use_bias', true),
    kernelInitializer: reader.initializer('kernel_initializer', 'glorotUniform'),
    recurrentInitializer: reader.initializer('recurrent_initializer', 'orthogonal'),
    biasInitializer: reader.initializer('bias_initializer', 'zeros'),
    returnSequences: reader.boolean('return_sequences', false),
    goBackwards: reader.boolean('go_backwards', false),
    stateful: reader.boolean('stateful', false),
    ...loadDropoutRates(reader),
    ...loadSeed(reader),
  };
  refuseRecurrentKeys(reader);
  dropTrainingKeys(reader);
  reader.ignore('implementation', 'unroll');
  return options;
}

/** Refuses the recurrent settings rnnkit cannot honour (state passing, layout); the codecs read `go_backwards` and `stateful`. */
export function refuseRecurrentKeys(reader: KerasConfigReader): void {
  reader.mustBe('return_state', false, "a Sequential model passes only each layer's output on");
  reader.mustBe('time_major', false, 'rnnkit reads [batch, time, features]');
}

/** The training-only keys of a recurrent layer or cell (regularizers, constraints), dropped with a warning when set. */
export const RECURRENT_TRAINING_KEYS: readonly string[] = TRAINING_ONLY;

/** Drops {@link RECURRENT_TRAINING_KEYS}, warning about those that are set. */
export function dropTrainingKeys(reader: KerasConfigReader): void {
  reader.trainingOnly(TRAINING_ONLY, (v) => v === undefined || v === null, 'training only');
}

/** The dropout rate keys of a recurrent layer or cell. */
export const DROPOUT_KEYS: readonly string[] = ['dropout', 'recurrent_dropout'];

/** Reads `dropout` and `recurrent_dropout` (rates in [0, 1); absent or null is 0), giving only the non-zero ones. */
export function loadDropoutRates(reader: KerasConfigReader): { dropout?: number; recurrentDropout?: number } {
  const rates: { dropout?: number; recurrentDropout?: number } = {};
  for (const key of DROPOUT_KEYS) {
    const v = reader.get(key);
    if (v === undefined || v === null || v === 0) continue;
    if (typeof v !== 'number' || !(v >= 0 && v < 1)) reader.fail(`${key} must be a number in [0, 1), got ${reader.describe(v)}`);
    rates[key === 'dropout' ? 'dropout' : 'recurrentDropout'] = v;
  }
  return rates;
}

/** Keras 3's `seed` of the dropout masks: an integer, or absent or null (then none). */
function loadSeed(reader: KerasConfigReader): { seed?: number } {
  const seed = reader.get('seed');
  if (seed === undefined || seed === null) return {};
  if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) reader.fail(`seed must be an integer or null, got ${reader.describe(seed)}`);
  return { seed };
}

/** Keras' weight names of a recurrent layer: `<cell>/<param>`, e.g. `lstm_cell/recurrent_kernel`. */
export function cellWeightNames(cell: string, layer: Layer): string[] {
  return layer.params().map((p) => `${cell}/${snakeCase(p.name)}`);
}

/**
 * The numbers a recurrent layer of `gates` gate blocks holds for `inputShape`: kernel and
 * recurrent kernel `[features | units, gates·units]`, `biasRows` bias rows and `extra`
 * (0 when the features are unknown: building then fails with the layer's own error).
 */
export function recurrentParamCount(inputShape: SymbolicShape, units: number, gates: number, biasRows: number, extra = 0): number {
  const features = inputShape[inputShape.length - 1];
  if (typeof features !== 'number') return 0;
  return gates * units * (features + units + biasRows) + extra;
}
