import { describe, expect, it } from 'vitest';
import { Random, Tensor, glorotNormal, tensor, zeros } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

function built(options: ConstructorParameters<typeof LSTM>[0], features: number, seed = 0): LSTM {
  const layer = new LSTM(options);
  layer.build([null, null, features], new Random(seed));
  return layer;
}

describe('LSTM', () => {
  it("should lay out weights as Keras: kernel [in, 4u], recurrent kernel [u, 4u], bias [4u]", () => {
    const layer = built({ units: 3 }, 2);
    expect(layer.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['kernel', [2, 12]],
      ['recurrentKernel', [3, 12]],
      ['bias', [12]],
    ]);
  });

  it('should start the forget-gate bias at 1 with unitForgetBias (default) and at 0 without', () => {
    expect(Array.from(built({ units: 2 }, 1).getWeights()[2]!.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(built({ units: 2, unitForgetBias: false }, 1).getWeights()[2]!.data)).toEqual(new Array(8).fill(0));
  });

  it('should default to an orthogonal recurrent kernel (U·Uᵀ = I)', () => {
    const u = 3;
    const U = built({ units: u }, 2).getWeights()[1]!;
    for (let i = 0; i < u; i++) {
      for (let j = 0; j < u; j++) {
        let dot = 0;
        for (let k = 0; k < 4 * u; k++) dot += U.get(i, k) * U.get(j, k);
        expect(Math.abs(dot - (i === j ? 1 : 0))).toBeLessThan(1e-5);
      }
    }
  });

  it("should count LSTM(1→32) + Dense(32→1) as 4,352 + 33 parameters (experiment 5's summary)", () => {
    const lstm = built({ units: 32 }, 1);
    const dense = new Dense({ units: 1 });
    dense.build(lstm.outputShape([null, 25, 1]), new Random(0));
    const count = (ps: { value: Tensor }[]): number => ps.reduce((n, p) => n + p.value.size, 0);
    expect(count(lstm.params())).toBe(4352);
    expect(count(dense.params())).toBe(33);
  });

  it("should compute one step by Keras' equations with sigmoid gates by default", () => {
    const layer = built({ units: 1 }, 1);
    // Gate order i, f, c, o.
    layer.setWeights([tensor([[0.1, 0.2, 0.3, 0.4]]), tensor([[0.5, 0.6, 0.7, 0.8]]), tensor([0.01, 0.02, 0.03, 0.04])]);
    const x = 2;
    const [h0, c0] = [0.5, -0.25];
    const i = sigmoid(0.1 * x + 0.5 * h0 + 0.01);
    const f = sigmoid(0.2 * x + 0.6 * h0 + 0.02);
    const g = Math.tanh(0.3 * x + 0.7 * h0 + 0.03);
    const o = sigmoid(0.4 * x + 0.8 * h0 + 0.04);
    const c = f * c0 + i * g;
    const result = layer.forward(tensor([[[x]]]), { initialState: [tensor([[h0]]), tensor([[c0]])] });
    expect(result.y.get(0, 0)).toBeCloseTo(o * Math.tanh(c), 6);
  });

  it("should express experiment 5's initialisation (plain Glorot-normal kernel, orthogonal recurrent kernel)", () => {
    const layer = built({ units: 32, kernelInitializer: glorotNormal({ truncated: false }), recurrentInitializer: 'orthogonal' }, 1);
    expect(layer.getConfig().kernelInitializer).toEqual({ name: 'glorotNormal', options: { truncated: false } });
    const kernel = layer.getWeights()[0]!;
    const std = Math.sqrt(Array.from(kernel.data).reduce((s, v) => s + v * v, 0) / kernel.size);
    // σ = √(2/(fanIn + fanOut)) = √(2/129); with 128 draws the sample std is within ~25 %.
    expect(Math.abs(std / Math.sqrt(2 / 129) - 1)).toBeLessThan(0.25);
  });

  it('should return [h, c] with returnState, h equal to the output', () => {
    const layer = built({ units: 2, returnState: true }, 3);
    const { y, states } = layer.forward(new Tensor(new Float32Array(2 * 4 * 3).fill(0.3), [2, 4, 3]));
    expect(states?.map((s) => s.shape)).toEqual([[2, 2], [2, 2]]);
    expect(states![0]!.data).toEqual(y.data);
  });

  it('should stack: LSTM(returnSequences) → GRU → Dense with matching shapes both ways', () => {
    const random = new Random(3);
    const first = new LSTM({ units: 4, returnSequences: true });
    const second = new GRU({ units: 3 });
    const head = new Dense({ units: 2 });
    first.build([null, 5, 2], random);
    second.build(first.outputShape([null, 5, 2]), random);
    head.build(second.outputShape(first.outputShape([null, 5, 2])), random);
    const x = new Tensor(new Float32Array(6 * 5 * 2).fill(0.1), [6, 5, 2]);
    const a = first.forward(x);
    const b = second.forward(a.y);
    const c = head.forward(b.y);
    expect(c.y.shape).toEqual([6, 2]);
    const dx = first.backward(second.backward(head.backward(c.y, c.cache), b.cache), a.cache);
    expect(dx.shape).toEqual([6, 5, 2]);
  });

  it('should pass NaN inputs through as NaN outputs', () => {
    const layer = built({ units: 2 }, 1);
    expect(Array.from(layer.forward(tensor([[[Number.NaN]]])).y.data).every(Number.isNaN)).toBe(true);
  });

  it('should name the expected and the received input shape', () => {
    const layer = built({ units: 32 }, 1);
    expect(() => layer.forward(zeros([75, 25, 3]))).toThrow('LSTM: expected input [batch, time, 1], got [75, 25, 3]');
    expect(() => layer.forward(zeros([75, 25]))).toThrow('LSTM: expected input [batch, time, 1], got [75, 25]');
  });

  it('should refuse unknown and invalid options', () => {
    expect(() => new LSTM({ units: 2, returnSequence: true } as never)).toThrow('LSTM: unknown option "returnSequence"');
    expect(() => new LSTM({ units: 2, cellOutput: 'tanh' as never })).toThrow(
      'LSTM: cellOutput must be one of "activation", "none", got "tanh"',
    );
    expect(() => new LSTM({ units: 2, recurrentActivation: 'hard' as never })).toThrow('LSTM: recurrentActivation must be one of');
    expect(() => new LSTM({ units: 2, kernelInitializer: 'glorot' })).toThrow('LSTM: kernelInitializer: getInitializer: unknown initializer "glorot"');
    expect(() => new LSTM({ units: 2.5 })).toThrow('LSTM: units must be a positive integer, got number 2.5');
  });

  it('should refuse initial states of the wrong number, shape or dtype', () => {
    const layer = built({ units: 2 }, 1);
    const x = zeros([3, 2, 1]);
    expect(() => layer.forward(x, { initialState: [zeros([3, 2])] })).toThrow(
      'LSTM: initialState must be [h, c]: 2 tensors of shape [batch, 2]',
    );
    expect(() => layer.forward(x, { initialState: [zeros([3, 2]), zeros([2, 2])] })).toThrow(
      'LSTM: initialState[1] must have shape [3, 2], got [2, 2]',
    );
    expect(() => layer.forward(x, { initialState: [zeros([3, 2]), zeros([3, 2], 'float64')] })).toThrow(
      'LSTM: expected a float32 initialState[1]',
    );
  });

  it('should refuse state gradients unless built with returnState', () => {
    const layer = built({ units: 2 }, 1);
    const { y, cache } = layer.forward(zeros([1, 2, 1]));
    expect(() => layer.backward(y, cache, { stateGrads: [zeros([1, 2])] })).toThrow('LSTM: stateGrads needs a layer built with returnState: true');
  });

  it('should refuse to build for an input without features or for other features once built', () => {
    const layer = new LSTM({ units: 2 });
    expect(() => layer.build([null, 3], new Random(0))).toThrow('LSTM: expected an input shape [batch, time, features] with known features, got [null, 3]');
    layer.build([null, 3, 4], new Random(0));
    expect(() => layer.build([null, 3, 5], new Random(0))).toThrow('LSTM: already built for input [batch, time, 4]');
  });

  it('should record every option in its config, with Keras defaults', () => {
    expect(new LSTM({ units: 4 }).getConfig()).toEqual({
      name: 'lstm',
      units: 4,
      activation: 'tanh',
      recurrentActivation: 'sigmoid',
      useBias: true,
      kernelInitializer: 'glorotUniform',
      recurrentInitializer: 'orthogonal',
      biasInitializer: 'zeros',
      unitForgetBias: true,
      cellOutput: 'activation',
      returnSequences: false,
      returnState: false,
      goBackwards: false,
      stateful: false,
      dtype: 'float32',
      dropout: 0,
      recurrentDropout: 0,
    });
  });

  it('should refuse to put a custom initialiser function in a config', () => {
    const layer = new LSTM({ units: 2, kernelInitializer: (shape, _random, dtype) => zeros(shape, dtype) });
    expect(() => layer.getConfig()).toThrow('LSTM: kernelInitializer is a custom function, which a config cannot record');
  });
});
