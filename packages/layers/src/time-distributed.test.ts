import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor, zeros } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import { builtinLayers } from './from-config.js';
import { GlobalAveragePooling1D } from './global-pooling.js';
import { Flatten } from './flatten.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { Sequential } from './sequential.js';
import { TimeDistributed } from './time-distributed.js';

/** A built float64 Dense(2) with kernel [[1, 2], [3, 4]] and bias [10, 20]. */
function dense(): Dense {
  const layer = new Dense({ units: 2, dtype: 'float64' });
  layer.build([null, 2], new Random(0));
  layer.setWeights([tensor([[1, 2], [3, 4]], 'float64'), tensor([10, 20], 'float64')]);
  return layer;
}

const x = tensor([[[1, 0], [0, 1], [1, 1]], [[2, 0], [0, 0], [-1, 1]]], 'float64');

describe('TimeDistributed', () => {
  it('should apply the wrapped layer to every step with the same weights', () => {
    const layer = new TimeDistributed({ layer: dense() });
    layer.build([null, 3, 2], new Random(0));
    const { y } = layer.forward(x);
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual([11, 22, 13, 24, 14, 26, 12, 24, 10, 20, 12, 22]);
    expect(layer.params().map((p) => p.name)).toEqual(['kernel', 'bias']);
    expect(layer.outputShape([null, null, 2])).toEqual([null, null, 2]);
  });

  it("should give the wrapped layer's gradients summed over every step, and the input gradient per step", () => {
    const inner = dense();
    const layer = new TimeDistributed({ layer: inner });
    layer.build([null, 3, 2], new Random(0));
    const { cache } = layer.forward(x);
    const dy = tensor([[[1, 0], [0, 1], [1, 1]], [[0, 0], [1, 0], [0, 2]]], 'float64');
    const dx = layer.backward(dy, cache);
    expect(dx.shape).toEqual([2, 3, 2]);
    // dx = dy·Wᵀ per step; db = Σ dy; dW = Σ xᵀ·dy.
    expect(Array.from(dx.data)).toEqual([1, 3, 2, 4, 3, 7, 0, 0, 1, 3, 4, 8]);
    expect(Array.from(inner.params()[1]!.grad.data)).toEqual([3, 4]);
    expect(Array.from(inner.params()[0]!.grad.data)).toEqual([2, -1, 1, 4]);
  });

  it('should pass a mask through, so a recurrent layer after it skips the padding', () => {
    const model = new Sequential({
      layers: [new Embedding({ inputDim: 6, outputDim: 3, maskZero: true }), new TimeDistributed({ layer: new Dense({ units: 2 }) }), new LSTM({ units: 2 })],
      inputShape: [null],
      seed: 1,
    });
    const { y, cache } = model.forward(tensor([[0, 0, 3, 5]]));
    expect(cache.mask).toBeNull();
    expect(Array.from(y.data)).toEqual(Array.from(model.forward(tensor([[3, 5]])).y.data));
    const masking = new TimeDistributed({ layer: new Dense({ units: 1 }) });
    const mask = new Tensor(new Float32Array([1, 0]), [1, 2]);
    expect(masking.computeMask(zeros([1, 2, 3]), mask)).toBe(mask);
  });

  it('should wrap layers over more axes: Embedding on [batch, time, words], pooled per step', () => {
    const words = new TimeDistributed({ layer: new Embedding({ inputDim: 5, outputDim: 2 }) });
    const model = new Sequential({ layers: [words, new TimeDistributed({ layer: new GlobalAveragePooling1D() })], inputShape: [3, 4] });
    expect(model.outputShape()).toEqual([null, 3, 2]);
    expect(model.forward(zeros([2, 3, 4])).y.shape).toEqual([2, 3, 2]);
  });

  it("should run step by step through the wrapped layer's stepper, as forward does over the whole sequence", () => {
    const model = new Sequential({ layers: [new LSTM({ units: 3, returnSequences: true }), new TimeDistributed({ layer: new Dense({ units: 2, activation: 'tanh' }) })], inputShape: [4, 2], seed: 3 });
    const x = new Tensor(Float32Array.from({ length: 2 * 4 * 2 }, (_, i) => Math.sin(i)), [2, 4, 2]);
    const whole = model.forward(x).y.data;
    const stepper = model.stepper(2, 2);
    const input = new Float32Array(4);
    const output = new Float32Array(4);
    for (let t = 0; t < 4; t++) {
      for (let b = 0; b < 2; b++) input.set(x.data.subarray((b * 4 + t) * 2, (b * 4 + t + 1) * 2), b * 2);
      stepper.step(input, 0, output, 0);
      for (let b = 0; b < 2; b++) {
        for (let k = 0; k < 2; k++) expect(output[b * 2 + k]).toBeCloseTo(whole[(b * 4 + t) * 2 + k]!, 6);
      }
    }
    const flat = new TimeDistributed({ layer: new Flatten() });
    flat.build([null, 2, 3, 1], new Random(0));
    expect(() => flat.stepper(1, 3)).toThrow('TimeDistributed: stepper: the wrapped layer "flatten" (Flatten) has no stepper(batch, features) method');
  });

  it('should rebuild an equal layer from its config, the wrapped layer by class name', () => {
    const layer = new TimeDistributed({ layer: new Dense({ units: 3, activation: 'tanh', name: 'head' }), name: 'steps' });
    const again = TimeDistributed.fromConfig(layer.getConfig(), builtinLayers);
    expect(again.getConfig()).toEqual(layer.getConfig());
    expect(again.getConfig().layer.className).toBe('Dense');
    expect(again.layer).toBeInstanceOf(Dense);
    expect(() => TimeDistributed.fromConfig(layer.getConfig())).toThrow(/^TimeDistributed: layer must be \{ className, config \} of a known layer class \(none given\)/);
  });

  it('should refuse bad options, shapes and gradients with one-line errors', () => {
    expect(() => new TimeDistributed({ layer: 'dense' as never })).toThrow('TimeDistributed: layer must be a layer (the Layer interface), got "dense"');
    expect(() => new TimeDistributed({ layer: new Dense({ units: 1 }), merge: 1 } as never)).toThrow('TimeDistributed: unknown option "merge"');
    expect(() => new TimeDistributed({ layer: new LSTM({ units: 1, returnState: true }) })).toThrow(
      'TimeDistributed: layer "lstm" has returnState: true, but TimeDistributed passes only its output on',
    );
    const layer = new TimeDistributed({ layer: new Dense({ units: 1 }) });
    expect(() => layer.outputShape([null, 2])).toThrow('TimeDistributed: expected an input shape [batch, time, …], got [null, 2]');
    expect(() => layer.forward(zeros([1, 2, 2]))).toThrow('TimeDistributed: layer "time_distributed" is not built');
    layer.build([null, 2, 2], new Random(0));
    expect(() => layer.forward(zeros([2, 2]))).toThrow('TimeDistributed: expected input [batch, time, …], got [2, 2]');
    expect(() => layer.forward(zeros([1, 2, 3]))).toThrow('Dense: expected input [batch, …, 2], got [2, 3]');
    const { cache } = layer.forward(zeros([1, 2, 2]));
    expect(() => layer.backward(zeros([2, 1, 1]), cache)).toThrow('TimeDistributed: expected an output gradient of shape [1, 2, 1], got [2, 1, 1]');
    expect(() => new Sequential({ layers: [new Masking(), layer], inputShape: [2, 2] }).forward(zeros([1, 2, 2]), { initialState: [] })).toThrow(/initialState/);
  });
});
