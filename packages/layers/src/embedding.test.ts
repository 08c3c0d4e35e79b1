import { describe, expect, it } from 'vitest';
import { Random, Tensor, tensor, zeros } from '@rnnkit/tensor';
import { Embedding } from './embedding.js';
import { LSTM } from './lstm.js';
import { Sequential } from './sequential.js';

/** A built float64 layer whose row r holds [r, 10 r, …]. */
function table(inputDim: number, outputDim: number, options: { maskZero?: boolean } = {}): Embedding {
  const layer = new Embedding({ inputDim, outputDim, dtype: 'float64', ...options });
  layer.build([null, null], new Random(0));
  const weights = new Float64Array(inputDim * outputDim);
  for (let r = 0; r < inputDim; r++) for (let k = 0; k < outputDim; k++) weights[r * outputDim + k] = r * 10 ** k;
  layer.setWeights([new Tensor(weights, [inputDim, outputDim])]);
  return layer;
}

const ids = tensor([[1, 0, 3], [2, 2, 0]], 'float64');

describe('Embedding', () => {
  it('should give each step the table row of its id', () => {
    const { y } = table(4, 2).forward(ids);
    expect(y.shape).toEqual([2, 3, 2]);
    expect(Array.from(y.data)).toEqual([1, 10, 0, 0, 3, 30, 2, 20, 2, 20, 0, 0]);
  });

  it('should add each step gradient into the row it read, repeated ids summed, and give the ids a zero gradient', () => {
    const layer = table(4, 2);
    const { cache } = layer.forward(ids);
    const dy = tensor([[[1, 2], [3, 4], [5, 6]], [[7, 8], [9, 10], [11, 12]]], 'float64');
    const dx = layer.backward(dy, cache);
    expect(dx.shape).toEqual([2, 3]);
    expect(Array.from(dx.data)).toEqual([0, 0, 0, 0, 0, 0]);
    // Row 0: steps (0,1), (1,2); row 1: (0,0); row 2: (1,0), (1,1); row 3: (0,2).
    expect(Array.from(layer.params()[0]!.grad.data)).toEqual([14, 16, 1, 2, 16, 18, 5, 6]);
    layer.backward(dy, cache);
    expect(layer.params()[0]!.grad.data[0]).toBe(28);
  });

  it('should mask id 0 with maskZero (still reading row 0), and give no mask without it', () => {
    const masked = table(4, 2, { maskZero: true });
    expect(Array.from(masked.computeMask(ids, null)!.data)).toEqual([1, 0, 1, 1, 1, 0]);
    expect(Array.from(masked.forward(ids).y.data.subarray(2, 4))).toEqual([0, 0]);
    expect(table(4, 2).computeMask(ids, null)).toBeNull();
  });

  it('should draw the table from uniform [-0.05, 0.05) by default, as Keras', () => {
    const layer = new Embedding({ inputDim: 50, outputDim: 8 });
    layer.build([null, 3], new Random(1));
    const values = Array.from(layer.params()[0]!.value.data);
    expect(layer.params()[0]!.value.shape).toEqual([50, 8]);
    expect(values.every((v) => v >= -0.05 && v < 0.05)).toBe(true);
    expect(Math.max(...values) - Math.min(...values)).toBeGreaterThan(0.09);
    expect(layer.getConfig().embeddingsInitializer).toEqual({ name: 'randomUniform', options: { low: -0.05, high: 0.05 } });
  });

  it('should take [null, time] ids first in a Sequential model, and pass its mask on to a recurrent layer', () => {
    const model = new Sequential({ layers: [new Embedding({ inputDim: 5, outputDim: 3, maskZero: true }), new LSTM({ units: 2 })], inputShape: [null], seed: 3 });
    expect(model.outputShape()).toEqual([null, 2]);
    expect(new Sequential({ layers: [new Embedding({ inputDim: 5, outputDim: 3 })], inputShape: [4] }).outputShape()).toEqual([null, 4, 3]);
    const padded = model.forward(tensor([[0, 0, 4, 2]])).y;
    const alone = model.forward(tensor([[4, 2]])).y;
    expect(Array.from(padded.data)).toEqual(Array.from(alone.data));
  });

  it('should refuse ids that are not integers in [0, inputDim), naming the sample and step', () => {
    const layer = table(10, 2);
    const bad = tensor([[0, 1, 2, 3], [4, 5, 6, 12]], 'float64');
    expect(() => layer.forward(bad)).toThrow(/^Embedding: token 12 at sample 1, step 3 is out of range \[0, 10\)$/);
    expect(() => layer.forward(tensor([[1.5]], 'float64'))).toThrow('Embedding: token 1.5 at sample 0, step 0 is out of range [0, 10)');
    expect(() => layer.forward(tensor([[-1]], 'float64'))).toThrow('Embedding: token -1 at sample 0, step 0 is out of range [0, 10)');
    expect(() => layer.forward(tensor([[Number.NaN]], 'float64'))).toThrow('Embedding: token NaN at sample 0, step 0');
  });

  it('should refuse bad options, shapes and dtypes with one-line errors', () => {
    expect(() => new Embedding({ inputDim: 0, outputDim: 2 })).toThrow('Embedding: inputDim must be a positive integer, got number 0');
    expect(() => new Embedding({ inputDim: 3 } as never)).toThrow('Embedding: outputDim must be a positive integer, got undefined');
    expect(() => new Embedding({ inputDim: 3, outputDim: 2, maskZero: 1 } as never)).toThrow('Embedding: maskZero must be true or false, got number 1');
    expect(() => new Embedding({ inputDim: 3, outputDim: 2, inputLength: 4 } as never)).toThrow('Embedding: unknown option "inputLength"');
    expect(() => new Embedding({ inputDim: 3, outputDim: 2 }).outputShape([null, 4, 1])).toThrow('Embedding: expected an input shape [batch, time] of token ids, got [null, 4, 1]');
    expect(() => table(3, 2).forward(zeros([1, 2, 1], 'float64'))).toThrow('Embedding: expected input [batch, time] of token ids, got [1, 2, 1]');
    expect(() => table(3, 2).forward(zeros([1, 2]))).toThrow("Embedding: expected a float64 input (the layer's dtype), got float32");
    expect(() => new Embedding({ inputDim: 3, outputDim: 2 }).forward(zeros([1, 2]))).toThrow('Embedding: layer "embedding" is not built');
    const layer = table(3, 2);
    const { cache } = layer.forward(tensor([[1, 2]], 'float64'));
    expect(() => layer.backward(zeros([1, 2, 3], 'float64'), cache)).toThrow('Embedding: expected an output gradient of shape [1, 2, 2], got [1, 2, 3]');
  });

  it('should rebuild an equal layer from its config', () => {
    const layer = new Embedding({ inputDim: 7, outputDim: 3, maskZero: true, embeddingsInitializer: 'glorotUniform', name: 'words' });
    const again = Embedding.fromConfig(layer.getConfig());
    expect(again.getConfig()).toEqual(layer.getConfig());
    expect(again.getConfig()).toEqual({ name: 'words', inputDim: 7, outputDim: 3, maskZero: true, embeddingsInitializer: 'glorotUniform', dtype: 'float32' });
  });
});
