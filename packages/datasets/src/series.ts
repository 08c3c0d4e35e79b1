// Reading the series types this package accepts into one shape: row-major values of n time
// steps by f features.
import { type DType, RnnkitError, Tensor, type TypedArray, describeValue, formatShape } from '@rnnkit/tensor';

/**
 * A time series: one value per step (`number[]`, a typed array or a tensor `[n]`) or several
 * features per step (`number[][]` rows or a tensor `[n, features]`).
 */
export type SeriesInput = Tensor | Float32Array | Float64Array | readonly number[] | readonly (readonly number[])[];

/** A series as contiguous row-major values. */
export interface Series {
  readonly data: TypedArray | readonly number[];
  /** Time steps. */
  readonly length: number;
  /** Features per step. */
  readonly features: number;
  /** The dtype the input suggests (a tensor's or typed array's own, else float32). */
  readonly dtype: DType;
}

export function readSeries(api: string, series: SeriesInput): Series {
  if (series instanceof Tensor) {
    if (series.rank === 1) return { data: series.data, length: series.shape[0]!, features: 1, dtype: series.dtype };
    if (series.rank === 2) return { data: series.data, length: series.shape[0]!, features: series.shape[1]!, dtype: series.dtype };
    throw new RnnkitError(api, `expected a series tensor [n] or [n, features], got shape ${formatShape(series.shape)}`);
  }
  if (series instanceof Float32Array) return { data: series, length: series.length, features: 1, dtype: 'float32' };
  if (series instanceof Float64Array) return { data: series, length: series.length, features: 1, dtype: 'float64' };
  if (!Array.isArray(series)) {
    throw new RnnkitError(api, `expected a series (number[], number[][], a Float32Array/Float64Array or a tensor), got ${describeValue(series)}`);
  }
  if (series.length > 0 && Array.isArray(series[0])) {
    const rows = series as readonly (readonly number[])[];
    const features = rows[0]!.length;
    const data = new Array<number>(rows.length * features);
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (!Array.isArray(row) || row.length !== features) {
        throw new RnnkitError(api, `row ${i} has ${Array.isArray(row) ? row.length : describeValue(row)} values, row 0 has ${features}`);
      }
      for (let j = 0; j < features; j++) {
        const v = row[j];
        if (typeof v !== 'number') throw new RnnkitError(api, `expected a number at [${i}][${j}], got ${describeValue(v)}`);
        data[i * features + j] = v;
      }
    }
    return { data, length: rows.length, features, dtype: 'float32' };
  }
  const values = series as readonly number[];
  for (let i = 0; i < values.length; i++) {
    if (typeof values[i] !== 'number') throw new RnnkitError(api, `expected a number at [${i}], got ${describeValue(values[i])}`);
  }
  return { data: values, length: values.length, features: 1, dtype: 'float32' };
}
