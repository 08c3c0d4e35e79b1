// The LSTM passes pack U (forward) and Uᵀ (backward) once per pass, every block of it
// (assembly/gemm.ts, packWholeB): with 150 units, U's 600 columns span two column blocks of
// the packing (576 + 24) and Uᵀ's 600 depths three depth blocks (256 + 256 + 88), with a
// panel cut short at 150 columns; a batch of 9 on three threads leaves one share of a single
// sequence, which takes the thin path that reads U itself.
import { Random, jsBackend } from '@rnnkit/tensor';
import { lstm } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import { backendsUnderTest, randomTensor, relativeError, runLayer } from './pass-support.js';

const backends = await backendsUnderTest();

describe('fused LSTM pass with U over several packing blocks', () => {
  for (const [label, backend] of backends) {
    it(`should equal the reference steps (${label})`, () => {
      const random = new Random(5);
      const layer = lstm({ units: 150, returnSequences: true, returnState: true });
      layer.build([null, 3, 5], random);
      const x = randomTensor([9, 3, 5], random);
      const dy = randomTensor([9, 3, 150], random);
      const stateGrads = [randomTensor([9, 150], random), randomTensor([9, 150], random)];
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
    });
  }
});
