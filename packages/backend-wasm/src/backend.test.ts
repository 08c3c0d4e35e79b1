import { availableParallelism } from 'node:os';
import { RnnkitError, Tensor, getBackend, jsBackend, matmul, setBackend } from '@rnnkit/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { KERNELS_SHARED_WASM_BASE64 } from './generated/kernels-wasm.js';
import { createWasmBackend, relaxedSimdSupported, useWasmBackend, wasmSimdSupported } from './index.js';
import { startThreads } from './threads.js';

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
    // Node 20 validates relaxed SIMD only behind a flag (relaxed.props.test.ts sets it), so 'auto' takes the 128-bit build here.
    expect(relaxedSimdSupported()).toBe(false);
    const backend = await createWasmBackend();
    expect([backend.name, backend.relaxedSimd]).toEqual(['wasm-simd', false]);
    expect((await createWasmBackend({ name: 'simd' })).name).toBe('simd');
  });

  it('should refuse relaxedSimd: true where the engine cannot run it, and a value that is not true, false or auto', async () => {
    await expect(createWasmBackend({ relaxedSimd: true })).rejects.toThrow(
      /^createWasmBackend: relaxedSimd: true, but this JavaScript engine cannot run relaxed SIMD \(Chrome\/Edge ≥ 114, Node ≥ 22, or Node 20 with --experimental-wasm-relaxed-simd\); use relaxedSimd: 'auto' or false$/,
    );
    await expect(createWasmBackend({ relaxedSimd: 'yes' as never })).rejects.toThrow(/^createWasmBackend: relaxedSimd must be true, false or 'auto', got "yes"$/);
  });

  it('should reject unknown options, naming the valid ones', async () => {
    await expect(createWasmBackend({ workers: 2 } as never)).rejects.toThrow(
      /createWasmBackend: unknown option "workers"; valid options are minMultiplyAdds, name, threads, minParallelMultiplyAdds/,
    );
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

describe('createWasmBackend with threads', () => {
  it('should reject a thread count that is not an integer from 1 to 64 or "auto"', async () => {
    for (const threads of [0, 1.5, 65, 'many', -2]) {
      await expect(createWasmBackend({ threads: threads as never })).rejects.toThrow(
        /createWasmBackend: threads must be an integer from 1 to 64 or 'auto', got /,
      );
    }
    await expect(createWasmBackend({ minParallelMultiplyAdds: -5 })).rejects.toThrow(/minParallelMultiplyAdds must be a number ≥ 0, got number -5/);
  });

  it('should run one thread by default and one per core with "auto"', async () => {
    expect((await createWasmBackend()).threads).toBe(1);
    const auto = await createWasmBackend({ threads: 'auto' });
    expect(auto.threads).toBe(availableParallelism());
    await auto.dispose();
  });

  it('should keep working on the calling thread after dispose', async () => {
    const backend = await createWasmBackend({ threads: 2, minMultiplyAdds: 0 });
    expect(backend.threads).toBe(2);
    await backend.dispose();
    expect(backend.threads).toBe(1);
    const a = values(6 * 5, 7);
    const want = new Float32Array(36);
    const got = new Float32Array(36);
    jsBackend.gemm(false, true, 6, 6, 5, a, 0, a, 0, 0, want, 0);
    backend.gemm(false, true, 6, 6, 5, a, 0, a, 0, 0, got, 0);
    for (let i = 0; i < 36; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-5);
    await backend.dispose(); // twice is fine
  });

  it('should split large products across the threads, matching one thread within rounding', async () => {
    const one = await createWasmBackend({ minMultiplyAdds: 0 });
    const three = await createWasmBackend({ minMultiplyAdds: 0, threads: 3 });
    try {
      for (const float64 of [false, true]) {
        for (const [tA, tB] of [[false, false], [false, true], [true, false], [true, true]] as const) {
          const [m, n, k] = [203, 157, 311]; // 10 M multiply–adds: shared out by default settings
          const a = values(m * k, 8, float64);
          const b = values(k * n, 9, float64);
          const c0 = values(m * n, 10, float64);
          const want = c0.slice();
          const got = c0.slice();
          one.gemm(tA, tB, m, n, k, a, 0, b, 0, 1, want, 0);
          three.gemm(tA, tB, m, n, k, a, 0, b, 0, 1, got, 0);
          let worst = 0;
          for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
          expect(worst).toBeLessThan(float64 ? 1e-11 : 2e-4);
        }
      }
    } finally {
      await three.dispose();
    }
  });

  it('should report a kernel that fails on a worker as an error naming the API', async () => {
    const bytes = Uint8Array.from(atob(KERNELS_SHARED_WASM_BASE64), (ch) => ch.charCodeAt(0));
    const module = await WebAssembly.compile(bytes);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 32768, shared: true });
    const pool = await startThreads('test', module, memory, 1, ['gemmF32']);
    try {
      // A 64×64 product whose operands lie far outside the single page of memory traps.
      pool.start(0, 0, [0, 0, 64, 64, 64, 1 << 30, 1 << 30, 0, 1 << 30, 0]);
      expect(() => pool.finish(0, 0)).toThrow(/^test: a kernel failed on worker thread 1/);
      // The worker survives its failure and takes the next job.
      pool.start(0, 0, [0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
      expect(() => pool.finish(0, 0)).not.toThrow();
    } finally {
      await pool.terminate();
    }
  });
});
