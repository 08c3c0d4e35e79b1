import { describe, expect, it } from 'vitest';
import { Random, tensor, zeros } from '@rnnkit/tensor';
import { SimpleRNN } from './simple-rnn.js';

function built(options: ConstructorParameters<typeof SimpleRNN>[0], features: number): SimpleRNN {
  const layer = new SimpleRNN(options);
  layer.build([null, null, features], new Random(0));
  return layer;
}

describe('SimpleRNN', () => {
  it('should compute h_t = tanh(x_t·W + h_{t−1}·U + b) step by step', () => {
    const layer = built({ units: 1, returnSequences: true }, 1);
    layer.setWeights([tensor([[0.5]]), tensor([[-0.3]]), tensor([0.1])]);
    const h1 = Math.tanh(0.5 * 1 + 0.1);
    const h2 = Math.tanh(0.5 * 2 - 0.3 * h1 + 0.1);
    const y = layer.forward(tensor([[[1], [2]]])).y;
    expect(y.get(0, 0, 0)).toBeCloseTo(h1, 6);
    expect(y.get(0, 1, 0)).toBeCloseTo(h2, 6);
  });

  it("should add a zero learnable initial state 'initialState' [units] after Keras' weights", () => {
    const layer = built({ units: 3, learnableInitialState: true }, 2);
    expect(layer.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['kernel', [2, 3]],
      ['recurrentKernel', [3, 3]],
      ['bias', [3]],
      ['initialState', [3]],
    ]);
    expect(Array.from(layer.params()[3]!.value.data)).toEqual([0, 0, 0]);
  });

  it('should start every sequence from the learnable state unless an initial state is given', () => {
    const layer = built({ units: 1, learnableInitialState: true, useBias: false }, 1);
    layer.setWeights([tensor([[0]]), tensor([[1]]), tensor([0.5])]);
    const x = zeros([2, 1, 1]);
    expect(Array.from(layer.forward(x).y.data)).toEqual([Math.fround(Math.tanh(0.5)), Math.fround(Math.tanh(0.5))]);
    const given = layer.forward(x, { initialState: [tensor([[0], [1]])] }).y;
    expect(Array.from(given.data)).toEqual([0, Math.fround(Math.tanh(1))]);
  });

  it('should record its activation and learnableInitialState in its config', () => {
    const config = built({ units: 2, activation: 'sigmoid', learnableInitialState: true }, 1).getConfig();
    expect([config.activation, config.learnableInitialState, config.name]).toEqual(['sigmoid', true, 'simple_rnn']);
  });

  it('should refuse a non-boolean learnableInitialState', () => {
    expect(() => new SimpleRNN({ units: 2, learnableInitialState: 'yes' as never })).toThrow(
      'SimpleRNN: learnableInitialState must be true or false, got "yes"',
    );
  });
});
