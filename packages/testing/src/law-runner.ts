import fc from 'fast-check';
import { type DType, type Random, type Shape, Tensor, allocate, shapeSize } from '@rnnkit/tensor';

/**
 * One reusable law: a name that reads as a test title (`"should …"`) and a fast-check
 * property. Laws are plain data so any test runner can run them:
 *
 * @example
 * // vitest / jest / node:test
 * for (const law of layerLaws({ … })) it(law.name, () => fc.assert(law.property, { numRuns: 20 }));
 * // or without a test runner
 * runLaws(layerLaws({ … }), { numRuns: 20 });
 */
export interface Law {
  /** What the law states, e.g. `"should match central differences in float64"`. */
  readonly name: string;
  /** The property; `fc.assert(property)` throws with the seed and shrunk case on failure. */
  readonly property: fc.IProperty<unknown>;
}

/**
 * Runs laws one after another with `fc.assert`, throwing on the first that fails; the
 * error message starts with the law's name, keeps fast-check's report (seed, path and
 * counterexample) so the failure can be replayed, and ends with the law's own explanation
 * (e.g. the gradient check's table).
 *
 * @param parameters fast-check parameters for every law, e.g. `{ numRuns: 20, seed: 42 }`
 */
export function runLaws(laws: readonly Law[], parameters: fc.Parameters<unknown> = {}): void {
  for (const law of laws) {
    try {
      fc.assert(law.property, parameters);
    } catch (error) {
      // fast-check keeps the predicate's own error (e.g. a gradient report) as the cause.
      const message = error instanceof Error ? error.message : String(error);
      const cause = error instanceof Error && error.cause instanceof Error ? `\n\nCaused by: ${error.cause.message}` : '';
      throw new Error(`${law.name}: ${message}${cause}`, { cause: error });
    }
  }
}

/** A tensor of uniform values in `[low, high)` drawn from `random`. */
export function uniformTensor(shape: Shape, random: Random, dtype: DType, low = -1, high = 1): Tensor {
  const data = allocate(dtype, shapeSize(shape));
  random.fillUniform(data, low, high);
  return new Tensor(data, shape);
}

/** True when both tensors have the same shape, dtype and bit-identical values. */
export function identicalTensors(a: Tensor, b: Tensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length) return false;
  if (a.shape.some((d, i) => d !== b.shape[i])) return false;
  for (let i = 0; i < a.size; i++) if (!Object.is(a.data[i], b.data[i])) return false;
  return true;
}

/** A short description of a value for law failure messages. */
export function show(value: unknown): string {
  if (value !== null && typeof value === 'object' && 'shape' in value && 'dtype' in value) {
    const t = value as Tensor;
    return `Tensor [${t.shape.join(', ')}] ${t.dtype}`;
  }
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Deep equality of plain JSON-like data (configs). */
export function sameData(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => sameData((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
