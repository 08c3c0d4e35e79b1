// saveModel / loadModel in memory: a model.json object and one buffer of weight bytes.
// Everything here is browser-safe; the Node entry adds directories on top of the same core.
import { type AnyLayerCodec, type Layer, Sequential, codecWeightNames } from '@rnnkit/layers';
import {
  type AnyOptimizerPlugin,
  type Optimizer,
  type OptimizerSnapshot,
  encodeState,
  loadOptimizer,
} from '@rnnkit/optimizers';
import { type Param, RnnkitError, Tensor, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import {
  type Context,
  type JsonObject,
  type Manifest,
  type ModelArtifacts,
  type ModelJson,
  type ModelLimits,
  type RnnkitModelFacts,
  WEIGHTS_FILE,
  fail,
  isObject,
  own,
  parseJson,
  readManifest,
  resolveLimits,
  toPlain,
} from './format.js';
import { type SavableModel, planFromTopology, resolveCodecs, topologyFromModel } from './topology.js';
import { checkParamBudget, readExtraWeights, readFacts } from './facts.js';
import { type LayerWeights, checkByteLength, encodeWeights, matchWeights } from './weights.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyOptimizer = Optimizer<any, any>;

/** What model.json says made it. */
export const GENERATED_BY = 'rnnkit (@rnnkit/model)';

/** Options of {@link saveModel}. */
export interface SaveModelOptions {
  /**
   * An optimizer whose state to save with the model (e.g. `history.optimizer` from `fit`),
   * so that training can resume where it stopped. It must have been made for this model's
   * parameters. @defaultValue none: only the model is saved
   */
  readonly optimizer?: AnyOptimizer;
  /**
   * The layer codecs to write the layers with (see `LayerCodec` of @rnnkit/layers): each
   * layer is saved by the first codec that owns it. Add a codec for each layer of your own.
   * @defaultValue builtinCodecs (Dense, SimpleRNN, LSTM, GRU, Activation, Dropout, Masking, Bidirectional, Embedding, GlobalAveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten, TimeDistributed)
   */
  readonly codecs?: readonly AnyLayerCodec[];
}

/** Options of {@link loadModel} (and `loadModelFromDirectory`). */
export interface LoadModelOptions {
  /**
   * Optimizer plugins the saved optimizer state may name (`[adam]`); when the file holds an
   * optimizer state whose plugin is among them, the optimizer is recreated as
   * {@link LoadedModel.optimizer}. There is no global registry, so pass the ones you use.
   * @defaultValue none: the state is only returned as {@link LoadedModel.optimizerState}
   */
  readonly optimizerPlugins?: readonly AnyOptimizerPlugin[];
  /** Bounds on the files accepted (see {@link ModelLimits}). @defaultValue DEFAULT_MODEL_LIMITS */
  readonly limits?: ModelLimits;
  /**
   * The layer codecs the file may use, by Keras class name (see `LayerCodec` of
   * @rnnkit/layers): `[...builtinCodecs, myCodec]` to read a layer of your own. A class
   * without a codec is refused.
   * @defaultValue builtinCodecs (Dense, SimpleRNN, LSTM, GRU, Activation, Dropout, Masking, Bidirectional, Embedding, GlobalAveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten, TimeDistributed)
   */
  readonly codecs?: readonly AnyLayerCodec[];
}

/** What {@link loadModel} returns. */
export interface LoadedModel {
  /** The model, built, with the saved weights. */
  readonly model: Sequential;
  /** The optimizer state saved with the model (for `loadOptimizer` of @rnnkit/optimizers), if any. */
  readonly optimizerState?: OptimizerSnapshot;
  /** The optimizer, ready to continue, when its state was saved and its plugin passed. */
  readonly optimizer?: AnyOptimizer;
  /** The file's `generatedBy`, `convertedBy` and `keras_version`, as found. */
  readonly origin: {
    readonly generatedBy: string | null;
    readonly convertedBy: string | null;
    readonly kerasVersion: string | null;
  };
  /**
   * Settings of the file rnnkit dropped: training-only ones (regularizers, constraints, the
   * dropout of recurrent layers), a fixed batch size, initialisers rnnkit lacks.
   */
  readonly warnings: readonly string[];
}

export const SAVE_OPTION_KEYS = ['optimizer', 'codecs'];
export const LOAD_OPTION_KEYS = ['optimizerPlugins', 'limits', 'codecs'];

/**
 * Saves a built `Sequential` model in TF.js' layers-model format (its layers written by
 * `options.codecs`, by default those of Dense, SimpleRNN, LSTM, GRU, Activation, Dropout and Bidirectional), in memory: the model.json object (weights manifest
 * naming one file, `group1-shard1of1.bin`) and the weight bytes (little-endian float32).
 * Loading it back with {@link loadModel} reproduces the predictions bit for bit.
 *
 * @example
 * const { modelJson, weights } = saveModel(model);
 * const { model: copy } = loadModel({ modelJson, weights });
 */
export function saveModel(model: Sequential, options: SaveModelOptions = {}): ModelArtifacts {
  return saveArtifacts('saveModel', model, options);
}

/** {@link saveModel} with the API name used in errors. */
export function saveArtifacts(api: string, model: Sequential, options: SaveModelOptions): ModelArtifacts {
  checkOptionKeys(api, options, SAVE_OPTION_KEYS);
  const ctx: Context = { api, source: 'model' };
  if (!isSavable(model)) fail(ctx, `expected a Sequential model from @rnnkit/layers, got ${describeValue(model)}`);
  const saved = topologyFromModel(ctx, model, resolveCodecs(api, ctx, options.codecs));
  const { specs, buffer } = encodeWeights(
    saved.weights.map((w) => ({ name: w.name, shape: w.param.value.shape, data: w.param.value.data })),
  );
  let optimizer: OptimizerSnapshot | undefined;
  if (options.optimizer !== undefined) {
    const o = options.optimizer as Partial<AnyOptimizer>;
    if (o === null || typeof o !== 'object' || typeof o.getState !== 'function') {
      fail(ctx, `optimizer must be an optimizer made by createOptimizer (or fit's history.optimizer), got ${describeValue(o)}`);
    }
    optimizer = o.getState();
    checkOptimizerFits(ctx, optimizer, model.params(), 'the optimizer');
  }
  const rnnkit: RnnkitModelFacts = {
    version: 1,
    dtype: model.dtype,
    ...(saved.extraWeights.length > 0
      ? { weights: Object.fromEntries(saved.extraWeights.map((w) => [w.name, encodeState(api, w.param.value.data)])) }
      : {}),
    ...(saved.nonTrainable.length > 0 ? { nonTrainable: saved.nonTrainable } : {}),
    ...(optimizer === undefined ? {} : { optimizer }),
  };
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: GENERATED_BY,
    convertedBy: null,
    modelTopology: saved.topology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: specs }],
    rnnkit,
  };
  return { modelJson, weights: buffer };
}

/**
 * Loads a model saved in TF.js' layers-model format, from memory: by rnnkit's
 * {@link saveModel}, by TF.js' `model.save`, or converted from Keras by
 * tensorflowjs_converter. `weights` holds the bytes of every file of the weights manifest,
 * concatenated in manifest order. The file is untrusted input: everything is checked
 * (sizes against {@link ModelLimits}, byte counts, shapes against the topology, keys such
 * as `__proto__`) and the model is only returned once it is complete.
 *
 * @throws {RnnkitError} naming the field or weight at fault
 */
export function loadModel(
  artifacts: { readonly modelJson: ModelJson | string | object; readonly weights: ArrayBuffer | ArrayBufferView },
  options: LoadModelOptions = {},
): LoadedModel {
  const api = 'loadModel';
  checkOptionKeys(api, options, LOAD_OPTION_KEYS);
  const limits = resolveLimits(api, options.limits);
  if (artifacts === null || typeof artifacts !== 'object') {
    throw new RnnkitError(api, `expected { modelJson, weights }, got ${describeValue(artifacts)}`);
  }
  checkOptionKeys(api, artifacts, ['modelJson', 'weights']);
  const bytes = toBytes(artifacts.weights);
  if (bytes === null) throw new RnnkitError(api, `weights must be an ArrayBuffer (or a typed array view), got ${describeValue(artifacts.weights)}`);
  const ctx: Context = { api, source: 'model.json' };
  const { json, manifest } = readModelJson(ctx, artifacts.modelJson, limits);
  checkByteLength(ctx, manifest, bytes.byteLength, 'the weights');
  return assembleModel(ctx, json, manifest, bytes, options);
}

/** Parses and checks model.json up to the weights manifest (shared with the Node entry). */
export function readModelJson(
  ctx: Context,
  input: unknown,
  limits: Required<ModelLimits>,
): { json: JsonObject; manifest: Manifest } {
  const json = parseJson(ctx, input, limits);
  const format = own(json, 'format');
  if (format !== undefined && format !== 'layers-model') {
    fail(ctx, `format is ${describeValue(format)}; only "layers-model" files (TF.js layers models) can be loaded`);
  }
  return { json, manifest: readManifest(ctx, json, limits) };
}

/**
 * Builds the model from checked model.json and weight bytes: plans every layer, matches
 * every weight, reads the rnnkit facts, then builds and fills the model. Any error leaves
 * nothing behind.
 */
export function assembleModel(
  ctx: Context,
  json: JsonObject,
  manifest: Manifest,
  bytes: Uint8Array,
  options: LoadModelOptions,
): LoadedModel {
  const limits = resolveLimits(ctx.api, options.limits);
  const codecs = resolveCodecs(ctx.api, ctx, options.codecs);
  const facts = readFacts(ctx, json);
  const plan = planFromTopology(ctx, json, limits.maxLayers, codecs, facts.dtype);
  const dtype = plan.dtype;
  checkParamBudget(ctx, plan, manifest, facts);
  let model: Sequential;
  try {
    // No initialisers: every weight is set from the file right below.
    const fixed = plan.batchSize !== null;
    model = new Sequential({ layers: plan.layers.map((p) => p.layer), ...(fixed ? {} : { inputShape: plan.inputShape }), name: plan.name, dtype, initialize: false });
    if (fixed) model.build([plan.batchSize, ...plan.inputShape]); // a stateful model keeps its batch
  } catch (error) {
    fail(ctx, `the model cannot be built: ${(error as Error).message}`, error);
  }
  if (model.layerNames.some((name, i) => name !== plan.layers[i]!.name)) {
    fail(ctx, `layer names changed on building (${model.layerNames.join(', ')}); rename the layers in the file`);
  }
  // Weight names from each codec, shapes from the built parameters.
  const named = plan.layers.map(({ codec, layer, label, inputShape }) => {
    const params = layer.params();
    const names = codecWeightNames(codec, layer);
    if (names.length !== params.length) fail(ctx, `${label}: the ${codec.className} codec names ${names.length} weights, but the layer has ${params.length} parameters`);
    const size = params.reduce((n, p) => n + p.value.size, 0);
    const counted = codec.paramCount?.(layer, inputShape);
    if (typeof counted === 'number' && size > counted) {
      fail(ctx, `${label}: the layer has ${size} parameter numbers, more than its ${codec.className} codec's paramCount`);
    }
    return names.map((w, k) => ({ ...w, shape: params[k]!.value.shape }));
  });
  const inManifest: LayerWeights[] = plan.layers.map((p, i) => ({ name: p.name, label: p.label, weights: named[i]!.filter((w) => !w.rnnkitOnly) }));
  const values = matchWeights(ctx, inManifest, manifest, bytes);
  const extra = readExtraWeights(ctx, facts, plan.layers.flatMap((p, i) => named[i]!.filter((w) => w.rnnkitOnly).map((w) => ({ key: `${p.name}/${w.name}`, shape: w.shape }))));
  plan.layers.forEach((layerPlan, i) => {
    const layer: Layer = layerPlan.layer;
    let k = 0;
    const tensors = named[i]!.map((w) => {
      const data = w.rnnkitOnly ? extra.get(`${layerPlan.name}/${w.name}`)! : values[i]![k++]!;
      // float32: the values as read (a view into the weight bytes where aligned); setWeights
      // copies them into the parameters, so the weights are held once besides the model.
      return new Tensor(dtype === 'float64' ? Float64Array.from(data) : data, w.shape);
    });
    try {
      layer.setWeights(tensors);
    } catch (error) {
      fail(ctx, `${layerPlan.label}: ${(error as Error).message}`, error);
    }
    if (!layerPlan.trainable) for (const p of layer.params()) p.trainable = false;
  });
  const params = model.params();
  for (const name of facts.nonTrainable) {
    const param = params.find((p) => p.name === name);
    if (param === undefined) fail(ctx, `rnnkit.nonTrainable names "${name}", which is no parameter of the model`);
    param.trainable = false;
  }

  let optimizerState: OptimizerSnapshot | undefined;
  let optimizer: AnyOptimizer | undefined;
  if (facts.optimizer !== undefined) {
    checkOptimizerFits(ctx, facts.optimizer, params, 'rnnkit.optimizer');
    optimizerState = toPlain<OptimizerSnapshot>(facts.optimizer);
    const plugins = options.optimizerPlugins;
    if (plugins !== undefined) {
      try {
        optimizer = loadOptimizer(toPlain<OptimizerSnapshot>(facts.optimizer), params, { plugins });
      } catch (error) {
        fail(ctx, `the saved optimizer state cannot be restored: ${(error as Error).message}`, error);
      }
    }
  }
  const text = (key: string): string | null => {
    const v = own(json, key);
    return typeof v === 'string' ? v : null;
  };
  return {
    model,
    ...(optimizerState === undefined ? {} : { optimizerState }),
    ...(optimizer === undefined ? {} : { optimizer }),
    origin: { generatedBy: text('generatedBy'), convertedBy: text('convertedBy'), kerasVersion: plan.kerasVersion },
    warnings: plan.warnings,
  };
}

/** Every parameter an optimizer state names must be a model parameter of the same shape. */
function checkOptimizerFits(ctx: Context, state: unknown, params: readonly Param[], what: string): void {
  const saved = isObject(state) ? own(state, 'params') : undefined;
  if (!isObject(saved)) fail(ctx, `${what} has no per-parameter state (params), got ${describeValue(saved)}`);
  for (const key of Object.keys(saved)) {
    const param = params.find((p) => p.name === key);
    const entry = own(saved, key);
    const shape = isObject(entry) ? own(entry, 'shape') : undefined;
    if (param === undefined) {
      fail(ctx, `${what} is for a parameter "${key}" the model does not have (model parameters: ${params.map((p) => p.name).join(', ')})`);
    }
    if (!Array.isArray(shape) || shape.length !== param.value.shape.length || shape.some((d, i) => d !== param.value.shape[i])) {
      fail(ctx, `${what} has shape ${describeValue(shape)} for "${key}", but the parameter is [${param.value.shape.join(', ')}]`);
    }
  }
}

function isSavable(model: unknown): model is Sequential & SavableModel {
  const m = model as Partial<SavableModel> | null;
  return (
    m !== null &&
    typeof m === 'object' &&
    m.className === 'Sequential' &&
    Array.isArray(m.layers) &&
    Array.isArray(m.layerNames) &&
    typeof (m as Partial<Sequential>).params === 'function'
  );
}

function toBytes(value: unknown): Uint8Array | null {
  if (value instanceof ArrayBuffer) return new Uint8Array(value);
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
  return null;
}
