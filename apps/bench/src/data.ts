// Deterministic data for every workload, generated once and handed to every contender as
// the same Float32Arrays, so all of them train on identical numbers.
import { Random } from '@rnnkit/tensor';
import type { BenchCase } from './workloads.js';

/** A data set: `x` `[samples, time, features]`, `y` `[samples, …outputShape]`, row-major. */
export interface BenchData {
  readonly samples: number;
  readonly x: Float32Array;
  readonly y: Float32Array;
  /** Shape of one target, without the sample axis: `[units]` or `[time, units]`. */
  readonly yShape: readonly number[];
  /** W5: the series the windows are cut from (brain.js trains on it directly). */
  readonly series: Float32Array | null;
  /**
   * W6: each sample's length in steps (the steps after it are zero padding), or null where
   * every sample fills all `time` steps.
   */
  readonly lengths: Int32Array | null;
}

/** Shape of one sample's output (and target) for a case's model. */
export function outputShape(c: BenchCase): number[] {
  const width = c.model.dense?.units ?? c.model.units;
  return c.model.returnSequences ? [c.time, width] : [width];
}

/**
 * The case's data set:
 * - W1, W2: windows of a noisy sine, each predicting the value after it;
 * - W3: two random bits per step, the target bit their carry-free sum (XOR), per step;
 * - W4: standard normal inputs and targets in (−1, 1);
 * - W6: sequences of 1 to `time` steps of standard normal inputs (never exactly 0), padded at
 *   the end with zero steps (which Masking masks), the target the mean of the first feature
 *   over the sequence's steps;
 * - W5: windows of `time + 1` points of a noisy sine of `samples + time` points; the
 *   input is the first `time` points, the target every next point (a sequence model).
 */
export function makeData(c: BenchCase, seed = 1): BenchData {
  const random = new Random(seed);
  const n = c.samples;
  const x = new Float32Array(n * c.time * c.features);
  const yShape = outputShape(c);
  const ySize = yShape.reduce((a, b) => a * b, 1);
  const y = new Float32Array(n * ySize);
  let series: Float32Array | null = null;
  let lengths: Int32Array | null = null;
  switch (c.workload) {
    case 'W1':
    case 'W2': {
      const points = noisySine(n + c.time, 25, random);
      for (let s = 0; s < n; s++) {
        for (let t = 0; t < c.time; t++) x[s * c.time + t] = points[s + t]!;
        y[s] = points[s + c.time]!;
      }
      break;
    }
    case 'W3': {
      for (let s = 0; s < n; s++) {
        for (let t = 0; t < c.time; t++) {
          const a = random.integer(0, 2);
          const b = random.integer(0, 2);
          x[(s * c.time + t) * 2] = a;
          x[(s * c.time + t) * 2 + 1] = b;
          y[s * c.time + t] = a ^ b;
        }
      }
      break;
    }
    case 'W4': {
      for (let i = 0; i < x.length; i++) x[i] = random.normal();
      for (let i = 0; i < y.length; i++) y[i] = random.uniform(-1, 1);
      break;
    }
    case 'W6': {
      const features = c.features;
      lengths = new Int32Array(n);
      for (let s = 0; s < n; s++) {
        const length = random.integer(1, c.time + 1);
        lengths[s] = length;
        let sum = 0;
        for (let t = 0; t < length; t++) {
          for (let f = 0; f < features; f++) x[(s * c.time + t) * features + f] = random.normal() || 1e-3;
          sum += x[(s * c.time + t) * features]!;
        }
        y[s] = sum / length;
      }
      break;
    }
    case 'W5': {
      series = noisySine(n + c.time, 25, random);
      for (let s = 0; s < n; s++) {
        for (let t = 0; t < c.time; t++) {
          x[s * c.time + t] = series[s + t]!;
          y[s * c.time + t] = series[s + t + 1]!;
        }
      }
      break;
    }
  }
  return { samples: n, x, y, yShape, series, lengths };
}

/** `sin(2π·t/period) + noise`, noise uniform in ±0.05, for t = 0 … points − 1. */
function noisySine(points: number, period: number, random: Random): Float32Array {
  const out = new Float32Array(points);
  for (let t = 0; t < points; t++) out[t] = Math.sin((2 * Math.PI * t) / period) + random.uniform(-0.05, 0.05);
  return out;
}

/** Rows `start … start + count` of a `[samples, …rest]` array whose rows hold `rowSize` values. */
export function rows(data: Float32Array, rowSize: number, start: number, count: number): Float32Array {
  return data.slice(start * rowSize, (start + count) * rowSize);
}

/** The W5 error: mean squared error of the value after each window, predicted from the window. */
export function nextValueError(predictions: ArrayLike<number>, data: BenchData, time: number): number {
  let sum = 0;
  for (let s = 0; s < data.samples; s++) {
    const target = data.y[s * time + time - 1]!;
    const d = predictions[s]! - target;
    sum += d * d;
  }
  return sum / data.samples;
}
