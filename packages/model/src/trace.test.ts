import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { Dense, Embedding, GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { type Loss, getLoss } from '@rnnkit/losses';
import { Random, Tensor } from '@rnnkit/tensor';
import { traceSequence } from './trace.js';

function uniform(shape: number[], random: Random): Tensor {
  return new Tensor(random.fillUniform(new Float64Array(shape.reduce((a, b) => a * b, 1)), -1, 1), shape);
}

function model(seed: number): Sequential {
  return new Sequential({
    layers: [new LSTM({ units: 3, returnSequences: true, dtype: 'float64' }), new GRU({ units: 2, goBackwards: true, dtype: 'float64' }), new Dense({ units: 2, dtype: 'float64' })],
    inputShape: [null, 2],
    seed,
    dtype: 'float64',
  });
}

/** Each layer's parameters' gradients from the model's own backward pass, by layer and name. */
function gradients(m: Sequential, x: Tensor, y: Tensor): Map<string, Float64Array> {
  for (const layer of m.layers) for (const p of layer.params()) p.zeroGrad();
  const { y: prediction, cache } = m.forward(x, { training: true });
  m.backward(getLoss('mse').compute(prediction, y).grad, cache);
  return new Map(m.layers.flatMap((layer) => layer.params().map((p) => [`${layer.name}/${p.name}`, Float64Array.from(p.grad.data)] as const)));
}

describe('traceSequence', () => {
  const random = new Random(7);
  const x = uniform([2, 5, 2], random);
  const y = uniform([2, 2], random);

  it("should give each step's share of every recurrent parameter's gradient: summed over the steps, the gradient of backward", () => {
    const m = model(1);
    const expected = gradients(m, x, y);
    const trace = traceSequence(m, x, y, { loss: 'mse' });
    expect(trace.layers.map((l) => [l.name, l.kind, l.time, l.goBackwards])).toEqual([
      ['lstm', 'lstm', 5, false],
      ['gru', 'gru', 5, true],
    ]);
    let checked = 0;
    for (const layer of trace.layers) {
      for (const [name, steps] of Object.entries(layer.stepContributions)) {
        const grad = expected.get(`${layer.name}/${name}`)!;
        const size = grad.length;
        expect(steps.shape[0]).toBe(5);
        for (let i = 0; i < size; i++) {
          let sum = 0;
          for (let t = 0; t < 5; t++) sum += steps.data[t * size + i]!;
          expect(Math.abs(sum - grad[i]!), `${layer.name}/${name}[${i}]`).toBeLessThan(1e-12);
        }
        checked++;
      }
    }
    expect(checked).toBe(6);
    expect(trace.loss).toBeCloseTo(getLoss('mse').value(m.forward(x).y, y), 12);
  });

  it("should step back through a training pass's dropout masks: the shares sum to backward's gradients", () => {
    // Two models with the same seeds draw the same masks in their first training pass.
    const withDropout = () =>
      new Sequential({
        layers: [
          new LSTM({ units: 3, returnSequences: true, dropout: 0.4, recurrentDropout: 0.3, seed: 5, dtype: 'float64' }),
          new GRU({ units: 2, resetAfter: false, dropout: 0.3, recurrentDropout: 0.5, seed: 6, dtype: 'float64' }),
          new Dense({ units: 2, dtype: 'float64' }),
        ],
        inputShape: [null, 2],
        seed: 2,
        dtype: 'float64',
      });
    const expected = gradients(withDropout(), x, y);
    const trace = traceSequence(withDropout(), x, y, { loss: 'mse' });
    for (const layer of trace.layers) {
      for (const [name, steps] of Object.entries(layer.stepContributions)) {
        const grad = expected.get(`${layer.name}/${name}`)!;
        for (let i = 0; i < grad.length; i++) {
          let sum = 0;
          for (let t = 0; t < 5; t++) sum += steps.data[t * grad.length + i]!;
          expect(Math.abs(sum - grad[i]!), `${layer.name}/${name}[${i}]`).toBeLessThan(1e-12);
        }
      }
    }
  });

  it('should pass the gradient check: the summed contributions agree with central differences', () => {
    const m = model(2);
    const recurrent = [...m.layers[0]!.params(), ...m.layers[1]!.params()];
    const report = checkGradients({
      params: recurrent,
      loss: () => getLoss('mse').value(m.forward(x).y, y),
      gradients: () => {
        const trace = traceSequence(m, x, y, { loss: 'mse' });
        for (const layer of trace.layers) {
          for (const p of m.layers[layer.index]!.params()) {
            const steps = layer.stepContributions[p.name]!;
            p.grad.data.fill(0);
            for (let t = 0; t < layer.time; t++) for (let i = 0; i < p.value.size; i++) p.grad.data[i]! += steps.data[t * p.value.size + i]!;
          }
        }
        return { loss: trace.loss };
      },
    });
    expect(report.passed, report.format()).toBe(true);
  });

  it('should give ∂L/∂state at every step: slot 0 is the initial states gradient of backwardWithStates, the last slot the output gradient', () => {
    const lstm = new LSTM({ units: 3, returnSequences: true, dtype: 'float64' });
    const m = new Sequential({ layers: [lstm], inputShape: [null, 2], seed: 3, dtype: 'float64' });
    const target = uniform([2, 5, 3], random);
    const trace = traceSequence(m, x, target, { loss: 'mse' }).layers[0]!;
    const { y: prediction, cache } = lstm.forward(x, { training: true });
    const dy = getLoss('mse').compute(prediction, target).grad;
    const { initialStateGrads } = lstm.backwardWithStates(dy, cache);
    for (const [s, name] of ['h', 'c'].entries()) {
      const g = trace.stateGradients[name]!;
      expect(g.shape).toEqual([2, 6, 3]);
      for (let b = 0; b < 2; b++) {
        for (let k = 0; k < 3; k++) expect(Math.abs(g.data[(b * 6 + 0) * 3 + k]! - initialStateGrads[s]!.data[b * 3 + k]!)).toBeLessThan(1e-12);
      }
    }
    // The last step's ∂L/∂h is the output gradient there; no later step adds to it, and ∂L/∂c_T is 0.
    for (let b = 0; b < 2; b++) {
      for (let k = 0; k < 3; k++) {
        expect(trace.stateGradients.h!.data[(b * 6 + 5) * 3 + k]).toBe(dy.data[(b * 5 + 4) * 3 + k]);
        expect(trace.stateGradients.c!.data[(b * 6 + 5) * 3 + k]).toBe(0);
      }
    }
    expect(trace.gradientNorms.h).toHaveLength(6);
    const norm0 = (b: number): number => Math.hypot(...Array.from(trace.stateGradients.h!.data.subarray(b * 18, b * 18 + 3)));
    expect(trace.gradientNorms.h![0]).toBeCloseTo((norm0(0) + norm0(1)) / 2, 12);
    // The states: slot t + 1 is h after step t, which is the layer's output at t.
    expect(Array.from(trace.states.h!.data.subarray(3, 6))).toEqual(Array.from(prediction.data.subarray(0, 3)));
  });

  it('should show the gates and their gradients block by block', () => {
    const m = model(4);
    const lstm = traceSequence(m, x, y, { loss: 'mse' }).layers[0]!;
    expect(Object.keys(lstm.kept)).toEqual(['gates', 'gates.i', 'gates.f', 'gates.g', 'gates.o', 'cellActivation']);
    expect(Object.keys(lstm.gradients)).toEqual(['dz', 'dz.i', 'dz.f', 'dz.g', 'dz.o']);
    const gates = lstm.kept.gates!;
    const f = lstm.kept['gates.f']!;
    expect(f.shape).toEqual([2, 5, 3]);
    // Sample 1, step 2: the forget gate is block 1 of the gates.
    expect(Array.from(f.data.subarray((1 * 5 + 2) * 3, (1 * 5 + 2) * 3 + 3))).toEqual(Array.from(gates.data.subarray((1 * 5 + 2) * 12 + 3, (1 * 5 + 2) * 12 + 6)));
    for (const v of f.data) expect(v > 0 && v < 1).toBe(true);
  });

  it('should leave the model as it was: same weights, same gradients', () => {
    const m = model(5);
    for (const p of m.params()) p.grad.data.fill(0.25);
    const weights = m.getWeights().map((w) => Array.from(w.data));
    traceSequence(m, x, y, { loss: 'mse' });
    expect(m.getWeights().map((w) => Array.from(w.data))).toEqual(weights);
    for (const p of m.params()) expect(p.grad.data.every((v) => v === 0.25)).toBe(true);
  });

  it('should trace SimpleRNN too, and refuse bad input with one-line errors', () => {
    const m = new Sequential({ layers: [new SimpleRNN({ units: 2, dtype: 'float64' })], inputShape: [null, 2], seed: 1, dtype: 'float64' });
    const trace = traceSequence(m, x, uniform([2, 2], random), { loss: 'mse' }).layers[0]!;
    expect(Object.keys(trace.states)).toEqual(['h']);
    expect(Object.keys(trace.stepContributions)).toEqual(['kernel', 'recurrentKernel', 'bias']);
    expect(trace.masked).toEqual([Array(5).fill(false), Array(5).fill(false)]);
    expect(() => traceSequence({} as never, x, y, { loss: 'mse' })).toThrow('traceSequence: expected a Sequential model, got an object');
    expect(() => traceSequence(m, x, y, { loss: 'mse', epochs: 1 } as never)).toThrow('traceSequence: unknown option "epochs"');
    expect(() => traceSequence(m, x, y, { loss: 'mse', mask: 'pad' } as never)).toThrow('traceSequence: mask must be a Tensor [batch, time], got "pad"');
  });

  it('should record for c only what reaches c_t from step t + 1: ∂L/∂c_{t+1} ⊙ f_{t+1}, without the path through h_t', () => {
    const lstm = traceSequence(model(6), x, y, { loss: 'mse' }).layers[0]!;
    const [dc, dh] = [lstm.stateGradients.c!.data, lstm.stateGradients.h!.data];
    const [f, o, tanhC] = [lstm.kept['gates.f']!.data, lstm.kept['gates.o']!.data, lstm.kept.cellActivation!.data];
    // Sample 1, step t = 2: the whole ∂L/∂c_{t+1} is the record plus the path through h_{t+1}.
    for (let k = 0; k < 3; k++) {
      const next = (1 * 5 + 3) * 3 + k; // step t + 1 = 3 of sample 1 (kept index); its state is slot 4
      const slot = (1 * 6 + 4) * 3 + k;
      const whole = dc[slot]! + dh[slot]! * o[next]! * (1 - tanhC[next]! ** 2);
      expect(dc[(1 * 6 + 3) * 3 + k]).toBeCloseTo(whole * f[next]!, 12);
    }
  });

  it('should drop the gradients of outputs before a sequence\'s first kept step (zeros, not states), as backwardWithStates does', () => {
    // A loss that ignores the output mask, so that masked output steps get gradients.
    const mse = getLoss('mse');
    const unmasked: Loss = { name: 'unmasked mse', compute: (p, t) => mse.compute(p, t), value: (p, t) => mse.value(p, t), getConfig: () => ({ name: 'unmasked mse' }) };
    for (const returnSequences of [true, false]) {
      const lstm = new LSTM({ units: 3, returnSequences, dtype: 'float64' });
      const m = new Sequential({ layers: [lstm], inputShape: [null, 2], seed: 8, dtype: 'float64' });
      // Sample 0: two steps of padding at the start; sample 1: every step masked.
      const mask = new Tensor(Float64Array.of(0, 0, 1, 1, 0, 0, 0, 0, 0, 0), [2, 5]);
      const target = uniform(returnSequences ? [2, 5, 3] : [2, 3], random);
      const trace = traceSequence(m, x, target, { loss: unmasked, mask }).layers[0]!;
      expect(trace.masked).toEqual([
        [true, true, false, false, true],
        [true, true, true, true, true],
      ]);
      const { y: prediction, cache } = lstm.forward(x, { training: true, mask });
      const { dx, initialStateGrads } = lstm.backwardWithStates(mse.compute(prediction, target).grad, cache);
      for (const [s, name] of ['h', 'c'].entries()) {
        const g = trace.stateGradients[name]!.data;
        for (let b = 0; b < 2; b++) {
          for (let k = 0; k < 3; k++) expect(Math.abs(g[(b * 6) * 3 + k]! - initialStateGrads[s]!.data[b * 3 + k]!), `${name} ${b}`).toBeLessThan(1e-12);
        }
      }
      // The sequence with every step masked: no gradient reaches its states, nor its input.
      expect(trace.stateGradients.h!.data.subarray(18).every((v) => v === 0)).toBe(true);
      expect(dx.data.subarray(10).every((v) => v === 0)).toBe(true);
    }
  });

  it('should trace a model whose Embedding (maskZero) makes the mask: padding steps carried, contributions of a padded step zero', () => {
    const m = new Sequential({
      layers: [new Embedding({ inputDim: 5, outputDim: 2, maskZero: true, dtype: 'float64' }), new GRU({ units: 3, dtype: 'float64' }), new Dense({ units: 1, dtype: 'float64' })],
      inputShape: [null],
      seed: 9,
      dtype: 'float64',
    });
    const ids = new Tensor(Float64Array.of(3, 1, 0, 4, 0), [1, 5]);
    const gru = traceSequence(m, ids, new Tensor(Float64Array.of(0.5), [1, 1]), { loss: 'mse' }).layers[0]!;
    expect(gru.masked).toEqual([[false, false, true, false, true]]);
    for (const t of [2, 4]) {
      expect(Array.from(gru.states.h!.data.subarray((t + 1) * 3, (t + 2) * 3))).toEqual(Array.from(gru.states.h!.data.subarray(t * 3, (t + 1) * 3)));
      for (const steps of Object.values(gru.stepContributions)) {
        const size = steps.size / 5;
        expect(steps.data.subarray(t * size, (t + 1) * size).every((v) => v === 0)).toBe(true);
      }
    }
    expect(gru.stepContributions.kernel!.data.subarray(0, 6).some((v) => v !== 0)).toBe(true);
  });
});
