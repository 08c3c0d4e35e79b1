import { RnnkitError, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { fitMinMaxScaler, fitZScoreScaler, scalerFromParams } from './scalers.js';
import { trainTestSplit } from './windows.js';

describe('scalers', () => {
  it('should use training statistics only, so later test values may leave the range', () => {
    const { train, test } = trainTestSplit([0, 1, 2, 3, 4, 5, 6, 7, 8, 10], { trainCount: 5 });
    const scaler = fitMinMaxScaler(train);
    expect(scaler.params).toEqual({ kind: 'min-max', featureRange: [0, 1], min: [0], max: [4] });
    expect(scaler.transform(test)).toEqual([1.25, 1.5, 1.75, 2, 2.5]);
  });

  it('should scale each feature of [n, f] data with its own statistics', () => {
    const data = tensor([[1, 100], [3, 300]], 'float64');
    const scaler = fitZScoreScaler(data);
    expect(scaler.params).toEqual({ kind: 'z-score', mean: [2, 200], std: [1, 100] });
    expect(scaler.transform(data).toArray()).toEqual([[-1, -1], [1, 1]]);
  });

  it('should let a one-feature scaler scale windows of any shape', () => {
    const scaler = fitMinMaxScaler(Float32Array.from([0, 10]), { featureRange: [-1, 1] });
    const windows = tensor([[[0], [5]], [[10], [5]]]);
    expect(scaler.transform(windows).toArray()).toEqual([[[-1], [0]], [[1], [0]]]);
    expect(scaler.transform(Float32Array.from([5]))).toBeInstanceOf(Float32Array);
  });

  it('should only shift a constant feature and ignore NaN when fitting', () => {
    const scaler = fitMinMaxScaler([3, NaN, 3]);
    expect(scaler.transform([3, 4])).toEqual([0, 1]);
    const z = fitZScoreScaler([NaN, 2, 4]);
    expect(z.params).toEqual({ kind: 'z-score', mean: [3], std: [1] });
    expect(Number.isNaN(z.transform([NaN])[0])).toBe(true);
  });

  it('should refuse data with the wrong number of features', () => {
    const scaler = fitZScoreScaler(tensor([[1, 2], [3, 4]]));
    expect(() => scaler.transform(tensor([[1, 2, 3]]))).toThrow(/Scaler.transform: expected a tensor whose last axis has 2 features, got shape \[1, 3\]/);
    expect(() => scaler.inverseTransform([1, 2, 3])).toThrow(/Scaler.inverseTransform: expected rows of 2 features/);
  });

  it('should refuse training data with nothing to fit or infinite values', () => {
    expect(() => fitZScoreScaler([NaN, NaN])).toThrow(/fitZScoreScaler: feature 0 has no value to fit on/);
    expect(() => fitMinMaxScaler([1, Infinity])).toThrow(/fitMinMaxScaler: feature 0 contains an infinite value/);
    expect(() => fitMinMaxScaler([1, 2], { featureRange: [1, 1] })).toThrow(/fitMinMaxScaler: params.featureRange must be \[low, high\] with low < high/);
    expect(() => fitMinMaxScaler([1, 2], { range: [0, 1] } as never)).toThrow(/unknown option "range"/);
  });

  it('should refuse malformed params', () => {
    expect(() => scalerFromParams({ kind: 'robust' } as never)).toThrow(/scalerFromParams: params.kind must be "min-max" or "z-score"/);
    expect(() => scalerFromParams({ kind: 'z-score', mean: [0, 1], std: [1] })).toThrow(/params.mean has 2 features, params.std has 1/);
    expect(() => scalerFromParams({ kind: 'min-max', featureRange: [0, 1], min: [2], max: [1] })).toThrow(RnnkitError);
  });
});
