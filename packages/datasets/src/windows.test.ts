import { RnnkitError, fromTypedArray, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { noisySine, sineWithPhaseNoise } from './sine.js';
import { slidingWindows, trainTestSplit, turbineWindows } from './windows.js';

describe('slidingWindows', () => {
  it('should give experiment 5 its 75 samples of 25 steps', () => {
    const { inputs, targets } = slidingWindows(noisySine(), { window: 25 });
    expect(inputs.shape).toEqual([75, 25, 1]);
    expect(targets.shape).toEqual([75, 1]);
  });

  it('should give experiment 3 windows of 5 predicting the next of 4,001 points', () => {
    const { inputs, targets } = slidingWindows(sineWithPhaseNoise(), { window: 5 });
    expect(inputs.shape).toEqual([3996, 5, 1]);
    expect(targets.shape).toEqual([3996, 1]);
  });

  it('should lay multi-step, multi-feature targets out step-major', () => {
    const series = [
      [0, 10],
      [1, 11],
      [2, 12],
      [3, 13],
      [4, 14],
    ];
    const { inputs, targets } = slidingWindows(series, { window: 2, horizon: 2 });
    expect(inputs.toArray()).toEqual([
      [[0, 10], [1, 11]],
      [[1, 11], [2, 12]],
    ]);
    expect(targets.toArray()).toEqual([
      [2, 12, 3, 13],
      [3, 13, 4, 14],
    ]);
  });

  it('should keep only the chosen target features', () => {
    const series = tensor([[0, 10], [1, 11], [2, 12], [3, 13]]);
    const { inputs, targets } = slidingWindows(series, { window: 2, targetFeatures: [1] });
    expect(inputs.shape).toEqual([2, 2, 2]);
    expect(targets.toArray()).toEqual([[12], [13]]);
  });

  it('should keep a Float64Array series in float64 unless told otherwise', () => {
    const series = Float64Array.from([1, 2, 3, 4]);
    expect(slidingWindows(series, { window: 2 }).inputs.dtype).toBe('float64');
    expect(slidingWindows(series, { window: 2, dtype: 'float32' }).inputs.dtype).toBe('float32');
  });

  it('should refuse a series too short for one window', () => {
    expect(() => slidingWindows([1, 2, 3], { window: 3 })).toThrow(
      /slidingWindows: a series of 3 steps is too short for window 3 and horizon 1 \(needs at least 4\)/,
    );
  });

  it('should refuse bad input and options', () => {
    expect(() => slidingWindows(tensor([[[1]]]), { window: 1 })).toThrow(/expected a series tensor \[n\] or \[n, features\], got shape \[1, 1, 1\]/);
    expect(() => slidingWindows([[1, 2], [3]], { window: 1 })).toThrow(/row 1 has 1 values, row 0 has 2/);
    expect(() => slidingWindows([1, 2, 3], { window: 0 })).toThrow(/option "window"/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, targetFeatures: [1] })).toThrow(/targetFeatures/);
    expect(() => slidingWindows([1, 2, 3], { window: 1, size: 2 } as never)).toThrow(/unknown option "size"/);
    expect(() => slidingWindows('abc' as never, { window: 1 })).toThrow(RnnkitError);
  });
});

describe('turbineWindows', () => {
  it('should turn the first 10 values into one sequence of 6 steps of 4 inputs predicting the next value', () => {
    const series = Float32Array.from({ length: 12 }, (_, i) => i * 10);
    const { inputs, targets } = turbineWindows(series);
    expect(inputs.shape).toEqual([1, 6, 4]);
    expect(targets.shape).toEqual([1, 6, 1]);
    expect(inputs.toArray()).toEqual([[[0, 10, 20, 30], [10, 20, 30, 40], [20, 30, 40, 50], [30, 40, 50, 60], [40, 50, 60, 70], [50, 60, 70, 80]]]);
    expect(targets.toArray()).toEqual([[[40], [50], [60], [70], [80], [90]]]);
  });

  it('should accept a [rows, 1] tensor as the SCADA loader returns it', () => {
    const values = fromTypedArray(Float32Array.from({ length: 10 }, (_, i) => i), [10, 1]);
    expect(turbineWindows(values, { first: 6, window: 2 }).inputs.shape).toEqual([1, 4, 2]);
  });

  it('should refuse a series shorter than first', () => {
    expect(() => turbineWindows([1, 2, 3])).toThrow(/turbineWindows: the series has 3 steps, fewer than first 10/);
  });
});

describe('trainTestSplit', () => {
  it('should put the first 90 % in training data and the rest in test data', () => {
    const { train, test } = trainTestSplit(sineWithPhaseNoise(), { trainFraction: 0.9 });
    expect(train.shape).toEqual([3601]);
    expect(test.shape).toEqual([400]);
  });

  it('should take an exact count and split typed arrays into their own type', () => {
    const { train, test } = trainTestSplit(Float64Array.from([1, 2, 3, 4, 5]), { trainCount: 2 });
    expect(train).toEqual(Float64Array.from([1, 2]));
    expect(test).toEqual(Float64Array.from([3, 4, 5]));
  });

  it('should use 80 % by default', () => {
    expect(trainTestSplit(Array.from({ length: 10 }, (_, i) => i)).train).toHaveLength(8);
  });

  it('should refuse records whose tensors differ in length, and conflicting options', () => {
    expect(() => trainTestSplit({ inputs: tensor([1, 2, 3]), targets: tensor([1, 2]) })).toThrow(
      /trainTestSplit: every tensor must have the same first length: "inputs" has 3, "targets" has 2/,
    );
    expect(() => trainTestSplit([1, 2], { trainFraction: 0.5, trainCount: 1 })).toThrow(/either "trainFraction" or "trainCount"/);
    expect(() => trainTestSplit([1, 2], { trainFraction: 1 })).toThrow(/must be in \(0, 1\)/);
    expect(() => trainTestSplit([1, 2], { trainCount: 3 })).toThrow(/trainCount/);
  });
});

describe('trainTestSplit of sliding windows', () => {
  it('should split the inputs and targets of slidingWindows together (and type-check without spelling them out)', () => {
    const windows = slidingWindows([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], { window: 3 });
    const { train, test } = trainTestSplit(windows, { trainCount: 5 });
    expect(train.inputs.shape).toEqual([5, 3, 1]);
    expect(test.targets.shape).toEqual([2, 1]);
    expect(Array.from(test.targets.data)).toEqual([8, 9]);
  });
});
