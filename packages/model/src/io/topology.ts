import { describeValue } from '@rnnkit/tensor';
// Keras' model topology (the snake_case `modelTopology` of model.json) to and from rnnkit
// layers, by composing layer codecs: this file knows the Sequential model config (layer
// list, names, input shapes, InputLayer, dtypes, trainability, dialects) and nothing of any
// layer class; each codec (built in, from @rnnkit/layers, or a user's own) writes and reads
// its layer's config keys and names its weights. Saving writes the dialect tfjs-layers 4
// writes, which both TF.js and tensorflowjs_converter read; loading also reads Keras 2 and
// Keras 3 configs as the converter writes them (`model_config` wrapper, InputLayer, nested
// initialiser configs, dtype policies).
import type { DType, Param } from '@rnnkit/tensor';
import {
  type AnyLayerCodec,
  type KerasConfigReport,
  type KerasDialect,
  type Layer,
  type SymbolicShape,
  KerasConfigReader,
  KerasConfigWriter,
  builtinCodecs,
  codecOwns,
  codecWeightNames,
} from '@rnnkit/layers';
import { type Context, type JsonObject, fail, isObject, own, show } from './format.js';

/** Keras layer classes rnnkit reads by default (InputLayer only as the first entry). */
export const SUPPORTED_LAYERS: readonly string[] = Object.freeze(['InputLayer', ...builtinCodecs.map((c) => c.className)]);

/** The keras_version rnnkit writes: its configs follow tfjs-layers 4's serialisation. */
export const KERAS_VERSION = 'tfjs-layers 4.22.0';
export const BACKEND = 'tensor_flow.js';

/** Keys of a layer config the model IO itself writes and reads (codecs leave them alone). */
const MODEL_KEYS = ['name', 'trainable', 'dtype', 'batch_input_shape', 'batch_shape', 'input_shape', 'input_dim', 'input_length', 'rnnkit_initializers'];

/** Whether a codec gives a model IO key (`input_dim`, `input_length`) its own meaning (see LayerCodec.ownKeys). */
function ownsKey(codec: AnyLayerCodec, key: string): boolean {
  return (codec.ownKeys as readonly string[] | undefined)?.includes(key) === true;
}

/** Checks a `codecs` option: layer codecs with unique class names; the built-ins when absent. */
export function resolveCodecs(api: string, ctx: Context, codecs: unknown): readonly AnyLayerCodec[] {
  if (codecs === undefined) return builtinCodecs;
  if (!Array.isArray(codecs)) fail(ctx, `codecs must be an array of layer codecs (e.g. [...builtinCodecs, myCodec]), got ${describeValue(codecs)}`);
  const seen = new Set<string>();
  codecs.forEach((codec: unknown, i) => {
    const c = codec as Partial<Record<keyof AnyLayerCodec, unknown>> | null;
    const optional = ['owns', 'weightNames', 'paramCount'] as const;
    const ownKeys: unknown = c?.ownKeys;
    if (
      c === null ||
      typeof c !== 'object' ||
      typeof c.className !== 'string' ||
      c.className === '' ||
      typeof c.save !== 'function' ||
      typeof c.load !== 'function' ||
      optional.some((key) => c[key] !== undefined && typeof c[key] !== 'function') ||
      (ownKeys !== undefined && !(Array.isArray(ownKeys) && ownKeys.every((k) => k === 'input_dim' || k === 'input_length')))
    ) {
      fail(ctx, `codecs[${i}] must be a layer codec { className, save, load } (see LayerCodec of @rnnkit/layers), got ${describeValue(codec)}`);
    }
    if (c.className === 'InputLayer') fail(ctx, `codecs[${i}]: InputLayer is read by ${api} itself and cannot have a codec`);
    if (seen.has(c.className)) fail(ctx, `codecs has two codecs for the class "${c.className}"; class names must be unique`);
    seen.add(c.className);
  });
  return codecs as AnyLayerCodec[];
}

/** How messages of a codec's reader and writer are prefixed and reported. */
function reportFor(ctx: Context, label: string, warnings: string[] | null, thrown?: WeakSet<object>): KerasConfigReport {
  return {
    fail(message: string): never {
      try {
        return fail(ctx, `${label}: ${message}`);
      } catch (error) {
        thrown?.add(error as object);
        throw error;
      }
    },
    warn: (message) => warnings?.push(`${label}: ${message}`),
    describe: describeValue,
    show,
  };
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

/** One weight to write: its name and the parameter it comes from. */
export interface WeightToSave {
  readonly name: string;
  readonly param: Param;
}

export interface SavedTopology {
  readonly topology: JsonObject;
  /** Weights for the manifest, in order. */
  readonly weights: readonly WeightToSave[];
  /** Weights TF.js has no place for (e.g. the SimpleRNN learnable initial state). */
  readonly extraWeights: readonly WeightToSave[];
  /** `layer/param` names of frozen parameters in partly frozen layers. */
  readonly nonTrainable: readonly string[];
}

/** The Keras topology and weight list of a built Sequential model, each layer written by its codec. */
export function topologyFromModel(ctx: Context, model: SavableModel, codecs: readonly AnyLayerCodec[]): SavedTopology {
  const inputShape = model.inputShape;
  if (inputShape === null) {
    fail(ctx, `model "${model.name}" is not built; pass inputShape (e.g. [25, 1]) or run it once before saving`);
  }
  const weights: WeightToSave[] = [];
  const extraWeights: WeightToSave[] = [];
  const nonTrainable: string[] = [];
  const weightNames = new Set<string>();
  const layers = model.layers.map((layer, i) => {
    const name = model.layerNames[i]!;
    const label = `layer ${i} "${name}" (${layer.className})`;
    if (name.includes('/')) fail(ctx, `${label}: the name must not contain "/", which separates the parts of weight names`);
    const codec = codecs.find((c) => codecOwns(c, layer));
    if (codec === undefined) {
      fail(
        ctx,
        `${label} cannot be saved in the TF.js layers format; savable layers are ${codecs.map((c) => c.className).join(', ')} ` +
          '(pass a codec for a layer of your own in the codecs option)',
      );
    }
    const writer = new KerasConfigWriter(reportFor(ctx, label, null));
    const config: unknown = codec.save(layer, writer);
    if (!isObject(config)) fail(ctx, `${label}: the ${codec.className} codec's save returned ${describeValue(config)}, not a config object`);
    for (const key of MODEL_KEYS) {
      if (Object.prototype.hasOwnProperty.call(config, key) && !ownsKey(codec, key)) fail(ctx, `${label}: the ${codec.className} codec wrote "${key}", which the model IO writes itself`);
    }
    const params = layer.params();
    const frozen = params.filter((p) => !p.trainable);
    const trainable = params.length === 0 || frozen.length < params.length;
    if (frozen.length > 0 && trainable) nonTrainable.push(...frozen.map((p) => `${name}/${p.name}`));
    // TF.js computes in float32 only; the model's own dtype is in the rnnkit field.
    const keras: Record<string, unknown> = { name, trainable, ...(i === 0 ? { batch_input_shape: [savedBatch(model), ...inputShape.slice(1)] } : {}), dtype: 'float32', ...config };
    if (Object.keys(writer.inexactInitializers).length > 0) keras.rnnkit_initializers = writer.inexactInitializers;
    const names = codecWeightNames(codec, layer);
    if (names.length !== params.length) {
      fail(ctx, `${label}: the ${codec.className} codec names ${names.length} weights, but the layer has ${params.length} parameters`);
    }
    names.forEach((w, k) => {
      const full = `${name}/${w.name}`;
      if (w.name === '' || weightNames.has(full)) fail(ctx, `${label}: the weight name "${full}" is empty or used twice`);
      weightNames.add(full);
      (w.rnnkitOnly ? extraWeights : weights).push({ name: full, param: params[k]! });
    });
    return { class_name: codec.className, config: keras };
  });
  const topology = {
    class_name: 'Sequential',
    config: { name: model.name, layers },
    keras_version: KERAS_VERSION,
    backend: BACKEND,
  };
  return { topology, weights, extraWeights, nonTrainable };
}

/** Whether a layer carries its states from batch to batch (Keras' `stateful`). */
function isStateful(layer: unknown): boolean {
  return (layer as { stateful?: unknown }).stateful === true;
}

/**
 * The batch written in `batch_input_shape`: null (any), except for a model with stateful
 * layers, whose batch Keras requires fixed — the model's own, else the carried states'.
 */
function savedBatch(model: SavableModel): number | null {
  const stateful = model.layers.filter(isStateful);
  if (stateful.length === 0) return null;
  const carried = stateful.map((l) => (l as { statefulBatch?: unknown }).statefulBatch).find((b) => typeof b === 'number') as number | undefined;
  return model.inputShape?.[0] ?? carried ?? null;
}

// ---------------------------------------------------------------------------------------
// Loading: Keras → rnnkit
// ---------------------------------------------------------------------------------------

/** A layer read from the file: made by its codec, not yet built. */
export interface LayerPlan {
  readonly name: string;
  readonly codec: AnyLayerCodec;
  readonly layer: Layer;
  readonly trainable: boolean;
  /** The layer's input shape, batch first (null). */
  readonly inputShape: SymbolicShape;
  /** `layer 2 "lstm" (LSTM)`, for errors. */
  readonly label: string;
}

export interface ModelPlan {
  readonly name: string;
  /** Input shape without the batch axis. */
  readonly inputShape: readonly (number | null)[];
  /** The fixed batch of a model with stateful layers (from `batch_input_shape`), else null. */
  readonly batchSize: number | null;
  readonly layers: readonly LayerPlan[];
  readonly dtype: DType;
  readonly kerasVersion: string | null;
  /** Settings dropped on the way in (training-only, or initialisers rnnkit lacks). */
  readonly warnings: readonly string[];
}

/** One entry of the layer list, its generic keys read. */
interface Entry {
  readonly className: string;
  readonly name: string;
  readonly label: string;
  readonly reader: KerasConfigReader;
  readonly declared: (number | null)[] | null;
  readonly dtype: DType;
}

/**
 * Reads the Sequential topology of a model.json: every layer's class must have a codec,
 * which makes the (unbuilt) layer from its config; each layer's input shape follows from
 * the previous layer's `outputShape`. `dtype` is the rnnkit field's, if the file has one.
 */
export function planFromTopology(ctx: Context, json: JsonObject, maxLayers: number, codecs: readonly AnyLayerCodec[], dtype: DType | undefined): ModelPlan {
  const rawTopology = own(json, 'modelTopology');
  if (!isObject(rawTopology)) fail(ctx, `modelTopology must be an object, got ${describeValue(rawTopology)}`);
  // tensorflowjs_converter wraps Keras' model config: { model_config, training_config, … }.
  const wrapped = own(rawTopology, 'model_config');
  const model = isObject(wrapped) ? wrapped : rawTopology;
  const at = isObject(wrapped) ? 'modelTopology.model_config' : 'modelTopology';
  const { dialect, kerasVersion } = dialectOf(rawTopology, json);
  const className = own(model, 'class_name');
  if (className !== 'Sequential') {
    fail(
      ctx,
      `${at}.class_name is ${describeValue(className)}; only Sequential models can be loaded ` +
        '(a functional Model must be rebuilt as a Sequential in Keras or TF.js first)',
    );
  }
  const config = own(model, 'config');
  // Keras ≤ 2.2.4 wrote the layer list as the config itself.
  const list = Array.isArray(config) ? config : isObject(config) ? own(config, 'layers') : undefined;
  if (!Array.isArray(list)) fail(ctx, `${at}.config.layers must be an array of layers, got ${describeValue(list)}`);
  if (list.length > maxLayers) fail(ctx, `the model has ${list.length} layers, more than the limit of ${maxLayers} (limits.maxLayers)`);
  const modelName = isObject(config) && typeof own(config, 'name') === 'string' ? (own(config, 'name') as string) : 'sequential';
  const byClass = new Map(codecs.map((c) => [c.className, c]));
  const warnings: string[] = [];
  const thrown = new WeakSet<object>();
  // Stateful layers need the batch the file fixes; other models accept any batch.
  const stateful = list.some((entry: unknown) => isObject(entry) && isObject(own(entry, 'config')) && own(own(entry, 'config') as JsonObject, 'stateful') === true);

  // First the generic keys of every entry, for the model's dtype; then the codecs.
  const names = new Set<string>();
  const entries: Entry[] = list.map((entry: unknown, i): Entry => {
    const where = `${at}.config.layers[${i}]`;
    if (!isObject(entry)) fail(ctx, `${where} must be an object { class_name, config }, got ${describeValue(entry)}`);
    const cls = own(entry, 'class_name');
    const layerConfig = own(entry, 'config');
    if (typeof cls !== 'string') fail(ctx, `${where}.class_name must be a string, got ${describeValue(cls)}`);
    if (!isObject(layerConfig)) fail(ctx, `${where}.config must be an object, got ${describeValue(layerConfig)}`);
    const rawName = own(layerConfig, 'name');
    const name = typeof rawName === 'string' && rawName !== '' ? rawName : undefined;
    const label = `layer ${i}${name === undefined ? '' : ` "${name}"`} (${cls})`;
    if (cls !== 'InputLayer' && !byClass.has(cls)) {
      fail(ctx, `${label} is not supported; supported layers are InputLayer, ${codecs.map((c) => c.className).join(', ')}`);
    }
    const reader: KerasConfigReader = new KerasConfigReader(layerConfig, { dialect, ...reportFor(ctx, label, warnings, thrown) });
    if (name === undefined) reader.fail(`name must be a non-empty string, got ${describeValue(rawName)}`);
    if (name.includes('/')) reader.fail('the name must not contain "/", which separates the parts of weight names');
    reader.get('name');
    if (names.has(name)) reader.fail(`the name "${name}" is used by two layers; layer names must be unique`);
    names.add(name);
    return { className: cls, name, label, reader, declared: declaredInputShape(reader, stateful, byClass.get(cls)), dtype: reader.dtype() };
  });
  const modelDType = dtype ?? (entries.every((e) => e.dtype === 'float64') ? 'float64' : 'float32');

  const plans: LayerPlan[] = [];
  let shape: SymbolicShape | null = null;
  let modelInput: SymbolicShape | null = null;
  entries.forEach(({ className: cls, name, label, reader, declared }, i) => {
    if (cls === 'InputLayer') {
      if (i !== 0) reader.fail('an InputLayer must come first');
      reader.mustBe('sparse', false, 'sparse inputs');
      reader.mustBe('ragged', false, 'ragged inputs');
      if (declared === null) return reader.fail('has no batch_input_shape (or batch_shape)');
      shape = modelInput = declared;
      reader.finish();
      return;
    }
    if (shape === null) {
      shape = modelInput = declared ?? buildInputShape(ctx, config, at);
      if (shape === null) {
        return reader.fail(
          'the model declares no input shape (batch_input_shape on the first layer, an InputLayer, or build_input_shape); ' +
            'rnnkit needs the number of input features',
        );
      }
    }
    const input: SymbolicShape = shape;
    const trainable = reader.boolean('trainable', true);
    const codec = byClass.get(cls)!;
    const layer = guarded(() => codec.load(reader, { name, dtype: modelDType }) as unknown);
    if (!isLayer(layer)) fail(ctx, `${label}: the ${cls} codec's load returned ${describeValue(layer)}, not a layer`);
    if (layer.name !== name || layer.dtype !== modelDType) {
      fail(ctx, `${label}: the ${cls} codec made a layer "${layer.name}" of ${layer.dtype}; it must pass on the name "${name}" and dtype ${modelDType} it is given`);
    }
    reader.finish();
    shape = guarded(() => layer.outputShape(input));
    plans.push({ name, codec, layer, trainable, inputShape: input, label });

    function guarded<T>(run: () => T): T {
      try {
        return run();
      } catch (error) {
        if (thrown.has(error as object)) throw error;
        return fail(ctx, `${label}: ${(error as Error).message}`, error);
      }
    }
  });
  if (plans.length === 0) fail(ctx, `${at}.config.layers has no layers besides an InputLayer`);
  const batchSize = stateful ? ((modelInput as SymbolicShape | null)?.[0] ?? null) : null;
  return { name: modelName, inputShape: (modelInput ?? [null]).slice(1), batchSize, layers: plans, dtype: modelDType, kerasVersion, warnings };
}

function isLayer(value: unknown): value is Layer {
  const l = value as Partial<Layer> | null;
  return l !== null && typeof l === 'object' && typeof l.build === 'function' && typeof l.params === 'function' && typeof l.outputShape === 'function';
}

function dialectOf(topology: JsonObject, json: JsonObject): { dialect: KerasDialect; kerasVersion: string | null } {
  const version = own(topology, 'keras_version');
  const generatedBy = own(json, 'generatedBy');
  const kerasVersion = typeof version === 'string' ? version : null;
  if (kerasVersion?.startsWith('tfjs')) return { dialect: 'tfjs', kerasVersion };
  if (kerasVersion !== null && /^3\./.test(kerasVersion)) return { dialect: 'keras3', kerasVersion };
  if (kerasVersion === null && typeof generatedBy === 'string' && /keras v?3\./i.test(generatedBy)) return { dialect: 'keras3', kerasVersion };
  return { dialect: kerasVersion === null && typeof generatedBy === 'string' && generatedBy.startsWith('TensorFlow.js') ? 'tfjs' : 'keras2', kerasVersion };
}

/** A batch input shape `[batch, …]` from a layer config, or null when it declares none; the batch is kept for a stateful model only. */
function declaredInputShape(reader: KerasConfigReader, keepBatch: boolean, codec: AnyLayerCodec | undefined): (number | null)[] | null {
  const checkShape = (key: string, shape: unknown, withBatch: boolean): (number | null)[] => {
    const ok =
      Array.isArray(shape) &&
      shape.length >= (withBatch ? 2 : 1) &&
      shape.length <= 8 &&
      shape.every((d, i) => d === null || (typeof d === 'number' && Number.isInteger(d) && d >= (withBatch && i === 0 ? 0 : 1) && d <= 2 ** 31 - 1));
    if (!ok) reader.fail(`${key} must list positive lengths or null${withBatch ? ', batch first, e.g. [null, 25, 1]' : ''}, got ${describeValue(shape)}`);
    return withBatch ? [...(shape as (number | null)[])] : [null, ...(shape as (number | null)[])];
  };
  for (const key of ['batch_input_shape', 'batch_shape']) {
    const v = reader.get(key);
    if (v !== undefined && v !== null) {
      const shape = checkShape(key, v, true);
      if (shape[0] !== null && !keepBatch) {
        reader.warn(`${key} fixes the batch at ${shape[0]}; rnnkit accepts any batch`);
        shape[0] = null;
      }
      return shape;
    }
  }
  const inputShape = reader.get('input_shape');
  if (inputShape !== undefined && inputShape !== null) return checkShape('input_shape', inputShape, false);
  // (Embedding's input_dim is its vocabulary size: its codec claims the key.)
  const inputDim = codec !== undefined && ownsKey(codec, 'input_dim') ? undefined : reader.get('input_dim');
  if (inputDim !== undefined && inputDim !== null) {
    const length = reader.get('input_length');
    return checkShape('input_dim', length === undefined || length === null ? [inputDim] : [length, inputDim], false);
  }
  return null;
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
    fail(ctx, `${at}.config.build_input_shape must list positive lengths or null, got ${describeValue(shape)}`);
  }
  return [null, ...(shape as (number | null)[]).slice(1)];
}
