// TimeDistributed against central differences in float64: over Dense (any activation) and
// over an LSTM on [batch, time, steps, features], through the reusable layer laws of
// @rnnkit/testing, and with a mask passing through to a recurrent layer.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { layerLaws } from '@rnnkit/testing';
import { Random, Tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { builtinLayers } from './from-config.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { Sequential } from './sequential.js';
import { layerSubject, randomizeParams, uniform } from './test-support.js';
import { TimeDistributed } from './time-distributed.js';

const RUNS = { numRuns: 15 };

const sequenceShapeArb = fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 }));

const suites = [
  [
    'TimeDistributed(Dense)',
    layerLaws({
      name: 'TimeDistributed(Dense)',
      make: (config) => new TimeDistributed({ layer: new Dense({ ...config, dtype: 'float64' }) }),
      configArb: fc.record({ units: fc.integer({ min: 1, max: 3 }), activation: fc.constantFrom('linear' as const, 'tanh' as const, 'softmax' as const) }),
      inputShapeArb: sequenceShapeArb,
      fromConfig: (config) => TimeDistributed.fromConfig(config, builtinLayers),
    }),
  ],
  [
    'TimeDistributed(LSTM) on [batch, time, steps, features]',
    layerLaws({
      name: 'TimeDistributed(LSTM)',
      make: (config) => new TimeDistributed({ layer: new LSTM({ ...config, dtype: 'float64' }) }),
      configArb: fc.record({ units: fc.integer({ min: 1, max: 3 }), returnSequences: fc.boolean() }),
      inputShapeArb: fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 2 })),
      fromConfig: (config) => TimeDistributed.fromConfig(config, builtinLayers),
    }),
  ],
] as const;

for (const [name, laws] of suites) {
  describe(`${name} through layerLaws (central differences in float64, shapes, determinism, config)`, () => {
    for (const law of laws) it(law.name, () => fc.assert(law.property, RUNS));
  });
}

describe('TimeDistributed gradients with a mask', () => {
  it('should match central differences through TimeDistributed(Dense) → GRU with a random mask passed through', () => {
    const caseArb = fc
      .record({ batch: fc.integer({ min: 1, max: 3 }), time: fc.integer({ min: 1, max: 4 }), features: fc.integer({ min: 1, max: 3 }), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }) })
      .chain((c) => fc.record({ c: fc.constant(c), steps: fc.array(fc.boolean(), { minLength: c.batch * c.time, maxLength: c.batch * c.time }) }));
    fc.assert(
      fc.property(caseArb, ({ c, steps }) => {
        const random = new Random(c.seed);
        const model = new Sequential({
          layers: [new TimeDistributed({ layer: new Dense({ units: 2, activation: 'tanh', dtype: 'float64' }) }), new GRU({ units: 2, dtype: 'float64' })],
          inputShape: [c.time, c.features],
          seed: c.seed,
        });
        randomizeParams(model, random);
        const mask = new Tensor(Float64Array.from(steps, (s) => (s ? 1 : 0)), [c.batch, c.time]);
        const report = checkGradients(layerSubject(model, uniform([c.batch, c.time, c.features], random), random, { mask }));
        if (!report.passed) throw new Error(`${JSON.stringify(c)}\n${report.format()}`);
      }),
      RUNS,
    );
  });
});
