import { describe, expect, it } from 'vitest';
import { adam, adamax, adamw } from './adam.js';
import { createOptimizer } from './optimizer.js';
import { expectClose, param, trajectory } from './test-support.js';

/** Feeds a fixed sequence of gradients, one list per step. */
const fixed =
  (gradients: readonly (readonly number[])[]) =>
  (_values: readonly number[], step: number): readonly number[] =>
    gradients[step - 1]!;

describe('adam', () => {
  it('should use Keras defaults', () => {
    const optimizer = createOptimizer(adam, [param('w', [0])]);
    expect(optimizer.learningRate).toBe(0.001);
    expect(optimizer.options).toEqual({ beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false });
  });

  it('should follow the hand-computed bias-corrected trajectory', () => {
    // β1 = β2 = 0.5, ε = 0, lr = 1, gradients 2 then 0.
    // t=1: m = 1, v = 2, lr₁ = √0.5/0.5 = √2, update −√2·1/√2 = −1.
    // t=2: m = 0.5, v = 1, lr₂ = √0.75/0.75, update −0.5/√0.75 = −1/√3.
    const p = param('w', [0]);
    const optimizer = createOptimizer(adam, [p], { learningRate: 1, beta1: 0.5, beta2: 0.5, epsilon: 0 });
    expectClose(trajectory(optimizer, p, fixed([[2], [0]]), 2).flat(), [-1, -1 - 1 / Math.sqrt(3)]);
  });

  it('should divide by the running maximum of v with amsgrad', () => {
    // As above, but at t=2 the denominator is √max(2, 1) = √2: update −(1/√0.75)·0.5/√2.
    const p = param('w', [0]);
    const optimizer = createOptimizer(adam, [p], {
      learningRate: 1,
      beta1: 0.5,
      beta2: 0.5,
      epsilon: 0,
      amsgrad: true,
    });
    expectClose(trajectory(optimizer, p, fixed([[2], [0]]), 2).flat(), [-1, -1 - 0.5 / Math.sqrt(1.5)]);
  });

  it("should divide the learning rate by 1 + decay·t with Keras' decay", () => {
    // decay 1: the second step uses lr/2, so with ε = 0 and one repeated gradient 1
    // (m̂ = v̂ = 1 after bias correction) the moves are −0.1 then −0.05.
    const p = param('w', [0]);
    const optimizer = createOptimizer(adam, [p], { learningRate: 0.1, decay: 1, epsilon: 0 });
    expectClose(trajectory(optimizer, p, fixed([[1], [1]]), 2).flat(), [-0.1, -0.15]);
    expect(optimizer.learningRate).toBeCloseTo(0.1 / 3, 15);
  });
});

describe('adamw', () => {
  it('should decay the weights by lr·λ·p besides the Adam step', () => {
    // Zero gradient: Adam's part is 0 (m = 0), the decay moves 2 → 2 − 0.1·0.5·2 = 1.9.
    const p = param('w', [2]);
    const optimizer = createOptimizer(adamw, [p], { learningRate: 0.1, weightDecay: 0.5 });
    expectClose(trajectory(optimizer, p, fixed([[0]]), 1).flat(), [1.9]);
  });

  it("should use Keras' default weight decay 0.004", () => {
    expect(createOptimizer(adamw, [param('w', [0])]).options.weightDecay).toBe(0.004);
  });
});

describe('adamax', () => {
  it('should follow the hand-computed trajectory', () => {
    // β1 = β2 = 0.5, ε = 0, lr = 1. t=1, g=2: m = 1, u = 2, update −(1/0.5)·1/2 = −1.
    // t=2, g=−1: m = 0, u = max(1, 1) = 1, update 0.
    // t=3, g=4: m = 2, u = max(0.5, 4) = 4, update −(1/0.875)·2/4 = −4/7.
    const p = param('w', [0]);
    const optimizer = createOptimizer(adamax, [p], { learningRate: 1, beta1: 0.5, beta2: 0.5, epsilon: 0 });
    expectClose(trajectory(optimizer, p, fixed([[2], [-1], [4]]), 3).flat(), [-1, -1, -1 - 4 / 7]);
  });
});
