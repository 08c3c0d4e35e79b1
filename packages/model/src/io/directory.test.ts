// The Node entry: models as files in a directory, never overwritten unasked, and weight
// files that must stay inside the directory.
import { mkdir, readFile, readdir, realpath, rm, stat, symlink, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, Sequential } from '@rnnkit/layers';
import { adam, createOptimizer } from '@rnnkit/optimizers';
import { loadModelFromDirectory, saveModelToDirectory } from '../node.js';
import { cleanup, randomInput, temporaryDirectory } from './test-support.js';

afterAll(cleanup);

function small(seed = 1): Sequential {
  return new Sequential({ layers: [new LSTM({ units: 3, returnSequences: true }), new GRU({ units: 2 }), new Dense({ units: 1 })], inputShape: [4, 2], seed });
}

describe('saveModelToDirectory and loadModelFromDirectory', () => {
  it('should write model.json and group1-shard1of1.bin, creating the directory, and load them back bit for bit', async () => {
    const model = small();
    const dir = join(await temporaryDirectory(), 'nested', 'model');
    const files = await saveModelToDirectory(model, dir);
    expect(files).toEqual({ modelJson: join(dir, 'model.json'), weights: [join(dir, 'group1-shard1of1.bin')] });
    expect((await readdir(dir)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']);
    const x = randomInput([2, 4, 2], 3);
    for (const path of [dir, join(dir, 'model.json')]) {
      const { model: copy } = await loadModelFromDirectory(path);
      expect(Array.from(copy.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
    }
  });

  it('should save under a given .json name, the weights beside it', async () => {
    const dir = await temporaryDirectory();
    const files = await saveModelToDirectory(small(), join(dir, 'forecaster.json'));
    expect(files.modelJson).toBe(join(dir, 'forecaster.json'));
    expect((await readdir(dir)).sort()).toEqual(['forecaster.json', 'group1-shard1of1.bin']);
    expect((await loadModelFromDirectory(join(dir, 'forecaster.json'))).model.layerNames).toEqual(['lstm', 'gru', 'dense']);
  });

  it('should never replace an existing model.json or weight file without overwrite: true', async () => {
    const dir = await temporaryDirectory();
    await saveModelToDirectory(small(1), dir);
    const before = await readFile(join(dir, 'group1-shard1of1.bin'));
    await expect(saveModelToDirectory(small(2), dir)).rejects.toThrow(
      `saveModelToDirectory: ${join(dir, 'model.json')} already exists; pass overwrite: true to replace it, or choose another directory`,
    );
    expect(await readFile(join(dir, 'group1-shard1of1.bin'))).toEqual(before);
    const other = await temporaryDirectory();
    await writeFile(join(other, 'group1-shard1of1.bin'), 'mine');
    await expect(saveModelToDirectory(small(2), other)).rejects.toThrow(`${join(other, 'group1-shard1of1.bin')} already exists`);
    expect(await readFile(join(other, 'group1-shard1of1.bin'), 'utf8')).toBe('mine');
    expect(await readdir(other)).toEqual(['group1-shard1of1.bin']);

    await saveModelToDirectory(small(2), dir, { overwrite: true });
    expect(await readFile(join(dir, 'group1-shard1of1.bin'))).not.toEqual(before);
    expect((await readdir(dir)).sort()).toEqual(['group1-shard1of1.bin', 'model.json']); // no temporary files left
  });

  it('should refuse a path that is a file, and options it does not know', async () => {
    const dir = await temporaryDirectory();
    await writeFile(join(dir, 'plain'), '');
    await expect(saveModelToDirectory(small(), join(dir, 'plain'))).rejects.toThrow(`saveModelToDirectory: ${join(dir, 'plain')} exists and is not a directory`);
    await expect(saveModelToDirectory(small(), dir, { force: true } as never)).rejects.toThrow('saveModelToDirectory: unknown option "force"');
    await expect(loadModelFromDirectory(dir, { overwrite: true } as never)).rejects.toThrow('loadModelFromDirectory: unknown option "overwrite"');
  });

  it('should resume with the optimizer saved beside the model', async () => {
    const model = small(4);
    const optimizer = createOptimizer(adam, model.params());
    const dir = await temporaryDirectory();
    await saveModelToDirectory(model, dir, { optimizer });
    const loaded = await loadModelFromDirectory(dir, { optimizerPlugins: [adam] });
    expect(loaded.optimizer!.getState()).toEqual(optimizer.getState());
  });

  it('should name a missing directory, model.json or weight file', async () => {
    const dir = await temporaryDirectory();
    await expect(loadModelFromDirectory(join(dir, 'none'))).rejects.toThrow(`loadModelFromDirectory: ${join(dir, 'none')} does not exist`);
    await expect(loadModelFromDirectory(dir)).rejects.toThrow(`loadModelFromDirectory: ${join(dir, 'model.json')}: does not exist`);
    await saveModelToDirectory(small(), dir);
    await rm(join(dir, 'group1-shard1of1.bin'));
    await expect(loadModelFromDirectory(dir)).rejects.toThrow(
      `weightsManifest[0].paths[0] "group1-shard1of1.bin": the weight file ${join(dir, 'group1-shard1of1.bin')} cannot be read: no such file or directory`,
    );
  });

  it('should name the files of a truncated group', async () => {
    const dir = await temporaryDirectory();
    await saveModelToDirectory(small(), dir);
    const file = join(dir, 'group1-shard1of1.bin');
    const size = (await stat(file)).size;
    await truncate(file, size - 3);
    await expect(loadModelFromDirectory(dir)).rejects.toThrow(
      `loadModelFromDirectory: ${join(dir, 'model.json')}: the weight files of weightsManifest[0] (group1-shard1of1.bin ${size - 3} bytes) hold ${size - 3} bytes, ` +
        `but its 8 weights need ${size} (4 per float32): the weights are truncated`,
    );
  });

  it('should refuse a weight file that is a symbolic link leading out of the directory', async () => {
    const outside = await temporaryDirectory();
    const dir = join(outside, 'model');
    await saveModelToDirectory(small(), dir);
    await mkdir(join(outside, 'elsewhere'));
    const weights = join(dir, 'group1-shard1of1.bin');
    const moved = join(outside, 'elsewhere', 'w.bin');
    await writeFile(moved, await readFile(weights));
    await rm(weights);
    await symlink(moved, weights);
    await expect(loadModelFromDirectory(dir)).rejects.toThrow(
      `weightsManifest[0].paths[0] "group1-shard1of1.bin" leads outside the model's directory (to ${await realpath(moved)}); weight paths must stay inside it`,
    );
  });

  it('should refuse a model.json over the size limit before reading it', async () => {
    const dir = await temporaryDirectory();
    await saveModelToDirectory(small(), dir);
    const size = (await stat(join(dir, 'model.json'))).size;
    await expect(loadModelFromDirectory(dir, { limits: { maxJsonBytes: 100 } })).rejects.toThrow(
      `${join(dir, 'model.json')}: is ${size} bytes, larger than the limit of 100 (limits.maxJsonBytes)`,
    );
  });
});
