// rnnkit-demo predict: load a saved model (TF.js layers format, or an ONNX file) and print
// its predictions for a JSON input as a nested JSON array.
import { open, readFile, stat } from 'node:fs/promises';
import type { Sequential } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { loadModelFromDirectory } from '@rnnkit/model/node';
import { DEFAULT_ONNX_LIMITS, loadOnnx } from '@rnnkit/onnx';
import { type NestedArray, Tensor, allocate } from '@rnnkit/tensor';
import { DemoError } from './errors.js';
import { describeJsonValue, parseInputJson } from './input-json.js';

/** Largest input file read, so a wrong path to a huge file fails fast. */
const MAX_INPUT_BYTES = 256 * 1024 * 1024;

/**
 * Loads the model at `modelPath` (its model.json or the directory holding it, or an ONNX
 * file: see {@link isOnnxFile}) and returns its predictions for the input in `inputPath`: a
 * nested JSON array shaped like the model's input with the batch first, `[batch, time,
 * features]` for recurrent models.
 */
export async function runPredict(modelPath: string, inputPath: string): Promise<NestedArray> {
  const model = (await isOnnxFile(modelPath)) ? await loadOnnxFile(modelPath) : (await loadModelFromDirectory(modelPath)).model;
  const expected = model.inputShape!;
  const input = await readInput(inputPath);
  const shape = checkNested(input, inputPath, expected.length, model.dtype === 'float32');
  const features = expected[expected.length - 1];
  if (shape[shape.length - 1] !== features) {
    throw new DemoError(
      `input ${inputPath} has ${shape[shape.length - 1]} features per ${expected.length === 3 ? 'step' : 'sample'}, ` +
        `but the model expects ${features} (input shape [batch, ${expected.slice(1).map((d) => d ?? 'any').join(', ')}])`,
    );
  }
  expected.forEach((d, axis) => {
    if (axis > 0 && d !== null && d !== shape[axis]) {
      throw new DemoError(`input ${inputPath} has length ${shape[axis]} on axis ${axis}, but the model expects ${d}`);
    }
  });
  const data = allocate(model.dtype, shape.reduce((a, b) => a * b, 1));
  let offset = 0;
  const fill = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(fill);
    else data[offset++] = value as number;
  };
  fill(input);
  return predict(model, new Tensor(data, shape)).toArray();
}

/**
 * Whether `path` is an ONNX model: named `*.onnx`, or a file whose first byte is 0x08, the
 * tag of ModelProto's ir_version field that every ONNX exporter writes first (a model.json
 * starts with `{`). Told apart by its name or first byte, never by trying to parse it.
 */
export async function isOnnxFile(path: string): Promise<boolean> {
  if (path.toLowerCase().endsWith('.onnx')) return true;
  let file;
  try {
    file = await open(path, 'r');
  } catch {
    return false; // a directory or a missing file: the TF.js loader says what is wrong
  }
  try {
    if (!(await file.stat()).isFile()) return false;
    const { bytesRead, buffer } = await file.read(Buffer.alloc(1), 0, 1, 0);
    return bytesRead === 1 && buffer[0] === 0x08;
  } finally {
    await file.close();
  }
}

async function loadOnnxFile(path: string): Promise<Sequential> {
  let bytes: Uint8Array;
  try {
    // By its size first: loadOnnx would refuse it anyway, after it was read whole.
    const info = await stat(path);
    if (!info.isFile()) throw new DemoError(`cannot read model ${path}: it is not a file`);
    if (info.size > DEFAULT_ONNX_LIMITS.maxBytes) throw new DemoError(`model ${path} is ${info.size} bytes, larger than the limit of ${DEFAULT_ONNX_LIMITS.maxBytes}`);
    bytes = await readFile(path);
  } catch (error) {
    if (error instanceof DemoError) throw error;
    throw new DemoError(`cannot read model ${path}: ${describeFileError(error)}`);
  }
  return loadOnnx(bytes);
}

/** A file system error in a few words. */
export function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
}

async function readInput(path: string): Promise<unknown> {
  let text: string;
  try {
    // By its size first: a wrong path to a huge file should not be read whole to be refused.
    const info = await stat(path);
    if (info.isFile() && info.size > MAX_INPUT_BYTES) throw new DemoError(`input ${path} is ${info.size} bytes, larger than the limit of ${MAX_INPUT_BYTES}`);
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof DemoError) throw error;
    throw new DemoError(`cannot read input ${path}: ${describeFileError(error)}`);
  }
  if (text.length > MAX_INPUT_BYTES) throw new DemoError(`input ${path} is larger than ${MAX_INPUT_BYTES} bytes`);
  return parseInputJson(text, path);
}

/**
 * Checks that `value` is a rectangular nested array of finite numbers (finite in float32 too
 * for a float32 model, which would otherwise see Infinity) of rank `rank` with at least one
 * sample, and returns its shape. Errors name the first bad index.
 */
function checkNested(value: unknown, path: string, rank: number, float32: boolean): number[] {
  const example = rank === 3 ? '[batch, time, features], e.g. [[[0.1], [0.2]]]' : '[batch, features], e.g. [[0.1, 0.2]]';
  const shape: number[] = [];
  for (let node: unknown = value, axis = 0; axis < rank; axis++) {
    const where = axis === 0 ? 'the top level' : `element ${'[0]'.repeat(axis)}`;
    if (!Array.isArray(node)) {
      throw new DemoError(`input ${path}: ${where} is ${describeJsonValue(node)}, expected a list (input ${example})`);
    }
    if (node.length === 0) throw new DemoError(`input ${path}: ${where} is an empty list (input ${example})`);
    shape.push(node.length);
    node = node[0];
  }
  const visit = (node: unknown, axis: number, at: number[]): void => {
    const where = at.map((i) => `[${i}]`).join('');
    if (axis === rank) {
      if (typeof node !== 'number' || !Number.isFinite(node)) {
        throw new DemoError(`input ${path}: element ${where} is ${describeJsonValue(node)}, expected a finite number`);
      }
      if (float32 && !Number.isFinite(Math.fround(node))) {
        throw new DemoError(`input ${path}: element ${where} is ${node}, beyond what the model's float32 holds (±3.4e38)`);
      }
      return;
    }
    if (!Array.isArray(node)) {
      throw new DemoError(`input ${path}: element ${where} is ${describeJsonValue(node)}, expected a list (input ${example})`);
    }
    if (node.length !== shape[axis]) {
      throw new DemoError(`input ${path} is ragged: ${where} has ${node.length} items, but ${'[0]'.repeat(axis)} has ${shape[axis]}`);
    }
    node.forEach((child, i) => visit(child, axis + 1, [...at, i]));
  };
  visit(value, 0, []);
  return shape;
}
