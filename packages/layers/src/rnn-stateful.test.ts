import { describe, expect, it } from 'vitest';
import { Random } from '@rnnkit/tensor';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { RNN } from './rnn.js';
import { SimpleRNN } from './simple-rnn.js';
import { lstmCell } from './cells/cell-plugins.js';
import { randomizeParams, uniform } from './test-support.js';

function statefulPair(seed: number): { stateful: LSTM; plain: LSTM; random: Random } {
  const random = new Random(seed);
  const plain = new LSTM({ units: 3, dtype: 'float64', returnSequences: true, returnState: true });
  plain.build([null, null, 2], random);
  randomizeParams(plain, random);
  const stateful = new LSTM({ units: 3, dtype: 'float64', returnSequences: true, stateful: true });
  stateful.build([null, null, 2], random);
  stateful.setWeights(plain.getWeights());
  return { stateful, plain, random };
}

describe('stateful recurrent layers', () => {
  it('should refuse another batch size while states are carried, naming both sizes', () => {
    const { stateful, random } = statefulPair(1);
    stateful.forward(uniform([4, 3, 2], random));
    expect(() => stateful.forward(uniform([2, 3, 2], random))).toThrow(
      'LSTM: stateful layer "lstm" carries states for a batch of 4, got a batch of 2 (input [2, 3, 2]); keep the batch size fixed, or call resetStates() to start new sequences',
    );
    stateful.resetStates();
    expect(stateful.forward(uniform([2, 3, 2], random)).y.shape).toEqual([2, 3, 3]);
  });

  it('should start from given states after resetStates(states), as forward with initialState does', () => {
    const { stateful, plain, random } = statefulPair(2);
    const states = [uniform([2, 3], random), uniform([2, 3], random)];
    const x = uniform([2, 4, 2], random);
    stateful.resetStates(states);
    expect(stateful.statefulBatch).toBe(2);
    expect(Array.from(stateful.forward(x).y.data)).toEqual(Array.from(plain.forward(x, { initialState: states }).y.data));
    expect(() => stateful.resetStates([states[0]!])).toThrow('LSTM: resetStates expected the states [h, c], each [batch, size], got [object]');
    expect(() => stateful.resetStates([states[0]!, uniform([3, 3], random)])).toThrow('LSTM: resetStates: state 1 (c) must be a float64 tensor [2, 3], got float64 [3, 3]');
  });

  it('should let an explicit initialState win over the carried states, and carry on from its final states', () => {
    const { stateful, plain, random } = statefulPair(3);
    stateful.forward(uniform([2, 3, 2], random));
    const given = [uniform([2, 3], random), uniform([2, 3], random)];
    const x1 = uniform([2, 3, 2], random);
    const x2 = uniform([2, 2, 2], random);
    const expected1 = plain.forward(x1, { initialState: given });
    expect(Array.from(stateful.forward(x1, { initialState: given }).y.data)).toEqual(Array.from(expected1.y.data));
    const expected2 = plain.forward(x2, { initialState: expected1.states });
    expect(Array.from(stateful.forward(x2).y.data)).toEqual(Array.from(expected2.y.data));
  });

  it('should stop gradients at the batch boundary: the carried states are constants for backward', () => {
    const { stateful, plain, random } = statefulPair(4);
    const x1 = uniform([2, 3, 2], random);
    const x2 = uniform([2, 3, 2], random);
    const dy = uniform([2, 3, 3], random);
    stateful.forward(x1);
    const carried = plain.forward(x1).states!;
    const ours = stateful.forward(x2, { training: true });
    for (const p of stateful.params()) p.zeroGrad();
    const dx = stateful.backward(dy, ours.cache);
    const theirs = plain.forward(x2, { initialState: carried, training: true });
    for (const p of plain.params()) p.zeroGrad();
    const dxPlain = plain.backward(dy, theirs.cache);
    expect(Array.from(dx.data)).toEqual(Array.from(dxPlain.data));
    stateful.params().forEach((p, i) => expect(Array.from(p.grad.data), p.name).toEqual(Array.from(plain.params()[i]!.grad.data)));
  });

  it('should record stateful in the config of RNN, SimpleRNN, LSTM and GRU and rebuild from it', () => {
    const layers = [
      new RNN({ cell: lstmCell({ units: 2 }), stateful: true }),
      new SimpleRNN({ units: 2, stateful: true }),
      new LSTM({ units: 2, stateful: true }),
      new GRU({ units: 2, stateful: true }),
    ];
    for (const layer of layers) {
      expect(layer.getConfig().stateful, layer.className).toBe(true);
      expect(layer.stateful).toBe(true);
    }
    expect(LSTM.fromConfig(layers[2]!.getConfig()).stateful).toBe(true);
    expect(new GRU({ units: 2 }).getConfig().stateful).toBe(false);
  });

  it('should refuse a non-boolean stateful and resetStates on a layer that is not stateful', () => {
    expect(() => new LSTM({ units: 2, stateful: 'yes' as unknown as boolean })).toThrow('LSTM: stateful must be true or false, got "yes"');
    expect(() => new GRU({ units: 2 }).resetStates()).toThrow('GRU: resetStates needs a layer made with stateful: true ("gru" is not)');
  });

  it('should refuse a stepper for other features or before build', () => {
    const layer = new SimpleRNN({ units: 2 });
    expect(() => layer.stepper(1, 3)).toThrow('SimpleRNN: layer "simple_rnn" is not built; build it before making a stepper');
    layer.build([null, null, 3], new Random(0));
    expect(() => layer.stepper(1, 2)).toThrow('SimpleRNN: stepper: the layer takes 3 input features per step, got 2');
    expect(() => layer.stepper(0, 3)).toThrow('SimpleRNN: stepper batch must be a positive integer, got number 0');
    expect(layer.stepper(2, 3).outputSize).toBe(2);
  });
});
