// Helpers for the forecasting tests (not exported from index.ts, not part of the API).
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { Random, RnnkitError, Tensor } from '@rnnkit/tensor';
import type { ForecastScaler } from './options.js';

/** LSTM(units) → Dense(outputs) over any number of steps of `features` features, float64. */
export function tinyModel(features: number, outputs: number, seed: number, units = 3, window: number | null = null): Sequential {
  return new Sequential({
    inputShape: [window, features],
    layers: [new LSTM({ units, dtype: 'float64' }), new Dense({ units: outputs, dtype: 'float64' })],
    seed,
  });
}

/** A float64 tensor of uniform values in [−1, 1). */
export function randomTensor(shape: number[], seed: number): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Random(seed).fillUniform(new Float64Array(size), -1, 1), shape);
}

/** A per-feature affine scaler: feature j ↦ (x − center_j) · scale_j. */
export function linearScaler(center: readonly number[], scale: readonly number[]): ForecastScaler & { calls: string[] } {
  const calls: string[] = [];
  const map = (t: Tensor, f: (x: number, j: number) => number): Tensor => {
    const features = t.shape[t.rank - 1]!;
    const out = new Float64Array(t.size);
    for (let i = 0; i < t.size; i++) out[i] = f(t.data[i]!, i % features);
    return new Tensor(out, t.shape);
  };
  return {
    calls,
    transform: (t) => {
      calls.push(`transform ${t.shape.join('x')}`);
      return map(t, (x, j) => (x - center[j]!) * scale[j]!);
    },
    inverseTransform: (t) => {
      calls.push(`inverse ${t.shape.join('x')}`);
      return map(t, (y, j) => y / scale[j]! + center[j]!);
    },
  };
}

/** The RnnkitError `fn` throws (any other error is rethrown; none at all fails the test). */
export function errorOf(fn: () => unknown): RnnkitError {
  try {
    fn();
  } catch (error) {
    if (error instanceof RnnkitError) return error;
    throw error;
  }
  throw new Error('expected an RnnkitError');
}
