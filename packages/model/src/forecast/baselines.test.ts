import { tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { compareWithBaselines, persistenceForecast, seasonalNaiveForecast } from './baselines.js';

describe('persistenceForecast', () => {
  it('should repeat the last value of a 1-D history', () => {
    const f = persistenceForecast([1, 2, 3, 4, 5, 6], 3);
    expect(f.shape).toEqual([3]);
    expect(Array.from(f.data)).toEqual([6, 6, 6]);
  });

  it('should repeat the last row of each history in a batch, keeping the dtype', () => {
    const history = tensor([[[1, 10], [2, 20]], [[3, 30], [4, 40]]], 'float32'); // [2, 2, 2]
    const f = persistenceForecast(history, 2);
    expect(f.shape).toEqual([2, 2, 2]);
    expect(f.dtype).toBe('float32');
    expect(Array.from(f.data)).toEqual([2, 20, 2, 20, 4, 40, 4, 40]);
  });

  it('should refuse a step count that is not an integer ≥ 1', () => {
    expect(() => persistenceForecast([1, 2], 0)).toThrow('persistenceForecast: steps must be an integer ≥ 1, got 0');
    expect(() => persistenceForecast([1, 2], 1.5)).toThrow('persistenceForecast: steps must be an integer ≥ 1, got 1.5');
  });
});

describe('seasonalNaiveForecast', () => {
  it('should repeat the last season: step k is history[T − m + (k mod m)]', () => {
    // T = 6, m = 4: indices 2, 3, 4, 5, 2
    const f = seasonalNaiveForecast([1, 2, 3, 4, 5, 6], 5, { season: 4 });
    expect(Array.from(f.data)).toEqual([3, 4, 5, 6, 3]);
  });

  it('should work per column of a [time, columns] history', () => {
    const f = seasonalNaiveForecast(tensor([[1, 10], [2, 20], [3, 30]]), 3, { season: 2 });
    expect(f.shape).toEqual([3, 2]);
    expect(Array.from(f.data)).toEqual([2, 20, 3, 30, 2, 20]);
  });

  it('should refuse a history shorter than one season and an unknown option', () => {
    expect(() => seasonalNaiveForecast([1, 2], 1, { season: 3 })).toThrow('seasonalNaiveForecast: history has 2 time steps, fewer than one season (3)');
    expect(() => seasonalNaiveForecast([1, 2], 1, { season: 1, period: 2 } as never)).toThrow(
      'seasonalNaiveForecast: unknown option "period"; valid options are season',
    );
  });
});

describe('compareWithBaselines', () => {
  const history = [1, 2, 3, 2, 1.5, 2, 3, 2];
  const actual = [1, 2, 3, 2];
  const forecast = [1, 2, 3, 2.5];

  it('should score the model beside persistence and the seasonal naive forecast, MASE on one seasonal scale', () => {
    const result = compareWithBaselines({ actual, forecast, history, season: 4 });
    // lag-4 diffs of the history: 0.5, 0, 0, 0 → scale 0.125
    expect(result.model.mae).toBe(0.125);
    expect(result.model.mase).toBe(1);
    expect(result.persistence.mae).toBe(0.5); // [2, 2, 2, 2]
    expect(result.persistence.mase).toBe(4);
    expect(result.seasonalNaive!.mae).toBe(0.125); // [1.5, 2, 3, 2]
    expect(result.seasonalNaive!.mase).toBe(1);
    expect(result.model.rmse).toBe(0.25);
    expect(result.persistence.smape).toBeCloseTo((100 * (2 / 3 + 2 / 5)) / 4, 10);
  });

  it('should leave out the seasonal naive forecast and scale by lag 1 without a season', () => {
    const result = compareWithBaselines({ actual, forecast, history });
    expect(result.seasonalNaive).toBeUndefined();
    // lag-1 diffs: 1, 1, 1, 0.5, 0.5, 1, 1 → 6/7
    expect(result.model.mase).toBeCloseTo(0.125 / (6 / 7), 12);
  });

  it('should refuse actual values that are no forecast of the history columns', () => {
    expect(() => compareWithBaselines({ actual: tensor([[1, 2]]), forecast: tensor([[1, 2]]), history: tensor([[1], [2]]) })).toThrow(
      'compareWithBaselines: actual has shape [1, 2], but a 1-step forecast of history\'s columns has shape [1, 1]',
    );
    expect(() => compareWithBaselines({ actual, forecast: [1], history })).toThrow(
      'compareWithBaselines: actual (4 values) and forecast (1 value) must have the same number of values',
    );
    expect(() => compareWithBaselines({ actual, forecast, history, horizon: 4 } as never)).toThrow(
      'compareWithBaselines: unknown option "horizon"; valid options are actual, forecast, history, season',
    );
  });

  it('should refuse a history on which the naive forecast is exact', () => {
    expect(() => compareWithBaselines({ actual: [1], forecast: [1], history: [5, 5, 5] })).toThrow(
      /^compareWithBaselines: the lag-1 naive forecast is exact on the history/,
    );
  });
});
