import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random, Tensor } from '@rnnkit/tensor';
import { recurrentLaws } from '@rnnkit/testing';
import { defineCell } from './define-cell.js';
import { RNN } from './rnn.js';

// A user's cell as defineCell takes it: h_t = tanh(scale·(x_t·W + h_{t−1}·U + b)), with the
// slope scale·(1 − h_t²) kept for backward. All of it, maths included, in under 50 lines.
const scaledRNN = defineCell({
  name: 'ScaledRNNCell',
  kind: 'scaled-rnn',
  defaults: { scale: 1, label: 'plain' as 'plain' | 'fancy' },
  states: (u) => [{ name: 'h', size: u }],
  kept: (u) => [{ name: 'slope', size: u }],
  params: {
    kernel: { shape: (f, u) => [f, u], initializer: 'glorotUniform' },
    recurrentKernel: { shape: (_f, u) => [u, u], initializer: 'orthogonal' },
    bias: { shape: (_f, u) => [u], initializer: 'zeros' },
  },
  initialize: (cell) => cell.w.bias.fill(cell.options.scale / 10),
  validate: (o) => (o.scale > 0 ? undefined : `scale must be positive, got ${o.scale}`),
  step(s, { units: n, w, options }) {
    const { batch, features: f, t, x } = s;
    const [h, slope] = [s.states[0]!, s.kept[0]!];
    for (let r = 0, row = t * batch; r < batch; r++, row++) {
      for (let j = 0; j < n; j++) {
        let z = w.bias[j]!;
        for (let k = 0; k < f; k++) z += x[row * f + k]! * w.kernel[k * n + j]!;
        for (let i = 0; i < n; i++) z += h[row * n + i]! * w.recurrentKernel[i * n + j]!;
        const out = Math.tanh(options.scale * z);
        h[(row + batch) * n + j] = out;
        slope[row * n + j] = options.scale * (1 - out * out);
      }
    }
  },
  backStep(s, { units: n, w, g }) {
    const { batch, features: f, t, x, dx } = s;
    const [h, slope, dh] = [s.states[0]!, s.kept[0]!, s.dStates[0]!];
    const dz = Float64Array.from({ length: batch * n }, (_, i) => dh[i]! * slope[t * batch * n + i]!);
    for (let r = 0, row = t * batch; r < batch; r++, row++) {
      for (let j = 0; j < n; j++) {
        const d = dz[r * n + j]!;
        g.bias[j]! += d;
        for (let k = 0; k < f; k++) {
          g.kernel[k * n + j]! += x[row * f + k]! * d;
          dx[row * f + k]! += w.kernel[k * n + j]! * d;
        }
        for (let i = 0; i < n; i++) g.recurrentKernel[i * n + j]! += h[row * n + i]! * d;
      }
      for (let i = 0; i < n; i++) {
        let sum = 0;
        for (let j = 0; j < n; j++) sum += dz[r * n + j]! * w.recurrentKernel[i * n + j]!;
        dh[r * n + i] = sum;
      }
    }
  },
});

describe('defineCell', () => {
  describe('a defined cell through recurrentLaws', () => {
    const laws = recurrentLaws((dtype, units) => scaledRNN.create({ units, dtype, scale: 0.7 }), {
      rnn: (options) => new RNN(options),
      plugin: scaledRNN.plugin,
    });
    for (const law of laws) it(law.name, () => fc.assert(law.property, { numRuns: 10 }));
  });

  it('should make a RecurrentCell with the definition’s kind, states, kept values and parameters', () => {
    const cell = scaledRNN.create({ units: 3, dtype: 'float64' });
    expect([cell.kind, cell.units, cell.dtype, cell.built]).toEqual(['scaled-rnn', 3, 'float64', false]);
    expect(cell.states).toEqual([{ name: 'h', size: 3 }]);
    expect(cell.kept).toEqual([{ name: 'slope', size: 3 }]);
    cell.build(2, new Random(1));
    expect(cell.params().map((p) => [p.name, p.value.shape])).toEqual([
      ['kernel', [2, 3]],
      ['recurrentKernel', [3, 3]],
      ['bias', [3]],
    ]);
    expect(cell.w.kernel).toBe(cell.params()[0]!.value.data);
    expect(cell.g.bias).toBe(cell.params()[2]!.grad.data);
    expect(cell.features).toBe(2);
  });

  it('should record every option, defaults filled in, and an initialiser per parameter', () => {
    const cell = scaledRNN.create({ units: 2, label: 'fancy', biasInitializer: 'ones' });
    expect(cell.getConfig()).toEqual({
      units: 2,
      dtype: 'float32',
      scale: 1,
      label: 'fancy',
      kernelInitializer: 'glorotUniform',
      recurrentKernelInitializer: 'orthogonal',
      biasInitializer: 'ones',
    });
    expect(scaledRNN.plugin.name).toBe('ScaledRNNCell');
    expect(scaledRNN.plugin.create(cell.getConfig() as never).getConfig()).toEqual(cell.getConfig());
    cell.build(1, new Random(0));
    // The definition's initialize hook ran after the initialisers.
    expect(Array.from(cell.w.bias)).toEqual([0.1, 0.1].map(Math.fround));
  });

  it('should leave the parameters at zero when built with initialize false', () => {
    const cell = scaledRNN.create({ units: 2, biasInitializer: 'ones' });
    cell.build(1, new Random(0), { initialize: false });
    expect(cell.params().every((p) => p.value.data.every((v) => v === 0))).toBe(true);
  });

  it('should run inside RNN', () => {
    const layer = new RNN({ cell: scaledRNN.create({ units: 2, dtype: 'float64' }), returnSequences: true });
    layer.build([null, 3, 1], new Random(4));
    const { y } = layer.forward(new Tensor(Float64Array.of(0.5, -1, 2), [1, 3, 1]));
    expect(y.shape).toEqual([1, 3, 2]);
    expect(y.data.every((v) => Math.abs(v) < 1)).toBe(true);
  });

  it('should refuse bad options with one-line errors naming the cell', () => {
    expect(() => scaledRNN.create({ units: 2, scael: 1 } as never)).toThrow(
      /^ScaledRNNCell: unknown option "scael"; valid options are units, dtype, scale, label, kernelInitializer/
    );
    expect(() => scaledRNN.create({ units: 0 })).toThrow(/^ScaledRNNCell: units must be a positive integer, got (number )?0$/);
    expect(() => scaledRNN.create({ units: 1, scale: '2' as never })).toThrow(/^ScaledRNNCell: scale must be a number, got (string )?"2"$/);
    expect(() => scaledRNN.create({ units: 1, scale: -1 })).toThrow('ScaledRNNCell: scale must be positive, got -1');
    expect(() => scaledRNN.create({ units: 1, kernelInitializer: 'nope' as never })).toThrow(/^ScaledRNNCell: kernelInitializer: /);
    const cell = scaledRNN.create({ units: 1 });
    cell.build(2, new Random(0));
    expect(() => cell.build(3, new Random(0))).toThrow('ScaledRNNCell: already built for 2 features, got 3');
  });

  it('should refuse a definition whose state 0 is not of units elements', () => {
    const wrong = defineCell({
      name: 'WrongCell',
      kind: 'wrong',
      states: (u) => [{ name: 'h', size: 2 * u }],
      kept: () => [],
      params: {},
      step: () => {},
      backStep: () => {},
    });
    expect(() => wrong.create({ units: 2 })).toThrow('WrongCell: state 0 is the output and must have units (2) elements, got');
  });
});
