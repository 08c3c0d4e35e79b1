// Helpers shared by the demo's tests: running the command line, and a saved model to run it on.
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Sequential } from '@rnnkit/layers';
import { saveModelToDirectory } from '@rnnkit/model/node';
import { Random, Tensor } from '@rnnkit/tensor';

const run = promisify(execFile);
const bin = join(import.meta.dirname, '..', 'bin', 'rnnkit-demo.js');

/** Runs `rnnkit-demo ...args` (relative paths resolve against the temporary directory); never throws for a failing exit. */
export async function demo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [bin, ...args], { env: { ...process.env, INIT_CWD: tmpdir() } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/**
 * A new temporary directory (named `prefix…`) holding `model` saved as `model/` and `input`
 * as `input.json`. The model's weights are first drawn from N(0, 0.5²) with `weightSeed`, so
 * that its outputs are far from what fresh initial weights give.
 */
export async function savedModelDirectory(prefix: string, model: Sequential, weightSeed: number, input: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const random = new Random(weightSeed);
  model.setWeights(model.getWeights().map((w) => new Tensor(random.fillNormal(new Float32Array(w.size), 0, 0.5), w.shape)));
  await saveModelToDirectory(model, join(dir, 'model'));
  await writeFile(join(dir, 'input.json'), JSON.stringify(input));
  return dir;
}
