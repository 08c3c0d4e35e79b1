import { tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { mae, mase, rmse, smape } from './metrics.js';
import { errorOf } from './test-support.js';

const actual = [1, 2, 3, 4];
const predicted = [2, 2, 1, 4]; // errors −1, 0, 2, 0

describe('forecast metrics', () => {
  it('should compute MAE and RMSE of a hand-worked example', () => {
    expect(mae(actual, predicted)).toBe(0.75); // (1 + 0 + 2 + 0) / 4
    expect(rmse(actual, predicted)).toBeCloseTo(Math.sqrt(1.25), 12); // √((1 + 0 + 4 + 0) / 4)
  });

  it('should compute sMAPE in percent with 2|F − A| / (|A| + |F|) terms', () => {
    // 2·1/3, 0, 2·2/4, 0 → 100 · (2/3 + 1) / 4
    expect(smape(actual, predicted)).toBeCloseTo((100 * (2 / 3 + 1)) / 4, 10);
  });

  it('should count a term whose actual and forecast are both 0 as 0, and one with only a 0 forecast as 200', () => {
    expect(smape([0, 1], [0, 1])).toBe(0);
    expect(smape([0, 2], [1, 2])).toBe(100); // terms 2, 0
    expect(smape([3], [0])).toBe(200);
  });

  it('should take tensors of the same shape and typed arrays alike', () => {
    const a = tensor([[1, 2], [3, 4]], 'float64');
    const f = tensor([[2, 2], [1, 4]], 'float64');
    expect(mae(a, f)).toBe(0.75);
    expect(rmse(Float64Array.from(actual), Float32Array.from(predicted))).toBeCloseTo(Math.sqrt(1.25), 12);
  });

  it('should scale MASE by the lag-1 naive MAE of the training series', () => {
    // training diffs |3−1|, |2−3|, |5−2| = 2, 1, 3 → scale 2; MAE 0.75
    expect(mase(actual, predicted, { training: [1, 3, 2, 5] })).toBe(0.375);
  });

  it('should scale MASE by the seasonal naive MAE given a season', () => {
    // lag-2 diffs |2−1|, |5−3| = 1, 2 → scale 1.5
    expect(mase(actual, predicted, { training: [1, 3, 2, 5], season: 2 })).toBe(0.5);
  });

  it('should pool the naive scale over the columns of a [time, columns] training tensor', () => {
    // column 0 diff 1, column 1 diff 4 → 2.5
    expect(mase([1, 2], [2, 3], { training: tensor([[1, 10], [2, 14]], 'float64') })).toBe(0.4);
  });

  it('should refuse a training series whose naive scale is 0, in one line', () => {
    const error = errorOf(() => mase(actual, predicted, { training: [2, 2, 2] }));
    expect(error.message).toMatch(/^mase: the lag-1 naive forecast is exact on the training series \(its MAE, the scale, is 0/);
    expect(error.message).not.toContain('\n');
  });

  it('should refuse a training series no longer than the season', () => {
    expect(() => mase([1], [1], { training: [1, 2], season: 2 })).toThrow(
      'mase: training needs more than season = 2 time steps for a lag-2 naive forecast, got 2 (shape [2])',
    );
  });

  it('should refuse values that do not line up, naming both', () => {
    expect(() => mae([1, 2], [1])).toThrow('mae: actual (2 values) and forecast (1 value) must have the same number of values');
    expect(() => rmse(tensor([[1, 2]]), tensor([[1], [2]]))).toThrow('rmse: actual (shape [1, 2]) and forecast (shape [2, 1]) must have the same shape');
  });

  it('should refuse empty, non-finite and non-numeric input', () => {
    expect(() => smape([], [])).toThrow('smape: actual holds no values (shape [0])');
    expect(() => mae([1, NaN], [1, 2])).toThrow('mae: actual holds NaN at flat index 1: values must be finite');
    expect(() => mae('1, 2' as never, [1, 2])).toThrow('mae: actual must be a Tensor or an array of numbers, got "1, 2"');
  });

  it('should refuse an unknown MASE option and a bad season', () => {
    expect(() => mase([1], [1], { training: [1, 2], lag: 1 } as never)).toThrow('mase: unknown option "lag"; valid options are training, season');
    expect(() => mase([1], [1], { training: [1, 2], season: 0 })).toThrow('mase: season must be an integer ≥ 1, got 0');
  });
});
