import { fitZScoreScaler } from '@rnnkit/datasets';
import { Dense, Sequential } from '@rnnkit/layers';
import { tensor } from '@rnnkit/tensor';
import { describe, expectTypeOf, it } from 'vitest';
import { type ForecastResult, type ForecastScaler, forecast, mae, persistenceForecast } from '../index.js';

const model = new Sequential({ inputShape: [2, 1], layers: [new Dense({ units: 1 })] });
const history = tensor([[1], [2]]);

describe('forecast types', () => {
  it('should accept a fitted scaler of @rnnkit/datasets as a ForecastScaler', () => {
    const scaler = fitZScoreScaler(history);
    expectTypeOf(scaler).toExtend<ForecastScaler>();
    expectTypeOf(forecast(model, history, { steps: 2, scaler })).toEqualTypeOf<ForecastResult>();
  });

  it('should not compile an unknown option, a strategy typo or a missing steps', () => {
    // @ts-expect-error horizon is not an option (steps is)
    forecast(model, history, { steps: 2, horizon: 3 });
    // @ts-expect-error 'recursiv' is a typo of 'recursive'
    forecast(model, history, { steps: 2, strategy: 'recursiv' });
    // @ts-expect-error steps is required
    forecast(model, history, {});
  });

  it('should take tensors and number lists in the metrics and baselines', () => {
    expectTypeOf(mae([1, 2], Float32Array.of(1, 2))).toEqualTypeOf<number>();
    // @ts-expect-error a string is no series
    mae('1, 2', [1, 2]);
    persistenceForecast(history, 3);
  });
});
