// Helpers for the training tests (not exported from index.ts, not part of the API).
import { Dense, GRU, type Layer, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { Param, Random, RnnkitError, Tensor, tensor } from '@rnnkit/tensor';
import type { TrainableModel } from './fit.js';

/** Windows of a noisy sine: x [n, window, 1] predicting the next value y [n, 1]. */
export function sineTask(n: number, window: number, seed: number, dtype: 'float32' | 'float64' = 'float32') {
  const random = new Random(seed);
  const series = Array.from({ length: n + window }, (_, t) => Math.sin((2 * Math.PI * t) / 20) + random.normal(0, 0.02));
  const x: number[][][] = [];
  const y: number[][] = [];
  for (let i = 0; i < n; i++) {
    x.push(series.slice(i, i + window).map((v) => [v]));
    y.push([series[i + window]!]);
  }
  return { x: tensor(x, dtype), y: tensor(y, dtype) };
}

/** LSTM(8) → Dense(1) over windows of 8 steps of 1 feature. */
export function lstmModel(seed = 1, dtype: 'float32' | 'float64' = 'float32') {
  return new Sequential({
    inputShape: [8, 1],
    layers: [new LSTM({ units: 8, dtype }), new Dense({ units: 1, dtype })],
    seed,
  });
}

/** The weights of a model as plain numbers, to compare bit for bit. */
export function weightsOf(model: TrainableModel): number[][] {
  return model.getWeights().map((w) => Array.from(w.data));
}

/** The error a promise rejects with (an RnnkitError), or a failure when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<RnnkitError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof RnnkitError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

/**
 * A one-parameter model whose output is its parameter (for every sample): with a loss that
 * ignores it, training follows a scripted sequence of losses exactly.
 */
export function scalarModel(): TrainableModel & { readonly weight: Param } {
  const weight = new Param('w', new Tensor(Float64Array.from([0]), [1]));
  return {
    weight,
    forward: (x) => ({ y: new Tensor(new Float64Array(x.shape[0]!).fill(weight.value.data[0]!), [x.shape[0]!, 1]), cache: null }),
    backward: (dy) => dy,
    params: () => [weight],
    getWeights: () => [weight.value.clone()],
    setWeights: (weights) => weight.value.data.set(weights[0]!.data),
  };
}

/** Makes a float64 recurrent layer under test with these options. */
export type MakeRecurrent = (o: { units: number; returnSequences: boolean; goBackwards: boolean }) => Layer;

/** Every built-in cell as a float64 layer, labelled: SimpleRNN, both LSTM outputs, both GRU forms. */
export const builtInRecurrentMakers: readonly [string, MakeRecurrent][] = [
  ['SimpleRNN', (o) => new SimpleRNN({ ...o, dtype: 'float64' })],
  ['LSTM', (o) => new LSTM({ ...o, dtype: 'float64' })],
  ['LSTM h = o ⊙ c', (o) => new LSTM({ ...o, cellOutput: 'none', dtype: 'float64' })],
  ['GRU', (o) => new GRU({ ...o, dtype: 'float64' })],
  ['GRU resetAfter false', (o) => new GRU({ ...o, resetAfter: false, dtype: 'float64' })],
];
