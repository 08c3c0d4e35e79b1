// Public API of @rnnkit/model/node: saving to and loading from a directory of files
// (model.json plus binary weight files), TF.js' layers-model format on disk. Everything
// else of the package is browser-safe and lives in the main entry.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import type { Sequential } from '@rnnkit/layers';
import { RnnkitError, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import { type Context, fail, normalizeWeightPath, resolveLimits } from './io/format.js';
import {
  type LoadModelOptions,
  type LoadedModel,
  type SaveModelOptions,
  LOAD_OPTION_KEYS,
  SAVE_OPTION_KEYS,
  assembleModel,
  readModelJson,
  saveArtifacts,
} from './io/memory.js';

/** Options of {@link saveModelToDirectory}. */
export interface SaveModelToDirectoryOptions extends SaveModelOptions {
  /** Replace an existing model.json or weight file of the same name. @defaultValue false */
  readonly overwrite?: boolean;
}

/** The files {@link saveModelToDirectory} wrote, as absolute paths. */
export interface SavedModelFiles {
  readonly modelJson: string;
  readonly weights: readonly string[];
}

/**
 * Saves a model as TF.js' layers-model files: `model.json` and `group1-shard1of1.bin` in
 * `path` (created if missing), or, when `path` ends in `.json`, that JSON file with the
 * weights beside it. Existing files are never replaced unless `overwrite: true`; each file
 * is written under a temporary name and renamed into place, so a failure leaves no
 * half-written model. Load the files with {@link loadModelFromDirectory}, or in TF.js with
 * `tf.loadLayersModel('file://…/model.json')` (tfjs-node) or over HTTP.
 *
 * @example
 * await saveModelToDirectory(model, 'models/sine', { optimizer: history.optimizer });
 */
export async function saveModelToDirectory(
  model: Sequential,
  path: string,
  options: SaveModelToDirectoryOptions = {},
): Promise<SavedModelFiles> {
  const api = 'saveModelToDirectory';
  checkOptionKeys(api, options, ['overwrite', ...SAVE_OPTION_KEYS]);
  if (typeof path !== 'string' || path === '') throw new RnnkitError(api, `expected a directory path, got ${describeValue(path)}`);
  if (options.overwrite !== undefined && typeof options.overwrite !== 'boolean') {
    throw new RnnkitError(api, `overwrite must be true or false, got ${describeValue(options.overwrite)}`);
  }
  const { overwrite = false, ...saveOptions } = options;
  const artifacts = saveArtifacts(api, model, saveOptions);
  const target = resolve(path);
  const directory = target.endsWith('.json') ? dirname(target) : target;
  const jsonFile = target.endsWith('.json') ? target : join(directory, 'model.json');
  const weightsName = normalizeWeightPath(artifacts.modelJson.weightsManifest[0]!.paths[0]!);
  const weightsFile = join(directory, weightsName);

  const existing = await statOrNull(directory);
  if (existing !== null && !existing.isDirectory()) throw new RnnkitError(api, `${directory} exists and is not a directory`);
  for (const file of [jsonFile, weightsFile]) {
    const info = await statOrNull(file);
    if (info !== null && !overwrite) {
      throw new RnnkitError(api, `${file} already exists; pass overwrite: true to replace it, or choose another directory`);
    }
    if (info !== null && !info.isFile()) throw new RnnkitError(api, `${file} exists and is not a file`);
  }
  try {
    await mkdir(directory, { recursive: true });
    // Weights first, then model.json: a reader never finds a model.json without its weights.
    await writeAtomically(weightsFile, new Uint8Array(artifacts.weights));
    await writeAtomically(jsonFile, `${JSON.stringify(artifacts.modelJson)}\n`);
  } catch (error) {
    if (error instanceof RnnkitError) throw error;
    throw new RnnkitError(api, `cannot write to ${directory}: ${reason(error)}`, { cause: error });
  }
  return { modelJson: jsonFile, weights: [weightsFile] };
}

/**
 * Loads a model from TF.js layers-model files: `path` is a directory holding `model.json`,
 * or the path of the JSON file itself. Reads files saved by {@link saveModelToDirectory},
 * by TF.js' `model.save('file://…')`, and by tensorflowjs_converter (several weight files
 * and groups). Weight paths must stay inside the model's directory (no `..`, absolute
 * paths, URLs, or symbolic links that lead out); sizes are checked before reading (see
 * `ModelLimits`); the model is returned only when complete.
 *
 * @example
 * const { model, optimizer } = await loadModelFromDirectory('models/sine/model.json', { optimizerPlugins: [adam] });
 */
export async function loadModelFromDirectory(path: string, options: LoadModelOptions = {}): Promise<LoadedModel> {
  const api = 'loadModelFromDirectory';
  checkOptionKeys(api, options, LOAD_OPTION_KEYS);
  const limits = resolveLimits(api, options.limits);
  if (typeof path !== 'string' || path === '') throw new RnnkitError(api, `expected a directory or model.json path, got ${describeValue(path)}`);
  const given = resolve(path);
  const info = await statOrNull(given);
  if (info === null) throw new RnnkitError(api, `${given} does not exist`);
  const jsonFile = info.isDirectory() ? join(given, 'model.json') : given;
  const ctx: Context = { api, source: jsonFile };
  const jsonInfo = info.isDirectory() ? await statOrNull(jsonFile) : info;
  if (jsonInfo === null) fail(ctx, 'does not exist');
  if (!jsonInfo.isFile()) fail(ctx, 'is not a file');
  if (jsonInfo.size > limits.maxJsonBytes) fail(ctx, `is ${jsonInfo.size} bytes, larger than the limit of ${limits.maxJsonBytes} (limits.maxJsonBytes)`);
  let text: string;
  try {
    text = await readFile(jsonFile, 'utf8');
  } catch (error) {
    fail(ctx, `cannot be read: ${reason(error)}`, error);
  }
  const { json, manifest } = readModelJson(ctx, text, limits);

  // Resolve and size every weight file before reading any.
  const directory = dirname(jsonFile);
  const realDirectory = await realpath(directory);
  const files: { path: string; size: number; at: string }[][] = [];
  for (const [g, group] of manifest.groups.entries()) {
    const groupFiles: { path: string; size: number; at: string }[] = [];
    for (const [k, relative] of group.paths.entries()) {
      const at = `weightsManifest[${g}].paths[${k}] "${relative}"`;
      const file = resolve(directory, normalizeWeightPath(relative));
      let real: string;
      try {
        real = await realpath(file);
      } catch (error) {
        fail(ctx, `${at}: the weight file ${file} cannot be read: ${reason(error)}`, error);
      }
      if (!real.startsWith(realDirectory + sep)) {
        fail(ctx, `${at} leads outside the model's directory (to ${real}); weight paths must stay inside it`);
      }
      const fileInfo = await stat(real);
      if (!fileInfo.isFile()) fail(ctx, `${at}: ${file} is not a file`);
      groupFiles.push({ path: real, size: fileInfo.size, at });
    }
    const total = groupFiles.reduce((n, f) => n + f.size, 0);
    if (total !== group.byteLength) {
      const listed = groupFiles.map((f) => `${basename(f.path)} ${f.size} bytes`).join(', ') || 'no files';
      fail(
        ctx,
        `the weight files of weightsManifest[${g}] (${listed}) hold ${total} bytes, but its ${group.weights.length} weights need ` +
          `${group.byteLength} (4 per float32)${total < group.byteLength ? ': the weights are truncated' : ''}`,
      );
    }
    files.push(groupFiles);
  }
  const bytes = new Uint8Array(manifest.byteLength);
  let offset = 0;
  for (const group of files) {
    for (const file of group) {
      // Straight into the one buffer of all weights (no copy of each file on the side).
      let read: number;
      try {
        read = await readInto(file.path, bytes.subarray(offset, offset + file.size));
      } catch (error) {
        fail(ctx, `${file.at}: cannot read ${file.path}: ${reason(error)}`, error);
      }
      if (read !== file.size) fail(ctx, `${file.at}: ${file.path} changed while it was read`);
      offset += file.size;
    }
  }
  return assembleModel(ctx, json, manifest, bytes, options);
}

/**
 * Fills `target` from the start of the file and returns the bytes read: `target.length`, or
 * fewer if the file shrank, or one more if it grew since it was sized.
 */
async function readInto(path: string, target: Uint8Array): Promise<number> {
  const handle = await open(path, 'r');
  try {
    let done = 0;
    while (done < target.length) {
      const { bytesRead } = await handle.read(target, done, target.length - done, done);
      if (bytesRead === 0) return done;
      done += bytesRead;
    }
    const { bytesRead } = await handle.read(new Uint8Array(1), 0, 1, done);
    return done + bytesRead;
  } finally {
    await handle.close();
  }
}

async function statOrNull(path: string): Promise<Awaited<ReturnType<typeof stat>> | null> {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return null;
    throw error;
  }
}

/** Writes `content` to a temporary file beside `file`, then renames it into place. */
async function writeAtomically(file: string, content: string | Uint8Array): Promise<void> {
  const temporary = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { flag: 'wx' });
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}
