// Helpers for the save/load tests (not exported from index.ts, not part of the API):
// TF.js as an oracle, with IO handlers that write and read real files, and temp dirs.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as TF from '@tensorflow/tfjs';
import { vi } from 'vitest';
import { Random, Tensor } from '@rnnkit/tensor';

export type Tfjs = typeof TF;

let loaded: Tfjs | undefined;

/** TF.js on its CPU backend, its Node greeting silenced. */
export async function loadTf(): Promise<Tfjs> {
  if (loaded !== undefined) return loaded;
  const quiet = [vi.spyOn(console, 'warn').mockImplementation(() => {}), vi.spyOn(console, 'log').mockImplementation(() => {})];
  try {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
    loaded = tf;
    return tf;
  } finally {
    for (const spy of quiet) spy.mockRestore();
  }
}

/** A fresh temporary directory; `cleanup` removes every one made. */
const made: string[] = [];
export async function temporaryDirectory(prefix = 'rnnkit-io-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
export async function cleanup(): Promise<void> {
  await Promise.all(made.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

/** How {@link saveTfModel} lays out the weight files. */
export interface TfFileLayout {
  /** Split the weights into two groups, the first holding this many weights. */
  readonly firstGroup?: number;
  /** Split every group's bytes into this many shard files (at arbitrary, unaligned bytes). */
  readonly shards?: number;
}

/**
 * Saves a TF.js model with `model.save` through a custom IO handler that writes model.json
 * and weight files into `dir` as tensorflowjs_converter lays them out (groups of shards,
 * `group1-shard1of2.bin`, …).
 */
export async function saveTfModel(tf: Tfjs, model: TF.LayersModel, dir: string, layout: TfFileLayout = {}): Promise<void> {
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const bytes = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
      const specs = artifacts.weightSpecs!;
      const cut = layout.firstGroup ?? specs.length;
      const groups = cut > 0 && cut < specs.length ? [specs.slice(0, cut), specs.slice(cut)] : [specs];
      const manifest = [];
      let offset = 0;
      for (const [g, weights] of groups.entries()) {
        const size = weights.reduce((n, w) => n + 4 * w.shape.reduce((a, b) => a * b, 1), 0);
        const groupBytes = bytes.subarray(offset, offset + size);
        offset += size;
        const shards = Math.max(1, layout.shards ?? 1);
        // Shard boundaries one byte past an even split, so floats straddle two files.
        const bounds = [0];
        for (let s = 1; s < shards; s++) bounds.push(Math.min(groupBytes.length, Math.floor((s * groupBytes.length) / shards) + 1));
        bounds.push(groupBytes.length);
        const paths: string[] = [];
        for (let s = 0; s < shards; s++) {
          const name = `group${g + 1}-shard${s + 1}of${shards}.bin`;
          await writeFile(join(dir, name), groupBytes.subarray(bounds[s]!, bounds[s + 1]!));
          paths.push(name);
        }
        manifest.push({ paths, weights });
      }
      const modelJson = {
        modelTopology: artifacts.modelTopology,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: manifest,
      };
      await writeFile(join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** Loads model.json and its weight files from `dir` into TF.js with a custom IO handler. */
export async function loadTfModel(tf: Tfjs, dir: string): Promise<TF.LayersModel> {
  return tf.loadLayersModel({
    load: async () => {
      const modelJson = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as TF.io.ModelJSON;
      return tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
        const buffers = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
        const joined = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
        let offset = 0;
        for (const b of buffers) {
          joined.set(b, offset);
          offset += b.byteLength;
        }
        return [manifest.flatMap((g) => g.weights), joined.buffer];
      });
    },
  });
}

/** Replaces every weight of a TF.js model with normal values (std 0.5), so biases matter too. */
export function randomizeTfWeights(tf: Tfjs, model: TF.LayersModel, seed: number): void {
  const random = new Random(seed);
  const weights = model.getWeights().map((w) => tf.tensor(random.fillNormal(new Float32Array(w.size), 0, 0.5), w.shape));
  model.setWeights(weights);
  for (const w of weights) w.dispose();
}

/** A uniform `[batch, time, features]` (or any shape) float32 input. */
export function randomInput(shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Random(seed).fillUniform(new Float32Array(size), -1, 1), shape);
}

/** TF.js' prediction for an rnnkit input tensor. */
export function tfPredict(tf: Tfjs, model: TF.LayersModel, x: Tensor): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor(x.data as Float32Array, [...x.shape])) as TF.Tensor).dataSync() as Float32Array);
}

/** Throws unless |a − b| ≤ tolerance · max(1, |b|) everywhere. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string, tolerance = 1e-5): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)))) {
      throw new Error(`${what}[${i}]: ${a}, expected ${b} (difference ${Math.abs(a - b)})`);
    }
  }
}
