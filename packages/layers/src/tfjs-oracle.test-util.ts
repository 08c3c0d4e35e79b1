// What the TF.js oracle tests share: loading TF.js quietly on its CPU backend, and comparing
// numbers within 1e-5. (Not exported from index.ts; TF.js is a devDependency of the tests.)
import { expect, vi } from 'vitest';
import type * as TF from '@tensorflow/tfjs';

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
