import { type RecurrentCell, type RecurrentPass, gru, gruCell, lstm, lstmCell, simpleRNN, simpleRNNCell } from '@rnnkit/layers';
import { Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

const backend = await createWasmBackend();
afterEach(() => setBackend(jsBackend));

const passes = (backend.fused ?? []).filter((k) => k.family === 'recurrent') as RecurrentPass[];
const supporting = (cell: RecurrentCell): string[] => passes.filter((p) => p.supports(cell)).map((p) => p.name);
const maxDifference = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return a.length === b.length ? worst : Infinity;
};

describe('recurrent passes of the WebAssembly backend', () => {
  it('should list an LSTM, a GRU (each form) and a SimpleRNN pass in the recurrent family, all applying masks', () => {
    expect(passes.map((p) => [p.family, p.name, p.masks])).toEqual([
      ['recurrent', 'wasm-simd lstm', true],
      ['recurrent', 'wasm-simd gru', true],
      ['recurrent', 'wasm-simd gru-reset-before', true],
      ['recurrent', 'wasm-simd simple-rnn', true],
    ]);
  });

  it("should support exactly Keras' default LSTM, σ/tanh GRUs of either form and tanh or σ SimpleRNNs, in float32", () => {
    expect(supporting(lstmCell({ units: 3 }))).toEqual(['wasm-simd lstm']);
    expect(supporting(lstmCell({ units: 3, useBias: false }))).toEqual(['wasm-simd lstm']);
    expect(supporting(gruCell({ units: 3 }))).toEqual(['wasm-simd gru']);
    expect(supporting(gruCell({ units: 3, resetAfter: false }))).toEqual(['wasm-simd gru-reset-before']);
    expect(supporting(simpleRNNCell({ units: 3 }))).toEqual(['wasm-simd simple-rnn']);
    expect(supporting(simpleRNNCell({ units: 3, activation: 'sigmoid', useBias: false }))).toEqual(['wasm-simd simple-rnn']);
    for (const cell of [
      lstmCell({ units: 3, dtype: 'float64' }),
      lstmCell({ units: 3, cellOutput: 'none' }),
      lstmCell({ units: 3, recurrentActivation: 'hardSigmoid' }),
      lstmCell({ units: 3, activation: 'relu' }),
      gruCell({ units: 3, dtype: 'float64' }),
      gruCell({ units: 3, recurrentActivation: 'hardSigmoid' }),
      gruCell({ units: 3, resetAfter: false, activation: 'relu' }),
      gruCell({ units: 3, resetAfter: false, dtype: 'float64' }),
      simpleRNNCell({ units: 3, activation: 'relu' }),
      simpleRNNCell({ units: 3, activation: 'linear' }),
      simpleRNNCell({ units: 3, dtype: 'float64' }),
    ]) {
      expect(supporting(cell)).toEqual([]);
    }
  });

  it('should not support a cell while its dropout masks are set (a training pass with dropout), and support it again after', () => {
    for (const [cell, name] of [
      [lstmCell({ units: 3, dropout: 0.2, recurrentDropout: 0.3 }), 'wasm-simd lstm'],
      [gruCell({ units: 3, dropout: 0.2 }), 'wasm-simd gru'],
      [gruCell({ units: 3, resetAfter: false, recurrentDropout: 0.2 }), 'wasm-simd gru-reset-before'],
      [simpleRNNCell({ units: 3, dropout: 0.2 }), 'wasm-simd simple-rnn'],
    ] as const) {
      cell.build(2, new Random(1));
      expect(supporting(cell)).toEqual([name]);
      cell.dropoutMasks = cell.drawDropoutMasks(4, new Random(2));
      expect(supporting(cell)).toEqual([]);
      cell.dropoutMasks = null;
      expect(supporting(cell)).toEqual([name]);
    }
  });

  it("should run a training pass with dropout on the cell's steps, with its masks, and inference on the fused pass", () => {
    for (const make of [
      () => lstm({ units: 4, dropout: 0.3, recurrentDropout: 0.4, seed: 5 }),
      () => gru({ units: 4, dropout: 0.3, recurrentDropout: 0.4, seed: 5 }),
      () => gru({ units: 4, resetAfter: false, dropout: 0.3, recurrentDropout: 0.4, seed: 5 }),
      () => simpleRNN({ units: 4, activation: 'sigmoid', dropout: 0.3, recurrentDropout: 0.4, seed: 5 }),
    ]) {
      const x = new Tensor(Float32Array.from({ length: 3 * 5 * 2 }, (_, i) => Math.sin(i)), [3, 5, 2]);
      const [onWasm, onJs] = [make(), make()];
      onWasm.build([null, 5, 2], new Random(1));
      onJs.build([null, 5, 2], new Random(1));
      setBackend(backend);
      const inference = onWasm.forward(x);
      expect(inference.cache.complete).toBe(false); // the fused pass
      const training = onWasm.forward(x, { training: true });
      const dx = onWasm.backward(training.y, training.cache).data;
      setBackend(jsBackend);
      const expected = onJs.forward(x, { training: true });
      const expectedDx = onJs.backward(expected.y, expected.cache).data;
      expect(maxDifference(training.y.data, expected.y.data)).toBeLessThan(1e-5);
      expect(maxDifference(dx, expectedDx)).toBeLessThan(1e-5);
      expect(maxDifference(training.y.data, onJs.forward(x).y.data)).toBeGreaterThan(1e-3); // the masks were applied
      expect(maxDifference(inference.y.data, onJs.forward(x).y.data)).toBeLessThan(1e-5);
    }
  });

  it('should run the fused pass for the default LSTM: an inference pass keeps only what prediction needs', () => {
    const layer = lstm({ units: 4 });
    layer.build([null, 3, 2], new Random(1));
    const x = new Tensor(Float32Array.from({ length: 12 }, (_, i) => Math.sin(i)), [2, 3, 2]);
    setBackend(backend);
    expect(layer.forward(x).cache.complete).toBe(false);
    expect(layer.forward(x, { training: true }).cache.complete).toBe(true);
    setBackend(jsBackend);
    expect(layer.forward(x).cache.complete).toBe(true);
  });

  it('should carry the final states of a stateful layer from its inference pass (LSTM [h, c], GRU and SimpleRNN [h]) as the steps of the cell do', () => {
    for (const make of [
      () => lstm({ units: 4, returnSequences: true, stateful: true }),
      () => gru({ units: 4, returnSequences: true, stateful: true }),
      () => gru({ units: 4, resetAfter: false, returnSequences: true, stateful: true }),
      () => simpleRNN({ units: 4, returnSequences: true, stateful: true }),
    ]) {
      const fused = make();
      fused.build([null, null, 2], new Random(2));
      const reference = make();
      reference.build([null, null, 2], new Random(2));
      const chunks = [0, 1].map((k) => new Tensor(Float32Array.from({ length: 2 * 3 * 2 }, (_, i) => Math.sin(i + 7 * k)), [2, 3, 2]));
      for (const x of chunks) {
        setBackend(backend);
        const y = fused.forward(x).y.data;
        setBackend(jsBackend);
        const expected = reference.forward(x).y.data;
        for (let i = 0; i < expected.length; i++) expect(Math.abs(y[i]! - expected[i]!)).toBeLessThan(1e-5);
      }
    }
  });
});
