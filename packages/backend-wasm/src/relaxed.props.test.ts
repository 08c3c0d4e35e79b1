// The relaxed-SIMD build of the kernels under the same laws as the 128-bit SIMD build: gemm
// against its definition, the fused LSTM, GRU (both forms) and SimpleRNN passes against the
// cells' reference steps.
// Node 20 validates relaxed SIMD only behind a V8 flag; this file sets it for its own
// process (vitest runs each test file in a process of its own), the other files run the
// default build.
import { setFlagsFromString } from 'node:v8';
import fc from 'fast-check';
import { gruCell, lstmCell, simpleRNNCell } from '@rnnkit/layers';
import { kernelLaws } from '@rnnkit/testing';
import { describe, expect, it } from 'vitest';
import { KERNELS_RELAXED_WASM_BASE64, KERNELS_WASM_BASE64 } from './generated/kernels-wasm.js';
import { createWasmBackend, relaxedSimdSupported, wasmSimdSupported } from './index.js';
import { backendsUnderTest, describeKernelLaws } from './pass-support.js';

setFlagsFromString('--experimental-wasm-relaxed-simd');

/** How often the opcode of f32x4.relaxed_madd (0xfd, then 0x105 as LEB128: 0x85 0x02) occurs. */
function relaxedMadds(base64: string): number {
  const bytes = Buffer.from(base64, 'base64');
  let count = 0;
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0xfd && bytes[i + 1] === 0x85 && bytes[i + 2] === 0x02) count++;
  return count;
}

describe('the relaxed-SIMD build', () => {
  it('should be chosen by default where the engine validates it, named and flagged as such', async () => {
    expect(wasmSimdSupported()).toBe(true);
    expect(relaxedSimdSupported()).toBe(true);
    const auto = await createWasmBackend();
    expect([auto.name, auto.relaxedSimd]).toEqual(['wasm-relaxed-simd', true]);
    const plain = await createWasmBackend({ relaxedSimd: false });
    expect([plain.name, plain.relaxedSimd]).toEqual(['wasm-simd', false]);
    const named = await createWasmBackend({ relaxedSimd: true, name: 'mine' });
    expect([named.name, named.relaxedSimd]).toEqual(['mine', true]);
  });

  it('should use relaxed_madd in its products, where the default build has none', () => {
    expect(relaxedMadds(KERNELS_WASM_BASE64)).toBe(0);
    expect(relaxedMadds(KERNELS_RELAXED_WASM_BASE64)).toBeGreaterThan(10);
  });

  it('should give the same bits every time, and on one thread as on three row by row', async () => {
    const one = await createWasmBackend({ relaxedSimd: true, minMultiplyAdds: 0 });
    const three = await createWasmBackend({ relaxedSimd: true, minMultiplyAdds: 0, threads: 3, minParallelMultiplyAdds: 0 });
    const [m, n, k] = [37, 29, 300];
    const a = Float32Array.from({ length: m * k }, (_, i) => Math.sin(i * 0.37));
    const b = Float32Array.from({ length: k * n }, (_, i) => Math.cos(i * 0.11));
    const run = (backend: typeof one): Float32Array => {
      const c = new Float32Array(m * n);
      backend.gemm(false, false, m, n, k, a, 0, b, 0, 0, c, 0);
      return c;
    };
    const first = run(one);
    expect(Array.from(run(one))).toEqual(Array.from(first));
    expect(Array.from(run(three))).toEqual(Array.from(first)); // split by rows: each row's sum is the same
    await three.dispose();
  });
});

const blocks = { rows: 96, depth: 256, columns: 576 };
for (const [label, options] of [
  ['wasm-relaxed-simd', { minMultiplyAdds: 0, relaxedSimd: true }],
  ['wasm-relaxed-simd on 3 threads', { minMultiplyAdds: 0, relaxedSimd: true, threads: 3, minParallelMultiplyAdds: 0 }],
] as const) {
  describe(`kernel laws: ${label} backend (property)`, async () => {
    const backend = await createWasmBackend(options);
    for (const law of kernelLaws({ backend, blocks })) {
      it(law.name, () => {
        fc.assert(law.property, { numRuns: 40 });
      });
    }
  });
}

const backends = await backendsUnderTest({ relaxedSimd: true });
const relaxed = 'relaxed SIMD, ';
describeKernelLaws(backends, 'lstm', { lstm: (units) => lstmCell({ units }) }, {}, 30, relaxed);
describeKernelLaws(backends, 'gru', { gru: (units) => gruCell({ units }) }, {}, 30, relaxed);
describeKernelLaws(backends, 'gru-reset-before', { 'gru with the reset gate before': (units) => gruCell({ units, resetAfter: false }) }, {}, 30, relaxed);
const simpleRnns = {
  'simple-rnn (tanh)': (units: number) => simpleRNNCell({ units }),
  'simple-rnn (sigmoid)': (units: number) => simpleRNNCell({ units, activation: 'sigmoid' }),
};
describeKernelLaws(backends, 'simple-rnn', simpleRnns, {}, 30, relaxed);
