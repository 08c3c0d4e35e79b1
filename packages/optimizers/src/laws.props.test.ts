import fc from 'fast-check';
import { describe, it } from 'vitest';
import { type Law, optimizerLaws } from '@rnnkit/testing';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { adam, adamax, adamw } from './adam.js';
import { createOptimizer } from './optimizer.js';
import { rmsprop } from './rmsprop.js';
import { rmspropNesterov } from './rmsprop-nesterov.js';
import { sgd } from './sgd.js';

// Every built-in, in the settings that change its maths, through the same laws a user's
// plugin is run through. One `it` per law.
const suites: [string, Law[]][] = [
  ['sgd', optimizerLaws(sgd, { createOptimizer, plainSgdOptions: { momentum: 0 } })],
  [
    'sgd with momentum 0.9',
    optimizerLaws(sgd, { createOptimizer, options: { momentum: 0.9 }, plainSgdOptions: { momentum: 0 } }),
  ],
  [
    'sgd with Nesterov momentum 0.9',
    optimizerLaws(sgd, {
      createOptimizer,
      options: { momentum: 0.9, nesterov: true },
      plainSgdOptions: { momentum: 0, nesterov: true },
    }),
  ],
  ['rmsprop', optimizerLaws(rmsprop, { createOptimizer })],
  [
    'rmsprop centred with momentum 0.5',
    optimizerLaws(rmsprop, { createOptimizer, options: { centered: true, momentum: 0.5 } }),
  ],
  ['rmspropNesterov', optimizerLaws(rmspropNesterov, { createOptimizer })],
  [
    'rmspropNesterov (momentum 0.5, rho 0.9, float32)',
    optimizerLaws(rmspropNesterov, { createOptimizer, options: { momentum: 0.5, rho: 0.9 }, dtype: 'float32' }),
  ],
  ['adam', optimizerLaws(adam, { createOptimizer })],
  ['adam with amsgrad (float32)', optimizerLaws(adam, { createOptimizer, options: { amsgrad: true }, dtype: 'float32' })],
  ['adamw', optimizerLaws(adamw, { createOptimizer, options: { weightDecay: 0.01 } })],
  ['adagrad', optimizerLaws(adagrad, { createOptimizer })],
  ['adadelta', optimizerLaws(adadelta, { createOptimizer })],
  ['adamax', optimizerLaws(adamax, { createOptimizer })],
];

for (const [title, laws] of suites) {
  describe(`optimizer laws: ${title}`, () => {
    for (const law of laws) it(law.name, () => fc.assert(law.property, { numRuns: 40 }));
  });
}
