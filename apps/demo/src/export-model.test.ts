import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bidirectional, Dense, GRU, LSTM, Sequential } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { runExport } from './export-model.js';
import { isOnnxFile, runPredict } from './predict.js';
import { savedModelDirectory } from './cli.test-util.js';

/** The PyTorch fixtures of @rnnkit/onnx (see packages/onnx/scripts/make-fixtures.py). */
const FIXTURES = join(import.meta.dirname, '..', '..', '..', 'packages', 'onnx', 'fixtures');

let dir: string;
let model: Sequential;
const input = [
  [[0.5, -1], [0.25, 0.75], [1, 0]],
  [[-0.5, 0.5], [0, 0], [0.1, 0.2]],
];

beforeAll(async () => {
  const layers = [new Bidirectional({ layer: new GRU({ units: 3, returnSequences: true }), mergeMode: 'sum' }), new LSTM({ units: 4, goBackwards: true }), new Dense({ units: 2 })];
  model = new Sequential({ layers, inputShape: [null, 2], seed: 5 });
  dir = await savedModelDirectory('rnnkit-export-', model, 6, input);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function maxAbsDiff(a: readonly number[], b: readonly number[]): number {
  expect(a.length).toBe(b.length);
  return Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
}

const expected = (): number[] => [...predict(model, new Tensor(Float32Array.from(input.flat(2)), [2, 3, 2])).data];

describe('runExport', () => {
  it('should write an ONNX file that predict reads back to the same predictions', async () => {
    const out = join(dir, 'model.onnx');
    const bytes = await runExport(join(dir, 'model', 'model.json'), 'onnx', out);
    expect((await readFile(out)).length).toBe(bytes);
    const predictions = (await runPredict(out, join(dir, 'input.json'))) as number[][];
    expect(predictions).toHaveLength(2);
    expect(maxAbsDiff(predictions.flat(), expected())).toBeLessThan(1e-5);
  });

  it('should refuse to replace an existing file unless asked, and say so in one line', async () => {
    const out = join(dir, 'taken.onnx');
    await writeFile(out, 'mine');
    await expect(runExport(join(dir, 'model'), 'onnx', out)).rejects.toThrow(`${out} already exists; pass --overwrite to replace it, or choose another --out file`);
    expect(await readFile(out, 'utf8')).toBe('mine');
    await runExport(join(dir, 'model'), 'onnx', out, { overwrite: true });
    expect(await isOnnxFile(out)).toBe(true);
    expect((await readFile(out)).length).toBeGreaterThan(100);
  });

  it('should refuse an unknown format, a directory and a missing directory as --out', async () => {
    await expect(runExport(join(dir, 'model'), 'tfjs', join(dir, 'x.onnx'))).rejects.toThrow('--format expects onnx, got "tfjs"');
    await mkdir(join(dir, 'folder.onnx'));
    await expect(runExport(join(dir, 'model'), 'onnx', join(dir, 'folder.onnx'))).rejects.toThrow(`cannot write ${join(dir, 'folder.onnx')}: it is a directory (--out names the .onnx file to write)`);
    await expect(runExport(join(dir, 'model'), 'onnx', join(dir, 'nowhere', 'x.onnx'))).rejects.toThrow(`cannot write ${join(dir, 'nowhere', 'x.onnx')}: its directory does not exist`);
    await expect(runExport(join(dir, 'missing'), 'onnx', join(dir, 'y.onnx'))).rejects.toThrow(`loadModelFromDirectory: ${join(dir, 'missing')} does not exist`);
  });
});

describe('runPredict on ONNX files', () => {
  it("should predict a PyTorch bidirectional LSTM's outputs within 1e-5", async () => {
    const facts = JSON.parse(await readFile(join(FIXTURES, 'lstm_bidirectional_seq.json'), 'utf8')) as { input: { shape: number[]; data: number[] }; output: { data: number[] } };
    const [batch, time, features] = facts.input.shape as [number, number, number];
    const nested = Array.from({ length: batch }, (_, b) => Array.from({ length: time }, (_, t) => facts.input.data.slice((b * time + t) * features, (b * time + t + 1) * features)));
    await writeFile(join(dir, 'pytorch-input.json'), JSON.stringify(nested));
    const predictions = (await runPredict(join(FIXTURES, 'lstm_bidirectional_seq.onnx'), join(dir, 'pytorch-input.json'))) as number[][][];
    expect(maxAbsDiff(predictions.flat(2), facts.output.data)).toBeLessThan(1e-5);
  });

  it('should tell ONNX by its first byte when the name does not end in .onnx, and model.json or a directory by theirs', async () => {
    await copyFile(join(FIXTURES, 'gru_1layer_seq.onnx'), join(dir, 'model.bin'));
    expect(await isOnnxFile(join(dir, 'model.bin'))).toBe(true);
    expect(await isOnnxFile(join(dir, 'model', 'model.json'))).toBe(false);
    expect(await isOnnxFile(join(dir, 'model'))).toBe(false);
    expect(await isOnnxFile(join(dir, 'missing'))).toBe(false);
    expect(await isOnnxFile(join(dir, 'missing.ONNX'))).toBe(true);
    await writeFile(join(dir, 'gru-input.json'), JSON.stringify([[[0.1, 0.2, 0.3]]]));
    const predictions = (await runPredict(join(dir, 'model.bin'), join(dir, 'gru-input.json'))) as number[][][];
    expect([predictions.length, predictions[0]!.length, predictions[0]![0]!.length]).toEqual([1, 1, 2]);
  });

  it("should pass on the importer's refusal and name a missing file", async () => {
    await expect(runPredict(join(FIXTURES, 'lstm_bidirectional.onnx'), join(dir, 'input.json'))).rejects.toThrow(
      /^loadOnnx: cannot map node "\/Gather" \(Gather\): the last time step of the bidirectional node "\/rnn\/LSTM" \(out\[:, -1\]\) has no Keras equivalent/,
    );
    await expect(runPredict(join(dir, 'missing.onnx'), join(dir, 'input.json'))).rejects.toThrow(`cannot read model ${join(dir, 'missing.onnx')}: no such file`);
  });
});
