import fc from 'fast-check';
import { kernelLaws } from '@rnnkit/testing';
import { jsBackend } from '@rnnkit/tensor';
import { describe, it } from 'vitest';
import { createWasmBackend } from './index.js';

// The same kernel laws for both backends, so that "results match the JS backend within
// float32 rounding" holds by construction: each is held to the definition of gemm.
// minMultiplyAdds: 0 sends every product, however small, through WebAssembly.
const backends = [
  { label: 'js', make: async () => jsBackend, blocks: { rows: 64, depth: 256, columns: 512 } },
  { label: 'wasm-simd', make: () => createWasmBackend({ minMultiplyAdds: 0 }), blocks: { rows: 96, depth: 256, columns: 576 } },
  // minParallelMultiplyAdds 0: every product with 8 or more rows (or depths, for Aᵀ·B) is
  // split across the three threads, so the laws see the shares and the partial sums.
  {
    label: 'wasm-simd on 3 threads',
    make: () => createWasmBackend({ minMultiplyAdds: 0, threads: 3, minParallelMultiplyAdds: 0 }),
    blocks: { rows: 96, depth: 256, columns: 576 },
  },
] as const;

for (const { label, make, blocks } of backends) {
  describe(`kernel laws: ${label} backend (property)`, async () => {
    const backend = await make();
    for (const law of kernelLaws({ backend, blocks })) {
      it(law.name, () => {
        fc.assert(law.property, { numRuns: 40 });
      });
    }
  });
}
