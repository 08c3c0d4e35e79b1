// Forward fill: a missing reading (NaN) takes the last valid reading before it, the usual
// repair of sensor logs (pandas' `ffill`). Values before the first valid reading have
// nothing to copy; the `leading` policy says what becomes of them.
import { RnnkitError, Tensor, type TypedArray, describeValue, formatShape } from '@rnnkit/tensor';
import { checkOptions, choiceOption } from './options.js';

/** What happens to missing values before the first valid one of a column. */
export type ForwardFillLeading = 'keep' | 'backward';

/** Options of {@link forwardFill}. */
export interface ForwardFillOptions {
  /**
   * Missing values before the first valid one: `'keep'` leaves them NaN, `'backward'`
   * copies the first valid value back over them. (The SCADA loader can also drop those rows.)
   * @defaultValue 'keep'
   */
  leading?: ForwardFillLeading;
}

/**
 * Replaces every NaN of a series `[n]` or `[n, features]` (per feature, along the first axis)
 * with the last valid value before it. Returns a new tensor; after it, no NaN remains past
 * the first valid value of each feature.
 */
export function forwardFill(series: Tensor, options?: ForwardFillOptions): Tensor {
  const api = 'forwardFill';
  const o = checkOptions(api, options, ['leading']);
  const leading = choiceOption(api, 'leading', o.leading, ['keep', 'backward'], 'keep');
  if (!(series instanceof Tensor) || (series.rank !== 1 && series.rank !== 2)) {
    const got = series instanceof Tensor ? `shape ${formatShape(series.shape)}` : describeValue(series);
    throw new RnnkitError(api, `expected a tensor [n] or [n, features], got ${got}`);
  }
  const out = series.clone();
  const n = series.shape[0]!;
  const features = series.rank === 2 ? series.shape[1]! : 1;
  for (let j = 0; j < features; j++) fillColumn(out.data, j, features, n, leading);
  return out;
}

/**
 * Forward-fills column `column` of row-major `data` (stride `stride`, `n` rows) in place.
 * @returns the number of values filled, and the row of the first valid value (n if none)
 */
export function fillColumn(
  data: TypedArray,
  column: number,
  stride: number,
  n: number,
  leading: ForwardFillLeading,
): { filled: number; firstValid: number } {
  let filled = 0;
  let firstValid = n;
  let last = NaN;
  for (let i = 0; i < n; i++) {
    const k = i * stride + column;
    const v = data[k]!;
    if (Number.isNaN(v)) {
      if (firstValid < n) {
        data[k] = last;
        filled++;
      }
    } else {
      if (firstValid === n) firstValid = i;
      last = v;
    }
  }
  if (leading === 'backward' && firstValid < n) {
    const first = data[firstValid * stride + column]!;
    for (let i = 0; i < firstValid; i++) data[i * stride + column] = first;
    filled += firstValid;
  }
  return { filled, firstValid };
}
