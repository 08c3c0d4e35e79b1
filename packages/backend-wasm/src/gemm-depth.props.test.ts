// The micro-kernel of the blocked product takes two depths per loop turn, after one alone
// when a block's depth is odd (assembly/gemm.ts): products whose depth blocks are odd or even,
// short or a whole block and a tail, equal the definition of gemm — in both builds (this file
// sets Node 20's relaxed-SIMD flag for its own process), f32 and f64, every transpose.
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

setFlagsFromString('--experimental-wasm-relaxed-simd');

/** Depth block of the blocked product (KC in assembly/scratch.ts). */
const KC = 256;

const depths = fc.oneof(fc.integer({ min: 1, max: 9 }), fc.integer({ min: KC - 2, max: KC + 3 }), fc.integer({ min: 2 * KC - 1, max: 2 * KC + 1 }));

for (const relaxedSimd of [false, true]) {
  describe(`gemm depth tails: ${relaxedSimd ? 'relaxed SIMD' : '128-bit SIMD'} build (property)`, async () => {
    const backend = await createWasmBackend({ relaxedSimd, minMultiplyAdds: 0 });

    it('should equal the definition for odd and even depths, within a block and across its edge', () => {
      fc.assert(
        fc.property(
          fc.record({
            m: fc.integer({ min: 4, max: 13 }),
            n: fc.integer({ min: 4, max: 30 }),
            k: depths,
            transA: fc.boolean(),
            transB: fc.boolean(),
            float64: fc.boolean(),
            seed: fc.nat(),
          }),
          ({ m, n, k, transA, transB, float64, seed }) => {
            let s = seed;
            const random = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0), s / 2 ** 32 - 0.5);
            const make = (size: number) => {
              const array = float64 ? new Float64Array(size) : new Float32Array(size);
              for (let i = 0; i < size; i++) array[i] = random();
              return array;
            };
            const a = make(m * k);
            const b = make(k * n);
            const c = make(m * n);
            const before = Float64Array.from(c);
            backend.gemm(transA, transB, m, n, k, a, 0, b, 0, 1, c, 0);
            for (let i = 0; i < m; i++) {
              for (let j = 0; j < n; j++) {
                let sum = before[i * n + j]!;
                let magnitude = Math.abs(sum);
                for (let p = 0; p < k; p++) {
                  const product = a[transA ? p * m + i : i * k + p]! * b[transB ? j * k + p : p * n + j]!;
                  sum += product;
                  magnitude += Math.abs(product);
                }
                const eps = float64 ? 2 ** -52 : 2 ** -23;
                expect(Math.abs(c[i * n + j]! - sum)).toBeLessThanOrEqual(4 * (k + 1) * eps * magnitude);
              }
            }
          },
        ),
        { numRuns: 60 },
      );
    });
  });
}
