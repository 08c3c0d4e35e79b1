import { Dense, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { meanSquaredError } from '@rnnkit/losses';
import { adam, createOptimizer, defineOptimizer, sgd } from '@rnnkit/optimizers';
import { Random, RnnkitError, Tensor, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { type EarlyStoppingOptions, evaluate, fit, predict } from './index.js';
import { lstmModel, scalarModel, sineTask } from './test-support.js';

describe('fit', () => {
  it('should lower the validation loss of a tiny sine task at least tenfold', async () => {
    const data = sineTask(96, 8, 3);
    const model = lstmModel(1);
    const before = evaluate(model, { x: data.x, y: data.y }, { loss: 'mse' }).loss;
    const history = await fit(model, data, {
      loss: meanSquaredError(),
      optimizer: adam,
      optimizerOptions: { learningRate: 0.02 },
      epochs: 40,
      batchSize: 16,
      validationSplit: 0.25,
      seed: 5,
    });
    expect(history.valLoss).toHaveLength(40);
    const first = history.valLoss[0]!;
    const last = history.valLoss[history.valLoss.length - 1]!;
    expect(last).toBeLessThan(first / 10);
    expect(last).toBeLessThan(before / 10);
  });

  it('should be bit-identical across runs with the same seed', async () => {
    const run = async () => {
      const model = lstmModel(7);
      const history = await fit(model, sineTask(40, 8, 1), {
        loss: 'mse', optimizer: adam, epochs: 3, batchSize: 5, seed: 11,
      });
      return { loss: history.batches.map((b) => b.loss), weights: model.getWeights().map((w) => Array.from(w.data)) };
    };
    const [a, b] = [await run(), await run()];
    expect(b.loss).toEqual(a.loss);
    expect(b.weights).toEqual(a.weights);
  });

  it('should be bit-identical across runs with recurrent dropout, its masks seeded by the model', async () => {
    const run = async (dropout: number) => {
      const model = new Sequential({ inputShape: [8, 1], layers: [new LSTM({ units: 8, dropout, recurrentDropout: dropout }), new Dense({ units: 1 })], seed: 7 });
      const history = await fit(model, sineTask(40, 8, 1), { loss: 'mse', optimizer: adam, epochs: 2, batchSize: 5, seed: 11 });
      return { loss: history.batches.map((b) => b.loss), weights: model.getWeights().map((w) => Array.from(w.data)) };
    };
    const [a, b, plain] = [await run(0.3), await run(0.3), await run(0)];
    expect(b.loss).toEqual(a.loss);
    expect(b.weights).toEqual(a.weights);
    expect(plain.loss).not.toEqual(a.loss); // the masks were applied while training
  });

  it('should shuffle differently with a different seed', async () => {
    const run = async (seed: number) => {
      const history = await fit(lstmModel(7), sineTask(40, 8, 1), { loss: 'mse', optimizer: sgd, epochs: 1, batchSize: 5, seed });
      return history.batches.map((b) => b.loss);
    };
    expect(await run(1)).not.toEqual(await run(2));
  });

  it('should train with one update per sample (batch size 1) and with the full batch', async () => {
    const data = sineTask(12, 8, 2);
    const perSample = await fit(lstmModel(), data, { loss: 'mse', optimizer: sgd, epochs: 2, batchSize: 1 });
    expect(perSample.batches).toHaveLength(24);
    expect(perSample.optimizer.iterations).toBe(24);
    const full = await fit(lstmModel(), data, { loss: 'mse', optimizer: sgd, epochs: 2, batchSize: 'full' });
    expect(full.batches).toHaveLength(2);
    expect(full.batches.every((b) => b.size === 12)).toBe(true);
  });

  it('should give the same weights with a full batch as one hand-made gradient step', async () => {
    const data = sineTask(6, 8, 4, 'float64');
    const trained = lstmModel(3, 'float64');
    await fit(trained, data, { loss: 'mse', optimizer: sgd, optimizerOptions: { learningRate: 0.1 }, epochs: 1, batchSize: 'full', shuffle: false });
    const manual = lstmModel(3, 'float64');
    const { y, cache } = manual.forward(data.x, { training: true });
    manual.backward(meanSquaredError().compute(y, data.y).grad, cache);
    for (const p of manual.params()) for (let i = 0; i < p.value.size; i++) p.value.data[i]! -= 0.1 * p.grad.data[i]!;
    const got = trained.getWeights();
    manual.getWeights().forEach((w, k) => expect(Array.from(got[k]!.data)).toEqual(Array.from(w.data)));
  });

  it('should train per-time-step targets of a returnSequences model', async () => {
    const random = new Random(9);
    const x = new Tensor(random.fillUniform(new Float32Array(16 * 5 * 2), -1, 1), [16, 5, 2]);
    // Target: the running sum of the first feature, a task a recurrent layer can learn.
    const y = new Tensor(new Float32Array(16 * 5), [16, 5, 1]);
    for (let b = 0; b < 16; b++) {
      let sum = 0;
      for (let t = 0; t < 5; t++) y.data[b * 5 + t] = sum += x.data[(b * 5 + t) * 2]! / 2;
    }
    const model = new Sequential({
      inputShape: [5, 2],
      layers: [new SimpleRNN({ units: 8, returnSequences: true }), new Dense({ units: 1 })],
      seed: 2,
    });
    const history = await fit(model, { x, y }, { loss: 'mse', optimizer: adam, optimizerOptions: { learningRate: 0.02 }, epochs: 60, batchSize: 8 });
    expect(predict(model, x).shape).toEqual([16, 5, 1]);
    expect(history.loss.at(-1)!).toBeLessThan(history.loss[0]! / 5);
  });

  it('should stop early after `patience` epochs without improvement (as Keras) and restore the best weights', async () => {
    const model = lstmModel(2);
    const snapshots: number[][][] = [];
    const history = await fit(model, sineTask(40, 8, 6), {
      loss: 'mse',
      optimizer: sgd,
      optimizerOptions: { learningRate: 0.05 },
      epochs: 30,
      batchSize: 4,
      validationSplit: 0.25,
      // With a minimum improvement this large only the first epoch counts as one.
      earlyStopping: { patience: 2, minDelta: 10, restoreBestWeights: true },
      callbacks: { onEpochEnd: () => void snapshots.push(model.getWeights().map((w) => Array.from(w.data))) },
    });
    expect(history.stopReason).toBe('early-stopping');
    expect(history.epochs).toHaveLength(3);
    expect(history.bestEpoch).toBe(1);
    expect(snapshots[2]).not.toEqual(snapshots[0]);
    expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(snapshots[0]);
  });

  it('should keep training while the monitored loss improves', async () => {
    const history = await fit(lstmModel(2), sineTask(40, 8, 6), {
      loss: 'mse', optimizer: adam, optimizerOptions: { learningRate: 0.01 }, epochs: 6, batchSize: 4,
      earlyStopping: { patience: 1, monitor: 'loss', restoreBestWeights: true },
    });
    expect(history.stopReason).toBe('completed');
    expect(history.bestEpoch).toBe(history.loss.indexOf(Math.min(...history.loss)) + 1);
  });

  it('should stop with an error naming the parameter when a gradient becomes NaN', async () => {
    const data = sineTask(8, 8, 1);
    const model = lstmModel();
    const dense = model.params().find((p) => p.name.includes('dense') && p.name.includes('kernel'))!;
    const badLoss = {
      name: 'bad',
      compute: (p: Tensor, t: Tensor) => {
        const result = meanSquaredError().compute(p, t);
        result.grad.data[0] = Number.NaN;
        return result;
      },
      value: (p: Tensor, t: Tensor) => meanSquaredError().value(p, t),
      getConfig: () => ({ name: 'bad' }),
    };
    const error = await fit(model, data, { loss: badLoss, optimizer: sgd, epochs: 1, batchSize: 4 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RnnkitError);
    expect((error as Error).message).toMatch(/^fit: the gradient of .* holds NaN at \[.*\] at epoch 1, batch 1/);
    expect((error as Error).message).toContain(dense.name.split('/')[0]!);
  });

  it('should stop with an error naming the time step when the loss becomes infinite', async () => {
    const data = sineTask(4, 8, 1);
    const lstm = lstmModel();
    // A model whose first prediction overflows (its weights stay finite).
    const model = {
      ...lstm,
      params: () => lstm.params(),
      getWeights: () => lstm.getWeights(),
      setWeights: (w: readonly Tensor[]) => lstm.setWeights(w),
      backward: (dy: Tensor, cache: unknown) => lstm.backward(dy, cache as never),
      forward: (x: Tensor, options?: { training?: boolean }) => {
        const result = lstm.forward(x, options);
        result.y.data[0] = Infinity;
        return result;
      },
    };
    const error = await fit(model, data, { loss: 'mse', optimizer: sgd, epochs: 1, batchSize: 4, shuffle: false }).catch((e: unknown) => e);
    expect((error as Error).message).toMatch(/^fit: the loss became (NaN|Infinity) at epoch 1, batch 1; the first non-finite prediction is .* \[0, 0\] \(sample 0, feature 0\)/);
  });

  it('should refuse data holding NaN, naming where', async () => {
    const data = sineTask(4, 8, 1);
    data.x.data[9] = Number.NaN;
    await expect(fit(lstmModel(), data, { loss: 'mse', optimizer: sgd })).rejects.toThrow(
      'fit: data.x holds NaN at index [1, 1, 0]: data must be finite',
    );
  });

  it('should refuse unknown options and mismatched sample counts', async () => {
    const data = sineTask(4, 8, 1);
    await expect(fit(lstmModel(), data, { loss: 'mse', optimizer: sgd, epoch: 3 } as never)).rejects.toThrow(/fit: unknown option "epoch"/);
    await expect(fit(lstmModel(), { x: data.x, y: sineTask(5, 8, 1).y }, { loss: 'mse', optimizer: sgd })).rejects.toThrow(
      'fit: data.x has 4 samples but data.y has 5',
    );
  });

  it('should stop between batches when the signal aborts', async () => {
    const controller = new AbortController();
    const history = await fit(lstmModel(), sineTask(20, 8, 1), {
      loss: 'mse', optimizer: sgd, epochs: 5, batchSize: 2,
      signal: controller.signal,
      callbacks: { onBatchEnd: (b) => { if (b.epoch === 2 && b.batch === 3) controller.abort(); } },
    });
    expect(history.stopReason).toBe('aborted');
    expect(history.batches).toHaveLength(13);
  });

  it('should yield to the event loop between batches', async () => {
    let ticks = 0;
    const timer = setInterval(() => ticks++, 0);
    await fit(lstmModel(), sineTask(32, 8, 1), { loss: 'mse', optimizer: sgd, epochs: 3, batchSize: 1, yieldEveryMs: 0 });
    clearInterval(timer);
    expect(ticks).toBeGreaterThan(0);
  });

  it('should report progress with epoch, batch, loss, rate and ETA', async () => {
    const events: { epoch: number; batch: number; loss: number; samplesPerSecond: number; etaSeconds: number }[] = [];
    await fit(lstmModel(), sineTask(8, 8, 1), { loss: 'mse', optimizer: sgd, epochs: 2, batchSize: 4, callbacks: { onProgress: (e) => void events.push(e) } });
    expect(events.map((e) => [e.epoch, e.batch])).toEqual([[1, 1], [1, 2], [2, 1], [2, 2]]);
    expect(events.every((e) => Number.isFinite(e.loss) && e.samplesPerSecond > 0 && e.etaSeconds >= 0)).toBe(true);
    expect(events.at(-1)!.etaSeconds).toBe(0);
  });

  it('should continue with a given optimizer across fit calls', async () => {
    const model = lstmModel();
    const optimizer = createOptimizer(adam, model.params(), { learningRate: 0.01 });
    const data = sineTask(8, 8, 1);
    await fit(model, data, { loss: 'mse', optimizer, epochs: 1, batchSize: 4 });
    await fit(model, data, { loss: 'mse', optimizer, epochs: 1, batchSize: 4 });
    expect(optimizer.iterations).toBe(4);
  });
});

describe('evaluate and predict', () => {
  it('should give the same outputs in batches as in one pass', () => {
    const data = sineTask(21, 8, 1);
    const model = lstmModel();
    const whole = predict(model, data.x, { batchSize: 100 });
    const batched = predict(model, data.x, { batchSize: 4 });
    expect(Array.from(batched.data)).toEqual(Array.from(whole.data));
    const a = evaluate(model, data, { loss: 'mse', batchSize: 4, metrics: ['mae'] });
    const b = evaluate(model, data, { loss: 'mse', batchSize: 100, metrics: ['mae'] });
    expect(a.loss).toBeCloseTo(b.loss, 6);
    expect(a.metrics.mae).toBeCloseTo(b.metrics.mae!, 6);
  });

  it('should refuse an unknown metric, listing the built-in ones', () => {
    const data = sineTask(2, 8, 1);
    expect(() => evaluate(lstmModel(), data, { loss: 'mse', metrics: ['acc'] })).toThrow(/unknown metric "acc"; built-in metrics are mae, mse, binaryAccuracy/);
  });
});

describe('fit and trust', () => {
  it('should undo a divergent optimizer step and name its epoch, batch and parameter', async () => {
    const model = lstmModel(5);
    // A schedule that is sane for step 1 and explodes at step 2 (epoch 1, batch 2).
    const spike = { name: 'spike', config: {}, valueAt: (iteration: number) => (iteration === 1 ? 1e300 : 0.01) };
    const optimizer = createOptimizer(sgd, model.params(), { learningRate: spike });
    let afterFirst: number[][] = [];
    const error = await fit(model, sineTask(8, 8, 1), {
      loss: 'mse', optimizer, epochs: 1, batchSize: 4, shuffle: false,
      callbacks: { onBatchEnd: () => void (afterFirst = model.getWeights().map((w) => Array.from(w.data))) },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RnnkitError);
    expect((error as Error).message).toMatch(
      /^fit: the optimizer step at epoch 1, batch 2 would write -?Infinity into lstm\/\w+ at \[\d+(, \d+)?\] \(the loss was [\d.e-]+\); the step was undone, so the weights and the optimizer are as before this batch\. Lower the learning rate/,
    );
    expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(afterFirst);
    expect(optimizer.iterations).toBe(1);
  });

  it("should undo a divergent look-ahead and name its epoch and batch", async () => {
    const jumpy = defineOptimizer({
      name: 'jumpy',
      defaults: {},
      init: () => ({}),
      beforeGradient: ({ out, state }) => ({ update: out.fill(Infinity), state }),
      update: ({ out, state }) => ({ update: out.fill(0), state }),
    });
    const model = lstmModel(5);
    const before = model.getWeights().map((w) => Array.from(w.data));
    const error = await fit(model, sineTask(8, 8, 1), { loss: 'mse', optimizer: jumpy, batchSize: 4 }).catch((e: unknown) => e);
    expect((error as Error).message).toBe(
      "fit: the optimizer's look-ahead at epoch 1, batch 1 would write Infinity into lstm/kernel at [0, 0]; the step was undone, " +
        'so the weights and the optimizer are as before this batch. Lower the learning rate or clip gradients (globalClipNorm)',
    );
    expect(model.getWeights().map((w) => Array.from(w.data))).toEqual(before);
  });

  it('should refuse a second fit of a model (or of a layer of it) while one runs, and allow predict meanwhile', async () => {
    const model = lstmModel();
    const data = sineTask(16, 8, 1);
    let predicted = 0;
    const running = fit(model, data, {
      loss: 'mse', optimizer: sgd, epochs: 2, batchSize: 4, yieldEveryMs: 0,
      callbacks: { onBatchEnd: () => void (predicted += predict(model, data.x).shape[0]!) },
    });
    const message =
      'fit: this model (or one sharing its parameters) is already being trained by another fit call; await it (or abort it with its signal) before starting another';
    await expect(fit(model, data, { loss: 'mse', optimizer: sgd })).rejects.toThrow(message);
    await expect(fit(model.layers[1]!, { x: tensor([[1, 2, 3, 4, 5, 6, 7, 8]]), y: tensor([[1]]) }, { loss: 'mse', optimizer: sgd })).rejects.toThrow(message);
    const history = await running;
    expect(history.optimizer.iterations).toBe(8);
    expect(predicted).toBe(8 * 16);
    // Once it has finished (or failed), the model can be trained again.
    await expect(fit(model, data, { loss: 'mse', optimizer: sgd, batchSize: 16 })).resolves.toMatchObject({ stopReason: 'completed' });
  });

  describe('early stopping on a scripted loss', () => {
    /** Fits a model whose epoch losses are `losses` (one batch per epoch); returns the epochs run, and the weight left. */
    async function stopsAfter(losses: number[], earlyStopping: EarlyStoppingOptions, abortAfter = Infinity) {
      const model = scalarModel();
      const controller = new AbortController();
      let epochIndex = 0;
      const scripted = {
        name: 'scripted',
        compute: (p: Tensor) => ({ value: losses[epochIndex]!, grad: new Tensor(new Float64Array(p.size), p.shape) }),
        value: () => 0,
        getConfig: () => ({ name: 'scripted' }),
      };
      const history = await fit(model, { x: tensor([[0], [0]], 'float64'), y: tensor([[0], [0]], 'float64') }, {
        loss: scripted, optimizer: sgd, epochs: losses.length, batchSize: 'full', earlyStopping: { monitor: 'loss', ...earlyStopping },
        // "Training" sets the weight to the epoch number, so the restored weight names an epoch.
        callbacks: {
          onEpochEnd: (e) => {
            model.weight.value.data[0] = e.epoch;
            epochIndex++;
            if (e.epoch >= abortAfter) controller.abort();
          },
        },
        signal: controller.signal,
      });
      return { epochs: history.epochs.length, stopReason: history.stopReason, weight: model.weight.value.data[0], bestEpoch: history.bestEpoch };
    }

    it('should stop after `patience` epochs without improvement, as Keras does', async () => {
      // Best at epoch 2; epochs 3 and 4 do not improve: Keras' wait reaches 2 at epoch 4.
      expect(await stopsAfter([5, 4, 4.5, 4.2, 3, 2], { patience: 2 })).toMatchObject({ epochs: 4, stopReason: 'early-stopping' });
      expect(await stopsAfter([5, 4, 4.5, 3.9, 4.1, 4, 4], { patience: 2 })).toMatchObject({ epochs: 6 });
      // patience 0 and 1 both stop at the first epoch without improvement (wait is 1 there).
      expect(await stopsAfter([5, 4, 4.5, 3], { patience: 0 })).toMatchObject({ epochs: 3 });
      expect(await stopsAfter([5, 4, 4.5, 3], { patience: 1 })).toMatchObject({ epochs: 3 });
      expect(await stopsAfter([5, 4, 3, 2], { patience: 1 })).toMatchObject({ epochs: 4, stopReason: 'completed' });
    });

    it('should count only improvements beyond minDelta and restore the best epoch', async () => {
      // 4.95 and 4.9 are not below 5 − 0.1: two epochs without improvement after epoch 1.
      expect(await stopsAfter([5, 4.95, 4.9, 1], { patience: 2, minDelta: 0.1, restoreBestWeights: true })).toEqual({
        epochs: 3, stopReason: 'early-stopping', weight: 1, bestEpoch: 1,
      });
      expect(await stopsAfter([5, 4, 4.5, 4.2], { patience: 5, restoreBestWeights: true })).toEqual({
        epochs: 4, stopReason: 'completed', weight: 2, bestEpoch: 2,
      });
      // An abort keeps the weights reached, which its trainingState continues from.
      expect(await stopsAfter([5, 4, 4.5, 4.2], { patience: 5, restoreBestWeights: true }, 3)).toEqual({
        epochs: 3, stopReason: 'aborted', weight: 3, bestEpoch: undefined,
      });
    });
  });
});
