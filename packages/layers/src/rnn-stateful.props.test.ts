// Laws of stateful recurrent layers: a sequence cut into chunks and fed to a stateful layer
// chunk after chunk gives the outputs of one pass over the whole sequence; and a stepper fed
// one step at a time gives forward's output at every step (float64, built-in and user cells).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random, Tensor, allocate } from '@rnnkit/tensor';
import { gruCell } from './cells/cell-plugins.js';
import { lstmCell } from './cells/cell-plugins.js';
import { simpleRNNCell } from './cells/cell-plugins.js';
import type { RecurrentCell } from './cell.js';
import { RNN } from './rnn.js';
import { randomizeParams, uniform } from './test-support.js';
import { ToyCell } from './toy-cell.test-util.js';

const RUNS = { numRuns: 20 };

const cells: Record<string, (units: number) => RecurrentCell> = {
  lstm: (units) => lstmCell({ units, dtype: 'float64' }),
  'gru (resetAfter)': (units) => gruCell({ units, dtype: 'float64' }),
  'gru (reset before)': (units) => gruCell({ units, resetAfter: false, dtype: 'float64' }),
  'simple-rnn': (units) => simpleRNNCell({ units, dtype: 'float64' }),
  'toy (user cell, two states)': (units) => new ToyCell(units),
};

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 4 }),
  // Chunk lengths: the sequence is their concatenation.
  chunks: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 4 }),
  learnableInitialState: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** Steps [from, to) of a `[batch, time, features]` tensor. */
function timeSlice(x: Tensor, from: number, to: number): Tensor {
  const [batch, time, features] = x.shape as [number, number, number];
  const out = allocate(x.dtype, batch * (to - from) * features);
  for (let b = 0; b < batch; b++) out.set(x.data.subarray((b * time + from) * features, (b * time + to) * features), b * (to - from) * features);
  return new Tensor(out, [batch, to - from, features]);
}

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= 1e-12 * Math.max(1, Math.abs(expected[i]!)))) {
      throw new Error(`${what}[${i}]: ${actual[i]} vs ${expected[i]}`);
    }
  }
}

describe('stateful RNN (property, float64)', () => {
  for (const [label, makeCell] of Object.entries(cells)) {
    it(`${label}: chunk after chunk equals one pass over the whole sequence, and resetStates starts over`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const random = new Random(c.seed);
          const time = c.chunks.reduce((a, b) => a + b, 0);
          const whole = new RNN({ cell: makeCell(c.units), returnSequences: true, learnableInitialState: c.learnableInitialState });
          whole.build([null, null, c.features], random);
          randomizeParams(whole, random);
          const stateful = new RNN({ cell: makeCell(c.units), returnSequences: true, learnableInitialState: c.learnableInitialState, stateful: true });
          stateful.build([null, null, c.features], random);
          stateful.setWeights(whole.getWeights());
          const x = uniform([c.batch, time, c.features], random);
          const expected = whole.forward(x).y;
          for (let round = 0; round < 2; round++) {
            let from = 0;
            for (const length of c.chunks) {
              const y = stateful.forward(timeSlice(x, from, from + length)).y;
              expectClose(y.data, timeSlice(expected, from, from + length).data, `${label} round ${round}, steps ${from}…${from + length - 1}`);
              from += length;
            }
            expect(stateful.statefulBatch).toBe(c.batch);
            stateful.resetStates();
            expect(stateful.statefulBatch).toBe(null);
          }
        }),
        RUNS,
      );
    });

    it(`${label}: a stepper fed one step at a time gives forward's output at every step`, () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const random = new Random(c.seed);
          const time = c.chunks.reduce((a, b) => a + b, 0);
          const layer = new RNN({ cell: makeCell(c.units), returnSequences: true, learnableInitialState: c.learnableInitialState });
          layer.build([null, null, c.features], random);
          randomizeParams(layer, random);
          const x = uniform([c.batch, time, c.features], random);
          const expected = layer.forward(x).y;
          const stepper = layer.stepper(c.batch, c.features);
          expect(stepper.outputSize).toBe(c.units);
          const row = allocate('float64', c.batch * c.features);
          const out = allocate('float64', c.batch * c.units + 3);
          for (let round = 0; round < 2; round++) {
            for (let t = 0; t < time; t++) {
              for (let b = 0; b < c.batch; b++) row.set(x.data.subarray((b * time + t) * c.features, (b * time + t + 1) * c.features), b * c.features);
              stepper.step(row, 0, out, 3);
              const step = timeSlice(expected, t, t + 1).data;
              expectClose(out.subarray(3), step, `${label} round ${round} step ${t}`);
            }
            stepper.reset();
          }
        }),
        RUNS,
      );
    });
  }
});
