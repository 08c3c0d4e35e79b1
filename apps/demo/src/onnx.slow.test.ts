import { readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Bidirectional, Dense, LSTM, Sequential } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { demo, savedModelDirectory } from './cli.test-util.js';

let dir: string;
let model: Sequential;
const input = [
  [[0.5, -1], [0.25, 0.75], [1, 0], [0.3, 0.3]],
  [[-0.5, 0.5], [0, 0], [0.1, 0.2], [-1, 1]],
];

beforeAll(async () => {
  model = new Sequential({ layers: [new Bidirectional({ layer: new LSTM({ units: 3 }), mergeMode: 'concat' }), new Dense({ units: 2, activation: 'tanh' })], inputShape: [null, 2], seed: 3 });
  dir = await savedModelDirectory('rnnkit-onnx-cli-', model, 4, input);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rnnkit-demo export --format onnx, then predict --model FILE.onnx', () => {
  it('should write the ONNX file, and predict from it what the saved model predicts', async () => {
    const out = join(dir, 'model.onnx');
    const exported = await demo('export', '--model', join(dir, 'model', 'model.json'), '--format', 'onnx', '--out', out);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    expect(exported.stdout).toBe(`wrote ${out} (${(await stat(out)).size} bytes)\n`);
    const predicted = await demo('predict', '--model', out, '--input', join(dir, 'input.json'));
    expect(predicted.stderr).toBe('');
    expect(predicted.code).toBe(0);
    const values = (JSON.parse(predicted.stdout) as number[][]).flat();
    const reference = predict(model, new Tensor(Float32Array.from(input.flat(2)), [2, 4, 2])).data;
    expect(values).toHaveLength(4);
    values.forEach((v, i) => expect(Math.abs(v - reference[i]!)).toBeLessThan(1e-5));
  });

  it('should refuse to overwrite an existing file in one line unless --overwrite, and report JSON with --json', async () => {
    const out = join(dir, 'taken.onnx');
    await writeFile(out, 'mine');
    const refused = await demo('export', '--model', join(dir, 'model'), '--format', 'onnx', '--out', out);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(`rnnkit-demo: ${out} already exists; pass --overwrite to replace it, or choose another --out file\n`);
    expect(await readFile(out, 'utf8')).toBe('mine');
    const replaced = await demo('export', '--model', join(dir, 'model'), '--format', 'onnx', '--out', out, '--overwrite', '--json');
    expect(replaced.code).toBe(0);
    expect(JSON.parse(replaced.stdout)).toEqual({ file: out, format: 'onnx', bytes: (await stat(out)).size });
  });

  it('should refuse a missing flag and an unknown format in one line with exit code 2', async () => {
    const missing = await demo('export', '--model', join(dir, 'model'), '--format', 'onnx');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('rnnkit-demo: export needs --model PATH/model.json, --format onnx and --out FILE.onnx\n');
    const format = await demo('export', '--model', join(dir, 'model'), '--format', 'tflite', '--out', join(dir, 'x.tflite'));
    expect(format.code).toBe(2);
    expect(format.stderr).toBe('rnnkit-demo: --format expects onnx, got "tflite"\n');
  });
});
