// Helpers shared by this package's tests (not exported from the package).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Random, Tensor } from '@rnnkit/tensor';

/** The committed PyTorch fixtures (see scripts/make-fixtures.py). */
export const FIXTURES_DIR = join(import.meta.dirname, '..', 'fixtures');

/** What make-fixtures.py writes next to each .onnx file. */
export interface FixtureFacts {
  readonly description: string;
  readonly importable: boolean;
  readonly input: { readonly shape: number[]; readonly data: number[] };
  readonly output: { readonly shape: number[]; readonly data: number[] };
}

/** A fixture's ONNX bytes and facts, by name (e.g. 'lstm_1layer_last'). */
export function fixture(name: string): { bytes: Uint8Array; facts: FixtureFacts } {
  return {
    bytes: readFileSync(join(FIXTURES_DIR, `${name}.onnx`)),
    facts: JSON.parse(readFileSync(join(FIXTURES_DIR, `${name}.json`), 'utf8')) as FixtureFacts,
  };
}

/** The largest |a_i − b_i|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

/** A float32 tensor of seeded uniform values in [−scale, scale]. */
export function randomTensor(shape: readonly number[], random: Random | number, scale = 1): Tensor {
  const generator = typeof random === 'number' ? new Random(random) : random;
  const data = new Float32Array(shape.reduce((a, b) => a * b, 1)).map(() => generator.uniform(-scale, scale));
  return new Tensor(data, [...shape]);
}
