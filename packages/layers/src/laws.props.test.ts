// The built-in layers through the reusable laws of @rnnkit/testing — the same laws a user's
// own layer can be run through (gradient check, accumulation, determinism, shapes, purity,
// config round-trip).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { layerLaws } from '@rnnkit/testing';
import { Dense } from './dense.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';

const RUNS = { numRuns: 15 };

const sequenceShapeArb = fc.tuple(
  fc.integer({ min: 1, max: 3 }),
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: 1, max: 3 }),
);
const flagsArb = { returnSequences: fc.boolean(), goBackwards: fc.boolean(), units: fc.integer({ min: 1, max: 4 }) };

const suites = [
  layerLaws({
    name: 'LSTM',
    make: (config) => new LSTM({ ...config, dtype: 'float64' }),
    configArb: fc.record({
      ...flagsArb,
      cellOutput: fc.constantFrom('activation' as const, 'none' as const),
      unitForgetBias: fc.boolean(),
      recurrentActivation: fc.constantFrom('sigmoid' as const, 'hardSigmoid' as const),
    }),
    inputShapeArb: sequenceShapeArb,
    fromConfig: (config) => LSTM.fromConfig(config),
  }),
  layerLaws({
    name: 'GRU',
    make: (config) => new GRU({ ...config, dtype: 'float64' }),
    configArb: fc.record({ ...flagsArb, resetAfter: fc.boolean() }),
    inputShapeArb: sequenceShapeArb,
    fromConfig: (config) => GRU.fromConfig(config),
  }),
  layerLaws({
    name: 'SimpleRNN',
    make: (config) => new SimpleRNN({ ...config, dtype: 'float64' }),
    configArb: fc.record({
      ...flagsArb,
      activation: fc.constantFrom('tanh' as const, 'sigmoid' as const),
      learnableInitialState: fc.boolean(),
    }),
    inputShapeArb: sequenceShapeArb,
    fromConfig: (config) => SimpleRNN.fromConfig(config),
  }),
  layerLaws({
    name: 'Dense',
    make: (config) => new Dense({ ...config, dtype: 'float64' }),
    configArb: fc.record({
      units: fc.integer({ min: 1, max: 4 }),
      activation: fc.constantFrom('linear' as const, 'sigmoid' as const, 'tanh' as const, 'softmax' as const),
    }),
    inputShapeArb: fc.oneof(fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })), sequenceShapeArb),
    fromConfig: (config) => Dense.fromConfig(config),
  }),
];

for (const [index, name] of ['LSTM', 'GRU', 'SimpleRNN', 'Dense'].entries()) {
  describe(`${name} through layerLaws`, () => {
    for (const law of suites[index]!) {
      it(law.name, () => fc.assert(law.property, RUNS));
    }
  });
}
