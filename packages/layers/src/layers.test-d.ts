import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '@rnnkit/tensor';
import { Dense, GRU, LSTM, type Layer, type RecurrentLayer, SimpleRNN } from './index.js';

describe('layer option types', () => {
  it('should reject unknown and misspelt options at compile time', () => {
    // @ts-expect-error returnSequence is not an option (returnSequences is)
    void (() => new LSTM({ units: 2, returnSequence: true }));
    // @ts-expect-error resetAfter belongs to GRU
    void (() => new SimpleRNN({ units: 2, resetAfter: false }));
    // @ts-expect-error units is required
    void (() => new Dense({ activation: 'relu' }));
  });

  it('should accept only the known activation names and cellOutput values', () => {
    // @ts-expect-error 'swish' is not a built-in activation
    void (() => new Dense({ units: 1, activation: 'swish' }));
    // @ts-expect-error cellOutput is 'activation' or 'none'
    void (() => new LSTM({ units: 1, cellOutput: 'tanh' }));
    expectTypeOf(new LSTM({ units: 1, cellOutput: 'none', recurrentActivation: 'hardSigmoid' })).toMatchTypeOf<RecurrentLayer>();
  });

  it('should make every built-in layer a Layer whose backward returns a Tensor', () => {
    expectTypeOf(new GRU({ units: 1 })).toMatchTypeOf<Layer>();
    expectTypeOf(new Dense({ units: 1 })).toMatchTypeOf<Layer>();
    expectTypeOf<ReturnType<LSTM['backward']>>().toEqualTypeOf<Tensor>();
    expectTypeOf<ReturnType<LSTM['backwardWithStates']>['initialStateGrads']>().toEqualTypeOf<readonly Tensor[]>();
  });
});
