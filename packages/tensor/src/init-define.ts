// The plumbing every initialiser factory shares: the Initializer type and its names,
// define() (which checks an initialiser's arguments, fills in float64, converts to the dtype
// asked for and records the config the factory was called with), and the readers of options.
import { RnnkitError } from './errors.js';
import { checkOptionKeys, describeValue } from './options.js';
import { Random } from './random.js';
import { type Shape, checkShape, shapeSize } from './shape.js';
import { type DType, type TypedArray, Tensor, allocate, checkDType } from './tensor.js';

/**
 * Makes the initial value of a parameter: a tensor of `shape` whose random values (if any)
 * are drawn from `random`, so one seed reproduces every initial weight.
 * Values are drawn one element at a time in row-major order; `dtype` defaults to float32.
 */
export type Initializer = (shape: Shape, random: Random, dtype?: DType) => Tensor;

/** The canonical names of the built-in initialisers (Keras' names, in camelCase). */
export type InitializerName =
  | 'zeros'
  | 'ones'
  | 'constant'
  | 'randomUniform'
  | 'randomNormal'
  | 'truncatedNormal'
  | 'varianceScaling'
  | 'glorotUniform'
  | 'glorotNormal'
  | 'heNormal'
  | 'heUniform'
  | 'orthogonal';

/** A built-in initialiser as plain data: its name and the options it was made with. */
export interface InitializerConfig {
  readonly name: InitializerName;
  readonly options?: Readonly<Record<string, unknown>>;
}

/** The config each built-in initialiser was made with, for {@link initializerConfig}. */
const configs = new WeakMap<Initializer, InitializerConfig>();

/** Writes an initialiser's values (row-major, float64) into `out`. */
export type Fill = (out: Float64Array, shape: Shape, random: Random) => void;

/** Wraps a fill routine into an {@link Initializer} that checks its arguments. */
export function define(name: InitializerName, options: Record<string, unknown>, fill: Fill): Initializer {
  const initializer: Initializer = (shape, random, dtype = 'float32') => {
    checkShape(name, shape);
    checkDType(name, dtype);
    if (!(random instanceof Random)) {
      throw new RnnkitError(name, `expected a Random as the second argument, got ${describeValue(random)}`);
    }
    // Through allocate, so that a huge shape (a layer of a million units) is a clear error.
    const values = allocate('float64', shapeSize(shape), shape, name) as Float64Array;
    fill(values, shape, random);
    const data: TypedArray = dtype === 'float64' ? values : allocate(dtype, values.length, shape, name);
    if (data !== values) data.set(values);
    return new Tensor(data, shape);
  };
  configs.set(initializer, Object.keys(options).length === 0 ? { name } : { name, options: Object.freeze({ ...options }) });
  return initializer;
}

/** The options of a factory, `{}` when undefined; throws on a non-object or an unknown key. */
export function checkOptions(api: string, options: unknown, known: readonly string[]): Record<string, unknown> {
  if (options === undefined) return {};
  checkOptionKeys(api, options, known);
  return options as Record<string, unknown>;
}

/** A finite number option, `fallback` when undefined. */
export function finiteNumber(api: string, name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RnnkitError(api, `${name} must be a finite number, got ${describeValue(value)}`);
  }
  return value;
}

/** A finite number option ≥ 0, `fallback` when undefined. */
export function nonNegative(api: string, name: string, value: unknown, fallback: number): number {
  const n = finiteNumber(api, name, value, fallback);
  if (n < 0) throw new RnnkitError(api, `${name} must be ≥ 0, got ${n}`);
  return n;
}

/** A boolean option, `fallback` when undefined. */
export function flag(api: string, name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') throw new RnnkitError(api, `${name} must be a boolean, got ${describeValue(value)}`);
  return value;
}

/** The config a built-in initialiser was made with, or undefined for any other function. */
export function recordedConfig(initializer: Initializer): InitializerConfig | undefined {
  return configs.get(initializer);
}
