// What happens to one series after reading: order by instant, merge duplicate instants,
// resample on a grid, repair missing values. Plain functions on row-major Float64Arrays
// (`k` values per row), so each step can be tested alone.
import { fillColumn } from '../fill.js';
import type { LeadingPolicy, TimeSeriesDuplicates, TimeSeriesFill } from './options.js';

/** Rows of one series: `times[i]` and the values `values[i·k … i·k + k)`. */
export interface Rows {
  times: Float64Array;
  values: Float64Array;
  /** Values per row. */
  k: number;
}

/** Two rows of the same instant, for the `'error'` policy's message (1-based lines). */
export interface DuplicateFound {
  instant: number;
  firstLine: number;
  secondLine: number;
}

/**
 * Where a merged instant goes in file order (`sort: false`): where its first row was, or
 * where the row kept (`'last'`: the last) was.
 */
export type MergedPlace = 'first' | 'kept';

/**
 * Rows in time order (a stable sort; file order when `sort` is false), one per instant.
 * @param lines input line of each row, to report duplicates
 * @returns the rows and how many repeated an instant; or the first duplicate in file order
 *   under the `'error'` policy
 */
export function orderRows(
  input: Rows,
  lines: ArrayLike<number>,
  sort: boolean,
  policy: TimeSeriesDuplicates,
  placeMerged: MergedPlace = 'first',
): { rows: Rows; duplicates: number } | { duplicate: DuplicateFound } {
  const { times, values, k } = input;
  const n = times.length;
  const byTime = Uint32Array.from({ length: n }, (_, i) => i);
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) ordered = times[i - 1]! <= times[i]!;
  if (!ordered) byTime.sort((a, b) => times[a]! - times[b]! || a - b);
  if (policy === 'keep') {
    if (!sort || ordered) return { rows: { times: times.slice(), values: values.slice(), k }, duplicates: 0 };
    return { rows: { times: Float64Array.from(byTime, (i) => times[i]!), values: gather(values, k, byTime), k }, duplicates: 0 };
  }

  // Runs of equal instants in `byTime`; each becomes one row (`first` is its first row in file order).
  const runStart: number[] = [];
  let duplicates = 0;
  let found: DuplicateFound | undefined;
  for (let r = 0; r < n; r++) {
    if (r > 0 && times[byTime[r]!] === times[byTime[r - 1]!]) {
      duplicates++;
      const [first, second] = [byTime[r - 1]!, byTime[r]!];
      if (policy === 'error' && (found === undefined || lines[second]! < found.secondLine)) {
        found = { instant: times[second]!, firstLine: lines[first]!, secondLine: lines[second]! };
      }
    } else {
      runStart.push(r);
    }
  }
  if (found !== undefined) return { duplicate: found };
  if (duplicates === 0 && (ordered || sort)) {
    return { rows: { times: Float64Array.from(byTime, (i) => times[i]!), values: gather(values, k, byTime), k }, duplicates };
  }

  const m = runStart.length;
  const outTimes = new Float64Array(m);
  const outValues = new Float64Array(m * k);
  const firstRow = new Uint32Array(m);
  for (let j = 0; j < m; j++) {
    const a = runStart[j]!;
    const b = j + 1 < m ? runStart[j + 1]! : n;
    outTimes[j] = times[byTime[a]!]!;
    firstRow[j] = placeMerged === 'kept' && policy === 'last' ? byTime[b - 1]! : byTime[a]!;
    if (policy === 'mean' && b - a > 1) {
      for (let c = 0; c < k; c++) {
        let sum = 0;
        let count = 0;
        for (let r = a; r < b; r++) {
          const v = values[byTime[r]! * k + c]!;
          if (!Number.isNaN(v)) {
            sum += v;
            count++;
          }
        }
        outValues[j * k + c] = count > 0 ? sum / count : NaN;
      }
    } else {
      const source = policy === 'last' ? byTime[b - 1]! : byTime[a]!;
      outValues.set(values.subarray(source * k, source * k + k), j * k);
    }
  }
  if (sort) return { rows: { times: outTimes, values: outValues, k }, duplicates };
  // File order: each instant where it first appears (or where its kept row is).
  const order = Uint32Array.from({ length: m }, (_, j) => j).sort((a, b) => firstRow[a]! - firstRow[b]!);
  return { rows: { times: Float64Array.from(order, (j) => outTimes[j]!), values: gather(outValues, k, order), k }, duplicates };
}

function gather(values: Float64Array, k: number, order: ArrayLike<number>): Float64Array {
  const out = new Float64Array(order.length * k);
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    for (let c = 0; c < k; c++) out[r * k + c] = values[i * k + c]!;
  }
  return out;
}

/** Grid instants from the first row's to the last row's (rows in time order, at least one). */
export function gridSize(times: Float64Array, step: number): { start: number; size: number } {
  const start = Math.floor(times[0]! / step) * step;
  const size = Math.floor((times[times.length - 1]! - start) / step) + 1;
  return { start, size };
}

/**
 * Resamples rows in time order on the grid of `step` ms (multiples of the step since the
 * epoch): each grid instant takes the per-column mean of the values present in
 * `[instant, instant + step)`; an instant without rows is a gap, all NaN.
 */
export function resample(rows: Rows, step: number): { rows: Rows; gaps: number } {
  const { times, values, k } = rows;
  const { start, size } = gridSize(times, step);
  const sums = new Float64Array(size * k);
  const counts = new Uint32Array(size * k);
  const hits = new Uint8Array(size);
  for (let i = 0; i < times.length; i++) {
    const g = Math.floor((times[i]! - start) / step);
    hits[g] = 1;
    for (let c = 0; c < k; c++) {
      const v = values[i * k + c]!;
      if (!Number.isNaN(v)) {
        sums[g * k + c]! += v;
        counts[g * k + c]!++;
      }
    }
  }
  let gaps = 0;
  for (let g = 0; g < size; g++) gaps += 1 - hits[g]!;
  const out = new Float64Array(size * k);
  for (let x = 0; x < out.length; x++) out[x] = counts[x]! > 0 ? sums[x]! / counts[x]! : NaN;
  const grid = Float64Array.from({ length: size }, (_, g) => start + g * step);
  return { rows: { times: grid, values: out, k }, gaps };
}

/**
 * Linear interpolation in time of the NaN values of column `c` that lie between two valid
 * values, in place.
 * @returns the number of values filled
 */
export function interpolateColumn(times: Float64Array, values: Float64Array, k: number, c: number): number {
  let filled = 0;
  let previous = -1; // row of the last valid value
  for (let i = 0; i < times.length; i++) {
    const v = values[i * k + c]!;
    if (Number.isNaN(v)) continue;
    if (previous >= 0 && i - previous > 1) {
      const t0 = times[previous]!;
      const v0 = values[previous * k + c]!;
      const slope = (v - v0) / (times[i]! - t0);
      for (let r = previous + 1; r < i; r++) values[r * k + c] = v0 + slope * (times[r]! - t0);
      filled += i - previous - 1;
    }
    previous = i;
  }
  return filled;
}

/** What {@link fillRows} did. */
export interface Filled {
  rows: Rows;
  /** Values filled, per column. */
  filled: number[];
  /** Rows dropped for a missing value (`fill: 'drop'`). */
  skipped: number;
  /** Rows dropped before the columns' first values (`leading: 'drop'`). */
  leadingDropped: number;
  /** With forward fill and a leading policy other than 'keep': the first column without any value (nothing was changed). */
  empty?: number;
}

/**
 * Repairs the missing values of rows in time order as `fill` says; with forward fill,
 * `leading` says what becomes of the rows before a column's first value.
 */
export function fillRows(rows: Rows, fill: TimeSeriesFill, leading: LeadingPolicy = 'keep'): Filled {
  const { times, values, k } = rows;
  const n = times.length;
  const filled = new Array<number>(k).fill(0);
  const unchanged = { rows, filled, skipped: 0, leadingDropped: 0 };
  if (fill === 'forward') {
    let drop = 0;
    for (let c = 0; c < k; c++) {
      const column = fillColumn(values, c, k, n, leading === 'backward' ? 'backward' : 'keep');
      if (column.firstValid === n && leading !== 'keep') return { ...unchanged, empty: c };
      filled[c] = column.filled;
      drop = Math.max(drop, column.firstValid);
    }
    if (leading === 'drop' && drop > 0) {
      return { rows: { times: times.slice(drop), values: values.slice(drop * k), k }, filled, skipped: 0, leadingDropped: drop };
    }
  } else if (fill === 'linear') {
    for (let c = 0; c < k; c++) filled[c] = interpolateColumn(times, values, k, c);
  } else if (fill === 'drop') {
    const kept: number[] = [];
    for (let i = 0; i < n; i++) {
      let complete = true;
      for (let c = 0; c < k && complete; c++) complete = !Number.isNaN(values[i * k + c]!);
      if (complete) kept.push(i);
    }
    if (kept.length < n) {
      const skipped = n - kept.length;
      return { rows: { times: Float64Array.from(kept, (i) => times[i]!), values: gather(values, k, kept), k }, filled, skipped, leadingDropped: 0 };
    }
  }
  return unchanged;
}
