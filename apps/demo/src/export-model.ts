// rnnkit-demo export: convert a saved model (TF.js layers format) to another format; ONNX
// is the one there is.
import { stat, writeFile } from 'node:fs/promises';
import { loadModelFromDirectory } from '@rnnkit/model/node';
import { exportOnnx } from '@rnnkit/onnx';
import { DemoError } from './errors.js';
import { describeFileError } from './predict.js';

/** The formats `export` writes. */
export const EXPORT_FORMATS = ['onnx'] as const;

export interface ExportOptions {
  /** Replace `outPath` when it exists. @defaultValue false */
  readonly overwrite?: boolean;
}

/**
 * Loads the model at `modelPath` (its model.json, or the directory holding it), converts it
 * to `format` and writes it to `outPath`, which must not exist unless `overwrite`. Returns
 * the number of bytes written.
 */
export async function runExport(modelPath: string, format: string, outPath: string, options: ExportOptions = {}): Promise<number> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) {
    throw new DemoError(`--format expects ${EXPORT_FORMATS.join(' or ')}, got "${format}"`, 2);
  }
  // Before loading and converting: a file in the way must not cost the work.
  await checkTarget(outPath, options.overwrite === true);
  const { model } = await loadModelFromDirectory(modelPath);
  const bytes = exportOnnx(model);
  try {
    // 'wx' fails if the file appeared meanwhile: nothing is replaced unasked.
    await writeFile(outPath, bytes, { flag: options.overwrite ? 'w' : 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') throw existsError(outPath);
    throw new DemoError(`cannot write ${outPath}: ${describeWriteError(error)}`);
  }
  return bytes.length;
}

async function checkTarget(path: string, overwrite: boolean): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw new DemoError(`cannot write ${path}: ${describeFileError(error)}`);
  }
  if (info.isDirectory()) throw new DemoError(`cannot write ${path}: it is a directory (--out names the .onnx file to write)`);
  if (!overwrite) throw existsError(path);
}

function existsError(path: string): DemoError {
  return new DemoError(`${path} already exists; pass --overwrite to replace it, or choose another --out file`);
}

function describeWriteError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'its directory does not exist' : describeFileError(error);
}
