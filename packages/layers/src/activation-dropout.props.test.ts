// The Activation and Dropout layers through the reusable layer laws (gradient check,
// accumulation, determinism, shapes, purity, config round-trip), and Dropout's training
// mode against central differences with its mask held fixed.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { checkGradients, gradientSubject } from '@rnnkit/gradcheck';
import { layerLaws } from '@rnnkit/testing';
import { Random } from '@rnnkit/tensor';
import { ActivationLayer } from './activation-layer.js';
import { Dropout } from './dropout.js';
import { uniform } from './test-support.js';

const RUNS = { numRuns: 15 };

const shapeArb = fc.oneof(
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })),
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
);

const suites = {
  Activation: layerLaws({
    name: 'Activation',
    make: (config) => new ActivationLayer({ ...config, dtype: 'float64' }),
    configArb: fc.record({
      activation: fc.constantFrom('linear' as const, 'sigmoid' as const, 'hardSigmoid' as const, 'tanh' as const, 'softmax' as const),
    }),
    inputShapeArb: shapeArb,
    fromConfig: (config) => ActivationLayer.fromConfig(config),
  }),
  Dropout: layerLaws({
    name: 'Dropout (inference)',
    make: (config) => new Dropout({ ...config, dtype: 'float64' }),
    configArb: fc.record({ rate: fc.double({ min: 0, max: 0.9, noNaN: true }), seed: fc.integer({ min: 0, max: 1000 }) }),
    inputShapeArb: shapeArb,
    fromConfig: (config) => Dropout.fromConfig(config),
  }),
};

for (const [name, laws] of Object.entries(suites)) {
  describe(`${name} through layerLaws`, () => {
    for (const law of laws) it(law.name, () => fc.assert(law.property, RUNS));
  });
}

describe('Dropout while training', () => {
  it('should match central differences with respect to the input (mask fixed by the seed)', () => {
    fc.assert(
      fc.property(shapeArb, fc.double({ min: 0.05, max: 0.9, noNaN: true }), fc.integer({ min: 0, max: 1000 }), (shape, rate, seed) => {
        const random = new Random(seed + 1);
        const x = uniform(shape, random);
        const w = uniform(shape, random);
        // A fresh layer with the same seed for every forward: the same mask each time, as
        // a finite-difference check needs.
        const run = () => {
          const layer = new Dropout({ rate, seed, dtype: 'float64' });
          const result = layer.forward(x, { training: true });
          let loss = 0;
          for (let i = 0; i < result.y.size; i++) loss += result.y.data[i]! * w.data[i]!;
          return { loss, cache: { layer, cache: result.cache } };
        };
        const report = checkGradients(
          gradientSubject({ params: [], input: x, forward: run, backward: ({ layer, cache }) => layer.backward(w, cache) }),
        );
        if (!report.passed) throw new Error(`rate ${rate}, seed ${seed}, shape [${shape.join(', ')}]\n${report.format()}`);
      }),
      RUNS,
    );
  });
});
