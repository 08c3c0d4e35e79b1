import fc from 'fast-check';
import { Random } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

const backend = await createWasmBackend();
const cell = backend.lstmCellForward!;

function values(size: number, random: Random, scale: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = random.uniform(-scale, scale);
  return out;
}

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

const caseArb = fc.record({
  rows: fc.integer({ min: 1, max: 4 }),
  units: fc.integer({ min: 1, max: 13 }), // not only multiples of 4: the scalar tail too
  scale: fc.constantFrom(0.1, 1, 4, 30), // 30 saturates the gates; 0.1 stays on tanh's series
  offset: fc.nat(3),
  seed: fc.nat(),
});

describe('lstmCellForward of the WebAssembly backend (property)', () => {
  it('should equal the standard LSTM step computed in float64 within a few float32 ulps', () => {
    fc.assert(
      fc.property(caseArb, ({ rows, units, scale, offset, seed }) => {
        const random = new Random(seed);
        const width = 4 * units;
        const size = rows * units;
        const gates = values(offset + rows * width, random, scale);
        const recurrent = values(offset + rows * width, random, scale);
        const bias = values(width, random, scale);
        const c = values(offset + 2 * size, random, 2);
        const activation = new Float32Array(offset + size);
        const h = new Float32Array(offset + size);
        const before = { gates: gates.slice(), c: c.slice() };
        cell(rows, units, gates, offset, recurrent, offset, bias, c, offset, offset + size, activation, offset, h, offset);
        const close = (got: number, want: number, what: string): void => {
          expect(Math.abs(got - want), `${what}: ${got} vs ${want}`).toBeLessThanOrEqual(1e-6 * (1 + Math.abs(want)));
        };
        for (let r = 0; r < rows; r++) {
          for (let k = 0; k < units; k++) {
            const z = (g: number): number => {
              const at = offset + r * width + g * units + k;
              return before.gates[at]! + recurrent[at]! + bias[g * units + k]!;
            };
            const i = sigmoid(z(0));
            const f = sigmoid(z(1));
            const g = Math.tanh(z(2));
            const o = sigmoid(z(3));
            const previous = before.c[offset + r * units + k]!;
            const next = f * previous + i * g;
            const at = offset + r * width;
            close(gates[at + k]!, i, 'i');
            close(gates[at + units + k]!, f, 'f');
            close(gates[at + 2 * units + k]!, g, 'c̃');
            close(gates[at + 3 * units + k]!, o, 'o');
            close(c[offset + size + r * units + k]!, next, 'c_t');
            close(activation[offset + r * units + k]!, Math.tanh(next), 'tanh(c_t)');
            close(h[offset + r * units + k]!, o * Math.tanh(next), 'h_t');
          }
        }
        // Storage outside the written ranges stays as it was.
        for (let j = 0; j < offset; j++) {
          expect(gates[j]).toBe(before.gates[j]);
          expect(c[j]).toBe(before.c[j]);
        }
        expect(Array.from(c.subarray(offset, offset + size))).toEqual(Array.from(before.c.subarray(offset, offset + size)));
      }),
      { numRuns: 100 },
    );
  });

  it('should propagate NaN and saturate at huge arguments', () => {
    const gates = Float32Array.from([Number.NaN, 1e30, -1e30, 0]);
    const c = new Float32Array(2);
    const a = new Float32Array(1);
    const h = new Float32Array(1);
    cell(1, 1, gates, 0, new Float32Array(4), 0, new Float32Array(4), c, 0, 1, a, 0, h, 0);
    expect(Number.isNaN(gates[0])).toBe(true); // i
    expect(gates[1]).toBe(1); // f = σ(1e30)
    expect(gates[2]).toBe(-1); // c̃ = tanh(−1e30)
    expect(gates[3]).toBe(0.5); // o = σ(0)
    expect(Number.isNaN(c[1])).toBe(true);
  });
});
