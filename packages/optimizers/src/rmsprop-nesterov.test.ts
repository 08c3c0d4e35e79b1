import { describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizer.js';
import { rmspropNesterov } from './rmsprop-nesterov.js';
import { expectClose, param, trajectory } from './test-support.js';

// Loss ½·(p₀² + 2·p₁²): gradient (p₀, 2·p₁), evaluated wherever the values are when the
// gradient is computed, i.e. at the look-ahead point.
const gradient = (values: readonly number[]): number[] => [values[0]!, 2 * values[1]!];

/**
 * Experiment 4's update written out per coordinate, step by step, from docs/experiments.md:
 * v' = μ·v; p ← p + v'; g at p; ms ← λ·ms + (1−λ)·g²; δ = lr·g/(√ms + ε) (or lr·g/√ms + ε);
 * v ← v' − δ; p ← p − δ.
 */
function byHand(start: number[], steps: number, o: { lr: number; mu: number; lambda: number; eps: number; after: boolean }): number[][] {
  const p = [...start];
  const v = p.map(() => 0);
  const ms = p.map(() => 0);
  const out: number[][] = [];
  for (let s = 0; s < steps; s++) {
    const vPrime = v.map((x) => o.mu * x);
    for (let i = 0; i < p.length; i++) p[i] = p[i]! + vPrime[i]!;
    const g = gradient(p);
    for (let i = 0; i < p.length; i++) {
      ms[i] = o.lambda * ms[i]! + (1 - o.lambda) * g[i]! ** 2;
      const delta = o.after ? (o.lr * g[i]!) / Math.sqrt(ms[i]!) + o.eps : (o.lr * g[i]!) / (Math.sqrt(ms[i]!) + o.eps);
      v[i] = vPrime[i]! - delta;
      p[i] = p[i]! - delta;
    }
    out.push([...p]);
  }
  return out;
}

describe('rmspropNesterov (reference experiment 4)', () => {
  it('should reproduce the hand-computed three-step trajectory', () => {
    // Step 1 by hand: v' = 0; g = (1, −2); ms = (0.5, 2); δ = 0.1·(1/√0.5, −2/√2) = (0.1√2, −0.1√2).
    const p = param('w', [1, -1]);
    const optimizer = createOptimizer(rmspropNesterov, [p], { learningRate: 0.1, momentum: 0.5, rho: 0.5, epsilon: 0 });
    const steps = trajectory(optimizer, p, gradient, 3);
    expectClose(steps[0]!, [1 - 0.1 * Math.SQRT2, -1 + 0.1 * Math.SQRT2]);
    expectClose(steps.flat(), byHand([1, -1], 3, { lr: 0.1, mu: 0.5, lambda: 0.5, eps: 0, after: false }).flat());
  });

  it("should reproduce experiment 4's hyperparameters with ε added after the division", () => {
    const p = param('w', [0.3, -0.7]);
    const optimizer = createOptimizer(rmspropNesterov, [p], { epsilonAfterDivision: true });
    expect(optimizer.learningRate).toBe(0.05);
    const expected = byHand([0.3, -0.7], 3, { lr: 0.05, mu: 0.8, lambda: 0.5, eps: 1e-6, after: true });
    expectClose(trajectory(optimizer, p, gradient, 3).flat(), expected.flat());
  });

  it('should take the gradient at the look-ahead point p + μ·v', () => {
    const p = param('w', [1, -1]);
    const optimizer = createOptimizer(rmspropNesterov, [p], { learningRate: 0.1, momentum: 0.5 });
    trajectory(optimizer, p, gradient, 1);
    const afterStep = Array.from(p.value.data);
    const velocity = Array.from(optimizer.paramState('w')!.velocity);
    optimizer.beforeGradient();
    expectClose(Array.from(p.value.data), [afterStep[0]! + 0.5 * velocity[0]!, afterStep[1]! + 0.5 * velocity[1]!]);
  });

  it('should move only once when beforeGradient() is called twice', () => {
    const p = param('w', [1, -1]);
    const optimizer = createOptimizer(rmspropNesterov, [p], { learningRate: 0.1 });
    trajectory(optimizer, p, gradient, 1);
    optimizer.beforeGradient();
    const once = Array.from(p.value.data);
    optimizer.beforeGradient();
    expect(Array.from(p.value.data)).toEqual(once);
  });

  it('should refuse step() without beforeGradient()', () => {
    const p = param('w', [1, -1]);
    const optimizer = createOptimizer(rmspropNesterov, [p]);
    expect(() => optimizer.step()).toThrow(/^rmspropNesterov: step\(\) called without beforeGradient\(\)/);
    expect(optimizer.needsBeforeGradient).toBe(true);
  });

  it('should be RMSprop with ε outside the root when the momentum is 0', () => {
    // lr 0.1, λ 0.5, ε 0.1, g = p: ms₁ = 0.5·4 = 2, p₁ = 2 − 0.1·2/(√2 + 0.1).
    const p = param('w', [2, 0]);
    const optimizer = createOptimizer(rmspropNesterov, [p], { learningRate: 0.1, momentum: 0, epsilon: 0.1 });
    trajectory(optimizer, p, (values) => [values[0]!, 0], 1);
    expectClose(Array.from(p.value.data), [2 - 0.2 / (Math.SQRT2 + 0.1), 0]);
  });
});
