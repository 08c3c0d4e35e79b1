// Option checks shared by every generator and loader of this package. Each one throws an
// RnnkitError that names the API, the option, what was expected and what came.
import { type DType, Random, RnnkitError, checkDType, checkOptionKeys, describeValue } from '@rnnkit/tensor';

/** Options of every seeded generator: a seed, or a generator to draw from. */
export interface SeedOptions {
  /**
   * Seed of a fresh {@link Random}; the same seed gives the same data on every platform.
   * Ignored when `random` is given (giving both is an error).
   * @defaultValue 0
   */
  seed?: number;
  /**
   * A generator to draw from instead of a fresh one; it advances, so successive calls give
   * fresh data (experiment 2 draws one new pair per iteration).
   * @defaultValue a new `Random(seed)`
   */
  random?: Random;
}

/**
 * Checks that `options` is a plain object (or undefined) whose keys are all known.
 * @returns the options, `{}` when undefined
 */
export function checkOptions<T extends object>(api: string, options: T | undefined, known: readonly (keyof T & string)[]): T {
  if (options === undefined) return {} as T;
  checkOptionKeys(api, options, known);
  return options;
}

/** An integer in [min, max], or the default when undefined. */
export function integerOption(api: string, name: string, value: unknown, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) {
    if (fallback === undefined) throw new RnnkitError(api, `option "${name}" is required (an integer ≥ ${min})`);
    return fallback;
  }
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `≥ ${min}` : `in [${min}, ${max}]`;
    throw new RnnkitError(api, `option "${name}" must be an integer ${range}, got ${describeValue(value)}`);
  }
  return value;
}

/** A finite number (optionally ≥ 0), or the default when undefined. */
export function numberOption(api: string, name: string, value: unknown, fallback: number, nonNegative = false): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || (nonNegative && value < 0)) {
    throw new RnnkitError(api, `option "${name}" must be a finite number${nonNegative ? ' ≥ 0' : ''}, got ${describeValue(value)}`);
  }
  return value;
}

/** One of a fixed set of strings, or the default when undefined. */
export function choiceOption<C extends string>(api: string, name: string, value: unknown, choices: readonly C[], fallback: C): C {
  if (value === undefined) return fallback;
  if (!(choices as readonly unknown[]).includes(value)) {
    throw new RnnkitError(api, `option "${name}" must be one of ${choices.map((c) => `"${c}"`).join(', ')}, got ${describeValue(value)}`);
  }
  return value as C;
}

/** A dtype option (`float32` by default). */
export function dtypeOption(api: string, value: unknown, fallback: DType = 'float32'): DType {
  return value === undefined ? fallback : checkDType(api, value);
}

/** The generator a seeded API draws from: `random` if given, else `new Random(seed ?? 0)`. */
export function randomOption(api: string, options: SeedOptions): Random {
  const { seed, random } = options;
  if (random !== undefined) {
    if (seed !== undefined) throw new RnnkitError(api, 'give either "seed" or "random", not both');
    // Duck-typed rather than `instanceof`, so a Random from another copy of the package works.
    if (typeof (random as Partial<Random> | null)?.uniform !== 'function') throw new RnnkitError(api, `option "random" must be a Random, got ${describeValue(random)}`);
    return random;
  }
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new RnnkitError(api, `option "seed" must be a finite number, got ${describeValue(seed)}`);
  }
  return new Random(seed ?? 0);
}
