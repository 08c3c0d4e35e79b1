import { adam, createOptimizer, rmsprop, sgd } from '@rnnkit/optimizers';
import { describe, expect, it } from 'vitest';
import { type FitOptions, evaluate, fit, predict } from './index.js';
import { lstmModel, rejection, sineTask } from './test-support.js';

const data = sineTask(8, 8, 1);

/** Fits with `extra` added to valid options and returns the error message. */
async function refusal(extra: Record<string, unknown>): Promise<string> {
  const options = { loss: 'mse', optimizer: sgd, epochs: 1, batchSize: 4, ...extra } as unknown as FitOptions;
  return (await rejection(fit(lstmModel(), data, options))).message;
}

describe('fit options', () => {
  it('should refuse unknown callbacks, listing the valid ones, and callbacks that are not functions', async () => {
    expect(await refusal({ callbacks: { onEpochEnds: () => {} } })).toBe(
      'fit: unknown callback "onEpochEnds"; valid callbacks are onTrainBegin, onEpochBegin, onBatchEnd, onEpochEnd, onProgress, onTrainEnd',
    );
    expect(await refusal({ callbacks: { onBatchEnd: 'log' } })).toBe('fit: callbacks.onBatchEnd must be a function, got "log"');
    expect(await refusal({ callbacks: [] })).toBe('fit: expected a callbacks object, got []');
  });

  it('should refuse unknown earlyStopping keys and bad values', async () => {
    expect(await refusal({ earlyStopping: { patience: 2, min_delta: 0.1 } })).toBe(
      'fit: unknown earlyStopping option "min_delta"; valid earlyStopping options are patience, monitor, minDelta, restoreBestWeights',
    );
    expect(await refusal({ earlyStopping: { patience: 2, minDelta: NaN } })).toBe('fit: earlyStopping.minDelta must be a finite number ≥ 0, got number NaN');
    expect(await refusal({ earlyStopping: { patience: 2, minDelta: -0.1 } })).toBe('fit: earlyStopping.minDelta must be a finite number ≥ 0, got number -0.1');
    expect(await refusal({ earlyStopping: { patience: 2, monitor: 'val_loss' } })).toBe(
      'fit: earlyStopping.monitor must be "loss" or "valLoss", got "val_loss"',
    );
    expect(await refusal({ earlyStopping: { patience: 2, restoreBestWeights: 'yes' } })).toBe(
      'fit: earlyStopping.restoreBestWeights must be true or false, got "yes"',
    );
    expect(await refusal({ earlyStopping: { patience: 1.5 } })).toBe('fit: earlyStopping.patience must be an integer ≥ 0, got number 1.5');
  });

  it('should refuse a shuffle, seed, signal or batch size of the wrong kind', async () => {
    expect(await refusal({ shuffle: 'no' })).toBe('fit: shuffle must be true or false, got "no"');
    expect(await refusal({ seed: NaN })).toBe('fit: seed must be a finite number, got number NaN');
    expect(await refusal({ signal: { aborted: false } })).toBe(
      'fit: signal must be an AbortSignal (from an AbortController), got an object',
    );
    expect(await refusal({ signal: new AbortController() })).toBe(
      'fit: signal must be an AbortSignal (from an AbortController), got an AbortController',
    );
    expect(await refusal({ batchSize: 0 })).toBe('fit: batchSize must be a positive integer, got number 0');
    expect(await refusal({ yieldEveryMs: -1 })).toBe('fit: yieldEveryMs must be a number ≥ 0, got number -1');
  });

  it('should accept built-in optimizer names and refuse unknown ones, listing the valid names', async () => {
    const history = await fit(lstmModel(), data, { loss: 'mse', optimizer: 'rmsprop', optimizerOptions: { rho: 0.8 }, batchSize: 4 });
    expect(history.optimizer.plugin).toBe(rmsprop);
    expect(history.optimizer.options.rho).toBe(0.8);
    const named = await fit(lstmModel(3), data, { loss: 'mse', optimizer: 'adam', epochs: 2, batchSize: 4, seed: 2 });
    const given = await fit(lstmModel(3), data, { loss: 'mse', optimizer: adam, epochs: 2, batchSize: 4, seed: 2 });
    expect(named.batches.map((b) => b.loss)).toEqual(given.batches.map((b) => b.loss));
    expect(await refusal({ optimizer: 'Adam' })).toBe(
      'fit: unknown optimizer "Adam"; built-in optimizers are sgd, rmsprop, rmspropNesterov, adam, adamw, adamax, adagrad, adadelta, or pass a plugin (such as lion from @rnnkit/optimizer-lion)',
    );
    expect(await refusal({ optimizer: 'constructor' })).toMatch(/^fit: unknown optimizer "constructor"/);
    expect(await refusal({ optimizer: 'adam', optimizerOptions: { learningRat: 0.1 } })).toMatch(/^adam: unknown option "learningRat"; valid options are /);
  });
});

describe('fit with an optimizer already created', () => {
  it("should refuse one over another model's parameters", async () => {
    const other = lstmModel(2);
    const optimizer = createOptimizer(adam, other.params());
    expect((await rejection(fit(lstmModel(), data, { loss: 'mse', optimizer }))).message).toBe(
      'fit: the optimizer updates lstm/kernel, lstm/recurrentKernel, lstm/bias, dense/kernel, dense/bias, which are no parameters of this model; create it with createOptimizer(plugin, model.params())',
    );
    // Over the model's layers' own Params (the same values) it is this model's.
    const model = lstmModel();
    const layerParams = Object.fromEntries(model.layers.flatMap((layer, i) => layer.params().map((p) => [`${i}/${p.name}`, p])));
    const layered = createOptimizer(adam, layerParams, { learningRate: 0.01 });
    await expect(fit(model, data, { loss: 'mse', optimizer: layered, batchSize: 4 })).resolves.toMatchObject({ stopReason: 'completed' });
    expect(layered.iterations).toBe(2);
  });
});

describe('evaluate and predict options', () => {
  it('should refuse unknown keys, listing the valid ones', () => {
    const model = lstmModel();
    expect(() => evaluate(model, data, { loss: 'mse', batch_size: 4 } as never)).toThrow(
      'evaluate: unknown option "batch_size"; valid options are loss, batchSize, metrics',
    );
    expect(() => predict(model, data.x, { batch: 4 } as never)).toThrow('predict: unknown option "batch"; valid options are batchSize');
    expect(() => evaluate(model, data, null as never)).toThrow('evaluate: expected an options object, got null');
    expect(() => predict(model, data.x, { batchSize: 2.5 })).toThrow('predict: batchSize must be a positive integer, got number 2.5');
    expect(() => predict({ forward: () => ({}) } as never, data.x)).toThrow(
      'predict: model must have forward, backward, params, getWeights, setWeights (a Sequential, a layer, or your own model); it lacks backward, params, getWeights, setWeights',
    );
    expect(() => evaluate(null as never, data, { loss: 'mse' })).toThrow(/^evaluate: model must have forward, .* it lacks forward, backward/);
    expect(() => evaluate(model, data, { loss: 'mse', metrics: 'mae' as never })).toThrow(
      'evaluate: metrics must be an array of names (["mae"]) or a record of functions, got "mae"',
    );
    expect(() => evaluate(model, data, { loss: 'mse', metrics: { ratio: () => 0 / 0 } })).toThrow(
      'evaluate: metric "ratio" returned NaN; a metric must return a finite number',
    );
  });
});
