import { describe, expectTypeOf, it } from 'vitest';
import { tensor, type Tensor } from '@rnnkit/tensor';
import {
  type Loss,
  type LossResult,
  binaryCrossentropy,
  getLoss,
  meanSquaredError,
  selectFeatures,
  softmaxCrossEntropy,
} from './index.js';

describe('loss factories', () => {
  it('should accept their documented options', () => {
    expectTypeOf(meanSquaredError({ reduction: 'sum' })).toEqualTypeOf<Loss>();
    expectTypeOf(binaryCrossentropy({ fromLogits: true, epsilon: 1e-6 })).toEqualTypeOf<Loss>();
    expectTypeOf(selectFeatures(meanSquaredError(), { indices: [0] })).toEqualTypeOf<Loss>();
  });

  it('should not compile with unknown options or reductions', () => {
    // @ts-expect-error unknown option
    meanSquaredError({ reduce: 'sum' });
    // @ts-expect-error reduction is 'mean' | 'sum'
    softmaxCrossEntropy({ reduction: 'avg' });
    // @ts-expect-error fromLogits is a boolean
    binaryCrossentropy({ fromLogits: 'yes' });
    // @ts-expect-error indices are required
    selectFeatures(meanSquaredError(), {});
  });
});

describe('the Loss contract', () => {
  it('should return a number value and a Tensor gradient', () => {
    const result = getLoss('mse').compute(tensor([[1]]), tensor([[0]]));
    expectTypeOf(result).toEqualTypeOf<LossResult>();
    expectTypeOf(result.value).toEqualTypeOf<number>();
    expectTypeOf(result.grad).toEqualTypeOf<Tensor>();
  });

  it('should let a plain object be a loss and refuse one without value or getConfig', () => {
    const own: Loss = {
      name: 'own',
      compute: (p) => ({ value: 0, grad: p }),
      value: () => 0,
      getConfig: () => ({ name: 'own' }),
    };
    expectTypeOf(getLoss(own)).toEqualTypeOf<Loss>();
    // @ts-expect-error value and getConfig are part of the contract
    const incomplete: Loss = { name: 'own', compute: (p: Tensor) => ({ value: 0, grad: p }) };
    void incomplete;
  });
});
