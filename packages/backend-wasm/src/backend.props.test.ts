import fc from 'fast-check';
import { kernelLaws } from '@rnnkit/testing';
import { jsBackend } from '@rnnkit/tensor';
import { describe, it } from 'vitest';
import { type WasmBackend, createWasmBackend } from './index.js';

// The same kernel laws for both backends, so that "results match the JS backend within
// float32 rounding" holds by construction: each is held to the definition of gemm.
// minMultiplyAdds: 0 sends every product, however small, through WebAssembly. The laws'
// shapes cross the blocks of each backend: the JS backend's, and the WebAssembly ones' as
// measured on this machine, fixed, or small (caches of 16 KiB and 48 KiB: A blocks of 16
// rows, B blocks of 48 columns, so nearly every product spans several of each).
const wasmBlocks = (backend: WasmBackend) => ({ rows: backend.blocking.rows.float32, depth: backend.blocking.depth, columns: backend.blocking.columns });
const backends = [
  { label: 'js', make: async () => ({ backend: jsBackend, blocks: { rows: 64, depth: 256, columns: 512 } }) },
  { label: 'wasm-simd', make: () => createWasmBackend({ minMultiplyAdds: 0 }) },
  { label: 'wasm-simd, fixed blocks', make: () => createWasmBackend({ minMultiplyAdds: 0, cacheSizes: 'fixed' }) },
  // minParallelMultiplyAdds 0: every product with 8 or more rows (or depths, for Aᵀ·B) is
  // split across the three threads, so the laws see the shares and the partial sums (and
  // workers that packed blocks larger than their scratch would break them).
  {
    label: 'wasm-simd on 3 threads, small blocks',
    make: () => createWasmBackend({ minMultiplyAdds: 0, threads: 3, minParallelMultiplyAdds: 0, cacheSizes: { l2: 16 << 10, l3: 3 * (48 << 10) } }),
  },
] as const;

for (const { label, make } of backends) {
  describe(`kernel laws: ${label} backend (property)`, async () => {
    const made = await make();
    const { backend, blocks } = 'blocking' in made ? { backend: made, blocks: wasmBlocks(made) } : made;
    for (const law of kernelLaws({ backend, blocks })) {
      it(law.name, () => {
        fc.assert(law.property, { numRuns: 40 });
      });
    }
  });
}
