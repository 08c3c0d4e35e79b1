import { Dense, Sequential } from '@rnnkit/layers';
import { sgd } from '@rnnkit/optimizers';
import { tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { evaluate, fit, predict } from './index.js';
import { lstmModel, rejection, sineTask } from './test-support.js';

/** Dense(2) → Dense(1) over 3 features; the first layer's kernel set to `value`. */
function denseModel(value: number) {
  const model = new Sequential({ inputShape: [3], layers: [new Dense({ units: 2 }), new Dense({ units: 1 })], seed: 1 });
  model.params().find((p) => p.name === 'dense/kernel')!.value.data.fill(value);
  return model;
}

describe('non-finite outputs', () => {
  it('should make predict name the first layer whose output overflowed when the weights are finite', () => {
    const model = denseModel(3e38);
    const x = tensor([[0.001, 0.001, 0.001], [10, 10, 10]]);
    expect(() => predict(model, x)).toThrow(
      /^predict: the model's output holds (NaN|-?Infinity) at \[1, 0\] \(sample 1, feature 0\); every weight is finite; it first appears in the output of layer 1 of 2, "dense", at \[1, 0\] \(sample 1, feature 0\)$/,
    );
  });

  it('should count samples across batches', () => {
    const model = denseModel(3e38);
    const x = tensor([[0, 0, 0], [0, 0, 0], [0, 0, 0], [10, 10, 10]]);
    expect(() => predict(model, x, { batchSize: 2 })).toThrow(/^predict: the model's output holds \S+ at \[3, 0\] \(sample 3, feature 0\)/);
  });

  it('should make predict and evaluate name a weight that holds NaN', () => {
    const model = lstmModel();
    model.params().find((p) => p.name === 'lstm/recurrentKernel')!.value.data[9] = NaN;
    const { x, y } = sineTask(3, 8, 1);
    expect(() => predict(model, x)).toThrow(
      "predict: the model's output holds NaN at [0, 0] (sample 0, feature 0); the weights of lstm/recurrentKernel hold NaN at [0, 9]",
    );
    expect(() => evaluate(model, { x, y }, { loss: 'mse' })).toThrow(/^evaluate: the model's output holds NaN .*lstm\/recurrentKernel hold NaN at \[0, 9\]$/);
  });

  it('should make fit refuse weights that are not finite before training', async () => {
    const model = lstmModel();
    model.params().find((p) => p.name === 'dense/bias')!.value.data[0] = Infinity;
    const error = await rejection(fit(model, sineTask(4, 8, 1), { loss: 'mse', optimizer: sgd }));
    expect(error.message).toBe('fit: the weights of dense/bias hold Infinity at [0] before training: weights must be finite');
  });

  it('should name a validation output that overflows during fit', async () => {
    const model = denseModel(1e37);
    const train = { x: tensor([[0, 0, 0]]), y: tensor([[0]]) };
    const validationData = { x: tensor([[100, 100, 100]]), y: tensor([[0]]) };
    const error = await rejection(fit(model, train, { loss: 'mse', optimizer: sgd, optimizerOptions: { learningRate: 0 }, validationData }));
    expect(error.message).toMatch(/^fit: the model's output holds \S+ at \[0, 0\] \(sample 0, feature 0\); every weight is finite; it first appears in the output of layer 1 of 2/);
  });
});

describe('inputs with an axis of length 0', () => {
  it('should be refused by fit, evaluate and predict, naming the shape', async () => {
    const model = lstmModel();
    const x = tensor(Array.from({ length: 4 }, () => []), 'float32').reshape([4, 0, 1]);
    const y = tensor([[1], [2], [3], [4]]);
    expect((await rejection(fit(model, { x, y }, { loss: 'mse', optimizer: sgd }))).message).toBe(
      'fit: data.x has shape [4, 0, 1]: its time axis (axis 1) has 0 steps, so a sample holds no values',
    );
    expect(() => evaluate(model, { x, y }, { loss: 'mse' })).toThrow('evaluate: data.x has shape [4, 0, 1]: its time axis (axis 1) has 0 steps');
    expect(() => predict(model, x)).toThrow('predict: x has shape [4, 0, 1]: its time axis (axis 1) has 0 steps, so a sample holds no values');
    const good = sineTask(4, 8, 1);
    expect(() => evaluate(model, { x: good.x, y: tensor([[], [], [], []], 'float32') }, { loss: 'mse' })).toThrow(
      'evaluate: data.y has shape [4, 0]: its axis 1 has length 0, so a sample holds no values',
    );
  });
});
