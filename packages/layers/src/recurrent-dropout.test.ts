// Keras' recurrent dropout: per-gate masks fixed over a pass, inverted scaling, off at
// inference, reproducible from the layer's seed. The oracle: for one sequence with masks m_g
// (inputs) and n_g (state), (x ⊙ m_g)·W_g = x·(diag(m_g)·W_g), so a training pass equals an
// inference pass of the same layer without dropout whose kernel's gate blocks have their
// rows scaled by the masks — at every step, because the masks do not change over time.
import { Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { Bidirectional } from './bidirectional.js';
import type { DropoutMasks } from './cell.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import type { RNN } from './rnn.js';
import { SimpleRNN } from './simple-rnn.js';
import { maxAbsDiff, uniform } from './test-support.js';

type Options = { units: number; dropout?: number; recurrentDropout?: number; seed?: number; returnSequences?: boolean; dtype?: 'float64' };

const kinds: readonly { name: string; gates: number; make: (o: Options) => RNN }[] = [
  { name: 'LSTM', gates: 4, make: (o) => new LSTM(o) },
  { name: 'GRU (resetAfter)', gates: 3, make: (o) => new GRU(o) },
  { name: 'GRU (resetAfter false)', gates: 3, make: (o) => new GRU({ ...o, resetAfter: false }) },
  { name: 'SimpleRNN', gates: 1, make: (o) => new SimpleRNN(o) },
];

/** Records every mask the layer's cell draws. */
function recordMasks(layer: RNN): DropoutMasks[] {
  const cell = layer.cell, drawn: DropoutMasks[] = [];
  const draw = cell.drawDropoutMasks!.bind(cell);
  cell.drawDropoutMasks = (batch, random) => {
    const masks = draw(batch, random)!;
    drawn.push(masks);
    return masks;
  };
  return drawn;
}

/** Kernel and recurrent kernel (or their gradients) with the rows of each gate block scaled by sequence b's masks. */
function maskedWeights(weights: Tensor[], u: number, masks: DropoutMasks, b: number, gates: number): Tensor[] {
  const [kernel, recurrentKernel, ...rest] = weights as [Tensor, Tensor, ...Tensor[]];
  const scale = (w: Tensor, mask: Float64Array | Float32Array | null): Tensor => {
    const rows = w.shape[0]!, data = w.data.slice();
    if (mask !== null) {
      for (let i = 0; i < rows; i++) for (let g = 0; g < gates; g++) for (let k = 0; k < u; k++) data[i * gates * u + g * u + k]! *= mask[(g * masks.batch + b) * rows + i]!;
    }
    return new Tensor(data, w.shape);
  };
  return [scale(kernel, masks.input as Float64Array | null), scale(recurrentKernel, masks.recurrent as Float64Array | null), ...rest];
}

/** Sequence b of a [batch, time, features] tensor as a batch of one. */
function sequence(x: Tensor, b: number): Tensor {
  const [, time, features] = x.shape as [number, number, number];
  return new Tensor(x.data.slice(b * time * features, (b + 1) * time * features), [1, time, features]);
}

function setUp(make: (o: Options) => RNN, options: Omit<Options, 'units' | 'dtype'>, seed = 3) {
  const random = new Random(seed);
  const layer = make({ units: 3, returnSequences: true, dtype: 'float64', ...options });
  layer.build([null, 4, 2], random);
  for (const p of layer.params()) random.fillNormal(p.value.data, 0, 0.6);
  const plain = make({ units: 3, returnSequences: true, dtype: 'float64' });
  plain.build([null, 4, 2], new Random(0));
  return { layer, plain, x: uniform([3, 4, 2], random) };
}

describe('recurrent dropout', () => {
  for (const { name, gates, make } of kinds) {
    describe(name, () => {
      it('should apply, in a training pass, each gate its own input and state masks, the same at every step (Keras 2, implementation 1)', () => {
        const { layer, plain, x } = setUp(make, { dropout: 0.4, recurrentDropout: 0.3 });
        const masks = recordMasks(layer);
        const y = layer.forward(x, { training: true }).y;
        const [drawn] = masks as [DropoutMasks];
        for (let b = 0; b < 3; b++) {
          plain.setWeights(maskedWeights(layer.getWeights(), 3, drawn, b, gates));
          expect(maxAbsDiff(sequence(y, b), plain.forward(sequence(x, b)).y)).toBeLessThan(1e-12);
        }
      });

      it('should backpropagate through the masks of the pass of its cache, even after another training pass', () => {
        // ∂x = Σ_g (∂z_g·W_gᵀ) ⊙ m_g is the scaled layer's ∂x; ∂W_g = (x ⊙ m_g)ᵀ·∂z_g is its ∂W_g, rows scaled by m_g.
        const { layer, plain, x } = setUp(make, { dropout: 0.5, recurrentDropout: 0.5 });
        const masks = recordMasks(layer);
        const first = layer.forward(sequence(x, 0), { training: true });
        layer.forward(sequence(x, 0), { training: true }); // new masks; the first cache keeps its own
        const dy = uniform(first.y.shape, new Random(9));
        for (const p of layer.params()) p.zeroGrad();
        const dx = layer.backward(dy, first.cache);
        plain.setWeights(maskedWeights(layer.getWeights(), 3, masks[0]!, 0, gates));
        for (const p of plain.params()) p.zeroGrad();
        const expected = plain.backward(dy, plain.forward(sequence(x, 0), { training: true }).cache);
        expect(maxAbsDiff(dx, expected)).toBeLessThan(1e-12);
        const grads = maskedWeights(plain.params().map((p) => p.grad), 3, masks[0]!, 0, gates);
        layer.params().forEach((p, i) => expect(maxAbsDiff(p.grad, grads[i]!)).toBeLessThan(1e-12));
        expect(masks).toHaveLength(2);
      });

      it('should draw masks of 0 and 1/(1 − rate), one per gate, sequence and input', () => {
        const { layer, x } = setUp(make, { dropout: 0.25, recurrentDropout: 0.5 });
        const masks = recordMasks(layer);
        layer.forward(x, { training: true });
        const { input, recurrent, batch } = masks[0]!;
        expect(batch).toBe(3);
        expect(input).toHaveLength(gates * 3 * 2);
        expect(recurrent).toHaveLength(gates * 3 * 3);
        for (const v of input!) expect([0, 1 / 0.75]).toContain(v);
        for (const v of recurrent!) expect([0, 2]).toContain(v);
      });

      it('should be the identity at inference: the output of the same layer without dropout', () => {
        const { layer, plain, x } = setUp(make, { dropout: 0.5, recurrentDropout: 0.5 });
        plain.setWeights(layer.getWeights());
        expect(maxAbsDiff(layer.forward(x).y, plain.forward(x).y)).toBe(0);
        expect(maxAbsDiff(layer.forward(x, { training: true }).y, plain.forward(x).y)).toBeGreaterThan(1e-3);
      });

      it('should repeat its masks from the same seed and draw new ones on every training pass', () => {
        const a = setUp(make, { dropout: 0.5, recurrentDropout: 0.5, seed: 11 });
        const b = setUp(make, { dropout: 0.5, recurrentDropout: 0.5, seed: 11 });
        const first = a.layer.forward(a.x, { training: true }).y;
        expect(maxAbsDiff(first, b.layer.forward(b.x, { training: true }).y)).toBe(0);
        expect(maxAbsDiff(first, a.layer.forward(a.x, { training: true }).y)).toBeGreaterThan(1e-3);
      });
    });
  }

  it('should give different sequences of a batch different masks, constant over the steps', () => {
    // SimpleRNN, linear, U = 0, no bias, W = I: h_t = x_t ⊙ m, so with x = 1 every step shows the mask.
    const layer = new SimpleRNN({ units: 16, activation: 'linear', useBias: false, returnSequences: true, dropout: 0.5, seed: 4 });
    layer.build([null, 5, 16], new Random(0));
    const identity = new Float32Array(256).map((_, i) => (i % 17 === 0 ? 1 : 0));
    layer.setWeights([new Tensor(identity, [16, 16]), new Tensor(new Float32Array(256), [16, 16])]);
    const y = layer.forward(new Tensor(new Float32Array(4 * 5 * 16).fill(1), [4, 5, 16]), { training: true }).y.data;
    const row = (b: number, t: number) => Array.from(y.subarray((b * 5 + t) * 16, (b * 5 + t + 1) * 16));
    for (let b = 0; b < 4; b++) {
      for (const v of row(b, 0)) expect([0, 2]).toContain(v);
      for (let t = 1; t < 5; t++) expect(row(b, t)).toEqual(row(b, 0));
    }
    expect(new Set([0, 1, 2, 3].map((b) => row(b, 0).join())).size).toBe(4);
  });

  it('should keep expected values: the mean over many masks of a linear layer is its output without dropout', () => {
    // h_t = (x_t ⊙ m)·W with U = 0 is linear in the mask, so E[h_t] = x_t·W (E[m] = 1).
    const batch = 4000, random = new Random(5);
    const layer = new SimpleRNN({ units: 2, activation: 'linear', useBias: false, dropout: 0.3, dtype: 'float64', seed: 8 });
    layer.build([null, 1, 3], random);
    layer.setWeights([uniform([3, 2], random), new Tensor(new Float64Array(4), [2, 2])]);
    const one = uniform([1, 1, 3], random);
    const x = new Tensor(new Float64Array(batch * 3).map((_, i) => one.data[i % 3]!), [batch, 1, 3]);
    const y = layer.forward(x, { training: true }).y.data;
    const expected = layer.forward(one).y.data;
    for (let k = 0; k < 2; k++) {
      let mean = 0;
      for (let b = 0; b < batch; b++) mean += y[b * 2 + k]! / batch;
      expect(Math.abs(mean - expected[k]!)).toBeLessThan(0.05);
    }
  });

  it('should take its default seed from the model generator at build, and draw none without dropout', () => {
    const seeded = (dropout: number) => {
      const random = new Random(21);
      const layer = new LSTM({ units: 2, dropout });
      layer.build([null, 3, 2], random);
      return { layer, next: random.nextUint32() };
    };
    const [a, b, plain] = [seeded(0.2), seeded(0.2), seeded(0)];
    expect(a.layer.seed).toBe(b.layer.seed);
    expect(a.layer.seed).toBeTypeOf('number');
    expect(plain.layer.seed).toBeUndefined();
    expect(a.next).not.toBe(plain.next); // the seed came from the model's generator
    expect(maxAbsDiff(a.layer.getWeights()[0]!, plain.layer.getWeights()[0]!)).toBe(0); // after the weights
    expect(a.layer.getConfig()).toMatchObject({ dropout: 0.2, recurrentDropout: 0, seed: a.layer.seed });
  });

  it('should refuse rates outside [0, 1) and a seed that is not a number, naming the layer', () => {
    expect(() => new LSTM({ units: 2, dropout: 1 })).toThrow('LSTM: dropout must be a number in [0, 1), got number 1');
    expect(() => new GRU({ units: 2, recurrentDropout: -0.1 })).toThrow('GRU: recurrentDropout must be a number in [0, 1), got number -0.1');
    expect(() => new SimpleRNN({ units: 2, seed: Number.NaN })).toThrow('SimpleRNN: seed must be a finite number, got number NaN');
  });
});

describe('recurrent dropout in Bidirectional', () => {
  it('should give the backward copy its own masks, not those of the seeded forward layer', () => {
    const wrapper = new Bidirectional({ layer: new LSTM({ units: 2, dropout: 0.5, seed: 3 }) });
    wrapper.build([null, 3, 2], new Random(1));
    expect(wrapper.forwardLayer.getConfig()).toMatchObject({ seed: 3 });
    expect((wrapper.backwardLayer as LSTM).seed).toBeTypeOf('number');
    expect((wrapper.backwardLayer as LSTM).seed).not.toBe(3);
  });
});
