import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random, Tensor, allocate } from '@rnnkit/tensor';
import { type Law, runLaws } from './law-runner.js';
import { fails, lawNamed } from './law-tests.test-util.js';
import { type LossSample, type LossUnderTest, lossLaws } from './loss-laws.js';

// A toy sum-of-squares loss Σ(ŷ − y)², written here, with switchable bugs.
type Bug = 'none' | 'halfGradient' | 'mutatesTargets' | 'valueDisagrees' | 'randomNoise' | 'wrongConfig' | 'floatGrad';

function toyLoss(bug: Bug): LossUnderTest {
  const value = (p: Tensor, t: Tensor): number => {
    let sum = 0;
    for (let i = 0; i < p.size; i++) sum += (p.data[i]! - t.data[i]!) ** 2;
    return bug === 'randomNoise' ? sum + Math.random() * 1e-3 : sum;
  };
  return {
    name: 'toy_squares',
    compute(p, t) {
      const grad = allocate(bug === 'floatGrad' ? 'float32' : p.dtype, p.size);
      for (let i = 0; i < p.size; i++) grad[i] = (bug === 'halfGradient' ? 1 : 2) * (p.data[i]! - t.data[i]!);
      const v = value(p, t);
      if (bug === 'mutatesTargets') t.data[0] = 0.25;
      return { value: v, grad: new Tensor(grad, p.shape) };
    },
    value: (p, t) => value(p, t) + (bug === 'valueDisagrees' ? 1 : 0),
    getConfig: () => ({ name: 'toy_squares', scale: bug === 'wrongConfig' ? 3 : 1 }),
  };
}

const sampleArb: fc.Arbitrary<LossSample> = fc
  .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
  .map(([batch, features, seed]) => {
    const random = new Random(seed);
    const shape = [batch, features];
    const p = random.fillUniform(new Float64Array(batch * features), -1, 1);
    const t = random.fillUniform(new Float64Array(batch * features), -1, 1);
    return { predictions: new Tensor(p, shape), targets: new Tensor(t, shape) };
  });

function laws(bug: Bug): Law[] {
  return lossLaws({
    name: `toy(${bug})`,
    make: () => toyLoss(bug),
    sampleArb,
    fromConfig: () => toyLoss('none'),
  });
}

/** Whether fast-check finds a counterexample to `law` in 20 cases. */
const caught = (law: Law): boolean => fails(law, 20);

describe('lossLaws', () => {
  it('should pass every law for a correct loss', () => {
    expect(() => runLaws(laws('none'), { numRuns: 20 })).not.toThrow();
  });

  it('should fail the gradient law for a loss with a wrong gradient', () => {
    expect(caught(lawNamed(laws('halfGradient'), 'central differences'))).toBe(true);
  });

  it('should fail the shape law for a gradient of another dtype', () => {
    expect(caught(lawNamed(laws('floatGrad'), 'shaped like'))).toBe(true);
  });

  it('should fail the consistency law when value() disagrees with compute()', () => {
    expect(caught(lawNamed(laws('valueDisagrees'), 'value()'))).toBe(true);
  });

  it('should fail the purity law for a loss that modifies its targets', () => {
    expect(caught(lawNamed(laws('mutatesTargets'), 'unchanged'))).toBe(true);
  });

  it('should fail the purity law for a loss that is not deterministic', () => {
    expect(caught(lawNamed(laws('randomNoise'), 'unchanged'))).toBe(true);
  });

  it('should fail the config law when the rebuilt loss has another config', () => {
    expect(caught(lawNamed(laws('wrongConfig'), 'config'))).toBe(true);
  });

  it('should pass configurations from configArb to make and sampleArb', () => {
    const seen: number[] = [];
    const list = lossLaws({
      name: 'scaled',
      configArb: fc.integer({ min: 1, max: 3 }),
      make: (scale) => {
        seen.push(scale);
        return toyLoss('none');
      },
      sampleArb: () => sampleArb,
    });
    runLaws(list, { numRuns: 10 });
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((s) => s >= 1 && s <= 3)).toBe(true);
  });
});
