import fc from 'fast-check';
import { describe, it } from 'vitest';
import { createOptimizer } from '@rnnkit/optimizers';
import { optimizerLaws } from '@rnnkit/testing';
import { lion } from './lion.js';

// The same laws every built-in optimizer passes.
describe('optimizer laws: lion', () => {
  for (const law of optimizerLaws(lion, { createOptimizer })) {
    it(law.name, () => fc.assert(law.property, { numRuns: 40 }));
  }
});

describe('optimizer laws: lion with weight decay, float32', () => {
  for (const law of optimizerLaws(lion, { createOptimizer, options: { weightDecay: 0.1, beta1: 0.5 }, dtype: 'float32' })) {
    it(law.name, () => fc.assert(law.property, { numRuns: 40 }));
  }
});
