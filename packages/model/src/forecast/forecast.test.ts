import { Tensor, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { predict } from '../evaluate.js';
import { forecast } from './forecast.js';
import { errorOf, linearScaler, randomTensor, tinyModel } from './test-support.js';

/** Rows t0 … t1 − 1 of a [time, features] tensor as nested numbers. */
function rows(t: Tensor, from: number, to: number): number[][] {
  const features = t.shape[1]!;
  return Array.from({ length: to - from }, (_, i) => Array.from(t.data.subarray((from + i) * features, (from + i + 1) * features)));
}

describe('forecast (recursive)', () => {
  it('should equal calling predict step by step, each prediction fed back as the next row', () => {
    const model = tinyModel(2, 2, 11);
    const history = randomTensor([6, 2], 1);
    const { forecast: result } = forecast(model, history, { steps: 4, window: 3 });
    expect(result.shape).toEqual([4, 2]);
    let window = rows(history, 3, 6);
    const expected: number[][] = [];
    for (let k = 0; k < 4; k++) {
      const next = Array.from(predict(model, tensor([window], 'float64')).data);
      expected.push(next);
      window = [...window.slice(1), next];
    }
    expect(rows(result, 0, 4)).toEqual(expected);
  });

  it('should use the whole history as the window by default', () => {
    const model = tinyModel(1, 1, 3);
    const history = randomTensor([5, 1], 2);
    const { forecast: result } = forecast(model, history, { steps: 1 });
    expect(Array.from(result.data)).toEqual(Array.from(predict(model, history.reshape([1, 5, 1])).data));
    const shorter = forecast(model, history, { steps: 1, window: 2 }).forecast;
    expect(Array.from(shorter.data)).not.toEqual(Array.from(result.data));
  });

  it('should forecast each history of a batch as it would alone', () => {
    const model = tinyModel(2, 2, 5);
    const a = randomTensor([4, 2], 3);
    const b = randomTensor([4, 2], 4);
    const batch = new Tensor(Float64Array.from([...a.data, ...b.data]), [2, 4, 2]);
    const { forecast: result } = forecast(model, batch, { steps: 3 });
    expect(result.shape).toEqual([2, 3, 2]);
    const alone = [a, b].flatMap((h) => Array.from(forecast(model, h, { steps: 3 }).forecast.data));
    expect(Array.from(result.data)).toEqual(alone);
  });

  it('should fill the non-target columns of each fed-back row from exogenous', () => {
    const model = tinyModel(3, 1, 7); // predicts feature 1 of 3
    const history = randomTensor([5, 3], 5);
    const exogenous = tensor([[10, 20], [11, 21], [12, 22]], 'float64'); // features 0 and 2
    const { forecast: result } = forecast(model, history, { steps: 3, target: 1, exogenous });
    expect(result.shape).toEqual([3, 1]);
    let window = rows(history, 0, 5);
    const expected: number[] = [];
    for (let k = 0; k < 3; k++) {
      const y = predict(model, tensor([window], 'float64')).data[0]!;
      expected.push(y);
      window = [...window.slice(1), [exogenous.get(k, 0), y, exogenous.get(k, 1)]];
    }
    expect(Array.from(result.data)).toEqual(expected);
  });

  it('should take exogenous values per history of a batch, [batch, steps, others]', () => {
    const model = tinyModel(2, 1, 43);
    const a = randomTensor([3, 2], 14);
    const b = randomTensor([3, 2], 15);
    const batch = new Tensor(Float64Array.from([...a.data, ...b.data]), [2, 3, 2]);
    const exogenous = tensor([[[1], [2]], [[-1], [-2]]], 'float64');
    const { forecast: result } = forecast(model, batch, { steps: 2, target: 0, exogenous });
    const alone = [
      forecast(model, a, { steps: 2, target: 0, exogenous: tensor([[1], [2]], 'float64') }).forecast,
      forecast(model, b, { steps: 2, target: 0, exogenous: tensor([[-1], [-2]], 'float64') }).forecast,
    ];
    expect(Array.from(result.data)).toEqual(alone.flatMap((t) => Array.from(t.data)));
    expect(alone[1]!.get(1, 0)).not.toBe(forecast(model, b, { steps: 2, target: 0, exogenous: tensor([[1], [2]], 'float64') }).forecast.get(1, 0));
  });

  it('should not change the history tensor', () => {
    const history = randomTensor([4, 1], 9);
    const before = Array.from(history.data);
    forecast(tinyModel(1, 1, 1), history, { steps: 5, window: 2 });
    expect(Array.from(history.data)).toEqual(before);
  });
});

describe('forecast (direct)', () => {
  it('should read a steps · targets head step-major into [steps, targets]', () => {
    const model = tinyModel(2, 6, 13);
    const history = randomTensor([4, 2], 6);
    const { forecast: result } = forecast(model, history, { steps: 3, strategy: 'direct' });
    expect(result.shape).toEqual([3, 2]);
    expect(Array.from(result.data)).toEqual(Array.from(predict(model, history.reshape([1, 4, 2])).data));
    expect(result.get(1, 0)).toBe(predict(model, history.reshape([1, 4, 2])).get(0, 2));
  });

  it('should give [batch, steps, targets] for a batch and the target columns named', () => {
    const model = tinyModel(3, 2, 17);
    const history = randomTensor([2, 4, 3], 7);
    const { forecast: result } = forecast(model, history, { steps: 2, strategy: 'direct', target: [2] });
    expect(result.shape).toEqual([2, 2, 1]);
    expect(Array.from(result.data)).toEqual(Array.from(predict(model, history).data));
  });

  it('should refuse a head whose width is not steps · targets, in one line', () => {
    const model = tinyModel(1, 4, 1);
    const error = errorOf(() => forecast(model, randomTensor([3, 1], 1), { steps: 3, strategy: 'direct' }));
    expect(error.message).toBe(
      'forecast: the direct strategy needs the model to output steps · targets = 3 · 1 = 3 values per sample (a Dense(3) head), got output shape [1, 4] for input [1, 3, 1]',
    );
  });
});

describe('forecast with a scaler', () => {
  it('should scale the history for the model and the forecast back (recursive)', () => {
    const model = tinyModel(2, 2, 19);
    const scaler = linearScaler([5, -3], [0.5, 4]);
    const history = randomTensor([5, 2], 8);
    const { forecast: result } = forecast(model, history, { steps: 3, scaler });
    const inScaledUnits = forecast(model, scaler.transform(history), { steps: 3 }).forecast;
    const back = scaler.inverseTransform(inScaledUnits);
    result.data.forEach((v, i) => expect(v).toBeCloseTo(back.data[i]!, 10));
    expect(result.get(0, 0)).not.toBeCloseTo(inScaledUnits.get(0, 0), 3);
  });

  it("should inverse-scale a direct forecast of one target by that target's own column", () => {
    const model = tinyModel(2, 2, 23);
    const scaler = linearScaler([1, 100], [2, 0.01]);
    const history = randomTensor([4, 2], 9);
    const { forecast: result } = forecast(model, history, { steps: 2, strategy: 'direct', target: 1, scaler });
    const scaled = predict(model, scaler.transform(history).reshape([1, 4, 2]));
    expect(result.shape).toEqual([2, 1]);
    for (let k = 0; k < 2; k++) expect(result.get(k, 0)).toBeCloseTo(scaled.data[k]! / 0.01 + 100, 8);
  });

  it('should scale exogenous values, given in original units, with the rest of their row', () => {
    const model = tinyModel(2, 1, 29);
    const scaler = linearScaler([2, 50], [3, 0.1]);
    const history = randomTensor([3, 2], 10);
    const exogenous = tensor([[60], [70]], 'float64');
    const { forecast: result } = forecast(model, history, { steps: 2, target: 0, exogenous, scaler });
    const scaledHistory = scaler.transform(history);
    const scaledExogenous = tensor([[(60 - 50) * 0.1], [(70 - 50) * 0.1]], 'float64');
    const plain = forecast(model, scaledHistory, { steps: 2, target: 0, exogenous: scaledExogenous }).forecast;
    for (let k = 0; k < 2; k++) expect(result.get(k, 0)).toBeCloseTo(plain.get(k, 0) / 3 + 2, 10);
  });
});

describe('forecast intervals', () => {
  // Per step h, the residuals are (h + 1) · [−2, −1, 0, 1, 2].
  const residuals = new Tensor(Float64Array.from([-2, -1, 0, 1, 2].flatMap((r) => [r, 2 * r, 3 * r])), [5, 3]);

  it("should add the empirical quantiles of each step's residuals to the forecast", () => {
    const model = tinyModel(1, 1, 31);
    const { forecast: point, intervals } = forecast(model, randomTensor([4, 1], 11), { steps: 3, intervals: { residuals, levels: [0.5, 0.9] } });
    expect(intervals!.map((i) => i.level)).toEqual([0.5, 0.9]);
    const [half, ninety] = intervals!;
    for (let h = 0; h < 3; h++) {
      // level 0.5: quartiles at positions 1 and 3 of 5 → ∓1 · (h + 1); level 0.9: positions 0.2, 3.8 → ∓1.8 · (h + 1)
      expect(half!.lower.get(h, 0)).toBeCloseTo(point.get(h, 0) - (h + 1), 12);
      expect(half!.upper.get(h, 0)).toBeCloseTo(point.get(h, 0) + (h + 1), 12);
      expect(ninety!.lower.get(h, 0)).toBeCloseTo(point.get(h, 0) - 1.8 * (h + 1), 12);
      expect(ninety!.upper.get(h, 0)).toBeCloseTo(point.get(h, 0) + 1.8 * (h + 1), 12);
    }
  });

  it('should contain the point forecast and widen with the level (default levels 0.8 and 0.95)', () => {
    const model = tinyModel(1, 1, 37);
    const { forecast: point, intervals } = forecast(model, randomTensor([2, 4, 1], 12), { steps: 3, intervals: { residuals } });
    expect(intervals!.map((i) => i.level)).toEqual([0.8, 0.95]);
    const [narrow, wide] = intervals!;
    expect(narrow!.lower.shape).toEqual([2, 3, 1]);
    for (let i = 0; i < point.size; i++) {
      expect(narrow!.lower.data[i]).toBeLessThan(point.data[i]!);
      expect(narrow!.upper.data[i]).toBeGreaterThan(point.data[i]!);
      expect(wide!.lower.data[i]).toBeLessThan(narrow!.lower.data[i]!);
      expect(wide!.upper.data[i]).toBeGreaterThan(narrow!.upper.data[i]!);
    }
  });

  it('should take residuals per target, [n, steps, targets]', () => {
    const model = tinyModel(2, 2, 41);
    const perTarget = new Tensor(Float64Array.from([-1, -10, 1, 10]), [2, 1, 2]);
    const { forecast: point, intervals } = forecast(model, randomTensor([3, 2], 13), { steps: 1, intervals: { residuals: perTarget, levels: [0.5] } });
    expect(intervals![0]!.upper.get(0, 0) - point.get(0, 0)).toBeCloseTo(0.5, 12); // q_0.75 of [−1, 1]
    expect(intervals![0]!.upper.get(0, 1) - point.get(0, 1)).toBeCloseTo(5, 12); // q_0.75 of [−10, 10]
  });
});

describe('forecast errors', () => {
  const model = tinyModel(2, 2, 1);
  const history = randomTensor([4, 2], 1);
  const cases: [string, () => unknown, string | RegExp][] = [
    ['steps 0', () => forecast(model, history, { steps: 0 }), 'forecast: steps must be an integer ≥ 1, got 0'],
    ['fractional steps', () => forecast(model, history, { steps: 2.5 }), 'forecast: steps must be an integer ≥ 1, got 2.5'],
    ['missing steps', () => forecast(model, history, {} as never), 'forecast: steps must be an integer ≥ 1, got undefined'],
    ['unknown key', () => forecast(model, history, { steps: 1, horizon: 2 } as never), /^forecast: unknown option "horizon"; valid options are steps, strategy, target, window, exogenous, scaler, intervals$/],
    ['bad strategy', () => forecast(model, history, { steps: 1, strategy: 'multi' as never }), `forecast: strategy must be 'recursive' or 'direct', got "multi"`],
    ['1-D history', () => forecast(model, tensor([1, 2, 3]), { steps: 1 }), 'forecast: history must be a Tensor [time, features] or [batch, time, features], got shape [3]'],
    ['NaN in history', () => forecast(model, tensor([[1, 2], [NaN, 3]], 'float64'), { steps: 1 }), /^forecast: history holds NaN at index \[1, 0\]/],
    ['window too long', () => forecast(model, history, { steps: 1, window: 5 }), 'forecast: history has 4 time steps, fewer than window = 5 (shape [4, 2])'],
    ['target out of range', () => forecast(model, history, { steps: 1, target: [0, 2] }), "forecast: target [0, 2] holds 2, not a feature index of history's 2 features (0 … 1)"],
    ['target twice', () => forecast(model, history, { steps: 1, target: [1, 1] }), 'forecast: target [1, 1] names feature 1 twice'],
    [
      'recursive without exogenous',
      () => forecast(model, history, { steps: 3, target: 0 }),
      'forecast: the recursive strategy feeds each forecast back as the next input row, but target [0] covers 1 of 2 features: pass exogenous [3, 1] with the others, or predict every feature',
    ],
    ['exogenous shape', () => forecast(model, history, { steps: 3, target: 0, exogenous: tensor([[1], [2]]) }), 'forecast: exogenous must be a Tensor [3, 1] (steps × non-target features), got shape [2, 1]'],
    ['exogenous with direct', () => forecast(model, history, { steps: 1, strategy: 'direct', target: 0, exogenous: tensor([[1]]) }), /^forecast: exogenous is for the recursive strategy/],
    ['recursive output width', () => forecast(tinyModel(2, 3, 1), history, { steps: 2 }), 'forecast: the recursive strategy needs the model to output the 2 target features of the next step ([batch, 2]), got output shape [1, 3] for input [1, 4, 2]'],
    ['scaler without methods', () => forecast(model, history, { steps: 1, scaler: { transform: (t: Tensor) => t } as never }), /^forecast: scaler must have transform\(t\) and inverseTransform\(t\) methods/],
    ['residual shape', () => forecast(model, history, { steps: 2, intervals: { residuals: tensor([[1, 2, 3]]) } }), 'forecast: intervals.residuals must be a Tensor [n, 2] or [n, 2, 2] (n ≥ 1 past errors per horizon step), got shape [1, 3]'],
    ['bad level', () => forecast(model, history, { steps: 1, intervals: { residuals: tensor([[1]]), levels: [0.9, 1] } }), 'forecast: intervals.levels must be a non-empty array of numbers in (0, 1) such as [0.8, 0.95], got [0.9, 1]'],
    ['unknown interval key', () => forecast(model, history, { steps: 1, intervals: { residuals: tensor([[1]]), level: 0.9 } as never }), 'forecast: unknown intervals option "level"; valid intervals options are residuals, levels'],
    ['no model', () => forecast({} as never, history, { steps: 1 }), /^forecast: model must have forward, backward/],
  ];
  it.each(cases)('should refuse %s with a one-line RnnkitError', (_, call, message) => {
    const error = errorOf(call);
    if (typeof message === 'string') expect(error.message).toBe(message);
    else expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
  });
});
