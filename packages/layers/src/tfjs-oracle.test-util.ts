// What the TF.js oracle tests share: loading TF.js quietly on its CPU backend for a test file,
// our side's forward and backward pass under a random linear loss, and comparing numbers
// within 1e-5. (Not exported from index.ts; TF.js is a devDependency of the tests.)
import { afterAll, beforeAll, expect, vi } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import type { Random, Tensor } from '@rnnkit/tensor';
import type { ForwardOptions, Layer } from './layer.js';
import { uniform } from './test-support.js';

/** TF.js on its CPU backend, its greeting to Node users ("install our node backend …") silenced. */
export async function loadTf(): Promise<typeof TF> {
  // (`console` reached through globalThis: this package compiles without Node's or the DOM's types.)
  const output = (globalThis as unknown as { console: Record<'warn' | 'log', (...args: unknown[]) => void> }).console;
  const quiet = [vi.spyOn(output, 'warn').mockImplementation(() => {}), vi.spyOn(output, 'log').mockImplementation(() => {})];
  try {
    const tf = await import('@tensorflow/tfjs');
    await tf.setBackend('cpu');
    await tf.ready();
    tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(1)).dataSync());
    return tf;
  } finally {
    for (const spy of quiet) spy.mockRestore();
  }
}

/** Loads TF.js ({@link loadTf}) before the file's tests, handing it to `use`, and frees its variables after them. */
export function withTf(use: (tf: typeof TF) => void): void {
  let loaded: typeof TF | undefined;
  beforeAll(async () => {
    loaded = await loadTf();
    use(loaded);
  });
  afterAll(() => {
    loaded?.disposeVariables();
  });
}

/**
 * `layer`'s forward pass on `x`, then its backward pass for loss = Σ y ⊙ w with a random
 * `w` (so ∂loss/∂y = w), the parameters' gradients zeroed first.
 */
export function forwardBackward<Cache>(layer: Layer<Cache>, x: Tensor, random: Random, options?: ForwardOptions): { y: Tensor; w: Tensor; dx: Tensor } {
  const { y, cache } = layer.forward(x, options);
  const w = uniform(y.shape, random, 'float32');
  for (const p of layer.params()) p.zeroGrad();
  const dx = layer.backward(w, cache);
  return { y, w, dx };
}

/** |a − b| ≤ 1e-5 · max(1, |b|) for every element. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const b = expected[i]!;
    if (!(Math.abs(a - b) <= 1e-5 * Math.max(1, Math.abs(b)))) {
      throw new Error(`${what}[${i}]: rnnkit ${a}, TF.js ${b} (difference ${Math.abs(a - b)})`);
    }
  }
}
