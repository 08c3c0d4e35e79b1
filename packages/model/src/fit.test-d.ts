import { Dense, Sequential } from '@rnnkit/layers';
import { adam, createOptimizer, sgd } from '@rnnkit/optimizers';
import { tensor } from '@rnnkit/tensor';
import { describe, it } from 'vitest';
import { fit } from './index.js';

const model = new Sequential({ inputShape: [1], layers: [new Dense({ units: 1 })] });
const data = { x: tensor([[1]]), y: tensor([[2]]) };

describe('fit optimizerOptions', () => {
  it('should accept the options of the plugin given, or of the built-in named', () => {
    void fit(model, data, { loss: 'mse', optimizer: adam, optimizerOptions: { learningRate: 0.01, beta1: 0.8, amsgrad: true, clipNorm: 1 } });
    void fit(model, data, { loss: 'mse', optimizer: 'sgd', optimizerOptions: { momentum: 0.9, nesterov: true } });
  });

  it('should not compile a typo in an option', () => {
    void fit(model, data, {
      loss: 'mse',
      optimizer: adam,
      // @ts-expect-error learningRat is a typo of learningRate
      optimizerOptions: { learningRat: 0.01 },
    });
  });

  it("should not compile another optimizer's option or a wrong type", () => {
    // @ts-expect-error momentum belongs to sgd, not adam
    void fit(model, data, { loss: 'mse', optimizer: 'adam', optimizerOptions: { momentum: 0.9 } });
    // @ts-expect-error nesterov is a boolean
    void fit(model, data, { loss: 'mse', optimizer: sgd, optimizerOptions: { nesterov: 'yes' } });
  });

  it('should not compile an unknown optimizer name', () => {
    // @ts-expect-error adma is no built-in optimizer
    void fit(model, data, { loss: 'mse', optimizer: 'adma' });
  });

  it('should not compile optimizerOptions beside an optimizer already created', () => {
    const optimizer = createOptimizer(adam, model.params());
    void fit(model, data, { loss: 'mse', optimizer });
    // @ts-expect-error the optimizer is already configured
    void fit(model, data, { loss: 'mse', optimizer, optimizerOptions: { learningRate: 0.1 } });
  });

  it('should not compile an unknown fit option', () => {
    // @ts-expect-error epoch is a typo of epochs
    void fit(model, data, { loss: 'mse', optimizer: sgd, epoch: 3 });
  });
});

describe('fit sampleWeight and tbptt', () => {
  it('should take a tensor of weights and a number of steps', () => {
    void fit(model, data, { loss: 'mse', optimizer: sgd, sampleWeight: tensor([1]), tbptt: 4 });
    // @ts-expect-error sampleWeight is a Tensor, not an array
    void fit(model, data, { loss: 'mse', optimizer: sgd, sampleWeight: [1] });
    // @ts-expect-error tbptt is a number of steps
    void fit(model, data, { loss: 'mse', optimizer: sgd, tbptt: true });
  });
});
