// RepeatVector and Flatten against central differences in float64, through the reusable
// layer laws of @rnnkit/testing.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { layerLaws } from '@rnnkit/testing';
import { Flatten } from './flatten.js';
import { RepeatVector } from './repeat-vector.js';

const RUNS = { numRuns: 15 };

const suites = [
  [
    'RepeatVector',
    layerLaws({
      name: 'RepeatVector',
      make: (config) => new RepeatVector({ ...config, dtype: 'float64' }),
      configArb: fc.record({ n: fc.integer({ min: 1, max: 4 }) }),
      inputShapeArb: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })),
      fromConfig: (config) => RepeatVector.fromConfig(config),
    }),
  ],
  [
    'Flatten',
    layerLaws({
      name: 'Flatten',
      make: () => new Flatten({ dtype: 'float64' }),
      configArb: fc.constant({}),
      inputShapeArb: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 2, maxLength: 4 }),
      fromConfig: (config) => Flatten.fromConfig(config),
    }),
  ],
] as const;

for (const [name, laws] of suites) {
  describe(`${name} through layerLaws (central differences in float64, shapes, determinism, config)`, () => {
    for (const law of laws) it(law.name, () => fc.assert(law.property, RUNS));
  });
}
