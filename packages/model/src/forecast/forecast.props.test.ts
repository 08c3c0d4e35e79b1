import { Tensor } from '@rnnkit/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { predict } from '../evaluate.js';
import { persistenceForecast, seasonalNaiveForecast } from './baselines.js';
import { forecast } from './forecast.js';
import { empiricalIntervals } from './intervals.js';
import { mae, mase, naiveScale } from './metrics.js';
import { randomTensor, tinyModel } from './test-support.js';

const seriesArb = fc.array(fc.double({ min: -100, max: 100, noNaN: true }), { minLength: 3, maxLength: 30 });

describe('forecasting laws', () => {
  it('should give rolling one-step persistence forecasts an MAE equal to the mean |Δ| at lag 1', () => {
    fc.assert(
      fc.property(seriesArb, (series) => {
        const actual = series.slice(1);
        const forecasts = actual.map((_, t) => persistenceForecast(series.slice(0, t + 1), 1).data[0]!);
        const meanStep = actual.reduce((sum, v, t) => sum + Math.abs(v - series[t]!), 0) / actual.length;
        expect(mae(actual, forecasts)).toBeCloseTo(meanStep, 9);
        expect(naiveScale('test', series, 1)).toBeCloseTo(meanStep, 9);
        if (meanStep > 0) expect(mase(actual, forecasts, { training: series })).toBeCloseTo(1, 9);
      }),
    );
  });

  it('should make the seasonal naive forecast of season 1 the persistence forecast', () => {
    fc.assert(
      fc.property(seriesArb, fc.integer({ min: 1, max: 6 }), (series, steps) => {
        expect(Array.from(seasonalNaiveForecast(series, steps, { season: 1 }).data)).toEqual(Array.from(persistenceForecast(series, steps).data));
      }),
    );
  });

  it('should make a one-step recursive forecast equal predict on the window, and the direct one too', () => {
    const specArb = fc.record({
      features: fc.integer({ min: 1, max: 3 }),
      time: fc.integer({ min: 1, max: 6 }),
      batch: fc.integer({ min: 1, max: 3 }),
      seed: fc.integer({ min: 0, max: 1000 }),
    });
    fc.assert(
      fc.property(specArb, fc.integer({ min: 1, max: 6 }), ({ features, time, batch, seed }, windowPick) => {
        const window = Math.min(time, windowPick);
        const model = tinyModel(features, features, seed, 2);
        const history = randomTensor([batch, time, features], seed + 1);
        const last = new Float64Array(batch * window * features);
        for (let b = 0; b < batch; b++) last.set(history.data.subarray((b * time + time - window) * features, (b + 1) * time * features), b * window * features);
        const expected = Array.from(predict(model, new Tensor(last, [batch, window, features])).data);
        expect(Array.from(forecast(model, history, { steps: 1, window }).forecast.data)).toEqual(expected);
        expect(Array.from(forecast(model, history, { steps: 1, window, strategy: 'direct' }).forecast.data)).toEqual(expected);
      }),
      { numRuns: 40 },
    );
  });

  it('should nest the intervals of increasing levels', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 2, maxLength: 40 }),
        fc.uniqueArray(fc.double({ min: 0.01, max: 0.99, noNaN: true }), { minLength: 2, maxLength: 4 }),
        (errors, levels) => {
          const sorted = [...levels].sort((a, b) => a - b);
          const point = new Tensor(Float64Array.of(0.5), [1, 1]);
          const intervals = empiricalIntervals(point, new Tensor(Float64Array.from(errors), [errors.length, 1]), sorted);
          for (let i = 1; i < intervals.length; i++) {
            expect(intervals[i]!.lower.data[0]).toBeLessThanOrEqual(intervals[i - 1]!.lower.data[0]!);
            expect(intervals[i]!.upper.data[0]).toBeGreaterThanOrEqual(intervals[i - 1]!.upper.data[0]!);
          }
          const low = intervals[0]!.lower.data[0]!;
          expect(low).toBeGreaterThanOrEqual(0.5 + Math.min(...errors) - 1e-12);
          expect(intervals.at(-1)!.upper.data[0]).toBeLessThanOrEqual(0.5 + Math.max(...errors) + 1e-12);
        },
      ),
    );
  });
});
