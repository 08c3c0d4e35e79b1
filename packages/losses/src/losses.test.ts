import { describe, expect, it } from 'vitest';
import { RnnkitError, Tensor, tensor } from '@rnnkit/tensor';
import {
  binaryCrossentropy,
  getLoss,
  halfSumOfSquares,
  lossNames,
  meanAbsoluteError,
  meanSquaredError,
  selectFeatures,
  softmaxCrossEntropy,
} from './index.js';

const f64 = (values: Parameters<typeof tensor>[0]): Tensor => tensor(values, 'float64');

describe('values worked out by hand', () => {
  it('should average (ŷ − y)² over every element for meanSquaredError', () => {
    // (1² + 2² + 0² + 3²) / 4 = 3.5
    expect(meanSquaredError().value(f64([[1, 2], [0, 3]]), f64([[0, 0], [0, 0]]))).toBe(3.5);
  });

  it('should sum the per-sample means with reduction "sum"', () => {
    // sample 0: (1 + 4) / 2 = 2.5, sample 1: (0 + 9) / 2 = 4.5
    expect(meanSquaredError({ reduction: 'sum' }).value(f64([[1, 2], [0, 3]]), f64([[0, 0], [0, 0]]))).toBe(7);
  });

  it('should give ½(ŷ − y)² and gradient ŷ − y for halfSumOfSquares (experiment 5)', () => {
    const { value, grad } = halfSumOfSquares().compute(f64([[0.5]]), f64([[2]]));
    expect(value).toBe(1.125);
    expect(grad.toArray()).toEqual([[-1.5]]);
  });

  it('should give the sign as the gradient of meanAbsoluteError, 0 where ŷ = y', () => {
    const { value, grad } = meanAbsoluteError({ reduction: 'sum' }).compute(f64([[1, -1, 2]]), f64([[0, 0, 2]]));
    expect(value).toBeCloseTo(2 / 3, 15);
    expect(grad.toArray()).toEqual([[1 / 3, -1 / 3, 0]]);
  });

  it('should give log 2 for a prediction of ½ in binaryCrossentropy, on probabilities and logits', () => {
    expect(binaryCrossentropy().value(f64([[0.5]]), f64([[1]]))).toBeCloseTo(Math.LN2, 15);
    expect(binaryCrossentropy({ fromLogits: true }).value(f64([[0]]), f64([[0]]))).toBeCloseTo(Math.LN2, 15);
  });

  it('should clamp probabilities to [ε, 1 − ε] with a zero gradient beyond', () => {
    const { value, grad } = binaryCrossentropy({ reduction: 'sum' }).compute(f64([[0, 1]]), f64([[1, 1]]));
    // p = 0 is read as ε (loss −log ε), p = 1 as 1 − ε (loss −log(1 − ε)); mean over 2 features.
    expect(value).toBeCloseTo((-Math.log(1e-7) - Math.log(1 - 1e-7)) / 2, 12);
    expect(grad.toArray()).toEqual([[0, 0]]);
  });

  it('should give log(classes) for equal logits in softmaxCrossEntropy', () => {
    expect(softmaxCrossEntropy().value(f64([[2, 2, 2, 2]]), f64([3]))).toBeCloseTo(Math.log(4), 15);
  });

  it('should give the gradient (σ(x) − t)/(N·K) of experiment 4 for mean BCE on logits [N, K, 1]', () => {
    const x = f64([[[0.3], [-1.2], [2]], [[0], [0.7], [-0.1]]]);
    const t = f64([[[1], [0], [1]], [[0], [1], [1]]]);
    const { grad } = binaryCrossentropy({ fromLogits: true }).compute(x, t);
    for (let i = 0; i < x.size; i++) {
      const expected = (1 / (1 + Math.exp(-x.data[i]!)) - t.data[i]!) / 6;
      expect(grad.data[i]).toBeCloseTo(expected, 15);
    }
  });

  it('should express experiment 1: Σ_t (h_t[0] − y_t)² with gradient 2(h_t[0] − y_t) on unit 0 only', () => {
    const h = f64([[[0.1, 9, 9], [0.4, 9, 9], [-0.3, 9, 9], [0.2, 9, 9], [0, 9, 9], [0.5, 9, 9]]]);
    const y = f64([[[0.2], [0.1], [0.1], [-0.2], [0.3], [0.5]]]);
    const loss = selectFeatures(meanSquaredError({ reduction: 'sum' }), { indices: [0] });
    const { value, grad } = loss.compute(h, y);
    let expected = 0;
    for (let step = 0; step < 6; step++) {
      const diff = h.get(0, step, 0) - y.get(0, step, 0);
      expected += diff * diff;
      expect(grad.get(0, step, 0)).toBeCloseTo(2 * diff, 15);
      expect(grad.get(0, step, 1)).toBe(0);
      expect(grad.get(0, step, 2)).toBe(0);
    }
    expect(value).toBeCloseTo(expected, 15);
  });

  it('should return a float32 gradient for float32 predictions', () => {
    const { grad } = meanSquaredError().compute(tensor([[1, 2]]), tensor([[0, 0]]));
    expect(grad.dtype).toBe('float32');
    expect(grad.toArray()).toEqual([[1, 2]]);
  });
});

describe('getLoss', () => {
  it('should resolve Keras names and aliases', () => {
    expect(getLoss('mse').name).toBe('mean_squared_error');
    expect(getLoss('mean_squared_error').name).toBe('mean_squared_error');
    expect(getLoss('MeanAbsoluteError').name).toBe('mean_absolute_error');
    expect(getLoss('binary_crossentropy').getConfig()).toEqual({
      name: 'binary_crossentropy',
      reduction: 'mean',
      fromLogits: false,
      epsilon: 1e-7,
    });
  });

  it('should rebuild a loss from its config, nested selections included', () => {
    const loss = selectFeatures(halfSumOfSquares({ reduction: 'mean' }), { indices: [2, 0] });
    const config = loss.getConfig();
    expect(config).toEqual({
      name: 'select_features',
      indices: [2, 0],
      loss: { name: 'half_sum_of_squares', reduction: 'mean' },
    });
    expect(getLoss(JSON.parse(JSON.stringify(config))).getConfig()).toEqual(config);
  });

  it('should resolve the Keras categorical names only for logits', () => {
    expect(getLoss({ name: 'sparse_categorical_crossentropy', fromLogits: true }).name).toBe('softmax_cross_entropy');
    expect(() => getLoss('categorical_crossentropy')).toThrow(/softmax_cross_entropy.*fromLogits: true/);
  });

  it('should return a loss object unchanged', () => {
    const loss = meanSquaredError();
    expect(getLoss(loss)).toBe(loss);
  });

  it('should list the known names for an unknown one', () => {
    expect(() => getLoss('msee')).toThrow(
      /^getLoss: unknown loss "msee"; known losses are mean_squared_error \(mse, MSE/,
    );
    expect(lossNames()).toContain('binary_crossentropy');
  });
});

describe('errors', () => {
  it('should name both shapes when predictions and targets differ', () => {
    expect(() => meanSquaredError().compute(tensor([[1], [2]]), tensor([[1, 2], [3, 4]]))).toThrow(
      new RnnkitError('meanSquaredError', 'predictions [2, 1] and targets [2, 2] differ'),
    );
  });

  it('should refuse NaN targets and name the index', () => {
    expect(() => meanAbsoluteError().value(tensor([[1], [2]]), tensor([[1], [NaN]]))).toThrow(
      'meanAbsoluteError: targets must be finite, got NaN at index [1, 0]',
    );
  });

  it('should let NaN predictions through as a NaN loss', () => {
    expect(meanSquaredError().value(tensor([[NaN]]), tensor([[1]]))).toBeNaN();
  });

  it('should refuse unknown options and bad reductions', () => {
    expect(() => meanSquaredError({ reduce: 'sum' } as never)).toThrow(
      'meanSquaredError: unknown option "reduce"; valid options are reduction',
    );
    expect(() => halfSumOfSquares({ reduction: 'avg' as never })).toThrow(
      'halfSumOfSquares: reduction must be "mean" or "sum", got "avg"',
    );
    expect(() => binaryCrossentropy({ epsilon: 0 })).toThrow('binaryCrossentropy: epsilon must be a number in (0, 0.5)');
    expect(() => meanSquaredError().compute(tensor([[1]]), tensor([[1]]), { weights: tensor([1]) } as never)).toThrow(
      'meanSquaredError: unknown option "weights"',
    );
  });

  it('should refuse probabilities outside [0, 1] and suggest fromLogits', () => {
    expect(() => binaryCrossentropy().value(tensor([[0.5, 2.5]]), tensor([[1, 0]]))).toThrow(
      'binaryCrossentropy: predictions must lie in [0, 1], got 2.5 at index [0, 1] (pass fromLogits: true for logits)',
    );
    expect(() => binaryCrossentropy({ fromLogits: true }).value(tensor([[3]]), tensor([[2]]))).toThrow(
      'binaryCrossentropy: targets must lie in [0, 1], got 2 at index [0, 0]',
    );
  });

  it('should refuse class labels that are out of range or not integers, and unfit target shapes', () => {
    const z = tensor([[1, 2, 3], [0, 0, 0]]);
    expect(() => softmaxCrossEntropy().value(z, tensor([0, 3]))).toThrow(
      'softmaxCrossEntropy: class labels must be integers in [0, 3), got 3 at index [1]',
    );
    expect(() => softmaxCrossEntropy().value(z, tensor([0.5, 1]))).toThrow(/integers in \[0, 3\), got 0.5/);
    expect(() => softmaxCrossEntropy().value(z, tensor([[0, 1], [1, 0]]))).toThrow(
      'softmaxCrossEntropy: targets [2, 2] fit neither class labels [2] nor one-hot targets [2, 3] for predictions [2, 3]',
    );
  });

  it('should refuse scalars, empty tensors and non-tensors', () => {
    expect(() => meanSquaredError().value(tensor(1), tensor(1))).toThrow(/at least one axis/);
    expect(() => meanSquaredError().value(tensor([[]]), tensor([[]]))).toThrow('meanSquaredError: predictions [1, 0] are empty');
    expect(() => meanSquaredError().value([1, 2] as never, tensor([1, 2]))).toThrow(
      'meanSquaredError: predictions must be a Tensor, got [1, 2]',
    );
  });

  it('should refuse sample weights and masks of other shapes, and masks that are not 0/1', () => {
    const p = tensor([[[1], [2]], [[3], [4]]]); // positions [2, 2]
    expect(() => meanSquaredError().value(p, p, { sampleWeight: tensor([1, 2, 3]) })).toThrow(
      "meanSquaredError: sampleWeight [3] must have the positions' shape [2, 2] or a prefix of it",
    );
    expect(() => meanSquaredError().value(p, p, { mask: tensor([[1, 0.5], [1, 1]]) })).toThrow(
      'meanSquaredError: mask must hold 0 or 1, got 0.5 at index [0, 1]',
    );
  });

  it('should check the selection of selectFeatures and name it in errors of the base loss', () => {
    expect(() => selectFeatures(meanSquaredError(), { indices: [0, 0] })).toThrow(
      'selectFeatures: indices must be distinct, got 0 twice in [0, 0]',
    );
    const loss = selectFeatures(meanSquaredError(), { indices: [3] });
    expect(() => loss.value(tensor([[1, 2, 3]]), tensor([[1]]))).toThrow(
      'selectFeatures: index 3 is out of range for predictions [1, 3] with 3 features',
    );
    const first = selectFeatures(meanSquaredError(), { indices: [0] });
    expect(() => first.value(tensor([[[1, 2, 3]]]), tensor([[[1, 2]]]))).toThrow(
      'selectFeatures: meanSquaredError: predictions [1, 1, 1] and targets [1, 1, 2] differ ' +
        '(the predictions are features [0] of [1, 1, 3])',
    );
  });
});
