import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor, zeros } from '@rnnkit/tensor';
import { gruCell } from './cells/cell-plugins.js';
import { lstmCell } from './cells/cell-plugins.js';
import { LSTM } from './lstm.js';
import { RNN, rnn } from './rnn.js';
import { uniform } from './test-support.js';
import { ToyCell } from './toy-cell.test-util.js';

function builtToy(options: Partial<ConstructorParameters<typeof RNN>[0]> = {}, features = 2): RNN {
  const layer = new RNN({ cell: new ToyCell(3), ...options });
  layer.build([null, null, features], new Random(1));
  return layer;
}

describe('RNN', () => {
  it('should take units, states and dtype from its cell', () => {
    const layer = rnn({ cell: new ToyCell(3) });
    expect([layer.className, layer.name, layer.units, layer.stateCount, layer.dtype, layer.built]).toEqual(['RNN', 'rnn', 3, 2, 'float64', false]);
    expect(layer.outputShape([null, 5, 2])).toEqual([null, 3]);
    expect(new RNN({ cell: new ToyCell(3), returnSequences: true }).outputShape([4, 5, 2])).toEqual([4, 5, 3]);
  });

  it('should equal the LSTM layer when run over an LSTM cell with the same weights', () => {
    const random = new Random(4);
    const layer = new LSTM({ units: 3, returnSequences: true, returnState: true, dtype: 'float64' });
    layer.build([null, 4, 2], random);
    const generic = new RNN({ cell: lstmCell({ units: 3, dtype: 'float64' }), returnSequences: true, returnState: true });
    generic.build([null, 4, 2], random);
    generic.setWeights(layer.getWeights());
    const x = uniform([2, 4, 2], random);
    const dy = uniform([2, 4, 3], random);
    const results = [layer, generic].map((l) => {
      const { y, states, cache } = l.forward(x, { training: true });
      const { dx, initialStateGrads } = l.backwardWithStates(dy, cache);
      return [y, ...states!, dx, ...initialStateGrads, ...l.params().map((p) => p.grad)].map((t) => Array.from(t.data));
    });
    expect(results[1]).toEqual(results[0]);
  });

  it('should sum the gradient of a learnable initial state over the batch', () => {
    const layer = builtToy({ learnableInitialState: true });
    expect(layer.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['kernel', [2, 3]],
      ['decay', [3]],
      ['initialState', [3]],
      ['initialState_m', [3]],
    ]);
    const [, , h0, m0] = layer.params() as [unknown, unknown, { value: Tensor; grad: Tensor }, { value: Tensor; grad: Tensor }];
    h0.value.data.set([0.1, -0.2, 0.3]);
    m0.value.data.set([0.5, 0.4, -0.6]);
    const random = new Random(2);
    const x = uniform([2, 3, 2], random);
    const dy = uniform([2, 3], random);
    const { cache } = layer.forward(x);
    const { initialStateGrads } = layer.backwardWithStates(dy, cache);
    const batchSum = (t: Tensor): number[] => [0, 1, 2].map((k) => t.data[k]! + t.data[3 + k]!);
    expect(Array.from(h0.grad.data)).toEqual(batchSum(initialStateGrads[0]!));
    expect(Array.from(m0.grad.data)).toEqual(batchSum(initialStateGrads[1]!));
    // The same states given explicitly: the same output, and no gradient into the parameters.
    const given = [h0, m0].map((p) => new Tensor(Float64Array.from([...p.value.data, ...p.value.data]), [2, 3]));
    const before = Array.from(h0.grad.data);
    const explicit = layer.forward(x, { initialState: given });
    expect(Array.from(explicit.y.data)).toEqual(Array.from(layer.forward(x).y.data));
    layer.backward(dy, explicit.cache);
    expect(Array.from(h0.grad.data)).toEqual(before);
  });

  it('should record the cell in its config', () => {
    const layer = new RNN({ cell: gruCell({ units: 2, resetAfter: false }), returnState: true, name: 'encoder' });
    expect(layer.getConfig()).toEqual({
      name: 'encoder',
      cell: {
        kind: 'gru',
        config: {
          units: 2,
          activation: 'tanh',
          useBias: true,
          kernelInitializer: 'glorotUniform',
          recurrentInitializer: 'orthogonal',
          biasInitializer: 'zeros',
          dtype: 'float32',
          dropout: 0,
          recurrentDropout: 0,
          recurrentActivation: 'sigmoid',
          resetAfter: false,
        },
      },
      returnSequences: false,
      returnState: true,
      learnableInitialState: false,
      goBackwards: false,
      stateful: false,
    });
  });

  it('should refuse bad options and inputs with one-line errors', () => {
    expect(() => new RNN({ cell: {} as never })).toThrow('RNN: cell must be a RecurrentCell');
    expect(() => new RNN({ cell: new ToyCell(2), units: 3 } as never)).toThrow('RNN: unknown option "units"');
    expect(() => new RNN({ cell: new ToyCell(2), returnState: 1 as never })).toThrow('RNN: returnState must be true or false');
    expect(() => new RNN({ cell: new ToyCell(2) }).forward(zeros([1, 1, 2], 'float64'))).toThrow(
      'RNN: layer "rnn" is not built; call build([batch, time, features], random) first',
    );
    const layer = builtToy();
    expect(() => layer.build([null, null, 4], new Random(0))).toThrow('RNN: already built for input [batch, time, 2], got [null, null, 4]');
    expect(() => layer.forward(zeros([1, 2, 3], 'float64'))).toThrow('RNN: expected input [batch, time, 2], got [1, 2, 3]');
    expect(() => layer.forward(zeros([1, 2, 2]))).toThrow("RNN: expected a float64 input (the layer's dtype), got float32");
    expect(() => layer.forward(zeros([3, 0, 2], 'float64'))).toThrow('RNN: expected input [batch, time, 2] with at least one time step, got [3, 0, 2]');
    expect(() => layer.forward(zeros([1, 2, 2], 'float64'), { initialState: [zeros([1, 3], 'float64')] })).toThrow(
      'RNN: initialState must be [h, m]: 2 tensors of shape [batch, 3], got [object]',
    );
    expect(() => layer.forward(zeros([1, 2, 2], 'float64'), { initialState: [zeros([1, 3], 'float64'), zeros([2, 3], 'float64')] })).toThrow(
      'RNN: initialState[1] must have shape [1, 3], got [2, 3]',
    );
    const { cache } = layer.forward(zeros([1, 2, 2], 'float64'));
    expect(() => layer.backward(zeros([1, 2, 3], 'float64'), cache)).toThrow('RNN: expected an output gradient of shape [1, 3], got [1, 2, 3]');
    expect(() => layer.backward(zeros([1, 3], 'float64'), cache, { stateGrads: [zeros([1, 3], 'float64')] })).toThrow(
      'RNN: stateGrads needs a layer built with returnState: true',
    );
  });

  it('should use the API name of a subclass in its errors', () => {
    const layer = new LSTM({ units: 2 });
    layer.build([null, null, 1], new Random(0));
    expect(() => layer.forward(tensor([[[1, 2]]]))).toThrow('LSTM: expected input [batch, time, 1], got [1, 1, 2]');
    expect(() => layer.forward(zeros([2, 0, 1]))).toThrow('LSTM: expected input [batch, time, 1] with at least one time step, got [2, 0, 1]');
    expect(() => new LSTM({ units: 2, cell: lstmCell({ units: 2 }) } as never)).toThrow('LSTM: unknown option "cell"');
  });
});
