import { describe, expectTypeOf, it } from 'vitest';
import type { Tensor } from '@rnnkit/tensor';
import {
  Dense,
  Embedding,
  Flatten,
  GRU,
  GlobalAveragePooling1D,
  GlobalMaxPooling1D,
  LSTM,
  type Layer,
  type LayerCodec,
  type RecurrentCell,
  type RecurrentLayer,
  RepeatVector,
  SimpleRNN,
  TimeDistributed,
  embeddingCodec,
  lstmCell,
} from './index.js';

type DropoutMasksOf = NonNullable<RecurrentCell['dropoutMasks']>;

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

  it('should take dropout rates and a seed as numbers on the recurrent layers and cells, and not on Dense', () => {
    expectTypeOf(new GRU({ units: 1, dropout: 0.1, recurrentDropout: 0.2, seed: 3 })).toMatchTypeOf<RecurrentLayer>();
    expectTypeOf(lstmCell({ units: 1, dropout: 0.1, recurrentDropout: 0.2 }).dropoutMasks).toEqualTypeOf<DropoutMasksOf | null>();
    // @ts-expect-error a rate is a number
    void (() => new LSTM({ units: 1, dropout: '0.1' }));
    // @ts-expect-error the seed is a number
    void (() => new SimpleRNN({ units: 1, dropout: 0.1, seed: 'x' }));
    // @ts-expect-error the seed belongs to the layer, not the cell
    void (() => lstmCell({ units: 1, seed: 1 }));
    // @ts-expect-error Dense has no recurrent dropout
    void (() => new Dense({ units: 1, recurrentDropout: 0.1 }));
  });

  it('should make every built-in layer a Layer whose backward returns a Tensor', () => {
    expectTypeOf(new GRU({ units: 1 })).toMatchTypeOf<Layer>();
    expectTypeOf(new Dense({ units: 1 })).toMatchTypeOf<Layer>();
    expectTypeOf<ReturnType<LSTM['backward']>>().toEqualTypeOf<Tensor>();
    expectTypeOf<ReturnType<LSTM['backwardWithStates']>['initialStateGrads']>().toEqualTypeOf<readonly Tensor[]>();
  });

  it('should type the sequence layers: required options, no unknown ones, a Layer to wrap', () => {
    // @ts-expect-error outputDim is required
    void (() => new Embedding({ inputDim: 10 }));
    // @ts-expect-error inputLength is not an option (the sequence length is the model's input shape)
    void (() => new Embedding({ inputDim: 10, outputDim: 2, inputLength: 5 }));
    // @ts-expect-error n is required
    void (() => new RepeatVector({}));
    // @ts-expect-error keepdims is not an option
    void (() => new GlobalAveragePooling1D({ keepdims: true }));
    // @ts-expect-error dataFormat is not an option
    void (() => new Flatten({ dataFormat: 'channelsLast' }));
    // @ts-expect-error layer must be a Layer
    void (() => new TimeDistributed({ layer: { units: 2 } }));
    // @ts-expect-error ownKeys may claim input_dim and input_length only
    void ((codec: LayerCodec): LayerCodec => ({ ...codec, ownKeys: ['batch_input_shape'] }));
    expectTypeOf(new GlobalMaxPooling1D()).toMatchTypeOf<Layer>();
    expectTypeOf(new TimeDistributed({ layer: new Dense({ units: 1 }) })).toMatchTypeOf<Layer>();
    expectTypeOf(embeddingCodec).toMatchTypeOf<LayerCodec<Embedding>>();
  });
});
