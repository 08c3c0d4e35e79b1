// The two rnnkit backends side by side on whole layers: what the benchmark compares must
// compute the same thing. (The kernel laws of each backend are tested in their packages.)
import fc from 'fast-check';
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { Sequential, dense, gru, lstm, simpleRNN } from '@rnnkit/layers';
import { type KernelBackend, Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

let wasm: KernelBackend;
beforeAll(async () => {
  // Every product through WebAssembly, however small.
  wasm = await createWasmBackend({ minMultiplyAdds: 0 });
});
afterEach(() => setBackend(jsBackend));

function values(size: number, seed: number): Float32Array {
  const random = new Random(seed);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = random.uniform(-2, 2);
  return out;
}

const caseArb = fc.record({
  cell: fc.constantFrom('lstm', 'gru', 'simpleRNN'),
  batch: fc.integer({ min: 1, max: 5 }),
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 4 }),
  units: fc.integer({ min: 1, max: 9 }),
  seed: fc.nat(),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** Output and parameter gradients of one forward and backward pass on the given backend. */
function pass(backend: KernelBackend, c: Case): { y: ArrayLike<number>; dx: ArrayLike<number>; grads: ArrayLike<number>[] } {
  setBackend(backend);
  const options = { units: c.units, returnSequences: true };
  const recurrent = c.cell === 'lstm' ? lstm(options) : c.cell === 'gru' ? gru(options) : simpleRNN(options);
  const model = new Sequential({ layers: [recurrent, dense({ units: 2 })], inputShape: [c.time, c.features], seed: c.seed });
  const x = new Tensor(values(c.batch * c.time * c.features, c.seed + 1), [c.batch, c.time, c.features]);
  const { y, cache } = model.forward(x, { training: true });
  const dy = new Tensor(values(y.size, c.seed + 2), y.shape);
  const dx = model.backward(dy, cache);
  return { y: y.data, dx: dx.data, grads: model.params().map((p) => p.grad.data.slice()) };
}

describe('rnnkit on the JS and the WebAssembly backend (property)', () => {
  it('should give the same outputs and gradients within float32 rounding (LSTM, GRU, SimpleRNN)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const a = pass(jsBackend, c);
        const b = pass(wasm, c);
        const close = (p: ArrayLike<number>, q: ArrayLike<number>, what: string): void => {
          for (let i = 0; i < p.length; i++) {
            expect(Math.abs(p[i]! - q[i]!), `${what}[${i}]`).toBeLessThanOrEqual(1e-5 * (1 + Math.abs(p[i]!)));
          }
        };
        close(a.y, b.y, 'y');
        close(a.dx, b.dx, 'dx');
        a.grads.forEach((g, i) => close(g, b.grads[i]!, `grad ${i}`));
      }),
      { numRuns: 40 },
    );
  });
});
