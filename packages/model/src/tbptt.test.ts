import { Bidirectional, Dense, LSTM, Masking, Sequential, SimpleRNN } from '@rnnkit/layers';
import { adam, createOptimizer, defineOptimizer, sgd } from '@rnnkit/optimizers';
import { Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { type TrainingState, fit } from './index.js';
import { lstmModel, rejection, sineTask, weightsOf } from './test-support.js';

/** x [n, time, 1] and per-step targets y [n, time, 1]. */
function sequences(n: number, time: number, seed: number) {
  const random = new Random(seed);
  const x = new Tensor(random.fillUniform(new Float32Array(n * time), -1, 1), [n, time, 1]);
  const y = new Tensor(random.fillUniform(new Float32Array(n * time), -1, 1), [n, time, 1]);
  return { x, y };
}

const sequenceModel = () =>
  new Sequential({ inputShape: [null, 1], layers: [new LSTM({ units: 3, returnSequences: true }), new Dense({ units: 1 })], seed: 2 });

describe('fit with tbptt', () => {
  it('should take one optimizer step per chunk with a sequence output, and one per batch with a last-step output', async () => {
    const { x, y } = sequences(6, 7, 1);
    const perChunk = await fit(sequenceModel(), { x, y }, { loss: 'mse', optimizer: sgd, batchSize: 3, epochs: 2, tbptt: 3 });
    expect(perChunk.batches).toHaveLength(4);
    expect(perChunk.optimizer.iterations).toBe(4 * 3);
    const data = sineTask(6, 8, 1);
    const lastStep = await fit(lstmModel(1), data, { loss: 'mse', optimizer: sgd, batchSize: 3, epochs: 2, tbptt: 3 });
    expect(lastStep.optimizer.iterations).toBe(4);
    // The earlier chunks carried the states: training differs from seeing the last chunk alone.
    const lastOnly = { x: new Tensor(data.x.data.slice(), data.x.shape), y: data.y };
    for (let b = 0; b < 6; b++) lastOnly.x.data.fill(0, b * 8, b * 8 + 6);
    const alone = await fit(lstmModel(1), lastOnly, { loss: 'mse', optimizer: sgd, batchSize: 3, epochs: 2, tbptt: 3 });
    expect(alone.batches.map((b) => b.loss)).not.toEqual(lastStep.batches.map((b) => b.loss));
  });

  it('should report a sequence output\'s batch loss as its chunks\' losses averaged over their steps', async () => {
    const { x, y } = sequences(2, 5, 3);
    const losses: number[] = [];
    const still = defineOptimizer({ name: 'still', defaults: {}, init: () => ({}), update: ({ out, state }) => ({ update: out.fill(0), state }) });
    const model = sequenceModel();
    const history = await fit(model, { x, y }, { loss: { ...meanSquared(losses) }, optimizer: still, batchSize: 'full', shuffle: false, tbptt: 2 });
    expect(losses).toHaveLength(3);
    expect(history.batches[0]!.loss).toBeCloseTo((2 * losses[0]! + 2 * losses[1]! + losses[2]!) / 5, 12);
  });

  it('should slice per-step sample weights with the chunks', async () => {
    const { x, y } = sequences(4, 6, 5);
    // Only the first chunk's steps weigh anything: the later chunks' gradients are zero.
    const weight = new Tensor(Float32Array.from({ length: 24 }, (_, i) => (i % 6 < 2 ? 1 : 0)), [4, 6]);
    const norms: number[] = [];
    const recorder = defineOptimizer({
      name: 'recorder',
      defaults: {},
      init: () => ({}),
      update: ({ grad, out, state }) => {
        norms.push(Array.from(grad).reduce((sum, g) => sum + Math.abs(g), 0));
        return { update: out.fill(0), state };
      },
    });
    const model = sequenceModel();
    await fit(model, { x, y }, { loss: 'mse', optimizer: recorder, batchSize: 'full', tbptt: 2, sampleWeight: weight });
    const perStep = model.params().length;
    const stepNorm = (s: number) => norms.slice(s * perStep, (s + 1) * perStep).reduce((a, b) => a + b, 0);
    expect(stepNorm(0)).toBeGreaterThan(0);
    expect([stepNorm(1), stepNorm(2)]).toEqual([0, 0]);
  });

  it('should record tbptt in the training state and resume an aborted epoch bit-identically, refusing other chunks', async () => {
    const data = sequences(9, 6, 7);
    const options = { loss: 'mse', batchSize: 3, seed: 4, tbptt: 4, yieldEveryMs: Infinity } as const;
    const whole = sequenceModel();
    const straight = await fit(whole, data, { ...options, optimizer: adam, epochs: 2 });
    expect(straight.trainingState.tbptt).toBe(4);

    const part = sequenceModel();
    const optimizer = createOptimizer(adam, part.params(), {});
    const controller = new AbortController();
    const first = await fit(part, data, {
      ...options, optimizer, epochs: 2, signal: controller.signal,
      callbacks: { onBatchEnd: (logs) => (logs.epoch === 2 && logs.batch === 1 ? controller.abort() : undefined) },
    });
    expect(first.trainingState).toMatchObject({ epoch: 1, batch: 1, tbptt: 4, iterations: 8 });
    const state = JSON.parse(JSON.stringify(first.trainingState)) as TrainingState;
    const other = await rejection(fit(part, data, { ...options, tbptt: 2, optimizer, epochs: 2, resume: state }));
    expect(other.message).toBe('fit: resume: epoch 2 stopped after batch 1 of a run with tbptt 4; finish it with tbptt 4, got a run with tbptt 2');
    const { tbptt: _, ...withoutChunks } = options;
    const none = await rejection(fit(part, data, { ...withoutChunks, optimizer, epochs: 2, resume: state }));
    expect(none.message).toBe('fit: resume: epoch 2 stopped after batch 1 of a run with tbptt 4; finish it with tbptt 4, got a run without tbptt');
    const rest = await fit(part, data, { ...options, optimizer, epochs: 2, resume: state });
    expect(weightsOf(part)).toEqual(weightsOf(whole));
    expect([...first.batches, ...rest.batches]).toEqual(straight.batches);
  });

  it('should refuse Bidirectional and goBackwards layers, masks, nested models and inputs without a time axis, in one line', async () => {
    const { x, y } = sequences(2, 4, 1);
    const message = async (layers: ConstructorParameters<typeof Sequential>[0]['layers'], data = { x, y }) =>
      (await rejection(fit(new Sequential({ inputShape: [null, 1], layers, seed: 1 }), data, { loss: 'mse', optimizer: sgd, tbptt: 2 }))).message;
    expect(await message([new Bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }) }), new Dense({ units: 1 })])).toBe(
      'fit: tbptt cannot carry the states of layer "bidirectional" (Bidirectional) between chunks (a Bidirectional layer\'s backward direction would need each chunk\'s future); only SimpleRNN, LSTM, GRU and rnn layers can',
    );
    expect(await message([new SimpleRNN({ units: 2, returnSequences: true, goBackwards: true }), new Dense({ units: 1 })])).toBe(
      'fit: tbptt cannot carry the states of layer "simple_rnn" (SimpleRNN) between chunks: it reads the sequence backwards (goBackwards)',
    );
    expect(await message([new Masking({ maskValue: 0 }), new LSTM({ units: 2, returnSequences: true }), new Dense({ units: 1 })])).toBe(
      'fit: tbptt cannot be used with masks (layer "masking" (Masking) makes one); train without tbptt',
    );
    const inner = new Sequential({ layers: [new LSTM({ units: 2, returnSequences: true })], name: 'inner' });
    expect(await message([inner, new Dense({ units: 1 })])).toBe(
      'fit: tbptt cannot reach the recurrent layers inside the nested model layer "inner" (Sequential); flatten it into one Sequential',
    );
    const flat = new Sequential({ inputShape: [3], layers: [new Dense({ units: 1 })], seed: 1 });
    const rows = { x: new Tensor(new Float32Array(6), [2, 3]), y: new Tensor(new Float32Array(2), [2, 1]) };
    expect((await rejection(fit(flat, rows, { loss: 'mse', optimizer: sgd, tbptt: 2 }))).message).toBe(
      'fit: tbptt needs sequences [samples, time, features], got x [2, 3]',
    );
    expect((await rejection(fit(sequenceModel(), { x, y }, { loss: 'mse', optimizer: sgd, tbptt: 0 }))).message).toBe(
      'fit: tbptt must be a positive integer, got number 0',
    );
  });
});

/** An MSE loss that records each value it computes. */
function meanSquared(values: number[]) {
  return {
    name: 'recorded_mse',
    compute(p: Tensor, t: Tensor) {
      let sum = 0;
      const grad = new Tensor(new Float32Array(p.size), p.shape);
      for (let i = 0; i < p.size; i++) {
        const d = p.data[i]! - t.data[i]!;
        sum += d * d;
        grad.data[i] = (2 * d) / p.size;
      }
      values.push(sum / p.size);
      return { value: sum / p.size, grad };
    },
    value(p: Tensor, t: Tensor) {
      let sum = 0;
      for (let i = 0; i < p.size; i++) sum += (p.data[i]! - t.data[i]!) ** 2;
      return sum / p.size;
    },
    getConfig: () => ({ name: 'recorded_mse' }),
  };
}
