// The fused passes pack U (forward) and Uᵀ (backward) once per pass, every block of it
// (assembly/recurrent.ts, packOnce; assembly/gemm.ts, packWholeB), and run every step's
// product on that packing. The unit counts make U span several packing blocks of the fixed
// blocking (cacheSizes: 'fixed': 576 columns, 256 depths): LSTM(150)'s U has 600 columns (576 + 24) and Uᵀ 600 depths (256 + 256 + 88),
// with a panel cut short at 150 columns; GRU(200)'s U 600 columns and Uᵀ 600 depths; the
// reset-before GRU(300)'s U_zr 600 columns and U_zrᵀ 600 depths, its U_h 300 columns and
// U_hᵀ 300 depths (256 + 44); SimpleRNN(600)'s U both. A batch of 9 on three threads leaves
// shares of 4 and 5 sequences; a batch of 3 is too small for the blocked path and reads U
// itself (packing nothing). Shares of 100 and 200 sequences
// run the blocked path on U and on their weight gradients step by step (a depth of 100 or 200).
import { type KernelBackend, Random, jsBackend } from '@rnnkit/tensor';
import { type RecurrentLayer, gru, lstm, simpleRNN } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, randomTensor, relativeError, runLayer } from './pass-support.js';

const backends = await backendsUnderTest({ cacheSizes: 'fixed' });

/** The layers whose fused passes pack U, by name: a maker and how many states the layer returns. */
const LAYERS: Readonly<Record<string, { make: (units: number) => RecurrentLayer; states: number }>> = {
  lstm: { make: (units) => lstm({ units, returnSequences: true, returnState: true }), states: 2 },
  gru: { make: (units) => gru({ units, returnSequences: true, returnState: true }), states: 1 },
  'gru-reset-before': { make: (units) => gru({ units, resetAfter: false, returnSequences: true, returnState: true }), states: 1 },
  'simple-rnn': { make: (units) => simpleRNN({ units, returnSequences: true, returnState: true }), states: 1 },
  'simple-rnn (sigmoid)': { make: (units) => simpleRNN({ units, activation: 'sigmoid', returnSequences: true, returnState: true }), states: 1 },
};

/** Runs a pass of the layer `name` with `units` on `backend` and on the JS backend and compares everything. */
function expectReference(backend: KernelBackend, name: string, units: number, batch: number, time: number, features: number): void {
  const random = new Random(5);
  const { make, states } = LAYERS[name]!;
  const layer = make(units);
  layer.build([null, time, features], random);
  const x = randomTensor([batch, time, features], random);
  const dy = randomTensor([batch, time, units], random);
  const stateGrads = Array.from({ length: states }, () => randomTensor([batch, units], random));
  const reference = runLayer(layer, jsBackend, x, dy, stateGrads);
  const got = runLayer(layer, backend, x, dy, stateGrads);
  expect(got.states).toHaveLength(states);
  for (const [what, value, want] of [
    ['y', got.y, reference.y],
    ...got.states.map((s, i) => [`state ${i}`, s, reference.states[i]!] as const),
    ['dx', got.dx, reference.dx],
    ...got.grads.map((g, i) => [`gradient ${i}`, g, reference.grads[i]!] as const),
  ] as const) {
    expect(relativeError(value, want), `${name}: ${what}`).toBeLessThan(1e-4);
  }
}

/** Units that make each layer's U span several packing blocks (see the top of the file). */
const SPANNING: readonly (readonly [string, number])[] = [
  ['lstm', 150],
  ['gru', 200],
  ['gru-reset-before', 300],
  ['simple-rnn', 600],
  ['simple-rnn (sigmoid)', 600],
];

describe('fused passes with U over several packing blocks', () => {
  for (const [label, backend] of backends) {
    for (const [name, units] of SPANNING) {
      it(`should equal the reference steps (${name}, ${units} units, ${label})`, () => {
        expectReference(backend, name, units, 9, 3, 5);
        expectReference(backend, name, units, 3, 2, 5);
      });
    }
  }
});

describe('fused passes on large shares', () => {
  for (const name of Object.keys(LAYERS)) {
    it(`should equal the reference steps with 100 and 200 sequences per thread (${name}, three threads)`, () => {
      expectReference(backends[1]![1], name, 8, 300, 5, 3);
      expectReference(backends[1]![1], name, 8, 600, 3, 3);
    });
  }
});
