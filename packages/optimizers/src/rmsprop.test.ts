import { describe, expect, it } from 'vitest';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { createOptimizer } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { expectClose, param, trajectory } from './test-support.js';

const constant = (g: number) => (): number[] => [g];

describe('rmsprop', () => {
  it('should use Keras defaults', () => {
    const optimizer = createOptimizer(rmsprop, [param('w', [0])]);
    expect(optimizer.learningRate).toBe(0.001);
    expect(optimizer.options).toEqual({ rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false });
  });

  it('should follow the hand-computed trajectory', () => {
    // ρ 0.5, ε 0, lr 1, g = 2: ms₁ = 2, Δ = 2/√2 = √2; ms₂ = 1 + 2 = 3, Δ = 2/√3.
    const p = param('w', [0]);
    const optimizer = createOptimizer(rmsprop, [p], { learningRate: 1, rho: 0.5, epsilon: 0 });
    expectClose(trajectory(optimizer, p, constant(2), 2).flat(), [-Math.SQRT2, -Math.SQRT2 - 2 / Math.sqrt(3)]);
  });

  it('should divide by the variance when centred', () => {
    // mg₁ = 1, ms₁ = 2, d = 2 − 1 = 1, Δ = 2.
    const p = param('w', [0]);
    const optimizer = createOptimizer(rmsprop, [p], { learningRate: 1, rho: 0.5, epsilon: 0, centered: true });
    expectClose(trajectory(optimizer, p, constant(2), 1).flat(), [-2]);
  });

  it('should accumulate increments with momentum', () => {
    // b₁ = √2, b₂ = 0.5·√2 + 2/√3.
    const p = param('w', [0]);
    const optimizer = createOptimizer(rmsprop, [p], { learningRate: 1, rho: 0.5, epsilon: 0, momentum: 0.5 });
    const expected = [-Math.SQRT2, -Math.SQRT2 - (0.5 * Math.SQRT2 + 2 / Math.sqrt(3))];
    expectClose(trajectory(optimizer, p, constant(2), 2).flat(), expected);
  });
});

describe('adagrad', () => {
  it('should follow the hand-computed trajectory', () => {
    // a₀ = 0.1, g = 1: a₁ = 1.1, Δ = 0.1/√1.1; a₂ = 2.1, Δ = 0.1/√2.1.
    const p = param('w', [0]);
    const optimizer = createOptimizer(adagrad, [p], { learningRate: 0.1, epsilon: 0 });
    const first = -0.1 / Math.sqrt(1.1);
    expectClose(trajectory(optimizer, p, constant(1), 2).flat(), [first, first - 0.1 / Math.sqrt(2.1)]);
  });
});

describe('adadelta', () => {
  it('should follow the hand-computed trajectory', () => {
    // ρ 0.5, ε 1, lr 1, g = 1. t=1: E[g²] = 0.5, Δx = −√1/√1.5, E[Δx²] = 0.5·(1/1.5) = 1/3.
    // t=2: E[g²] = 0.75, Δx = −√(4/3)/√1.75.
    const p = param('w', [0]);
    const optimizer = createOptimizer(adadelta, [p], { learningRate: 1, rho: 0.5, epsilon: 1 });
    const first = -1 / Math.sqrt(1.5);
    expectClose(trajectory(optimizer, p, constant(1), 2).flat(), [first, first - Math.sqrt(4 / 3) / Math.sqrt(1.75)]);
  });
});
