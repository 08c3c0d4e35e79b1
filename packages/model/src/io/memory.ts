// saveModel / loadModel in memory: a model.json object and one buffer of weight bytes.
// Everything here is browser-safe; the Node entry adds directories on top of the same core.
import { type Layer, Sequential } from '@rnnkit/layers';
import {
  type AnyOptimizerPlugin,
  type Optimizer,
  type OptimizerSnapshot,
  decodeState,
  encodeState,
  loadOptimizer,
} from '@rnnkit/optimizers';
import { type DType, type Param, RnnkitError, Tensor } from '@rnnkit/tensor';
import {
  type Context,
  type JsonObject,
  type Manifest,
  type ModelArtifacts,
  type ModelJson,
  type ModelLimits,
  type RnnkitModelFacts,
  WEIGHTS_FILE,
  describe,
  fail,
  isObject,
  own,
  parseJson,
  readManifest,
  resolveLimits,
  toPlain,
} from './format.js';
import { type ModelPlan, type SavableModel, layerFromPlan, planFromTopology, topologyFromModel } from './topology.js';
import { checkByteLength, encodeWeights, matchWeights } from './weights.js';

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

const SAVE_OPTION_KEYS = ['optimizer'];
const LOAD_OPTION_KEYS = ['optimizerPlugins', 'limits'];

/**
 * Saves a built `Sequential` model of Dense, SimpleRNN, LSTM, GRU, Activation and Dropout
 * layers in TF.js' layers-model format, in memory: the model.json object (weights manifest
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
  checkKeys(api, options, SAVE_OPTION_KEYS);
  const ctx: Context = { api, source: 'model' };
  if (!isSavable(model)) fail(ctx, `expected a Sequential model from @rnnkit/layers, got ${describe(model)}`);
  const saved = topologyFromModel(ctx, model);
  const { specs, buffer } = encodeWeights(
    saved.weights.map((w) => ({ name: w.name, shape: w.param.value.shape, data: w.param.value.data })),
  );
  let optimizer: OptimizerSnapshot | undefined;
  if (options.optimizer !== undefined) {
    const o = options.optimizer as Partial<AnyOptimizer>;
    if (o === null || typeof o !== 'object' || typeof o.getState !== 'function') {
      fail(ctx, `optimizer must be an optimizer made by createOptimizer (or fit's history.optimizer), got ${describe(o)}`);
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
  checkKeys(api, options, LOAD_OPTION_KEYS);
  const limits = resolveLimits(api, options.limits);
  if (artifacts === null || typeof artifacts !== 'object') {
    throw new RnnkitError(api, `expected { modelJson, weights }, got ${describe(artifacts)}`);
  }
  checkKeys(api, artifacts, ['modelJson', 'weights']);
  const bytes = toBytes(artifacts.weights);
  if (bytes === null) throw new RnnkitError(api, `weights must be an ArrayBuffer (or a typed array view), got ${describe(artifacts.weights)}`);
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
    fail(ctx, `format is ${describe(format)}; only "layers-model" files (TF.js layers models) can be loaded`);
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
  const plan = planFromTopology(ctx, json, limits.maxLayers);
  const facts = readFacts(ctx, json, plan);
  const values = matchWeights(ctx, plan.layers, manifest, bytes);
  const dtype = facts.dtype ?? plan.declaredDType;

  const layers = plan.layers.map((p) => layerFromPlan(ctx, p, dtype));
  let model: Sequential;
  try {
    // No initialisers: every weight is set from the file right below.
    model = new Sequential({ layers, inputShape: plan.inputShape, name: plan.name, dtype, initialize: false });
  } catch (error) {
    fail(ctx, `the model cannot be built: ${(error as Error).message}`, error);
  }
  if (model.layerNames.some((name, i) => name !== plan.layers[i]!.name)) {
    fail(ctx, `layer names changed on building (${model.layerNames.join(', ')}); rename the layers in the file`);
  }
  plan.layers.forEach((layerPlan, i) => {
    const layer: Layer = model.layers[i]!;
    const keras = values[i]!;
    let k = 0;
    const tensors = layerPlan.params.map((param) => {
      const data = param.keras === null ? facts.extra.get(`${layerPlan.name}/initial_state`)! : keras[k++]!;
      return new Tensor(dtype === 'float64' ? Float64Array.from(data) : Float32Array.from(data), param.shape);
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

interface Facts {
  readonly dtype: DType | undefined;
  /** rnnkit-only weight values by Keras-style name. */
  readonly extra: ReadonlyMap<string, Float32Array | Float64Array>;
  readonly nonTrainable: readonly string[];
  readonly optimizer: JsonObject | undefined;
}

const FACT_KEYS = ['version', 'dtype', 'weights', 'nonTrainable', 'optimizer'];

/** Reads and checks the top-level `rnnkit` field (absent in files from TF.js and Keras). */
function readFacts(ctx: Context, json: JsonObject, plan: ModelPlan): Facts {
  const raw = own(json, 'rnnkit');
  const extra = new Map<string, Float32Array | Float64Array>();
  const needed = plan.layers.filter((l) => l.params.some((p) => p.keras === null)).map((l) => `${l.name}/initial_state`);
  if (raw === undefined || raw === null) {
    if (needed.length > 0) fail(ctx, `rnnkit.weights is missing; it must hold ${needed.join(', ')}`);
    return { dtype: undefined, extra, nonTrainable: [], optimizer: undefined };
  }
  if (!isObject(raw)) fail(ctx, `rnnkit must be an object, got ${describe(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!FACT_KEYS.includes(key)) fail(ctx, `rnnkit has an unknown key "${key}" (saved by a newer rnnkit?); known keys are ${FACT_KEYS.join(', ')}`);
  }
  const version = own(raw, 'version');
  if (version !== 1) fail(ctx, `rnnkit.version is ${describe(version)}; this version of rnnkit reads 1`);
  const dtype = own(raw, 'dtype');
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    fail(ctx, `rnnkit.dtype must be "float32" or "float64", got ${describe(dtype)}`);
  }
  const weights = own(raw, 'weights');
  if (weights !== undefined && !isObject(weights)) fail(ctx, `rnnkit.weights must be an object, got ${describe(weights)}`);
  for (const key of weights === undefined ? [] : Object.keys(weights)) {
    if (!needed.includes(key)) {
      fail(ctx, `rnnkit.weights has "${key}", which is no rnnkit-only weight of the model (expected ${needed.join(', ') || 'none'})`);
    }
  }
  for (const name of needed) {
    const value = weights === undefined ? undefined : own(weights, name);
    if (value === undefined) fail(ctx, `rnnkit.weights has no "${name}"`);
    let decoded: unknown;
    try {
      decoded = decodeState(ctx.api, value, `rnnkit.weights.${name}`);
    } catch (error) {
      fail(ctx, (error as Error).message, error);
    }
    const units = plan.layers.find((l) => `${l.name}/initial_state` === name)!.params.find((p) => p.keras === null)!.shape[0]!;
    if (!(decoded instanceof Float32Array || decoded instanceof Float64Array) || decoded.length !== units) {
      fail(ctx, `rnnkit.weights.${name} must hold ${units} numbers ({ $typedArray, values }), got ${describe(decoded)}`);
    }
    extra.set(name, decoded);
  }
  const nonTrainable = own(raw, 'nonTrainable');
  if (nonTrainable !== undefined && (!Array.isArray(nonTrainable) || !nonTrainable.every((n) => typeof n === 'string'))) {
    fail(ctx, `rnnkit.nonTrainable must be an array of parameter names, got ${describe(nonTrainable)}`);
  }
  const optimizer = own(raw, 'optimizer');
  if (optimizer !== undefined && (!isObject(optimizer) || own(optimizer, 'format') !== 'rnnkit.optimizer')) {
    fail(ctx, `rnnkit.optimizer must be a saved optimizer state (format "rnnkit.optimizer"), got ${describe(optimizer)}`);
  }
  return {
    dtype: dtype as DType | undefined,
    extra,
    nonTrainable: (nonTrainable as string[] | undefined) ?? [],
    optimizer: optimizer as JsonObject | undefined,
  };
}

/** Every parameter an optimizer state names must be a model parameter of the same shape. */
function checkOptimizerFits(ctx: Context, state: unknown, params: readonly Param[], what: string): void {
  const saved = isObject(state) ? own(state, 'params') : undefined;
  if (!isObject(saved)) fail(ctx, `${what} has no per-parameter state (params), got ${describe(saved)}`);
  for (const key of Object.keys(saved)) {
    const param = params.find((p) => p.name === key);
    const entry = own(saved, key);
    const shape = isObject(entry) ? own(entry, 'shape') : undefined;
    if (param === undefined) {
      fail(ctx, `${what} is for a parameter "${key}" the model does not have (model parameters: ${params.map((p) => p.name).join(', ')})`);
    }
    if (!Array.isArray(shape) || shape.length !== param.value.shape.length || shape.some((d, i) => d !== param.value.shape[i])) {
      fail(ctx, `${what} has shape ${describe(shape)} for "${key}", but the parameter is [${param.value.shape.join(', ')}]`);
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

export function checkKeys(api: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new RnnkitError(api, `expected an options object, got ${describe(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) throw new RnnkitError(api, `unknown option "${key}"; known options are ${known.join(', ')}`);
  }
}
