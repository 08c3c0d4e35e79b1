import { describeValue } from '@rnnkit/tensor';
// The top-level `rnnkit` field of model.json (absent in files from TF.js and Keras): the
// model's dtype, weights TF.js has no place for, frozen parameters and optimizer state. Also
// the check that keeps a file from making rnnkit allocate more than the file holds.
import { decodeState } from '@rnnkit/optimizers';
import type { DType, Shape } from '@rnnkit/tensor';
import { type Context, type JsonObject, type Manifest, fail, isObject, own } from './format.js';
import type { ModelPlan } from './topology.js';

export interface Facts {
  /** Whether the file has an rnnkit field. */
  readonly present: boolean;
  readonly dtype: DType | undefined;
  /** rnnkit-only weights by name (`simple_rnn/initial_state`), as found (checked once the model is built). */
  readonly weights: JsonObject | undefined;
  readonly nonTrainable: readonly string[];
  readonly optimizer: JsonObject | undefined;
}

const FACT_KEYS = ['version', 'dtype', 'weights', 'nonTrainable', 'optimizer'];

/** Reads and checks the `rnnkit` field, except the rnnkit-only weights (see {@link readExtraWeights}). */
export function readFacts(ctx: Context, json: JsonObject): Facts {
  const raw = own(json, 'rnnkit');
  if (raw === undefined || raw === null) return { present: false, dtype: undefined, weights: undefined, nonTrainable: [], optimizer: undefined };
  if (!isObject(raw)) fail(ctx, `rnnkit must be an object, got ${describeValue(raw)}`);
  for (const key of Object.keys(raw)) {
    if (!FACT_KEYS.includes(key)) fail(ctx, `rnnkit has an unknown key "${key}" (saved by a newer rnnkit?); known keys are ${FACT_KEYS.join(', ')}`);
  }
  const version = own(raw, 'version');
  if (version !== 1) fail(ctx, `rnnkit.version is ${describeValue(version)}; this version of rnnkit reads 1`);
  const dtype = own(raw, 'dtype');
  if (dtype !== undefined && dtype !== 'float32' && dtype !== 'float64') {
    fail(ctx, `rnnkit.dtype must be "float32" or "float64", got ${describeValue(dtype)}`);
  }
  const weights = own(raw, 'weights');
  if (weights !== undefined && !isObject(weights)) fail(ctx, `rnnkit.weights must be an object, got ${describeValue(weights)}`);
  const nonTrainable = own(raw, 'nonTrainable');
  if (nonTrainable !== undefined && (!Array.isArray(nonTrainable) || !nonTrainable.every((n) => typeof n === 'string'))) {
    fail(ctx, `rnnkit.nonTrainable must be an array of parameter names, got ${describeValue(nonTrainable)}`);
  }
  const optimizer = own(raw, 'optimizer');
  if (optimizer !== undefined && (!isObject(optimizer) || own(optimizer, 'format') !== 'rnnkit.optimizer')) {
    fail(ctx, `rnnkit.optimizer must be a saved optimizer state (format "rnnkit.optimizer"), got ${describeValue(optimizer)}`);
  }
  return {
    present: true,
    dtype: dtype as DType | undefined,
    weights: weights as JsonObject | undefined,
    nonTrainable: (nonTrainable as string[] | undefined) ?? [],
    optimizer: optimizer as JsonObject | undefined,
  };
}

/** Decodes the rnnkit-only weights the built model needs (`needed`: names and shapes), refusing any other. */
export function readExtraWeights(
  ctx: Context,
  facts: Facts,
  needed: readonly { readonly key: string; readonly shape: Shape }[],
): Map<string, Float32Array | Float64Array> {
  const extra = new Map<string, Float32Array | Float64Array>();
  const keys = needed.map((n) => n.key);
  const { weights } = facts;
  if (!facts.present && needed.length > 0) {
    fail(ctx, `rnnkit.weights is missing; it must hold ${keys.join(', ')}`);
  }
  for (const key of weights === undefined ? [] : Object.keys(weights)) {
    if (!keys.includes(key)) fail(ctx, `rnnkit.weights has "${key}", which is no rnnkit-only weight of the model (expected ${keys.join(', ') || 'none'})`);
  }
  for (const { key, shape } of needed) {
    const value = weights === undefined ? undefined : own(weights, key);
    if (value === undefined) fail(ctx, `rnnkit.weights has no "${key}"`);
    let decoded: unknown;
    try {
      decoded = decodeState(ctx.api, value, `rnnkit.weights.${key}`);
    } catch (error) {
      fail(ctx, (error as Error).message, error);
    }
    const size = shape.reduce((n, d) => n * d, 1);
    if (!(decoded instanceof Float32Array || decoded instanceof Float64Array) || decoded.length !== size) {
      fail(ctx, `rnnkit.weights.${key} must hold ${size} numbers ({ $typedArray, values }), got ${describeValue(decoded)}`);
    }
    extra.set(key, decoded);
  }
  return extra;
}

/**
 * Parameter numbers always allowed (4 MiB of float32): building that much is harmless, and a
 * file that then disagrees with its layers gets the weight matching's message naming the weight.
 */
const ALWAYS_ALLOWED = 2 ** 20;

/**
 * Refuses, before any layer is built, a file whose layers would need more parameter
 * numbers than it holds (the manifest's weights and the rnnkit-only ones): building
 * allocates every parameter, so a tiny file declaring a huge layer must fail here rather
 * than make rnnkit allocate gigabytes (up to {@link ALWAYS_ALLOWED} numbers pass, for the
 * weight matching to explain). Each codec's `paramCount` gives its layer's need
 * without allocating; a layer whose codec has none (or does not know) is checked once built.
 */
export function checkParamBudget(ctx: Context, plan: ModelPlan, manifest: Manifest, facts: Facts): void {
  let budget = 0;
  for (const group of manifest.groups) for (const w of group.weights) if (!w.optimizer) budget += w.size;
  for (const value of facts.weights === undefined ? [] : Object.values(facts.weights)) {
    const values = isObject(value) ? own(value, 'values') : undefined;
    if (Array.isArray(values)) budget += values.length;
  }
  const allowed = Math.max(budget, ALWAYS_ALLOWED);
  let needed = 0;
  for (const { codec, layer, inputShape, label } of plan.layers) {
    if (codec.paramCount === undefined) continue;
    const count: unknown = codec.paramCount(layer, inputShape);
    if (count === undefined) continue;
    if (typeof count !== 'number' || !(count >= 0)) fail(ctx, `${label}: the ${codec.className} codec's paramCount returned ${describeValue(count)}`);
    needed += count;
    if (needed > allowed) {
      fail(
        ctx,
        `${label} needs ${needed > count ? `(with the layers before it) ${needed}` : count} parameter numbers for its config and input ` +
          `${shapeText(inputShape)}, but the file holds only ${budget}; it is not built`,
      );
    }
  }
}

function shapeText(shape: readonly (number | null)[]): string {
  return `[${shape.map((d) => (d === null ? 'null' : String(d))).join(', ')}]`;
}
