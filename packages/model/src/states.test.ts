import { describe, expect, it } from 'vitest';
import { Dense, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { adam } from '@rnnkit/optimizers';
import { Random, Tensor } from '@rnnkit/tensor';
import { fit, resetStates } from './index.js';

/** 12 chunks of 3 steps (4 sequences of 9 steps, cut in 3, laid out for batches of 4) and targets. */
function chunkedData(): { x: Tensor; y: Tensor } {
  const random = new Random(4);
  return {
    x: new Tensor(random.fillUniform(new Float32Array(12 * 3), -1, 1), [12, 3, 1]),
    y: new Tensor(random.fillUniform(new Float32Array(12), -1, 1), [12, 1]),
  };
}

function statefulModel(): { model: Sequential; lstm: LSTM; inner: SimpleRNN } {
  const lstm = new LSTM({ units: 3, returnSequences: true, stateful: true });
  const inner = new SimpleRNN({ units: 2, stateful: true });
  const model = new Sequential({ layers: [lstm, new Sequential({ layers: [inner, new Dense({ units: 1 })], name: 'head' })], inputShape: [3, 1], seed: 2 });
  return { model, lstm, inner };
}

describe('resetStates', () => {
  it('should reset every stateful layer of a model, nested ones included', () => {
    const { model, lstm, inner } = statefulModel();
    model.forward(chunkedData().x);
    expect([lstm.statefulBatch, inner.statefulBatch]).toEqual([12, 12]);
    resetStates(model);
    expect([lstm.statefulBatch, inner.statefulBatch]).toEqual([null, null]);
  });

  it('should let fit train a stateful model in order, reset from onEpochBegin, and give the same losses every run', async () => {
    const losses: number[][] = [];
    for (let run = 0; run < 2; run++) {
      const { model } = statefulModel();
      const history = await fit(model, chunkedData(), {
        loss: 'mse',
        optimizer: adam,
        epochs: 2,
        batchSize: 4,
        shuffle: false,
        callbacks: { onEpochBegin: () => resetStates(model) },
      });
      losses.push([...history.loss]);
    }
    expect(losses[0]!.every(Number.isFinite)).toBe(true);
    expect(losses[1]).toEqual(losses[0]);
  });

  it('should fail clearly when the last batch of an epoch is smaller than the carried batch', async () => {
    const { model } = statefulModel();
    const { x, y } = chunkedData();
    await expect(fit(model, { x, y }, { loss: 'mse', optimizer: adam, batchSize: 5, shuffle: false })).rejects.toThrow(
      'carries states for a batch of 5, got a batch of 2',
    );
  });
});

