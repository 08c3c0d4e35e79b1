// The fused LSTM passes of the WebAssembly backend, on one thread and on several, against
// the LSTM layer's own JavaScript time loop on the JS backend: outputs, final states, the
// input gradient and every weight gradient, after training passes and after inference
// passes (whose backward recomputes the forward pass).
import fc from 'fast-check';
import { lstm } from '@rnnkit/layers';
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
  training: fc.boolean(),
  seed: fc.nat(),
});

describe('fused LSTM passes of the WebAssembly backend (property)', () => {
  for (const [label, backend] of [['one thread', single], ['three threads', threaded]] as const) {
    it(`should equal the layer's JavaScript loop within float32 rounding (${label})`, () => {
      fc.assert(
        fc.property(caseArb, ({ batch, time, features, units, returnSequences, useBias, training, seed }) => {
          const random = new Random(seed);
          const layer = lstm({ units, returnSequences, useBias, returnState: true });
          layer.build([null, time, features], random);
          // Non-zero biases: the initialiser leaves them at 0 and 1.
          for (const p of layer.params()) if (p.name === 'bias') for (let i = 0; i < p.value.size; i++) p.value.data[i] = random.uniform(-1, 1);
          const x = randomTensor([batch, time, features], random, 2);
          const dy = randomTensor(returnSequences ? [batch, time, units] : [batch, units], random);
          const dh = randomTensor([batch, units], random);
          const dc = randomTensor([batch, units], random);
          const want = runPass(layer, jsBackend, x, dy, [dh, dc], true);
          const got = runPass(layer, backend, x, dy, [dh, dc], training);
          expect(relativeError(got.y, want.y)).toBeLessThan(1e-5);
          expect(relativeError(got.states[0]!, want.states[0]!)).toBeLessThan(1e-5);
          expect(relativeError(got.states[1]!, want.states[1]!)).toBeLessThan(1e-5);
          expect(relativeError(got.dx, want.dx)).toBeLessThan(1e-5);
          got.grads.forEach((g, i) => expect(relativeError(g, want.grads[i]!)).toBeLessThan(2e-5));
        }),
        { numRuns: 60 },
      );
    });
  }

  it('should split a large batch across the threads and still match one thread', () => {
    // Big enough that the pass is shared out: 64 sequences × 20 steps × 64 units.
    const random = new Random(11);
    const layer = lstm({ units: 64, returnSequences: true, returnState: true });
    layer.build([null, 20, 8], random);
    const x = randomTensor([64, 20, 8], random);
    const dy = randomTensor([64, 20, 64], random);
    const dh = randomTensor([64, 64], random);
    const dc = randomTensor([64, 64], random);
    const one = runPass(layer, single, x, dy, [dh, dc], true);
    const three = runPass(layer, threaded, x, dy, [dh, dc], true);
    // Outputs and per-sequence gradients are computed row by row: identical bits.
    expect(Array.from(three.y)).toEqual(Array.from(one.y));
    expect(Array.from(three.dx)).toEqual(Array.from(one.dx));
    // Weight gradients are sums over the batch, added up per thread: float32 rounding.
    three.grads.forEach((g, i) => expect(relativeError(g, one.grads[i]!)).toBeLessThan(1e-5));
  });

  it('should add to the gradients already accumulated, not overwrite them', () => {
    const random = new Random(5);
    const layer = lstm({ units: 6 });
    layer.build([null, 4, 3], random);
    const x = randomTensor([5, 4, 3], random);
    const dy = randomTensor([5, 6], random);
    setBackend(single);
    for (const p of layer.params()) p.grad.data.fill(0);
    layer.backward(dy, layer.forward(x, { training: true }).cache);
    const once = layer.params().map((p) => (p.grad.data as Float32Array).slice());
    layer.backward(dy, layer.forward(x, { training: true }).cache);
    layer.params().forEach((p, i) => {
      const doubled = once[i]!.map((v) => 2 * v);
      expect(relativeError(p.grad.data as Float32Array, doubled)).toBeLessThan(1e-6);
    });
  });
});
