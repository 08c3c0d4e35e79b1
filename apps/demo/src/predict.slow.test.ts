import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, Sequential } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { runPredict } from './predict.js';
import { demo, savedModelDirectory } from './cli.test-util.js';

let dir: string;
let model: Sequential;
const input = [
  [[0.5, -1], [0.25, 0.75], [1, 0]],
  [[-0.5, 0.5], [0, 0], [0.1, 0.2]],
];

beforeAll(async () => {
  model = new Sequential({ layers: [new LSTM({ units: 4, returnSequences: true }), new GRU({ units: 3 }), new Dense({ units: 2 })], inputShape: [3, 2], seed: 5 });
  dir = await savedModelDirectory('rnnkit-predict-', model, 6, input);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expected(values: number[][][]): string {
  const x = new Tensor(Float32Array.from(values.flat(2)), [values.length, values[0]!.length, values[0]![0]!.length]);
  return JSON.stringify(predict(model, x).toArray());
}

describe('rnnkit-demo predict', () => {
  it("should print exactly the model's predictions as one JSON array", async () => {
    const { code, stdout, stderr } = await demo('predict', '--model', join(dir, 'model', 'model.json'), '--input', join(dir, 'input.json'));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toBe(`${expected(input)}\n`);
    expect(JSON.parse(stdout)).toHaveLength(2);
  });

  it('should refuse a ragged input in one line on stderr with a non-zero exit', async () => {
    await writeFile(join(dir, 'ragged.json'), JSON.stringify([[[1, 2], [3, 4], [5, 6]], [[1, 2], [3, 4]]]));
    const { code, stdout, stderr } = await demo('predict', '--model', join(dir, 'model'), '--input', join(dir, 'ragged.json'));
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toBe(`rnnkit-demo: input ${join(dir, 'ragged.json')} is ragged: [1] has 2 items, but [0] has 3`);
  });
});

describe('runPredict', () => {
  it('should accept the model directory as well as its model.json', async () => {
    expect(JSON.stringify(await runPredict(join(dir, 'model'), join(dir, 'input.json')))).toBe(expected(input));
  });

  it('should name an unreadable file, invalid JSON, non-numbers and the wrong number of features', async () => {
    const file = async (name: string, text: string) => {
      await writeFile(join(dir, name), text);
      return join(dir, name);
    };
    const model = join(dir, 'model');
    await expect(runPredict(model, join(dir, 'missing.json'))).rejects.toThrow(`cannot read input ${join(dir, 'missing.json')}: no such file`);
    await expect(runPredict(model, await file('bad.json', '[[[1, 2]'))).rejects.toThrow(`input ${join(dir, 'bad.json')} is not valid JSON: `);
    await expect(runPredict(model, await file('text.json', '[[[1, "2"], [3, 4], [5, 6]]]'))).rejects.toThrow(
      `input ${join(dir, 'text.json')}: element [0][0][1] is "2", expected a finite number`,
    );
    await expect(runPredict(model, await file('flat.json', '[1, 2, 3]'))).rejects.toThrow(
      `input ${join(dir, 'flat.json')}: element [0] is 1, expected a list (input [batch, time, features], e.g. [[[0.1], [0.2]]])`,
    );
    await expect(runPredict(model, await file('empty.json', '[]'))).rejects.toThrow(`input ${join(dir, 'empty.json')}: the top level is an empty list (input [batch, time, features]`);
    await expect(runPredict(model, await file('wide.json', '[[[1, 2, 3], [1, 2, 3], [1, 2, 3]]]'))).rejects.toThrow(
      `input ${join(dir, 'wide.json')} has 3 features per step, but the model expects 2 (input shape [batch, 3, 2])`,
    );
    await expect(runPredict(model, await file('long.json', '[[[1, 2], [1, 2], [1, 2], [1, 2]]]'))).rejects.toThrow(
      `input ${join(dir, 'long.json')} has length 4 on axis 1, but the model expects 3`,
    );
    await expect(runPredict(join(dir, 'nowhere'), join(dir, 'input.json'))).rejects.toThrow(`loadModelFromDirectory: ${join(dir, 'nowhere')} does not exist`);
  });
});

describe('runPredict on untrusted input files', () => {
  const file = async (name: string, text: string) => {
    await writeFile(join(dir, name), text);
    return join(dir, name);
  };

  it('should refuse numbers that overflow to Infinity instead of calling them null', async () => {
    const path = await file('huge.json', '[[[1, 1e400], [3, 4], [5, 6]]]');
    await expect(runPredict(join(dir, 'model'), path)).rejects.toThrow(
      `input ${path}: element [0][0][1] is a number too large for a double (Infinity once read; at most ±1.8e308), expected a finite number`,
    );
    const negative = await file('negative.json', '[[[1, 2], [3, 4], [-1e400, 6]]]');
    await expect(runPredict(join(dir, 'model'), negative)).rejects.toThrow('element [0][2][0] is a number too large for a double (-Infinity once read');
  });

  it('should refuse numbers a float32 model would see as Infinity', async () => {
    const path = await file('float32.json', '[[[1, 2], [3, 1e39], [5, 6]]]');
    await expect(runPredict(join(dir, 'model'), path)).rejects.toThrow(`input ${path}: element [0][1][1] is 1e+39, beyond what the model's float32 holds (±3.4e38)`);
  });

  it('should bound the nesting depth with a clear error instead of overflowing the stack', async () => {
    const deep = await file('deep.json', `[[[1, 2], [3, 4], [${'['.repeat(200_000)}${']'.repeat(200_000)}, 6]]]`);
    await expect(runPredict(join(dir, 'model'), deep)).rejects.toThrow(`input ${deep} nests lists or objects deeper than 32 levels (line 1, column 49)`);
    // Brackets inside strings do not count.
    const quoted = await file('quoted.json', `[[[1, 2], [3, 4], [5, "${'['.repeat(100)}"]]]`);
    await expect(runPredict(join(dir, 'model'), quoted)).rejects.toThrow(`input ${quoted}: element [0][2][1] is "${'['.repeat(60)}"… (40 more characters), expected a finite number`);
  });

  it('should describe a misplaced list by its length, never serialising it whole', async () => {
    const wide = await file('wide-leaf.json', `[[[1, [${Array.from({ length: 100_000 }, () => 0).join(',')}]], [3, 4], [5, 6]]]`);
    await expect(runPredict(join(dir, 'model'), wide)).rejects.toThrow(`input ${wide}: element [0][0][1] is a list of 100000 items, expected a finite number`);
  });

  it('should read input that starts with a byte-order mark', async () => {
    const path = await file('bom.json', `\ufeff${JSON.stringify(input)}`);
    expect(JSON.stringify(await runPredict(join(dir, 'model'), path))).toBe(expected(input));
  });

  it('should escape terminal controls quoted from the input', async () => {
    const path = await file('controls.json', '[[[1, "\\u001b]2;owned\\u0007\\u202e"], [3, 4], [5, 6]]]');
    await expect(runPredict(join(dir, 'model'), path)).rejects.toThrow(`input ${path}: element [0][0][1] is "\\x1b]2;owned\\x07\\u202e", expected a finite number`);
  });
});

describe('rnnkit-demo predict --json', () => {
  it('should print one JSON line naming the API of a library refusal', async () => {
    const { code, stdout, stderr } = await demo('predict', '--json', '--model', join(dir, 'nowhere'), '--input', join(dir, 'input.json'));
    expect(code).toBe(1);
    expect(stderr).toBe(`rnnkit-demo: loadModelFromDirectory: ${join(dir, 'nowhere')} does not exist\n`);
    expect(stdout.split('\n')).toHaveLength(2);
    expect(JSON.parse(stdout)).toEqual({ error: `loadModelFromDirectory: ${join(dir, 'nowhere')} does not exist`, exitCode: 1, api: 'loadModelFromDirectory' });
  });
});
