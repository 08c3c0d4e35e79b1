// Reading the numbers the forecasting helpers accept: a Tensor, or a plain list of numbers
// (a 1-D series). Not exported from index.ts.
import { RnnkitError, Tensor, describeValue, formatShape } from '@rnnkit/tensor';

/** A series or a block of values: a Tensor, or numbers in a plain or typed array (1-D). */
export type SeriesValues = Tensor | readonly number[] | Float32Array | Float64Array;

/** Values with a shape: a list of numbers reads as shape `[length]`. */
export interface ShapedValues {
  readonly data: ArrayLike<number>;
  readonly shape: readonly number[];
  readonly isTensor: boolean;
}

/** Reads a Tensor or a number list, refusing anything else, an empty one and non-finite values. */
export function readValues(api: string, label: string, value: unknown): ShapedValues {
  let shaped: ShapedValues;
  if (value instanceof Tensor) shaped = { data: value.data, shape: value.shape, isTensor: true };
  else if (value instanceof Float32Array || value instanceof Float64Array) shaped = { data: value, shape: [value.length], isTensor: false };
  else if (Array.isArray(value) && value.every((v) => typeof v === 'number')) {
    shaped = { data: value as readonly number[], shape: [value.length], isTensor: false };
  } else {
    throw new RnnkitError(api, `${label} must be a Tensor or an array of numbers, got ${describeValue(value)}`);
  }
  if (shaped.data.length === 0) throw new RnnkitError(api, `${label} holds no values (shape ${formatShape(shaped.shape)})`);
  for (let i = 0; i < shaped.data.length; i++) {
    const v = shaped.data[i]!;
    if (!Number.isFinite(v)) throw new RnnkitError(api, `${label} holds ${v} at flat index ${i}: values must be finite`);
  }
  return shaped;
}

/** Checks that two blocks of values line up element for element. */
export function checkSameShape(api: string, a: ShapedValues, aLabel: string, b: ShapedValues, bLabel: string): void {
  const both = a.isTensor && b.isTensor;
  const same = both
    ? a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape[i])
    : a.data.length === b.data.length;
  if (!same) {
    const describe = (v: ShapedValues): string => (v.isTensor ? `shape ${formatShape(v.shape)}` : `${v.data.length} value${v.data.length === 1 ? '' : 's'}`);
    throw new RnnkitError(api, `${aLabel} (${describe(a)}) and ${bLabel} (${describe(b)}) must have the same ${both ? 'shape' : 'number of values'}`);
  }
}

/** An integer option at least `min`: `forecast: steps must be an integer ≥ 1, got 0`. */
export function integerAtLeast(api: string, name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new RnnkitError(api, `${name} must be an integer ≥ ${min}, got ${shown(value)}`);
  }
  return value;
}

/** A value as an error message shows it: numbers bare (`0`, `NaN`), anything else described. */
export function shown(value: unknown): string {
  return typeof value === 'number' ? String(value) : describeValue(value);
}
