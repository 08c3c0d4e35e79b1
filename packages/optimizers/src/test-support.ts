// Helpers shared by this package's tests (not exported from index.ts).
import { Param, Tensor } from '@rnnkit/tensor';
import type { Optimizer } from './optimizer.js';
import type { OptionsShape, StateShape } from './plugin.js';

/** A float64 Param with these values (1-D). */
export function param(name: string, values: readonly number[]): Param {
  return new Param(name, new Tensor(Float64Array.from(values), [values.length]));
}

/**
 * Runs `steps` training steps the way a loop does (zero, look ahead, gradient, step) with
 * the gradient `gradient(values)` evaluated at the values after `beforeGradient()`, and
 * returns the values after every step.
 */
export function trajectory<O extends OptionsShape<O>, S extends StateShape<S>>(
  optimizer: Optimizer<O, S>,
  p: Param,
  gradient: (values: readonly number[], step: number) => readonly number[],
  steps: number,
): number[][] {
  const out: number[][] = [];
  for (let s = 1; s <= steps; s++) {
    optimizer.zeroGrad();
    optimizer.beforeGradient();
    p.grad.data.set(gradient(Array.from(p.value.data), s));
    optimizer.step();
    out.push(Array.from(p.value.data));
  }
  return out;
}

/** Asserts two lists of numbers agree to `digits` decimals, with a readable message. */
export function expectClose(actual: readonly number[], expected: readonly number[], tolerance = 1e-12): void {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} vs expected ${expected.length}`);
  actual.forEach((a, i) => {
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)))) {
      throw new Error(`[${i}]: got ${a}, expected ${e} (tolerance ${tolerance})`);
    }
  });
}
