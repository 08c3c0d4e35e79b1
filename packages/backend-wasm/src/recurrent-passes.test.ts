import { type RecurrentCell, type RecurrentPass, gru, gruCell, lstm, lstmCell, simpleRNNCell } from '@rnnkit/layers';
import { Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

const backend = await createWasmBackend();
afterEach(() => setBackend(jsBackend));

const passes = (backend.fused ?? []) as RecurrentPass[];
const supporting = (cell: RecurrentCell): string[] => passes.filter((p) => p.supports(cell)).map((p) => p.name);

describe('recurrent passes of the WebAssembly backend', () => {
  it('should list an LSTM and a GRU pass in the recurrent family', () => {
    expect(passes.map((p) => [p.family, p.name])).toEqual([
      ['recurrent', 'wasm-simd lstm'],
      ['recurrent', 'wasm-simd gru'],
    ]);
  });

  it("should support exactly Keras' default LSTM and GRU cells in float32", () => {
    expect(supporting(lstmCell({ units: 3 }))).toEqual(['wasm-simd lstm']);
    expect(supporting(lstmCell({ units: 3, useBias: false }))).toEqual(['wasm-simd lstm']);
    expect(supporting(gruCell({ units: 3 }))).toEqual(['wasm-simd gru']);
    for (const cell of [
      lstmCell({ units: 3, dtype: 'float64' }),
      lstmCell({ units: 3, cellOutput: 'none' }),
      lstmCell({ units: 3, recurrentActivation: 'hardSigmoid' }),
      lstmCell({ units: 3, activation: 'relu' }),
      gruCell({ units: 3, resetAfter: false }),
      gruCell({ units: 3, dtype: 'float64' }),
      gruCell({ units: 3, recurrentActivation: 'hardSigmoid' }),
      simpleRNNCell({ units: 3 }),
    ]) {
      expect(supporting(cell)).toEqual([]);
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

  it('should carry the final states of a stateful layer from its inference pass (LSTM [h, c], GRU [h]) as the steps of the cell do', () => {
    for (const make of [() => lstm({ units: 4, returnSequences: true, stateful: true }), () => gru({ units: 4, returnSequences: true, stateful: true })]) {
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
