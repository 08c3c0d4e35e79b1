// Kernel calls with sizes or buffers that do not fit are refused before anything enters
// WebAssembly, with an error naming the backend, the kernel and the sizes.
import type { RecurrentPass } from '@rnnkit/layers';
import { describe, expect, it } from 'vitest';
import { type WasmBackend, createWasmBackend } from './index.js';

const backend = await createWasmBackend({ minMultiplyAdds: 0, cacheSizes: 'fixed' });

function lstmForwardArgs(batch: number, time: number, features: number, units: number, length?: number) {
  const array = (size: number) => new Float32Array(length ?? size);
  return {
    batch, time, features, units,
    x: array(time * batch * features),
    kernel: array(features * 4 * units),
    recurrentKernel: array(units * 4 * units),
    bias: null,
    h: array((time + 1) * batch * units),
    c: array((time + 1) * batch * units),
    gates: new Float32Array(0),
    cellActivation: new Float32Array(0),
    keep: false,
    valid: null as Uint8Array | null,
  };
}

/** Runs the backend's fused LSTM forward pass on `args` (the kernel's own argument layout). */
function lstmForward(target: WasmBackend, args: ReturnType<typeof lstmForwardArgs>): void {
  const pass = (target.fused as RecurrentPass[]).find((p) => p.name === `${target.name} lstm`)!;
  const param = (data: Float32Array) => ({ value: { data }, grad: { data } });
  const cell = { units: args.units, kernelParam: param(args.kernel), recurrentKernelParam: param(args.recurrentKernel), biasParam: null };
  pass.forward({
    cell: cell as never,
    batch: args.batch,
    time: args.time,
    features: args.features,
    x: args.x,
    states: [args.h, args.c],
    kept: [args.gates, args.cellActivation],
    keep: args.keep,
    valid: args.valid,
  });
}

describe('gemm of the WebAssembly backend', () => {
  // The backend object is public, so its gemm checks its arguments itself (with the check
  // @rnnkit/tensor's gemm uses) before anything enters WebAssembly memory.
  const two = new Float32Array(4);
  const out = new Float32Array(4);
  it('should refuse sizes that are not integers from 0 to 2^31 − 1', () => {
    for (const [m, n, k, name, value] of [
      [2, 2, -1, 'k', '-1'],
      [2, 1.5, 2, 'n', '1.5'],
      [2 ** 31, 1, 0, 'm', '2147483648'],
      [Number.NaN, 2, 2, 'm', 'NaN'],
    ] as const) {
      expect(() => backend.gemm(false, false, m, n, k, two, 0, two, 0, 0, out, 0)).toThrow(
        new RegExp(`^wasm-simd\\.gemm: ${name} must be an integer from 0 to 2147483647, got ${value}$`),
      );
    }
  });

  it('should refuse an operand too short for its sizes and offset', () => {
    expect(() => backend.gemm(false, false, 2, 2, 3, two, 0, new Float32Array(6), 0, 0, out, 0)).toThrow(
      /^wasm-simd\.gemm: A needs 6 elements from offset 0, but its storage has 4$/,
    );
    expect(() => backend.gemm(false, false, 2, 2, 2, two, 0, two, 1, 0, out, 0)).toThrow(/: B needs 4 elements from offset 1, but its storage has 4$/);
    expect(() => backend.gemm(false, false, 2, 2, 2, two, 0, two, 0, 0, out, -1)).toThrow(/: cOffset must be an integer from 0 to 2147483647, got -1$/);
  });

  it('should refuse operands of different element types', () => {
    expect(() => backend.gemm(false, false, 2, 2, 2, new Float64Array(4), 0, two, 0, 0, out, 0)).toThrow(
      /^wasm-simd\.gemm: A, B and C must share a dtype: C is float32, A is float64$/,
    );
  });
});

describe('the fused passes of the WebAssembly backend', () => {
  it('should refuse sizes that are not integers', () => {
    expect(() => lstmForward(backend, lstmForwardArgs(2, -1, 3, 4, 0))).toThrow(
      /^wasm-simd: lstmForward with batch=2, time=-1, features=3, units=4: sizes must be integers from 0 to 2147483647$/,
    );
  });

  it('should refuse a buffer too short for the sizes', () => {
    const args = { ...lstmForwardArgs(2, 3, 3, 4), x: new Float32Array(10) };
    expect(() => lstmForward(backend, args)).toThrow(/^wasm-simd: lstmForward with batch=2, time=3, features=3, units=4: x holds 10 values, needs 18$/);
  });

  it('should refuse a step mask too short for time × batch, or not of bytes', () => {
    expect(() => lstmForward(backend, { ...lstmForwardArgs(2, 3, 3, 4), valid: new Uint8Array(5) })).toThrow(
      /^wasm-simd: lstmForward with batch=2, time=3, features=3, units=4: mask holds 5 values, needs 6$/,
    );
    const floats = new Float32Array(6) as unknown as Uint8Array;
    expect(() => lstmForward(backend, { ...lstmForwardArgs(2, 3, 3, 4), valid: floats })).toThrow(
      /^wasm-simd: lstmForward with batch=2, time=3, features=3, units=4: mask must be a Uint8Array, got \[object Float32Array\]$/,
    );
  });

  it('should give the memory error, not a trap, for a pass needing more than 4 GiB (one thread) or 2 GiB (threads)', async () => {
    // Sizes only: the memory is sized before any buffer is read, so the buffers can be empty
    // and nothing is allocated. 2^27 features: x takes 512 MiB, the kernel (× 4 gates) 2 GiB
    // and the gathered column in the scratch 1 GiB, so the layout's addresses pass 2^31.
    const threaded = await createWasmBackend({ threads: 2, cacheSizes: 'fixed' });
    try {
      expect(() => lstmForward(threaded, lstmForwardArgs(1, 1, 2 ** 27, 1, 0))).toThrow(
        /^wasm-simd: needs 3586 MiB of WebAssembly memory and could not grow to it \(the threaded build is limited to 2048 MiB\): use smaller batches or the JS backend$/,
      );
      expect(() => lstmForward(backend, lstmForwardArgs(1, 1, 2 ** 28, 1, 0))).toThrow(
        /^wasm-simd: needs 7170 MiB of WebAssembly memory and could not grow to it \(WebAssembly memory is limited to 4096 MiB\): use smaller batches or the JS backend$/,
      );
    } finally {
      await threaded.dispose();
    }
  });
});
