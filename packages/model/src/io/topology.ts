// Keras' model topology (the snake_case `modelTopology` of model.json) to and from rnnkit
// layers. Saving writes the dialect tfjs-layers 4 writes, which both TF.js and
// tensorflowjs_converter read; loading also reads Keras 2 and Keras 3 configs as the
// converter writes them (`model_config` wrapper, InputLayer, nested initialiser configs,
// dtype policies). rnnkit-only variants travel in `rnnkit_*` layer keys.
import { type DType, type InitializerConfig, type Param, getInitializer, initializerConfig } from '@rnnkit/tensor';
import {
  ActivationLayer,
  Dense,
  Dropout,
  GRU,
  LSTM,
  type Layer,
  type LayerConfig,
  SimpleRNN,
} from '@rnnkit/layers';
import { type Context, type JsonObject, describe, fail, isObject, own, show } from './format.js';

/** Keras layer classes rnnkit reads (InputLayer only as the first entry). */
export const SUPPORTED_LAYERS = ['InputLayer', 'Dense', 'SimpleRNN', 'LSTM', 'GRU', 'Activation', 'Dropout'] as const;

type LayerClass = 'Dense' | 'SimpleRNN' | 'LSTM' | 'GRU' | 'Activation' | 'Dropout';

/**
 * The config dialect, named by `keras_version`: tfjs-layers, Keras 2 or Keras 3. It decides
 * what `hard_sigmoid` means and the defaults of keys a file leaves out.
 */
type Dialect = 'tfjs' | 'keras2' | 'keras3';

/** The keras_version rnnkit writes: its configs follow tfjs-layers 4's serialisation. */
export const KERAS_VERSION = 'tfjs-layers 4.22.0';
export const BACKEND = 'tensor_flow.js';

// ---------------------------------------------------------------------------------------
// Activations and initialisers
// ---------------------------------------------------------------------------------------

const ACTIVATIONS_TO_KERAS: Readonly<Record<string, string>> = {
  linear: 'linear',
  sigmoid: 'sigmoid',
  hardSigmoid: 'hard_sigmoid',
  tanh: 'tanh',
  relu: 'relu',
  softmax: 'softmax',
};

const ACTIVATIONS_FROM_KERAS: ReadonlyMap<string, string> = new Map([
  ['linear', 'linear'],
  ['sigmoid', 'sigmoid'],
  ['hard_sigmoid', 'hardSigmoid'],
  ['hardsigmoid', 'hardSigmoid'],
  ['tanh', 'tanh'],
  ['relu', 'relu'],
  ['softmax', 'softmax'],
]);

const FAN_TO_KERAS = { fanIn: 'fan_in', fanOut: 'fan_out', fanAvg: 'fan_avg' } as const;
const DISTRIBUTION_TO_KERAS = { truncatedNormal: 'truncated_normal', uniform: 'uniform' } as const;

/**
 * An rnnkit initialiser config as Keras writes it, `{ class_name, config }`. `exact` is false
 * when Keras' and TF.js' vocabulary has no equal (an untruncated normal): the nearest one is
 * written and the exact config goes in an `rnnkit_initializers` key.
 */
function initializerToKeras(value: unknown): { keras: JsonObject; exact: boolean } {
  const config = initializerConfig(getInitializer(value as Parameters<typeof getInitializer>[0]));
  const o = (config.options ?? {}) as Record<string, unknown>;
  const k = (className: string, c: Record<string, unknown> = {}, exact = true) => ({ keras: { class_name: className, config: c }, exact });
  switch (config.name) {
    case 'zeros':
      return k('Zeros');
    case 'ones':
      return k('Ones');
    case 'constant':
      return k('Constant', { value: o.value });
    case 'randomUniform':
      return k('RandomUniform', { minval: o.low, maxval: o.high, seed: null });
    case 'randomNormal':
      return k('RandomNormal', { mean: o.mean, stddev: o.std, seed: null });
    case 'truncatedNormal':
      return k('TruncatedNormal', { mean: o.mean, stddev: o.std, seed: null });
    case 'varianceScaling': {
      const distribution = o.distribution as string;
      const exact = distribution !== 'untruncatedNormal';
      const keras = exact ? DISTRIBUTION_TO_KERAS[distribution as keyof typeof DISTRIBUTION_TO_KERAS] : 'normal';
      return k('VarianceScaling', { scale: o.scale, mode: FAN_TO_KERAS[o.mode as keyof typeof FAN_TO_KERAS], distribution: keras, seed: null }, exact);
    }
    case 'glorotUniform':
      return k('GlorotUniform', { seed: null });
    case 'glorotNormal':
      return k('GlorotNormal', { seed: null }, o.truncated === undefined || o.truncated === true);
    case 'heNormal':
      return k('HeNormal', { seed: null }, o.truncated === undefined || o.truncated === true);
    case 'heUniform':
      return k('HeUniform', { seed: null });
    case 'orthogonal':
      return k('Orthogonal', { gain: o.gain, seed: null });
  }
}

/** A Keras initialiser (`'glorot_uniform'` or `{ class_name, config }`) as an rnnkit config, or null if it has none. */
function initializerFromKeras(value: unknown): string | InitializerConfig | null {
  if (typeof value === 'string') return value;
  if (!isObject(value)) return null;
  const className = own(value, 'class_name');
  const raw = own(value, 'config');
  const c: JsonObject = isObject(raw) ? raw : Object.create(null);
  if (typeof className !== 'string') return null;
  const num = (key: string): number | undefined => {
    const v = own(c, key);
    return typeof v === 'number' ? v : undefined;
  };
  const defined = (o: Record<string, number | string | undefined>): Record<string, number | string> =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, number | string>;
  switch (className.replace(/_/g, '').toLowerCase()) {
    case 'zeros':
      return 'zeros';
    case 'ones':
      return 'ones';
    case 'constant':
      return { name: 'constant', options: defined({ value: num('value') }) };
    case 'randomuniform':
      return { name: 'randomUniform', options: defined({ low: num('minval'), high: num('maxval') }) };
    case 'randomnormal':
      return { name: 'randomNormal', options: defined({ mean: num('mean'), std: num('stddev') }) };
    case 'truncatednormal':
      return { name: 'truncatedNormal', options: defined({ mean: num('mean'), std: num('stddev') }) };
    case 'glorotuniform':
      return 'glorotUniform';
    case 'glorotnormal':
      return 'glorotNormal';
    case 'henormal':
      return 'heNormal';
    case 'heuniform':
      return 'heUniform';
    case 'lecunnormal':
      return { name: 'varianceScaling', options: { scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' } };
    case 'lecununiform':
      return { name: 'varianceScaling', options: { scale: 1, mode: 'fanIn', distribution: 'uniform' } };
    case 'orthogonal':
    case 'orthogonalinitializer': // Keras 3's class name
      return { name: 'orthogonal', options: defined({ gain: num('gain') }) };
    case 'variancescaling': {
      const mode = { fan_in: 'fanIn', fan_out: 'fanOut', fan_avg: 'fanAvg' }[String(own(c, 'mode'))];
      // Keras 2 and TF.js read "normal" as a truncated normal.
      const distribution = {
        normal: 'truncatedNormal',
        truncated_normal: 'truncatedNormal',
        untruncated_normal: 'untruncatedNormal',
        uniform: 'uniform',
      }[String(own(c, 'distribution'))];
      return { name: 'varianceScaling', options: defined({ scale: num('scale'), mode, distribution }) };
    }
    default:
      return null;
  }
}

// ---------------------------------------------------------------------------------------
// Saving: rnnkit → Keras
// ---------------------------------------------------------------------------------------

/** What a model looks like to the rnnkit side of saving (structurally `Sequential`). */
export interface SavableModel {
  readonly className: string;
  readonly name: string;
  readonly dtype: DType;
  readonly layers: readonly Layer[];
  readonly layerNames: readonly string[];
  readonly inputShape: readonly (number | null)[] | null;
}

/** One weight to write: its manifest name and the parameter it comes from. */
export interface WeightToSave {
  readonly name: string;
  readonly param: Param;
}

export interface SavedTopology {
  readonly topology: JsonObject;
  /** Weights for the manifest, in order. */
  readonly weights: readonly WeightToSave[];
  /** Weights TF.js has no place for (the SimpleRNN learnable initial state). */
  readonly extraWeights: readonly WeightToSave[];
  /** `layer/param` names of frozen parameters in partly frozen layers. */
  readonly nonTrainable: readonly string[];
}

const CELL_NAMES: Readonly<Record<string, string>> = { SimpleRNN: 'simple_rnn_cell', LSTM: 'lstm_cell', GRU: 'gru_cell' };
const KERAS_PARAM_NAMES: Readonly<Record<string, string>> = { kernel: 'kernel', recurrentKernel: 'recurrent_kernel', bias: 'bias' };

/** The Keras topology and weight list of a built Sequential model of supported layers. */
export function topologyFromModel(ctx: Context, model: SavableModel): SavedTopology {
  const inputShape = model.inputShape;
  if (inputShape === null) {
    fail(ctx, `model "${model.name}" is not built; pass inputShape (e.g. [25, 1]) or run it once before saving`);
  }
  const weights: WeightToSave[] = [];
  const extraWeights: WeightToSave[] = [];
  const nonTrainable: string[] = [];
  const layers = model.layers.map((layer, i) => {
    const name = model.layerNames[i]!;
    const label = `layer ${i} "${name}" (${layer.className})`;
    if (name.includes('/')) fail(ctx, `${label}: the name must not contain "/", which separates the parts of weight names`);
    const config = layer.getConfig() as LayerConfig & Record<string, unknown>;
    const params = layer.params();
    const frozen = params.filter((p) => !p.trainable);
    const trainable = params.length === 0 || frozen.length < params.length;
    if (frozen.length > 0 && trainable) nonTrainable.push(...frozen.map((p) => `${name}/${p.name}`));
    const keras: Record<string, unknown> = { name, trainable };
    if (i === 0) keras.batch_input_shape = [null, ...inputShape.slice(1)];
    // TF.js computes in float32 only; the model's own dtype is in the rnnkit field.
    keras.dtype = 'float32';
    const activation = (key: string, value: unknown): void => {
      const mapped = typeof value === 'string' && Object.prototype.hasOwnProperty.call(ACTIVATIONS_TO_KERAS, value) ? ACTIVATIONS_TO_KERAS[value] : undefined;
      if (mapped === undefined) {
        fail(ctx, `${label}: activation ${describe(value)} has no Keras name; savable activations are ${Object.keys(ACTIVATIONS_TO_KERAS).join(', ')}`);
      }
      keras[key] = mapped;
    };
    const inexact: Record<string, unknown> = {};
    const initializer = (key: string, value: unknown): void => {
      let mapped: { keras: JsonObject; exact: boolean };
      try {
        mapped = initializerToKeras(value);
      } catch (error) {
        fail(ctx, `${label}: ${key} cannot be saved: ${(error as Error).message}`, error);
      }
      keras[key] = mapped.keras;
      if (!mapped.exact) inexact[key] = initializerConfig(getInitializer(value as Parameters<typeof getInitializer>[0]));
    };
    const noRegularizers = (...keys: string[]): void => {
      for (const key of keys) keras[key] = null;
    };
    switch (layer.className) {
      case 'Dense': {
        keras.units = config.units;
        activation('activation', config.activation);
        keras.use_bias = config.useBias;
        initializer('kernel_initializer', config.kernelInitializer);
        initializer('bias_initializer', config.biasInitializer);
        noRegularizers('kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint');
        break;
      }
      case 'SimpleRNN':
      case 'LSTM':
      case 'GRU': {
        keras.units = config.units;
        activation('activation', config.activation);
        if (layer.className !== 'SimpleRNN') activation('recurrent_activation', config.recurrentActivation);
        keras.use_bias = config.useBias;
        initializer('kernel_initializer', config.kernelInitializer);
        initializer('recurrent_initializer', config.recurrentInitializer);
        initializer('bias_initializer', config.biasInitializer);
        if (layer.className === 'LSTM') keras.unit_forget_bias = config.unitForgetBias;
        noRegularizers(
          'kernel_regularizer',
          'recurrent_regularizer',
          'bias_regularizer',
          'activity_regularizer',
          'kernel_constraint',
          'recurrent_constraint',
          'bias_constraint',
        );
        keras.dropout = 0;
        keras.recurrent_dropout = 0;
        if (layer.className !== 'SimpleRNN') keras.implementation = 2;
        if (layer.className === 'GRU') keras.reset_after = config.resetAfter;
        keras.return_sequences = config.returnSequences;
        keras.return_state = false;
        keras.go_backwards = false;
        keras.stateful = false;
        keras.unroll = false;
        // Variants Keras cannot express: keys TF.js ignores and Keras refuses (see the README).
        if (layer.className === 'LSTM' && config.cellOutput === 'none') keras.rnnkit_cell_output = 'none';
        if (layer.className === 'SimpleRNN' && config.learnableInitialState === true) keras.rnnkit_learnable_initial_state = true;
        break;
      }
      case 'Activation':
        activation('activation', config.activation);
        break;
      case 'Dropout':
        keras.rate = config.rate;
        keras.noise_shape = null;
        keras.seed = config.seed;
        break;
      default:
        fail(
          ctx,
          `${label} cannot be saved in the TF.js layers format; savable layers are ${SUPPORTED_LAYERS.filter((c) => c !== 'InputLayer').join(', ')}`,
        );
    }
    if (Object.keys(inexact).length > 0) keras.rnnkit_initializers = inexact;
    for (const p of params) {
      const short = KERAS_PARAM_NAMES[p.name];
      if (short !== undefined) {
        const cell = CELL_NAMES[layer.className];
        weights.push({ name: cell === undefined ? `${name}/${short}` : `${name}/${cell}/${short}`, param: p });
      } else if (layer.className === 'SimpleRNN' && p.name === 'initialState') {
        extraWeights.push({ name: `${name}/initial_state`, param: p });
      } else {
        fail(ctx, `${label}: parameter "${p.name}" has no place in the TF.js format`);
      }
    }
    return { class_name: layer.className, config: keras };
  });
  const topology = {
    class_name: 'Sequential',
    config: { name: model.name, layers },
    keras_version: KERAS_VERSION,
    backend: BACKEND,
  };
  return { topology, weights, extraWeights, nonTrainable };
}

// ---------------------------------------------------------------------------------------
// Loading: Keras → rnnkit
// ---------------------------------------------------------------------------------------

/** One parameter a layer will have: its Keras short name (null when rnnkit-only), rnnkit name and shape. */
export interface PlannedParam {
  readonly keras: string | null;
  readonly rnnkit: string;
  readonly shape: readonly number[];
}

/** A layer to make, with every weight shape known before anything is allocated. */
export interface LayerPlan {
  readonly className: LayerClass;
  readonly name: string;
  /** rnnkit options (camelCase) without name and dtype. */
  readonly options: Record<string, unknown>;
  readonly trainable: boolean;
  readonly params: readonly PlannedParam[];
  /** `layer 2 "lstm" (LSTM)`, for errors. */
  readonly label: string;
}

export interface ModelPlan {
  readonly name: string;
  /** Input shape without the batch axis. */
  readonly inputShape: readonly (number | null)[];
  readonly layers: readonly LayerPlan[];
  /** The dtype the layer configs declare (float32 unless every one says float64). */
  readonly declaredDType: DType;
  readonly kerasVersion: string | null;
  /** Settings dropped on the way in (training-only, or initialisers rnnkit lacks). */
  readonly warnings: readonly string[];
}

/** Reads one layer's config, remembering which keys were used. */
class ConfigReader {
  readonly used = new Set<string>();
  constructor(
    private readonly ctx: Context,
    readonly config: JsonObject,
    readonly label: string,
    private readonly warnings: string[],
  ) {}

  fail(message: string): never {
    return fail(this.ctx, `${this.label}: ${message}`);
  }

  warn(message: string): void {
    this.warnings.push(`${this.label}: ${message}`);
  }

  get(key: string): unknown {
    this.used.add(key);
    return own(this.config, key);
  }

  positiveInteger(key: string): number {
    const v = this.get(key);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2 ** 31 - 1) {
      this.fail(`${key} must be a positive integer, got ${describe(v)}`);
    }
    return v;
  }

  /** A boolean; null or absent is `fallback`. */
  boolean(key: string, fallback: boolean): boolean {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') this.fail(`${key} must be true or false, got ${describe(v)}`);
    return v;
  }

  /** Refuses a setting rnnkit cannot honour unless it has its harmless value. */
  mustBe(key: string, harmless: unknown, why: string): void {
    const v = this.get(key);
    if (v !== undefined && v !== null && v !== harmless) this.fail(`${key} ${show(v)} is not supported: ${why}`);
  }

  /** Settings that only shape training, dropped with a warning when set. */
  trainingOnly(keys: readonly string[], harmless: (v: unknown) => boolean, what: string): void {
    for (const key of keys) {
      const v = this.get(key);
      if (!harmless(v)) this.warn(`${key} ${show(v)} dropped (${what})`);
    }
  }

  activation(key: string, dialect: Dialect, fallback: string | null): string {
    let v = this.get(key);
    if (v === undefined || v === null) {
      if (fallback === null) this.fail(`${key} is missing`);
      return fallback;
    }
    // Keras 3 may write a built-in function as { class_name: 'function', config: 'tanh' }.
    if (isObject(v) && typeof own(v, 'config') === 'string') v = own(v, 'config');
    const name =
      typeof v === 'string' ? (ACTIVATIONS_FROM_KERAS.get(v) ?? ACTIVATIONS_FROM_KERAS.get(v.replace(/_/g, '').toLowerCase())) : undefined;
    if (name === undefined) {
      this.fail(`${key} ${describe(v)} is not supported; supported activations are ${Object.values(ACTIVATIONS_TO_KERAS).join(', ')}`);
    }
    if (name === 'hardSigmoid' && dialect === 'keras3') {
      this.fail(
        `${key} "hard_sigmoid" of Keras 3 is relu6(x + 3)/6, not the 0.2·x + 0.5 of Keras 2 and TF.js that rnnkit implements`,
      );
    }
    return name;
  }

  initializer(key: string, fallback: string): string | InitializerConfig {
    const v = this.get(key);
    if (v === undefined || v === null) return fallback;
    const mapped = initializerFromKeras(v);
    if (mapped !== null) {
      try {
        getInitializer(mapped as Parameters<typeof getInitializer>[0]);
        return mapped;
      } catch {
        // fall through: an initialiser only matters for fresh weights, and these are loaded
      }
    }
    const shown = isObject(v) ? describe(own(v, 'class_name')) : describe(v);
    this.warn(`${key} ${shown} has no rnnkit equivalent; ${fallback} is used if the layer is ever re-initialised`);
    return fallback;
  }

  dtype(): DType {
    let v = this.get('dtype');
    // Keras 3 dtype policies: { class_name: 'DTypePolicy', config: { name: 'float32' } }.
    if (isObject(v)) {
      const c = own(v, 'config');
      v = isObject(c) ? own(c, 'name') : undefined;
    }
    if (v === undefined || v === null || v === 'float32') return 'float32';
    if (v === 'float64') return 'float64';
    return this.fail(`dtype ${describe(v)} is not supported; rnnkit computes in float32 or float64`);
  }

  /** Refuses `rnnkit_*` keys this version does not know (written by a newer rnnkit). */
  checkRnnkitKeys(): void {
    for (const key of Object.keys(this.config)) {
      if (key.startsWith('rnnkit_') && !this.used.has(key)) {
        this.fail(`unknown rnnkit key "${key}" (saved by a newer rnnkit?); this version reads rnnkit_cell_output, rnnkit_learnable_initial_state and rnnkit_initializers`);
      }
    }
  }
}

function dialectOf(topology: JsonObject, json: JsonObject): { dialect: Dialect; kerasVersion: string | null } {
  const version = own(topology, 'keras_version');
  const generatedBy = own(json, 'generatedBy');
  const kerasVersion = typeof version === 'string' ? version : null;
  if (kerasVersion?.startsWith('tfjs')) return { dialect: 'tfjs', kerasVersion };
  if (kerasVersion !== null && /^3\./.test(kerasVersion)) return { dialect: 'keras3', kerasVersion };
  if (kerasVersion === null && typeof generatedBy === 'string' && /keras v?3\./i.test(generatedBy)) return { dialect: 'keras3', kerasVersion };
  return { dialect: kerasVersion === null && typeof generatedBy === 'string' && generatedBy.startsWith('TensorFlow.js') ? 'tfjs' : 'keras2', kerasVersion };
}

/** A batch input shape `[batch, …]` from a layer config, or null when it declares none. */
function declaredInputShape(reader: ConfigReader): (number | null)[] | null {
  const checkShape = (key: string, shape: unknown, withBatch: boolean): (number | null)[] => {
    const ok =
      Array.isArray(shape) &&
      shape.length >= (withBatch ? 2 : 1) &&
      shape.length <= 8 &&
      shape.every((d, i) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= (withBatch && i === 0 ? 0 : 1) && d <= 2 ** 31 - 1));
    if (!ok) reader.fail(`${key} must list positive lengths or null${withBatch ? ', batch first, e.g. [null, 25, 1]' : ''}, got ${describe(shape)}`);
    return withBatch ? [...(shape as (number | null)[])] : [null, ...(shape as (number | null)[])];
  };
  for (const key of ['batch_input_shape', 'batch_shape']) {
    const v = reader.get(key);
    if (v !== undefined && v !== null) {
      const shape = checkShape(key, v, true);
      if (shape[0] !== null) {
        reader.warn(`${key} fixes the batch at ${shape[0]}; rnnkit accepts any batch`);
        shape[0] = null;
      }
      return shape;
    }
  }
  const inputShape = reader.get('input_shape');
  if (inputShape !== undefined && inputShape !== null) return checkShape('input_shape', inputShape, false);
  const inputDim = reader.get('input_dim');
  if (inputDim !== undefined && inputDim !== null) {
    const length = reader.get('input_length');
    return checkShape('input_dim', length === undefined || length === null ? [inputDim] : [length, inputDim], false);
  }
  return null;
}

const INITIALIZER_OPTIONS: ReadonlyMap<string, string> = new Map([
  ['kernel_initializer', 'kernelInitializer'],
  ['recurrent_initializer', 'recurrentInitializer'],
  ['bias_initializer', 'biasInitializer'],
]);

const RECURRENT_TRAINING_ONLY = [
  'kernel_regularizer',
  'recurrent_regularizer',
  'bias_regularizer',
  'activity_regularizer',
  'kernel_constraint',
  'recurrent_constraint',
  'bias_constraint',
];

/**
 * Reads the Sequential topology of a model.json into layer plans: every layer supported,
 * every option known, every weight shape computed from the input shape (so the manifest can
 * be checked against it before anything is allocated).
 */
export function planFromTopology(ctx: Context, json: JsonObject, maxLayers: number): ModelPlan {
  const rawTopology = own(json, 'modelTopology');
  if (!isObject(rawTopology)) fail(ctx, `modelTopology must be an object, got ${describe(rawTopology)}`);
  // tensorflowjs_converter wraps Keras' model config: { model_config, training_config, … }.
  const wrapped = own(rawTopology, 'model_config');
  const model = isObject(wrapped) ? wrapped : rawTopology;
  const at = isObject(wrapped) ? 'modelTopology.model_config' : 'modelTopology';
  const { dialect, kerasVersion } = dialectOf(rawTopology, json);
  const className = own(model, 'class_name');
  if (className !== 'Sequential') {
    fail(
      ctx,
      `${at}.class_name is ${describe(className)}; only Sequential models can be loaded ` +
        '(a functional Model must be rebuilt as a Sequential in Keras or TF.js first)',
    );
  }
  const config = own(model, 'config');
  // Keras ≤ 2.2.4 wrote the layer list as the config itself.
  const list = Array.isArray(config) ? config : isObject(config) ? own(config, 'layers') : undefined;
  if (!Array.isArray(list)) fail(ctx, `${at}.config.layers must be an array of layers, got ${describe(list)}`);
  if (list.length > maxLayers) fail(ctx, `the model has ${list.length} layers, more than the limit of ${maxLayers} (limits.maxLayers)`);
  const modelName = isObject(config) && typeof own(config, 'name') === 'string' ? (own(config, 'name') as string) : 'sequential';

  const warnings: string[] = [];
  const plans: LayerPlan[] = [];
  const names = new Set<string>();
  const dtypes: DType[] = [];
  let shape: (number | null)[] | null = null;
  let modelInput: (number | null)[] | null = null;

  for (let i = 0; i < list.length; i++) {
    const entry: unknown = list[i];
    const where = `${at}.config.layers[${i}]`;
    if (!isObject(entry)) fail(ctx, `${where} must be an object { class_name, config }, got ${describe(entry)}`);
    const cls = own(entry, 'class_name');
    const layerConfig = own(entry, 'config');
    if (typeof cls !== 'string') fail(ctx, `${where}.class_name must be a string, got ${describe(cls)}`);
    if (!isObject(layerConfig)) fail(ctx, `${where}.config must be an object, got ${describe(layerConfig)}`);
    const rawName = own(layerConfig, 'name');
    const name = typeof rawName === 'string' && rawName !== '' ? rawName : undefined;
    const label = `layer ${i}${name === undefined ? '' : ` "${name}"`} (${cls})`;
    if (!(SUPPORTED_LAYERS as readonly string[]).includes(cls)) {
      fail(ctx, `${label} is not supported; supported layers are ${SUPPORTED_LAYERS.join(', ')}`);
    }
    const reader: ConfigReader = new ConfigReader(ctx, layerConfig, label, warnings);
    if (name === undefined) reader.fail(`name must be a non-empty string, got ${describe(rawName)}`);
    if (name.includes('/')) reader.fail('the name must not contain "/", which separates the parts of weight names');
    reader.get('name');
    if (names.has(name)) reader.fail(`the name "${name}" is used by two layers; layer names must be unique`);
    names.add(name);
    const declared = declaredInputShape(reader);
    dtypes.push(reader.dtype());

    if (cls === 'InputLayer') {
      if (i !== 0) reader.fail('an InputLayer must come first');
      reader.mustBe('sparse', false, 'sparse inputs');
      reader.mustBe('ragged', false, 'ragged inputs');
      if (declared === null) reader.fail('has no batch_input_shape (or batch_shape)');
      shape = declared;
      modelInput = declared;
      reader.checkRnnkitKeys();
      continue;
    }
    if (shape === null) {
      shape = declared ?? buildInputShape(ctx, config, at);
      if (shape === null) {
        reader.fail(
          'the model declares no input shape (batch_input_shape on the first layer, an InputLayer, or build_input_shape); ' +
            'rnnkit needs the number of input features',
        );
      }
      modelInput = shape;
    }
    const input: (number | null)[] = shape;
    const trainable = reader.boolean('trainable', true);
    const options: Record<string, unknown> = {};
    const params: PlannedParam[] = [];
    let output: (number | null)[];
    const features = (): number => {
      const f = input[input.length - 1];
      if (typeof f !== 'number') reader.fail(`needs a known number of input features, got input ${shapeText(input)}`);
      return f;
    };

    switch (cls as LayerClass) {
      case 'Dense': {
        const units = reader.positiveInteger('units');
        options.units = units;
        options.activation = reader.activation('activation', dialect, 'linear');
        options.useBias = reader.boolean('use_bias', true);
        options.kernelInitializer = reader.initializer('kernel_initializer', 'glorotUniform');
        options.biasInitializer = reader.initializer('bias_initializer', 'zeros');
        reader.trainingOnly(
          ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'],
          (v) => v === undefined || v === null,
          'training only',
        );
        const f = features();
        params.push({ keras: 'kernel', rnnkit: 'kernel', shape: [f, units] });
        if (options.useBias) params.push({ keras: 'bias', rnnkit: 'bias', shape: [units] });
        output = [...input.slice(0, -1), units];
        break;
      }
      case 'SimpleRNN':
      case 'LSTM':
      case 'GRU': {
        if (input.length !== 3) reader.fail(`expects input [batch, time, features], got ${shapeText(input)}`);
        const units = reader.positiveInteger('units');
        options.units = units;
        options.activation = reader.activation('activation', dialect, 'tanh');
        if (cls !== 'SimpleRNN') {
          // Keras' and TF.js' defaults differ (sigmoid, hard sigmoid): absent means the dialect's.
          options.recurrentActivation = reader.activation('recurrent_activation', dialect, dialect === 'tfjs' ? 'hardSigmoid' : 'sigmoid');
        }
        options.useBias = reader.boolean('use_bias', true);
        options.kernelInitializer = reader.initializer('kernel_initializer', 'glorotUniform');
        options.recurrentInitializer = reader.initializer('recurrent_initializer', 'orthogonal');
        options.biasInitializer = reader.initializer('bias_initializer', 'zeros');
        options.returnSequences = reader.boolean('return_sequences', false);
        reader.mustBe('return_state', false, 'a Sequential model passes only each layer\'s output on');
        reader.mustBe('go_backwards', false, 'rnnkit\'s recurrent layers run forwards only');
        reader.mustBe('stateful', false, 'rnnkit\'s recurrent layers start every batch from the initial state');
        reader.mustBe('time_major', false, 'rnnkit reads [batch, time, features]');
        reader.trainingOnly(RECURRENT_TRAINING_ONLY, (v) => v === undefined || v === null, 'training only');
        reader.trainingOnly(['dropout', 'recurrent_dropout'], (v) => v === undefined || v === null || v === 0, 'the identity at inference; rnnkit trains without it');
        reader.get('implementation');
        reader.get('unroll');
        const f = features();
        const gates = cls === 'LSTM' ? 4 : cls === 'GRU' ? 3 : 1;
        params.push({ keras: 'kernel', rnnkit: 'kernel', shape: [f, gates * units] });
        params.push({ keras: 'recurrent_kernel', rnnkit: 'recurrentKernel', shape: [units, gates * units] });
        let biasShape = [gates * units];
        if (cls === 'LSTM') {
          options.unitForgetBias = reader.boolean('unit_forget_bias', true);
          const cellOutput = reader.get('rnnkit_cell_output');
          if (cellOutput !== undefined && cellOutput !== 'none' && cellOutput !== 'activation') {
            reader.fail(`rnnkit_cell_output must be "none" or "activation", got ${describe(cellOutput)}`);
          }
          if (cellOutput !== undefined) options.cellOutput = cellOutput;
        }
        if (cls === 'GRU') {
          const resetAfter = reader.get('reset_after');
          if (resetAfter === undefined || resetAfter === null) {
            // TF.js only has reset_after false; Keras' default changed from false to true (TF 2).
            if (dialect !== 'tfjs') reader.fail('reset_after is missing; its default differs between Keras versions, so it must be given');
            options.resetAfter = false;
          } else if (typeof resetAfter !== 'boolean') {
            reader.fail(`reset_after must be true or false, got ${describe(resetAfter)}`);
          } else {
            options.resetAfter = resetAfter;
          }
          if (options.resetAfter) biasShape = [2, 3 * units];
        }
        if (options.useBias) params.push({ keras: 'bias', rnnkit: 'bias', shape: biasShape });
        if (cls === 'SimpleRNN') {
          options.learnableInitialState = reader.boolean('rnnkit_learnable_initial_state', false);
          if (options.learnableInitialState) params.push({ keras: null, rnnkit: 'initialState', shape: [units] });
        }
        output = options.returnSequences ? [input[0]!, input[1]!, units] : [input[0]!, units];
        break;
      }
      case 'Activation': {
        options.activation = reader.activation('activation', dialect, null);
        output = input;
        break;
      }
      case 'Dropout': {
        const rate = reader.get('rate');
        if (typeof rate !== 'number' || !(rate >= 0 && rate < 1)) reader.fail(`rate must be a number in [0, 1), got ${describe(rate)}`);
        options.rate = rate;
        const seed = reader.get('seed');
        if (seed !== undefined && seed !== null) {
          if (typeof seed !== 'number' || !Number.isSafeInteger(seed)) reader.fail(`seed must be an integer or null, got ${describe(seed)}`);
          options.seed = seed;
        }
        reader.trainingOnly(['noise_shape'], (v) => v === undefined || v === null, 'rnnkit drops whole elements');
        output = input;
        break;
      }
    }
    const exactInitializers = reader.get('rnnkit_initializers');
    if (exactInitializers !== undefined) {
      if (!isObject(exactInitializers)) reader.fail(`rnnkit_initializers must be an object, got ${describe(exactInitializers)}`);
      for (const [key, value] of Object.entries(exactInitializers)) {
        const option = INITIALIZER_OPTIONS.get(key);
        if (option === undefined || !Object.prototype.hasOwnProperty.call(options, option)) reader.fail(`rnnkit_initializers has an unknown key "${key}"`);
        try {
          getInitializer(value as Parameters<typeof getInitializer>[0]);
        } catch (error) {
          reader.fail(`rnnkit_initializers.${key}: ${(error as Error).message}`);
        }
        options[option] = toPlainConfig(value);
      }
    }
    reader.checkRnnkitKeys();
    plans.push({ className: cls as LayerClass, name, options, trainable, params, label });
    shape = output;
  }
  if (plans.length === 0) fail(ctx, `${at}.config.layers has no layers besides an InputLayer`);
  return {
    name: modelName,
    inputShape: (modelInput ?? [null]).slice(1),
    layers: plans,
    declaredDType: dtypes.every((d) => d === 'float64') ? 'float64' : 'float32',
    kerasVersion,
    warnings,
  };
}

/** Keras 2's `build_input_shape` or Keras 3's `build_config.input_shape` of the Sequential config. */
function buildInputShape(ctx: Context, config: unknown, at: string): (number | null)[] | null {
  if (!isObject(config)) return null;
  let shape = own(config, 'build_input_shape');
  const buildConfig = own(config, 'build_config');
  if ((shape === undefined || shape === null) && isObject(buildConfig)) shape = own(buildConfig, 'input_shape');
  if (shape === undefined || shape === null) return null;
  if (
    !Array.isArray(shape) ||
    shape.length < 2 ||
    shape.length > 8 ||
    !shape.every((d) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= 1 && d <= 2 ** 31 - 1))
  ) {
    fail(ctx, `${at}.config.build_input_shape must list positive lengths or null, got ${describe(shape)}`);
  }
  return [null, ...(shape as (number | null)[]).slice(1)];
}

function toPlainConfig(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}

/** Makes the (unbuilt) rnnkit layer of a plan. */
export function layerFromPlan(ctx: Context, plan: LayerPlan, dtype: DType): Layer {
  const options = { ...plan.options, name: plan.name, dtype };
  try {
    switch (plan.className) {
      case 'Dense':
        return new Dense(options as unknown as ConstructorParameters<typeof Dense>[0]);
      case 'SimpleRNN':
        return new SimpleRNN(options as unknown as ConstructorParameters<typeof SimpleRNN>[0]);
      case 'LSTM':
        return new LSTM(options as unknown as ConstructorParameters<typeof LSTM>[0]);
      case 'GRU':
        return new GRU(options as unknown as ConstructorParameters<typeof GRU>[0]);
      case 'Activation':
        return new ActivationLayer(options as unknown as ConstructorParameters<typeof ActivationLayer>[0]);
      case 'Dropout':
        return new Dropout(options as unknown as ConstructorParameters<typeof Dropout>[0]);
    }
  } catch (error) {
    return fail(ctx, `${plan.label}: ${(error as Error).message}`, error);
  }
}
