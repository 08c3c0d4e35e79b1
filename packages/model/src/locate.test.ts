import { describe, expect, it } from 'vitest';
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { getLoss } from '@rnnkit/losses';
import { sgd } from '@rnnkit/optimizers';
import { Tensor } from '@rnnkit/tensor';
import { fit } from './fit.js';
import { locateNonFinite } from './locate.js';

/**
 * An LSTM(1) with a linear candidate and h = o ⊙ c whose candidate weights are 1e20: from step 1
 * on, g = x·W_g + h·U_g is about 1e39 — beyond float32's range (3.4e38), so float32 turns it into
 * Infinity and, a step later, NaN.
 */
function exploding(): Sequential {
  const lstm = new LSTM({ units: 1, activation: 'linear', cellOutput: 'none' });
  const model = new Sequential({ layers: [lstm, new Dense({ units: 1 })], inputShape: [4, 1], seed: 1 });
  const [kernel, recurrent, bias] = lstm.getWeights();
  kernel!.data.set([0, 0, 1e20, 0]); // columns i, f, g, o
  recurrent!.data.set([0, 0, 1e20, 0]);
  bias!.data.set([0, 0, 0, 0]);
  lstm.setWeights([kernel!, recurrent!, bias!]);
  return model;
}

const x = new Tensor(new Float32Array([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5]), [2, 4, 1]);
const y = new Tensor(new Float32Array([0, 0]), [2, 1]);

describe('NaN to its source', () => {
  it('should name the layer, time step, sample and gate where float32 overflowed', () => {
    expect(locateNonFinite(exploding(), x, y, getLoss('mse'))).toMatch(
      /^traced in float64, layer 1 "lstm": the candidate g exceeds the float32 range \(\d\.\de\+39\) at time step 1, sample 0$/,
    );
  });

  it('should add that to the error of fit when the loss becomes NaN', async () => {
    const error = await fit(exploding(), { x, y }, { loss: 'mse', optimizer: sgd, epochs: 1, batchSize: 2 }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(
      /^fit: the loss became NaN at epoch 1, batch 1; the first non-finite prediction is NaN at .*; traced in float64, layer 1 "lstm": the candidate g exceeds the float32 range .* at time step 1, sample 0$/,
    );
  });

  it('should say nothing when the recurrent layers are not where it went wrong', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], inputShape: [4, 1], seed: 1 });
    expect(locateNonFinite(model, x, y, getLoss('mse'))).toBeUndefined();
    expect(locateNonFinite({ params: () => [] }, x, y, getLoss('mse'))).toBeUndefined();
  });
});
