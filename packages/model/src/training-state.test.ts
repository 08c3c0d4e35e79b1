import { adam, createOptimizer, rmspropNesterov } from '@rnnkit/optimizers';
import { describe, expect, it } from 'vitest';
import { type FitOptions, type TrainingState, fit, loadModel, saveModel } from './index.js';
import { lstmModel, rejection, sineTask, weightsOf } from './test-support.js';

// 10 samples in batches of 3 (the last one short), shuffled every epoch.
const data = sineTask(10, 8, 4);
const options = { loss: 'mse', optimizerOptions: { learningRate: 0.01 }, batchSize: 3, seed: 5, yieldEveryMs: Infinity } as const;

/** Saves model, optimizer and training state as text and loads them back, as a later process would. */
function throughFiles(model: ReturnType<typeof lstmModel>, history: Awaited<ReturnType<typeof fit>>) {
  const { modelJson, weights } = saveModel(model, { optimizer: history.optimizer });
  const state = JSON.parse(JSON.stringify(history.trainingState)) as TrainingState;
  const loaded = loadModel({ modelJson: JSON.stringify(modelJson), weights }, { optimizerPlugins: [adam, rmspropNesterov] });
  return { model: loaded.model, optimizer: loaded.optimizer!, state };
}

describe('resuming fit with trainingState', () => {
  for (const plugin of [adam, rmspropNesterov]) {
    it(`should make 2 epochs + save/load + 2 epochs bit-identical to 4 epochs (${plugin.name}, shuffled)`, async () => {
      const whole = lstmModel(2);
      const straight = await fit(whole, data, { ...options, optimizer: plugin, epochs: 4 });

      const first = lstmModel(2);
      const half = await fit(first, data, { ...options, optimizer: plugin, epochs: 2 });
      expect(half.trainingState).toMatchObject({ epoch: 2, batch: 0, samples: 10, batchSize: 3, seed: 5, shuffle: true, iterations: 8 });
      const saved = throughFiles(first, half);
      const rest = await fit(saved.model, data, { loss: 'mse', optimizer: saved.optimizer, epochs: 4, batchSize: 3, resume: saved.state });

      expect(rest.epochs.map((e) => e.epoch)).toEqual([3, 4]);
      expect([...half.batches, ...rest.batches]).toEqual(straight.batches);
      expect([...half.loss, ...rest.loss]).toEqual(straight.loss);
      expect(weightsOf(saved.model)).toEqual(weightsOf(whole));
      expect(rest.trainingState).toEqual(straight.trainingState);

      // Without the training state the shuffle stream starts again: another run (the old behaviour).
      const again = throughFiles(first, half);
      const restarted = await fit(again.model, data, { loss: 'mse', optimizer: again.optimizer, epochs: 2, batchSize: 3, seed: 5 });
      expect(restarted.batches.map((b) => b.loss)).not.toEqual(straight.batches.slice(8).map((b) => b.loss));
    });
  }

  it('should resume from a checkpoint saved in onEpochEnd while the run went on', async () => {
    const whole = lstmModel(6);
    const optimizer = createOptimizer(adam, whole.params(), { learningRate: 0.01 });
    let checkpoint: { text: string; weights: ArrayBuffer; state: string } | undefined;
    const straight = await fit(whole, data, {
      loss: 'mse', batchSize: 3, seed: 5, optimizer, epochs: 4,
      callbacks: {
        onEpochEnd: (logs, trainingState) => {
          if (logs.epoch !== 2) return;
          const { modelJson, weights } = saveModel(whole, { optimizer });
          checkpoint = { text: JSON.stringify(modelJson), weights, state: JSON.stringify(trainingState) };
        },
      },
    });
    const restored = loadModel({ modelJson: checkpoint!.text, weights: checkpoint!.weights }, { optimizerPlugins: [adam] });
    const rest = await fit(restored.model, data, {
      loss: 'mse', optimizer: restored.optimizer!, epochs: 4, batchSize: 3, resume: JSON.parse(checkpoint!.state) as TrainingState,
    });
    expect(rest.batches).toEqual(straight.batches.slice(8));
    expect(weightsOf(restored.model)).toEqual(weightsOf(whole));
  });

  it('should resume an aborted epoch at its next batch, with the epoch loss of an uninterrupted run', async () => {
    const whole = lstmModel(3);
    const straight = await fit(whole, data, { ...options, optimizer: adam, epochs: 3 });

    const model = lstmModel(3);
    const controller = new AbortController();
    const stopped = await fit(model, data, {
      ...options, optimizer: adam, epochs: 3, signal: controller.signal,
      callbacks: { onBatchEnd: (b) => void (b.epoch === 2 && b.batch === 2 && controller.abort()) },
    });
    expect(stopped.stopReason).toBe('aborted');
    expect(stopped.epochs).toHaveLength(1);
    expect(stopped.trainingState).toMatchObject({ epoch: 1, batch: 2, iterations: 6, epochSamples: 6 });

    const saved = throughFiles(model, stopped);
    const rest = await fit(saved.model, data, { loss: 'mse', optimizer: saved.optimizer, epochs: 3, batchSize: 3, resume: saved.state });
    expect(rest.batches[0]).toMatchObject({ epoch: 2, batch: 3 });
    expect([...stopped.batches, ...rest.batches]).toEqual(straight.batches);
    expect(rest.loss).toEqual(straight.loss.slice(1));
    expect(weightsOf(saved.model)).toEqual(weightsOf(whole));
  });

  it('should end an aborted run at an epoch boundary without consuming the next shuffle', async () => {
    const whole = lstmModel(4);
    const straight = await fit(whole, data, { ...options, optimizer: adam, epochs: 3 });
    const model = lstmModel(4);
    const controller = new AbortController();
    const stopped = await fit(model, data, {
      ...options, optimizer: adam, epochs: 3, signal: controller.signal,
      callbacks: { onEpochEnd: (e) => void (e.epoch === 1 && controller.abort()) },
    });
    expect(stopped.trainingState).toMatchObject({ epoch: 1, batch: 0 });
    const rest = await fit(model, data, { loss: 'mse', optimizer: stopped.optimizer, epochs: 3, batchSize: 3, resume: stopped.trainingState });
    expect([...stopped.batches, ...rest.batches]).toEqual(straight.batches);
    expect(weightsOf(model)).toEqual(weightsOf(whole));
  });

  it('should refuse a state that does not fit the run', async () => {
    const model = lstmModel();
    const first = await fit(model, data, { ...options, optimizer: adam, epochs: 2 });
    const state = first.trainingState;
    const resume = (extra: Partial<FitOptions>, resumeState: unknown = state) =>
      rejection(fit(model, data, { loss: 'mse', optimizer: first.optimizer, batchSize: 3, epochs: 4, ...extra, resume: resumeState as TrainingState } as FitOptions));
    expect((await resume({ optimizer: adam, optimizerOptions: {} } as never)).message).toBe(
      'fit: resume: the training state was taken after 8 optimizer steps but this optimizer has taken 0; pass the optimizer saved with it ' +
        '(saveModel(model, { optimizer }) and loadModel(…, { optimizerPlugins }), or loadOptimizer)',
    );
    expect((await resume({ epochs: 2 })).message).toBe(
      "fit: epochs is the last epoch to train (as Keras' with initial_epoch) and the training state resumed has finished 2; pass epochs > 2",
    );
    expect((await resume({ seed: 6 })).message).toBe('fit: seed 6 differs from the seed 5 of the training state resumed; leave seed out when resuming');
    expect((await rejection(fit(model, sineTask(11, 8, 4), { loss: 'mse', optimizer: first.optimizer, epochs: 4, resume: state }))).message).toBe(
      'fit: resume: the training state is for 10 training samples, this data has 11',
    );
    expect((await resume({}, { ...state, order: [...state.order.slice(1), state.order[1]] })).message).toBe(
      'fit: resume: order must list each of the 10 sample indices once',
    );
    expect((await resume({}, { ...state, extra: 1 })).message).toMatch(/^fit: resume: unknown key "extra"; a training state has format, version, /);
    expect((await resume({}, { ...state, tbptt: 0 })).message).toBe('fit: resume: tbptt must be a positive integer when present, got number 0');
    expect((await resume({}, { format: 'rnnkit.optimizer' })).message).toBe(
      'fit: resume: expected history.trainingState of an earlier fit (format "rnnkit.training"), got an object',
    );
    expect((await resume({}, { ...state, random: { algorithm: 'xoshiro128**', words: [0, 0, 0, 0], spareNormal: null } })).message).toMatch(
      /^fit: resume: random is not a state of Random.getState\(\): /,
    );
  });
});
