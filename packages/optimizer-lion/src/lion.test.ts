import { describe, expect, it } from 'vitest';
import { createOptimizer, loadOptimizer } from '@rnnkit/optimizers';
import { Param, Tensor } from '@rnnkit/tensor';
import { lion } from './lion.js';

function param(values: number[]): Param {
  return new Param('w', new Tensor(Float64Array.from(values), [values.length]));
}

describe('lion', () => {
  it('should follow the hand-computed trajectory of Algorithm 2', () => {
    // β1 0.5, β2 0.5, lr 0.1, λ 0, gradients 2, then −1, then −1.
    // t=1: c = 0.5·0 + 0.5·2 = 1 → p = −0.1; m = 1.
    // t=2: c = 0.5·1 + 0.5·(−1) = 0 → sign 0, p stays −0.1; m = 0.5·1 − 0.5 = 0.
    // t=3: c = 0 − 0.5 = −0.5 → p = −0.1 + 0.1 = 0; m = −0.5.
    const p = param([0]);
    const optimizer = createOptimizer(lion, [p], { learningRate: 0.1, beta1: 0.5, beta2: 0.5 });
    const seen: number[] = [];
    for (const g of [2, -1, -1]) {
      optimizer.zeroGrad();
      p.grad.data[0] = g;
      optimizer.step();
      seen.push(p.value.data[0]!);
    }
    expect(seen).toEqual([-0.1, -0.1, 0]);
    expect(Array.from(optimizer.paramState('w')!.momentum)).toEqual([-0.5]);
  });

  it('should add the decoupled weight decay lr·λ·p', () => {
    // Zero gradient: sign(c) = 0, so only the decay moves 2 → 2 − 0.1·0.5·2 = 1.9.
    const p = param([2]);
    createOptimizer(lion, [p], { learningRate: 0.1, weightDecay: 0.5 }).step();
    expect(p.value.data[0]).toBeCloseTo(1.9, 15);
  });

  it('should move every coordinate by exactly lr on the first step, whatever the scale of g', () => {
    const p = param([0, 0, 0]);
    p.grad.data.set([1e-6, -300, 7]);
    createOptimizer(lion, [p], { learningRate: 0.01 }).step();
    expect(Array.from(p.value.data)).toEqual([-0.01, 0.01, -0.01]);
  });

  it('should refuse invalid options with its name', () => {
    expect(() => createOptimizer(lion, [param([0])], { beta2: 1 })).toThrow('lion: beta2 must be in [0, 1), got 1');
    expect(() => createOptimizer(lion, [param([0])], { beta3: 1 } as never)).toThrow(/^lion: unknown option "beta3"/);
  });

  it('should be restored from saved state when passed among the plugins', () => {
    const optimizer = createOptimizer(lion, [param([1])], { beta1: 0.7 });
    const restored = loadOptimizer(optimizer.getState(), [param([1])], { plugins: [lion] });
    expect(restored.options).toEqual({ beta1: 0.7, beta2: 0.99, weightDecay: 0 });
  });
});
