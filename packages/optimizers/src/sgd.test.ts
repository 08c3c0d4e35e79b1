import { describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizer.js';
import { sgd } from './sgd.js';
import { expectClose, param, trajectory } from './test-support.js';

// Loss ½p², so the gradient is p itself. Trajectories worked out by hand.
const identityGradient = (values: readonly number[]): number[] => [...values];

describe('sgd', () => {
  it('should follow the hand-computed momentum trajectory', () => {
    // lr 0.1, μ 0.9, p₀ = 1: v₁ = −0.1, p₁ = 0.9; v₂ = 0.9·(−0.1) − 0.1·0.9 = −0.18, p₂ = 0.72;
    // v₃ = 0.9·(−0.18) − 0.1·0.72 = −0.234, p₃ = 0.486.
    const p = param('w', [1]);
    const steps = trajectory(createOptimizer(sgd, [p], { learningRate: 0.1, momentum: 0.9 }), p, identityGradient, 3);
    expectClose(steps.flat(), [0.9, 0.72, 0.486]);
  });

  it('should follow the hand-computed Nesterov trajectory', () => {
    // v₁ = −0.1, p₁ = 1 + 0.9·(−0.1) − 0.1 = 0.81; v₂ = −0.09 − 0.081 = −0.171,
    // p₂ = 0.81 + 0.9·(−0.171) − 0.081 = 0.5751.
    const p = param('w', [1]);
    const optimizer = createOptimizer(sgd, [p], { learningRate: 0.1, momentum: 0.9, nesterov: true });
    expectClose(trajectory(optimizer, p, identityGradient, 2).flat(), [0.81, 0.5751]);
  });

  it('should be plain gradient descent with momentum 0', () => {
    // p ← p − 0.5·p halves the value every step.
    const p = param('w', [8, -4]);
    const steps = trajectory(createOptimizer(sgd, [p], { learningRate: 0.5 }), p, identityGradient, 3);
    expect(steps).toEqual([
      [4, -2],
      [2, -1],
      [1, -0.5],
    ]);
  });

  it('should default to learning rate 0.01 as Keras', () => {
    expect(createOptimizer(sgd, [param('w', [1])]).learningRate).toBe(0.01);
  });

  it('should refuse a momentum outside [0, 1)', () => {
    expect(() => createOptimizer(sgd, [param('w', [1])], { momentum: 1 })).toThrow(
      'sgd: momentum must be in [0, 1), got 1',
    );
  });
});
