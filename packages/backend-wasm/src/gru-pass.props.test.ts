// The fused GRU passes of the WebAssembly backend (Keras' resetAfter cell), on one thread and
// on several, against the GRU layer's own JavaScript time loop on the JS backend: outputs,
// final state, input gradient and every weight gradient, after training and inference passes.
import fc from 'fast-check';
import { gru } from '@rnnkit/layers';
import { Random, jsBackend, setBackend } from '@rnnkit/tensor';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';
import { randomTensor, relativeError, runPass } from './pass-support.js';

const single = await createWasmBackend();
// minParallelMultiplyAdds 0: even the small random passes are shared out across threads.
const threaded = await createWasmBackend({ threads: 3, minParallelMultiplyAdds: 0 });
afterEach(() => setBackend(jsBackend));
afterAll(() => threaded.dispose());

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 14 }), // 1–3 shares in blocks of 4 rows, the last one short
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 6 }),
  units: fc.integer({ min: 1, max: 11 }), // the scalar tails of the SIMD loops too
  returnSequences: fc.boolean(),
  useBias: fc.boolean(),
  resetAfter: fc.boolean(), // false: not fused, the layer's own loop on this backend's gemm
  training: fc.boolean(),
  seed: fc.nat(),
});

describe('fused GRU passes of the WebAssembly backend (property)', () => {
  for (const [label, backend] of [['one thread', single], ['three threads', threaded]] as const) {
    it(`should equal the layer's JavaScript loop within float32 rounding (${label})`, () => {
      fc.assert(
        fc.property(caseArb, ({ batch, time, features, units, returnSequences, useBias, resetAfter, training, seed }) => {
          const random = new Random(seed);
          const layer = gru({ units, returnSequences, useBias, resetAfter, returnState: true });
          layer.build([null, time, features], random);
          for (const p of layer.params()) if (p.name === 'bias') for (let i = 0; i < p.value.size; i++) p.value.data[i] = random.uniform(-1, 1);
          const x = randomTensor([batch, time, features], random, 2);
          const dy = randomTensor(returnSequences ? [batch, time, units] : [batch, units], random);
          const dh = randomTensor([batch, units], random);
          const want = runPass(layer, jsBackend, x, dy, [dh], true);
          const got = runPass(layer, backend, x, dy, [dh], training);
          expect(relativeError(got.y, want.y)).toBeLessThan(1e-5);
          expect(relativeError(got.states[0]!, want.states[0]!)).toBeLessThan(1e-5);
          expect(relativeError(got.dx, want.dx)).toBeLessThan(1e-5);
          got.grads.forEach((g, i) => expect(relativeError(g, want.grads[i]!)).toBeLessThan(2e-5));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('should run the fused pass (not the per-step loop) for the default GRU in float32', () => {
    // The fused forward returns an incomplete run after an inference pass; the loop never does.
    const random = new Random(2);
    const layer = gru({ units: 4 });
    layer.build([null, 3, 2], random);
    const x = randomTensor([2, 3, 2], random);
    setBackend(single);
    expect(layer.forward(x).cache.complete).toBe(false);
    expect(layer.forward(x, { training: true }).cache.complete).toBe(true);
    setBackend(jsBackend);
    expect(layer.forward(x).cache.complete).toBe(true);
  });
});
