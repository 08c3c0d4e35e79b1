import { describe, expect, it } from 'vitest';
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { loadModel, saveModel } from '../index.js';

describe('weights holding NaN or an infinity', () => {
  it.each([
    [NaN, 'NaN'],
    [Infinity, 'Infinity'],
    [-Infinity, '-Infinity'],
  ])('should be refused on load, naming the weight and the index of the first bad value (%s)', (bad, shown) => {
    const model = new Sequential({ inputShape: [3, 2], layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], seed: 1 });
    const { modelJson, weights } = saveModel(model);
    const specs = modelJson.weightsManifest[0]!.weights;
    // The float after lstm's kernel [2, 8] and recurrent kernel [2, 8]: bias [8], value 5.
    expect(specs.map((s) => s.name).slice(0, 3)).toEqual(['lstm/lstm_cell/kernel', 'lstm/lstm_cell/recurrent_kernel', 'lstm/lstm_cell/bias']);
    const floats = new Float32Array(weights.slice(0));
    floats[16 + 16 + 5] = bad;
    floats[16 + 16 + 6] = NaN; // a later bad value is not the one named
    expect(() => loadModel({ modelJson, weights: floats.buffer })).toThrow(
      `loadModel: model.json: weightsManifest[0].weights[2]: the weight "lstm/lstm_cell/bias" holds ${shown} at [5] (value 5 of 8): weights must be finite`,
    );
  });

  it('should name the multi-index in a matrix', () => {
    const model = new Sequential({ inputShape: [3, 2], layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], seed: 1 });
    const { modelJson, weights } = saveModel(model);
    const floats = new Float32Array(weights.slice(0));
    floats[16 + 11] = Infinity; // recurrent kernel [2, 8], row 1, column 3
    expect(() => loadModel({ modelJson, weights: floats.buffer })).toThrow(
      /the weight "lstm\/lstm_cell\/recurrent_kernel" holds Infinity at \[1, 3\] \(value 11 of 16\)/,
    );
  });

  it('should be refused on save, as should a float64 value too large for float32', () => {
    const model = new Sequential({ inputShape: [3, 2], layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], seed: 1 });
    model.params().find((p) => p.name === 'dense/kernel')!.value.data[1] = NaN;
    expect(() => saveModel(model)).toThrow('saveModel: the weight "dense/kernel" holds NaN at [1, 0]: weights must be finite');
    const wide = new Sequential({ inputShape: [3, 2], layers: [new LSTM({ units: 2, dtype: 'float64' }), new Dense({ units: 1, dtype: 'float64' })], seed: 1 });
    wide.params().find((p) => p.name === 'dense/bias')!.value.data[0] = 1e39;
    expect(() => saveModel(wide)).toThrow('saveModel: the weight "dense/bias" holds Infinity at [0] (1e+39 overflows float32): weights must be finite');
  });
});
