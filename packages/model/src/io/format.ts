// The TF.js "layers-model" file format as plain types, its size limits, and the first line
// of defence against untrusted files: bounded, prototype-safe JSON parsing and validation of
// the weights manifest (paths, shapes, dtypes, byte counts) before any weight is read.
import { RnnkitError, describeValue, printable } from '@rnnkit/tensor';
import type { OptimizerSnapshot } from '@rnnkit/optimizers';

/** One weight in a manifest: its name (`lstm/lstm_cell/kernel`), shape and element type. */
export interface WeightSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** rnnkit reads and writes float32 only (TF.js' layer weights). */
  readonly dtype: 'float32';
}

/**
 * One group of the weights manifest: the files (`paths`, relative to model.json) whose
 * concatenated bytes hold the group's weights, in order, as little-endian float32.
 */
export interface WeightsManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightSpec[];
}

/**
 * The rnnkit-only facts of a saved model, in a top-level field TF.js and Keras ignore.
 * Absent when there is nothing beyond what Keras can express.
 */
export interface RnnkitModelFacts {
  /** Always `1` for this version of the format. */
  readonly version: 1;
  /** The model's element type; weights are stored as float32 either way. */
  readonly dtype: 'float32' | 'float64';
  /**
   * Weights TF.js has no place for, by Keras-style name (`simple_rnn/initial_state`, the
   * learnable initial state of a SimpleRNN), as exact JSON numbers
   * (`{ $typedArray, values }`, the encoding of optimizer state).
   */
  readonly weights?: Readonly<Record<string, unknown>>;
  /** Names (`layer/param`) of frozen parameters in layers that are only partly frozen. */
  readonly nonTrainable?: readonly string[];
  /** The optimizer's state (`optimizer.getState()`), when it was saved with the model. */
  readonly optimizer?: OptimizerSnapshot;
}

/**
 * The content of `model.json`: TF.js' layers-model format. `modelTopology` is Keras' model
 * config in snake_case (`{ class_name: 'Sequential', config: { name, layers }, keras_version,
 * backend }`; files converted from Keras wrap it as `{ model_config, training_config, … }`).
 */
export interface ModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: string | null;
  readonly modelTopology: Readonly<Record<string, unknown>>;
  readonly weightsManifest: readonly WeightsManifestGroup[];
  /** rnnkit-only facts (see {@link RnnkitModelFacts}); TF.js ignores this field. */
  readonly rnnkit?: RnnkitModelFacts;
}

/**
 * A saved model in memory: the `model.json` object and the bytes of every weight file of
 * the manifest, concatenated in manifest order (little-endian float32). Works everywhere,
 * so a browser can save to and load from storage or the network itself.
 */
export interface ModelArtifacts {
  /** The model.json object (or its text when loading). */
  readonly modelJson: ModelJson;
  /** All weight bytes, in the order of the manifest's groups and paths. */
  readonly weights: ArrayBuffer;
}

/**
 * Bounds on what a loader accepts, because model files are untrusted input. Anything larger
 * is refused with an error before it is read or allocated.
 */
export interface ModelLimits {
  /** Largest model.json, in bytes (optimizer state lives there too). @defaultValue 67108864 (64 MiB) */
  readonly maxJsonBytes?: number;
  /**
   * Deepest nesting of arrays and objects in model.json, at most {@link MAX_JSON_DEPTH}
   * (the checks walk the nesting recursively, so a larger limit could overflow the stack).
   * @defaultValue 64
   */
  readonly maxJsonDepth?: number;
  /** Largest total of weight bytes (4 per float32). @defaultValue 1073741824 (1 GiB) */
  readonly maxWeightBytes?: number;
  /** Most layers in the model. @defaultValue 1000 */
  readonly maxLayers?: number;
  /** Most weight files listed by the manifest. @defaultValue 1000 */
  readonly maxWeightFiles?: number;
}

/** The limits applied when none are given (see {@link ModelLimits}). */
export const DEFAULT_MODEL_LIMITS: Readonly<Required<ModelLimits>> = Object.freeze({
  maxJsonBytes: 64 * 1024 * 1024,
  maxJsonDepth: 64,
  maxWeightBytes: 1024 * 1024 * 1024,
  maxLayers: 1000,
  maxWeightFiles: 1000,
});

const LIMIT_KEYS = Object.keys(DEFAULT_MODEL_LIMITS) as (keyof ModelLimits)[];

/** The largest `maxJsonDepth` a caller may set: far beyond any real model.json (Keras' are < 20 deep). */
export const MAX_JSON_DEPTH = 1000;

/** The default weight file name, as tensorflowjs_converter names a single shard. */
export const WEIGHTS_FILE = 'group1-shard1of1.bin';

/** Where an error happened: the API for the message prefix and the file it concerns. */
export interface Context {
  readonly api: string;
  readonly source: string;
}

export function fail(ctx: Context, message: string, cause?: unknown): never {
  throw new RnnkitError(ctx.api, `${printable(ctx.source, { maxLength: 1000 })}: ${message}`, cause === undefined ? undefined : { cause });
}

/** Checks user-given limits and fills in the defaults. */
export function resolveLimits(api: string, limits: unknown): Required<ModelLimits> {
  if (limits === undefined) return { ...DEFAULT_MODEL_LIMITS };
  if (limits === null || typeof limits !== 'object' || Array.isArray(limits)) {
    throw new RnnkitError(api, `limits must be an object such as { maxWeightBytes: 1e8 }, got ${describeValue(limits)}`);
  }
  const out: Record<string, number> = { ...DEFAULT_MODEL_LIMITS };
  for (const [key, value] of Object.entries(limits)) {
    if (!(LIMIT_KEYS as string[]).includes(key)) {
      throw new RnnkitError(api, `unknown limit "${key}"; known limits are ${LIMIT_KEYS.join(', ')}`);
    }
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new RnnkitError(api, `limits.${key} must be a positive integer, got ${describeValue(value)}`);
    }
    if (key === 'maxJsonDepth' && value > MAX_JSON_DEPTH) {
      throw new RnnkitError(api, `limits.maxJsonDepth must be at most ${MAX_JSON_DEPTH} (deeper files are not models), got ${value}`);
    }
    out[key] = value;
  }
  return out as Required<ModelLimits>;
}

// ---------------------------------------------------------------------------------------
// Prototype-safe JSON
// ---------------------------------------------------------------------------------------

/** A parsed JSON object: a null-prototype record, so no key can reach `Object.prototype`. */
export type JsonObject = { readonly [key: string]: unknown };

/**
 * Keys refused anywhere in a model file: assigning them to an ordinary object can replace
 * its prototype (`__proto__`) or shadow what code expects to find there.
 */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Parses model.json text (or checks an object by its JSON text) into null-prototype objects
 * and plain arrays, refusing text longer than `maxJsonBytes` bytes, invalid JSON, nesting
 * deeper than `maxJsonDepth` and the keys `__proto__`, `constructor` and `prototype`.
 */
export function parseJson(ctx: Context, input: unknown, limits: Required<ModelLimits>): JsonObject {
  let text: string;
  if (typeof input === 'string') {
    text = input;
  } else if (input !== null && typeof input === 'object' && !Array.isArray(input)) {
    try {
      text = JSON.stringify(input);
    } catch (error) {
      fail(ctx, `the model.json object cannot be written as JSON (${(error as Error).message})`, error);
    }
  } else {
    fail(ctx, `expected the model.json object or its text, got ${describeValue(input)}`);
  }
  // UTF-16 length ≤ UTF-8 bytes ≤ 3 × UTF-16 length: check cheaply before counting exactly.
  if (text.length > limits.maxJsonBytes || (text.length * 3 > limits.maxJsonBytes && utf8Length(text) > limits.maxJsonBytes)) {
    fail(ctx, `is larger than the limit of ${limits.maxJsonBytes} bytes (limits.maxJsonBytes)`);
  }
  // A byte-order mark (editors on Windows write one) is not JSON; read the text after it.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // The engine's message quotes the text it stopped at: escape and cut it.
    fail(ctx, `is not valid JSON: ${printable((error as Error).message, { maxLength: 200 })}`, error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    fail(ctx, `expected a JSON object at the top level, got ${describeValue(parsed)}`);
  }
  return sanitize(ctx, parsed, '', 0, limits.maxJsonDepth) as JsonObject;
}

function sanitize(ctx: Context, value: unknown, path: string, depth: number, maxDepth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= maxDepth) fail(ctx, `nesting deeper than ${maxDepth} levels (limits.maxJsonDepth) at ${printable(path || 'the top', { maxLength: 300 })}`);
  if (Array.isArray(value)) return value.map((item, i) => sanitize(ctx, item, `${path}[${i}]`, depth + 1, maxDepth));
  const out = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    if (FORBIDDEN_KEYS.has(key)) fail(ctx, `the key "${key}" (at ${at}) is not allowed in a model file`);
    out[key] = sanitize(ctx, (value as Record<string, unknown>)[key], at, depth + 1, maxDepth);
  }
  return out;
}

function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/** A deep copy as ordinary objects (for handing parsed data to users and other packages). */
export function toPlain<T>(value: unknown): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value);
}

/** `obj[key]` for own keys only. */
export function own(obj: JsonObject, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

// ---------------------------------------------------------------------------------------
// The weights manifest
// ---------------------------------------------------------------------------------------

/** A manifest entry after validation, with its place in the concatenated bytes. */
export interface ManifestWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly size: number;
  /** Byte offset within all weight bytes (every group's files concatenated). */
  readonly offset: number;
  /** TF.js marks optimizer weights with group "optimizer"; rnnkit skips those. */
  readonly optimizer: boolean;
  /** Where it sits, for errors: `weightsManifest[0].weights[2]`. */
  readonly at: string;
}

export interface ManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly ManifestWeight[];
  /** Bytes the group's weights need (and its files must hold together). */
  readonly byteLength: number;
  readonly offset: number;
}

export interface Manifest {
  readonly groups: readonly ManifestGroup[];
  readonly byteLength: number;
}

const MAX_RANK = 8;

/**
 * Validates `weightsManifest`: groups with relative, in-directory paths and float32 weights
 * of valid shapes, unique names, and a byte total within `maxWeightBytes`.
 */
export function readManifest(ctx: Context, json: JsonObject, limits: Required<ModelLimits>): Manifest {
  // A model without weights may come without a manifest.
  const manifest = own(json, 'weightsManifest') ?? [];
  if (!Array.isArray(manifest)) fail(ctx, `weightsManifest must be an array of { paths, weights } groups, got ${describeValue(manifest)}`);
  const groups: ManifestGroup[] = [];
  const names = new Set<string>();
  let offset = 0;
  let files = 0;
  manifest.forEach((group: unknown, g) => {
    const at = `weightsManifest[${g}]`;
    if (!isObject(group)) fail(ctx, `${at} must be an object { paths, weights }, got ${describeValue(group)}`);
    const paths = own(group, 'paths');
    const weights = own(group, 'weights');
    if (!Array.isArray(paths) || !paths.every((p) => typeof p === 'string')) {
      fail(ctx, `${at}.paths must be an array of file names, got ${describeValue(paths)}`);
    }
    if (!Array.isArray(weights)) fail(ctx, `${at}.weights must be an array of { name, shape, dtype }, got ${describeValue(weights)}`);
    files += paths.length;
    if (files > limits.maxWeightFiles) fail(ctx, `the manifest lists more than ${limits.maxWeightFiles} weight files (limits.maxWeightFiles)`);
    paths.forEach((p: string, k) => checkWeightPath(ctx, p, `${at}.paths[${k}]`));
    const start = offset;
    const entries = weights.map((spec: unknown, k): ManifestWeight => {
      const where = `${at}.weights[${k}]`;
      if (!isObject(spec)) fail(ctx, `${where} must be an object { name, shape, dtype }, got ${describeValue(spec)}`);
      const name = own(spec, 'name');
      if (typeof name !== 'string' || name === '') fail(ctx, `${where}.name must be a non-empty string, got ${describeValue(name)}`);
      if (names.has(name)) fail(ctx, `${where}: the weight name "${name}" appears twice in the manifest`);
      names.add(name);
      const dtype = own(spec, 'dtype');
      if (dtype !== 'float32') {
        fail(ctx, `${where} ("${name}") has dtype ${describeValue(dtype)}; only "float32" weights are supported`);
      }
      if (own(spec, 'quantization') !== undefined && own(spec, 'quantization') !== null) {
        fail(ctx, `${where} ("${name}") is quantized; quantized weights are not supported (convert without quantization)`);
      }
      const shape = own(spec, 'shape');
      if (
        !Array.isArray(shape) ||
        shape.length > MAX_RANK ||
        !shape.every((d) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && d <= 2 ** 31 - 1)
      ) {
        fail(ctx, `${where}.shape ("${name}") must be an array of at most ${MAX_RANK} non-negative integers, got ${describeValue(shape)}`);
      }
      let size = 1;
      for (const d of shape as number[]) {
        size *= d;
        if (size * 4 > limits.maxWeightBytes) break;
      }
      if (offset + size * 4 > limits.maxWeightBytes) {
        fail(ctx, `the weights need more than ${limits.maxWeightBytes} bytes (limits.maxWeightBytes), reached at ${where} ("${name}")`);
      }
      const entry = { name, shape: [...(shape as number[])], size, offset, optimizer: own(spec, 'group') === 'optimizer', at: where };
      offset += size * 4;
      return entry;
    });
    if (paths.length === 0 && offset > start) fail(ctx, `${at} has weights but no paths`);
    groups.push({ paths: [...paths], weights: entries, byteLength: offset - start, offset: start });
  });
  return { groups, byteLength: offset };
}

/**
 * A weight path must name a file inside the model's directory: relative, `/`-separated, no
 * `..` or empty segments, no URL scheme or drive letter, and only ordinary file-name
 * characters (so that neither a file system nor a URL resolver can read it as anything
 * else, e.g. `%2e%2e`).
 */
export function checkWeightPath(ctx: Context, path: string, at: string): void {
  const refuse = (why: string): never => fail(ctx, `${at} ${JSON.stringify(path)} ${why}; weight paths must stay inside the model's directory`);
  if (path === '') refuse('is empty');
  if (path.startsWith('/') || path.startsWith('\\')) refuse('is absolute');
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(path)) refuse('is a URL or a drive path');
  if (path.includes('\\')) refuse('contains a backslash');
  const segments = path.split('/');
  segments.forEach((segment, i) => {
    if (segment === '..') refuse('leaves the directory (..)');
    if (segment === '' || (segment === '.' && i !== 0)) refuse('has an empty or "." segment');
    if (segment !== '.' && !/^[A-Za-z0-9][A-Za-z0-9._+@() -]*$/.test(segment)) {
      refuse('has a segment with characters other than letters, digits and . _ - + @ ( ) space');
    }
  });
  if (segments.length === 1 && segments[0] === '.') refuse('names the directory itself');
}

/** The relative path without a leading `./`, as written to disk or looked up. */
export function normalizeWeightPath(path: string): string {
  return path.startsWith('./') ? path.slice(2) : path;
}

/** A setting's value as written in a message: `true`, `0.2`, `"elu"`, `L2` (a Keras object's class). */
export function show(value: unknown): string {
  if (typeof value === 'boolean' || typeof value === 'number') return String(value);
  if (isObject(value) && typeof own(value, 'class_name') === 'string') return printable(own(value, 'class_name') as string, { maxLength: SHOWN_LENGTH });
  return describeValue(value);
}

/** Longest class name from a model file shown in a message; the rest is counted. */
const SHOWN_LENGTH = 60;
