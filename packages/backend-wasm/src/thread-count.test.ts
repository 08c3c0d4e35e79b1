// A fused pass shares the batch out among threads, each thread running every step on its
// rows; since no share has fewer than 4 rows (shares.ts), each row's outputs, states and input
// gradient take the same products in the same order on any number of threads, bit for bit.
// Only the weight gradients differ: each thread sums its rows' part, and the parts are added
// at the end. 13 sequences on three threads make shares of 4, 4 and 5 (before, 8, 4 and 1: a
// share of one row took the matrix–vector path and its row differed in the last bits).
import { Random } from '@rnnkit/tensor';
import { type RecurrentLayer, gru, lstm, simpleRNN } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import type { WasmBackend } from './index.js';
import { backendsUnderTest, randomTensor, relativeError, runLayer } from './pass-support.js';

const [one, three] = (await backendsUnderTest()).map(([, backend]) => backend) as [WasmBackend, WasmBackend];

const LAYERS: Readonly<Record<string, (units: number) => RecurrentLayer>> = {
  lstm: (units) => lstm({ units, returnSequences: true, returnState: true }),
  gru: (units) => gru({ units, returnSequences: true, returnState: true }),
  'gru (reset before)': (units) => gru({ units, resetAfter: false, returnSequences: true, returnState: true }),
  'simple-rnn': (units) => simpleRNN({ units, returnSequences: true, returnState: true }),
};

/** Where two arrays first differ in their bits, or -1. */
const firstDifference = (x: Float32Array, y: Float32Array): number => (x.length !== y.length ? 0 : x.findIndex((v, i) => !Object.is(v, y[i])));

describe('fused passes on one thread and on three', () => {
  for (const [name, make] of Object.entries(LAYERS)) {
    it(`should give the same bits for outputs, states and the input gradient (${name}, 13 sequences)`, () => {
      const random = new Random(11);
      const layer = make(24);
      layer.build([null, 6, 5], random);
      const x = randomTensor([13, 6, 5], random);
      const dy = randomTensor([13, 6, 24], random);
      const stateGrads = Array.from({ length: name === 'lstm' ? 2 : 1 }, () => randomTensor([13, 24], random));
      const a = runLayer(layer, one, x, dy, stateGrads);
      const b = runLayer(layer, three, x, dy, stateGrads);
      expect(firstDifference(b.y, a.y), 'y').toBe(-1);
      a.states.forEach((s, i) => expect(firstDifference(b.states[i]!, s), `state ${i}`).toBe(-1));
      expect(firstDifference(b.dx, a.dx), 'dx').toBe(-1);
      // Weight gradients: the threads' parts added at the end, float32 rounding apart.
      a.grads.forEach((g, i) => expect(relativeError(b.grads[i]!, g), `gradient ${i}`).toBeLessThan(1e-5));
    });
  }
});
