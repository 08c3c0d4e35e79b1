// The LSTM passes pack U (forward) and Uᵀ (backward) once per pass, every block of it
// (assembly/gemm.ts, packWholeB): with 150 units, U's 600 columns span two column blocks of
// the packing (576 + 24) and Uᵀ's 600 depths three depth blocks (256 + 256 + 88), with a
// panel cut short at 150 columns; a batch of 9 on three threads leaves one share of a single
// sequence, which takes the thin path that reads U itself. Shares of 100 and 200 sequences
// run the blocked path on U and on their weight gradients step by step (a depth of 100 or 200).
import { type KernelBackend, Random, jsBackend } from '@rnnkit/tensor';
import { lstm } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, randomTensor, relativeError, runLayer } from './pass-support.js';

const backends = await backendsUnderTest();

/** Runs an LSTM(units) pass on `backend` and on the JS backend and compares everything. */
function expectReference(backend: KernelBackend, units: number, batch: number, time: number, features: number): void {
  const random = new Random(5);
  const layer = lstm({ units, returnSequences: true, returnState: true });
  layer.build([null, time, features], random);
  const x = randomTensor([batch, time, features], random);
  const dy = randomTensor([batch, time, units], random);
  const stateGrads = [randomTensor([batch, units], random), randomTensor([batch, units], random)];
  const reference = runLayer(layer, jsBackend, x, dy, stateGrads);
  const got = runLayer(layer, backend, x, dy, stateGrads);
  for (const [what, value, want] of [
    ['y', got.y, reference.y],
    ['h', got.states[0]!, reference.states[0]!],
    ['c', got.states[1]!, reference.states[1]!],
    ['dx', got.dx, reference.dx],
    ...got.grads.map((g, i) => [`gradient ${i}`, g, reference.grads[i]!] as const),
  ] as const) {
    expect(relativeError(value, want), what).toBeLessThan(1e-4);
  }
}

describe('fused LSTM pass with U over several packing blocks', () => {
  for (const [label, backend] of backends) {
    it(`should equal the reference steps (${label})`, () => expectReference(backend, 150, 9, 3, 5));
  }
});

describe('fused LSTM pass on large shares', () => {
  it('should equal the reference steps with 100 and 200 sequences per thread (three threads)', () => {
    expectReference(backends[1]![1], 8, 300, 5, 3);
    expectReference(backends[1]![1], 8, 600, 3, 3);
  });
});
