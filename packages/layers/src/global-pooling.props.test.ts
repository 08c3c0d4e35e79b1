// The global pooling layers against central differences in float64, with and without a
// random mask, and through the reusable layer laws of @rnnkit/testing.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { layerLaws } from '@rnnkit/testing';
import { Random, Tensor } from '@rnnkit/tensor';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';
import { layerSubject, uniform } from './test-support.js';

const RUNS = { numRuns: 15 };

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    time: fc.integer({ min: 1, max: 5 }),
    features: fc.integer({ min: 1, max: 3 }),
    masked: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) => fc.record({ c: fc.constant(c), steps: fc.array(fc.boolean(), { minLength: c.batch * c.time, maxLength: c.batch * c.time }) }));

const makers = [
  ['GlobalAveragePooling1D', () => new GlobalAveragePooling1D({ dtype: 'float64' })],
  ['GlobalMaxPooling1D', () => new GlobalMaxPooling1D({ dtype: 'float64' })],
] as const;

for (const [api, make] of makers) {
  describe(`${api} gradients`, () => {
    it('should match central differences with and without a mask (samples without a valid step included)', () => {
      fc.assert(
        fc.property(caseArb, ({ c, steps }) => {
          const random = new Random(c.seed);
          const layer = make();
          const x = uniform([c.batch, c.time, c.features], random);
          const mask = c.masked ? new Tensor(Float64Array.from(steps, (s) => (s ? 1 : 0)), [c.batch, c.time]) : undefined;
          const report = checkGradients(layerSubject(layer, x, random, mask === undefined ? {} : { mask }));
          if (!report.passed) throw new Error(`${api} ${JSON.stringify(c)}\n${report.format()}`);
        }),
        RUNS,
      );
    });
  });

  describe(`${api} through layerLaws`, () => {
    const laws = layerLaws({
      name: api,
      make: () => make(),
      configArb: fc.constant({}),
      inputShapeArb: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
      fromConfig: (config) => (api === 'GlobalAveragePooling1D' ? GlobalAveragePooling1D.fromConfig(config) : GlobalMaxPooling1D.fromConfig(config)),
    });
    for (const law of laws) it(law.name, () => fc.assert(law.property, RUNS));
  });
}
