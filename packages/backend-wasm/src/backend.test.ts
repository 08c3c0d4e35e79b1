import { RnnkitError, Tensor, getBackend, jsBackend, matmul, setBackend } from '@rnnkit/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasmBackend, useWasmBackend, wasmSimdSupported } from './index.js';

function values(size: number, seed: number, float64 = false): Float32Array | Float64Array {
  const out = float64 ? new Float64Array(size) : new Float32Array(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

afterEach(() => setBackend(jsBackend));

describe('createWasmBackend', () => {
  it('should report WebAssembly SIMD as supported on Node 20', () => {
    expect(wasmSimdSupported()).toBe(true);
  });

  it('should make a backend named wasm-simd by default, and take a name', async () => {
    expect((await createWasmBackend()).name).toBe('wasm-simd');
    expect((await createWasmBackend({ name: 'simd' })).name).toBe('simd');
  });

  it('should reject unknown options, naming the valid ones', async () => {
    await expect(createWasmBackend({ threads: 2 } as never)).rejects.toThrow(/createWasmBackend: unknown option "threads"; valid options are minMultiplyAdds, name/);
  });

  it('should reject a negative or non-numeric minMultiplyAdds', async () => {
    await expect(createWasmBackend({ minMultiplyAdds: -1 })).rejects.toThrow(RnnkitError);
    await expect(createWasmBackend({ minMultiplyAdds: 'many' as never })).rejects.toThrow(/minMultiplyAdds must be a number ≥ 0, got "many"/);
  });

  it('should be selected by one call of useWasmBackend', async () => {
    const backend = await useWasmBackend();
    expect(getBackend()).toBe(backend);
  });

  it('should run matmul of @rnnkit/tensor once selected, matching the JS backend within float32 rounding', async () => {
    const a = new Tensor(values(37 * 53, 1), [37, 53]);
    const b = new Tensor(values(53 * 29, 2), [53, 29]);
    const expected = matmul(a, b);
    await useWasmBackend({ minMultiplyAdds: 0 });
    const got = matmul(a, b);
    for (let i = 0; i < expected.size; i++) expect(Math.abs(got.data[i]! - expected.data[i]!)).toBeLessThan(1e-5);
  });

  it('should delegate products below minMultiplyAdds to the JS kernels (bit-identical results)', async () => {
    // The JS kernels sum in float64 and round once; the WASM ones sum in float32. A product
    // with k = 200 almost surely differs in some bit unless it went to the JS kernels.
    const backend = await createWasmBackend({ minMultiplyAdds: 1e9 });
    const a = values(3 * 200, 3);
    const b = values(200 * 5, 4);
    const viaJs = new Float32Array(15);
    const viaBackend = new Float32Array(15);
    jsBackend.gemm(false, false, 3, 5, 200, a, 0, b, 0, 0, viaJs, 0);
    backend.gemm(false, false, 3, 5, 200, a, 0, b, 0, 0, viaBackend, 0);
    expect(Array.from(viaBackend)).toEqual(Array.from(viaJs));
  });

  it('should grow its memory for large products and keep working for small ones afterwards', async () => {
    const backend = await createWasmBackend({ minMultiplyAdds: 0 });
    for (const [m, n, k] of [[4, 4, 4], [700, 300, 200], [5, 6, 7]] as const) {
      const a = values(m * k, m, true);
      const b = values(k * n, n, true);
      const want = new Float64Array(m * n);
      const got = new Float64Array(m * n);
      jsBackend.gemm(true, false, m, n, k, a, 0, b, 0, 0, want, 0);
      backend.gemm(true, false, m, n, k, a, 0, b, 0, 0, got, 0);
      let worst = 0;
      for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
      expect(worst).toBeLessThan(1e-12);
    }
  });

  it('should keep separate memories for separate backends', async () => {
    const first = await createWasmBackend({ minMultiplyAdds: 0 });
    const second = await createWasmBackend({ minMultiplyAdds: 0 });
    const a = values(8 * 8, 5);
    const c1 = new Float32Array(64);
    const c2 = new Float32Array(64);
    first.gemm(false, false, 8, 8, 8, a, 0, a, 0, 0, c1, 0);
    second.gemm(false, true, 8, 8, 8, a, 0, a, 0, 0, c2, 0);
    const again = new Float32Array(64);
    first.gemm(false, false, 8, 8, 8, a, 0, a, 0, 0, again, 0);
    expect(Array.from(again)).toEqual(Array.from(c1));
  });
});
