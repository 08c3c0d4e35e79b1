import { describe, expect, it } from 'vitest';
import { Random, Tensor } from '@rnnkit/tensor';
import { bidirectional } from './bidirectional.js';
import { lstmCell } from './cells/cell-plugins.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { RNN } from './rnn.js';
import { Sequential } from './sequential.js';

describe('Bidirectional', () => {
  it('should name its directions forward_<name> and backward_<name>, flipping goBackwards, params forward first', () => {
    const layer = bidirectional({ layer: new LSTM({ units: 2, name: 'enc' }) });
    expect([layer.forwardLayer.name, layer.backwardLayer.name]).toEqual(['forward_enc', 'backward_enc']);
    expect([layer.forwardLayer.goBackwards, layer.backwardLayer.goBackwards]).toEqual([false, true]);
    layer.build([null, 3, 1], new Random(1));
    expect(layer.params().length).toBe(6);
    expect(layer.params().map((p) => p.name)).toEqual([
      'forward_enc/kernel', 'forward_enc/recurrentKernel', 'forward_enc/bias', 'backward_enc/kernel', 'backward_enc/recurrentKernel', 'backward_enc/bias',
    ]);
    expect(layer.params()[3]!.value).toBe(layer.backwardLayer.params()[0]!.value);
    expect(layer.outputShape([null, 3, 1])).toEqual([null, 4]);
    expect(layer.getConfig()).toEqual({ name: 'bidirectional', layer: { className: 'LSTM', config: new LSTM({ units: 2, name: 'enc' }).getConfig() }, mergeMode: 'concat' });
  });

  it('should refuse mergeMode null, unknown modes, layers it cannot copy and mismatched backward layers', () => {
    expect(() => bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: null as never })).toThrow(/^Bidirectional: mergeMode null \(the two outputs as a list\) is not supported/);
    expect(() => bidirectional({ layer: new LSTM({ units: 2 }), mergeMode: 'max' as never })).toThrow('Bidirectional: mergeMode must be one of "concat", "sum", "mul", "ave", got "max"');
    expect(() => bidirectional({ layer: new RNN({ cell: lstmCell({ units: 2 }) }) })).toThrow('Bidirectional: layer "rnn" (RNN) cannot be copied: its class has no static fromConfig');
    expect(() => bidirectional({ layer: new LSTM({ units: 2 }), backwardLayer: new GRU({ units: 2 }) })).toThrow('Bidirectional: backwardLayer "gru": goBackwards must be the opposite of layer\'s');
    expect(() => bidirectional({ layer: {} as never })).toThrow(/^Bidirectional: layer must be a recurrent layer/);
  });

  it('should use a given backward layer (copied, renamed) and record it in its config', () => {
    const layer = bidirectional({ layer: new LSTM({ units: 2 }), backwardLayer: new GRU({ units: 3, goBackwards: true }), mergeMode: 'concat' });
    expect(layer.backwardLayer.name).toBe('backward_gru');
    expect(layer.stateCount).toBe(3);
    expect(layer.outputShape([null, 4, 2])).toEqual([null, 5]);
    expect(layer.getConfig().backwardLayer?.className).toBe('GRU');
  });

  it('should split initialState between the directions and refuse a wrong count', () => {
    const layer = bidirectional({ layer: new LSTM({ units: 1, returnState: true }), mergeMode: 'sum' });
    layer.build([null, 2, 1], new Random(2));
    const x = new Tensor(new Float32Array([0.5, -0.5]), [1, 2, 1]);
    const s = (v: number) => new Tensor(new Float32Array([v]), [1, 1]);
    const { states } = layer.forward(x, { initialState: [s(0.1), s(0.2), s(0.3), s(0.4)] });
    expect(states!.length).toBe(4);
    const alone = layer.backwardLayer.forward(x, { initialState: [s(0.3), s(0.4)] });
    expect(Array.from(states![2]!.data)).toEqual(Array.from(alone.states![0]!.data));
    expect(() => layer.forward(x, { initialState: [s(0.1), s(0.2)] })).toThrow(
      "Bidirectional: initialState must list 4 tensors, the forward layer's 2 then the backward layer's 2, got [object, object]",
    );
  });

  it('should be refused by a Sequential model with returnState, and work in one without', () => {
    expect(() => new Sequential({ layers: [bidirectional({ layer: new LSTM({ units: 2, returnState: true }) })], inputShape: [3, 1] })).toThrow(/returnState: true/);
    const model = new Sequential({ layers: [bidirectional({ layer: new LSTM({ units: 2, returnSequences: true }), mergeMode: 'ave' })], inputShape: [3, 1] });
    expect(model.forward(new Tensor(new Float32Array(6), [2, 3, 1])).y.shape).toEqual([2, 3, 2]);
  });
});
