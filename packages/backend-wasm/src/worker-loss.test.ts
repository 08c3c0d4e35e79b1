// What happens when a worker thread is lost: no call may hang, and each either gives the
// right result (the backend finishes on the calling thread) or a clear error. Workers are
// recorded as they are created (node:worker_threads wrapped below) so that a test can
// terminate one behind the backend's back.
import type { Worker } from 'node:worker_threads';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { lstm } from '@rnnkit/layers';
import { Random, jsBackend, setBackend } from '@rnnkit/tensor';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createWasmBackend } from './index.js';
import { randomTensor, relativeError, runLayer } from './pass-support.js';
import { startThreads } from './threads.js';

const spawned = vi.hoisted(() => [] as Worker[]);

vi.mock('node:worker_threads', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:worker_threads')>();
  // A pool asking for the kernel `exitNow` gets one that calls process.exit in the worker,
  // standing in for any code that ends a worker thread in the middle of a job.
  const exitNow = `const NativeInstance = WebAssembly.Instance;
WebAssembly.Instance = function (module, imports) {
  const instance = new NativeInstance(module, imports);
  return { exports: { ...instance.exports, exitNow: () => process.exit(7) } };
};
`;
  class RecordedWorker extends actual.Worker {
    constructor(source: string | URL, options?: import('node:worker_threads').WorkerOptions) {
      const names = (options?.workerData as { names?: string[] } | undefined)?.names ?? [];
      super(names.includes('exitNow') ? exitNow + String(source) : source, options);
      spawned.push(this);
    }
  }
  return { ...actual, Worker: RecordedWorker };
});

function values(size: number, seed: number): Float32Array {
  const random = new Random(seed);
  return Float32Array.from({ length: size }, () => random.uniform(-1, 1));
}

function worstDifference(got: Float32Array, want: Float32Array): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  return worst;
}

/** The workers created by `make`, in order. */
async function withWorkers<T>(make: () => Promise<T>): Promise<{ made: T; workers: Worker[] }> {
  const before = spawned.length;
  const made = await make();
  return { made, workers: spawned.slice(before) };
}

// A module whose only export never returns: `(func (export "spin") (loop (br 0)))`.
const SPIN_MODULE = Uint8Array.of(
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x01, 0x04, 0x01, 0x60, 0x00, 0x00,
  0x03, 0x02, 0x01, 0x00,
  0x07, 0x08, 0x01, 0x04, 0x73, 0x70, 0x69, 0x6e, 0x00, 0x00,
  0x0a, 0x09, 0x01, 0x07, 0x00, 0x03, 0x40, 0x0c, 0x00, 0x0b, 0x0b,
);

const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
afterEach(() => {
  warn.mockClear();
  setBackend(jsBackend);
});

describe('a threaded backend that loses a worker', () => {
  it('should finish a product correctly on the calling thread and stay there, with one warning', async () => {
    const [m, n, k] = [203, 157, 311];
    const a = values(m * k, 1);
    const b = values(k * n, 2);
    const want = new Float32Array(m * n);
    (await createWasmBackend()).gemm(false, false, m, n, k, a, 0, b, 0, 0, want, 0);
    const { made: backend, workers } = await withWorkers(() => createWasmBackend({ threads: 3, minParallelMultiplyAdds: 0 }));
    expect(workers).toHaveLength(2);
    await workers[1]!.terminate();
    for (let round = 0; round < 2; round++) {
      const got = new Float32Array(m * n);
      backend.gemm(false, false, m, n, k, a, 0, b, 0, 0, got, 0);
      expect(worstDifference(got, want)).toBeLessThan(1e-4);
    }
    expect(backend.threads).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^wasm-simd: worker thread 2 exited \(code 1\); running on the calling thread from now on$/);
    await backend.dispose();
  });

  it('should not hang when the worker is terminated just before a call (no event-loop turn to notice it)', async () => {
    const [m, n, k] = [64, 48, 40];
    const a = values(m * k, 3);
    const b = values(k * n, 4);
    const want = new Float32Array(m * n);
    jsBackend.gemm(false, false, m, n, k, a, 0, b, 0, 0, want, 0);
    const { made: backend, workers } = await withWorkers(() => createWasmBackend({ threads: 2, minParallelMultiplyAdds: 0 }));
    const stopping = workers[0]!.terminate();
    const got = new Float32Array(m * n);
    // The worker either ran its share before it stopped or never took it, and then the
    // calling thread took it back: the result is right either way.
    backend.gemm(false, false, m, n, k, a, 0, b, 0, 0, got, 0);
    expect(worstDifference(got, want)).toBeLessThan(1e-4);
    await stopping;
    await backend.dispose();
  });

  it('should run an LSTM pass correctly after its worker was terminated', async () => {
    const random = new Random(5);
    const layer = lstm({ units: 16, returnSequences: true, returnState: true });
    layer.build([null, 6, 4], random);
    const x = randomTensor([12, 6, 4], random);
    const dy = randomTensor([12, 6, 16], random);
    const stateGrads = [randomTensor([12, 16], random), randomTensor([12, 16], random)];
    const want = runLayer(layer, jsBackend, x, dy, stateGrads);
    const { made: backend, workers } = await withWorkers(() => createWasmBackend({ threads: 2, minParallelMultiplyAdds: 0 }));
    await workers[0]!.terminate();
    const got = runLayer(layer, backend, x, dy, stateGrads);
    expect(relativeError(got.y, want.y)).toBeLessThan(1e-5);
    expect(relativeError(got.dx, want.dx)).toBeLessThan(1e-5);
    got.grads.forEach((g, i) => expect(relativeError(g, want.grads[i]!)).toBeLessThan(2e-5));
    expect(backend.threads).toBe(1);
    expect(warn.mock.calls[0]![0]).toMatch(/^wasm-simd: worker thread 1 exited/);
  });
});

describe('the thread pool', () => {
  async function spinPool(): Promise<Awaited<ReturnType<typeof startThreads>>> {
    const module = await WebAssembly.compile(SPIN_MODULE);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    return startThreads('test', module, memory, 1, ['spin'], 'pool', { claim: 50, stall: 100, stallPerOwn: 0 });
  }

  it('should give up on a worker that does not finish its job within the limit, with a clear error', async () => {
    const pool = await spinPool();
    pool.start(0, 0, []);
    expect(() => pool.finish(0, 0)).toThrow(/^pool: worker thread 1 did not finish its share within 100 ms and was stopped$/);
    expect(pool.lost()).toBe('worker thread 1 did not finish its share within 100 ms');
    await pool.terminate();
  });

  it('should fail the job, not hang, when its worker exits while running it', async () => {
    const module = await WebAssembly.compile(SPIN_MODULE);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    // A stall limit far above the time the exit takes: only the worker's own last call (its
    // process 'exit' listener) can end this wait with the error below.
    const pool = await startThreads('test', module, memory, 1, ['exitNow'], 'pool', { claim: 50, stall: 20_000, stallPerOwn: 0 });
    pool.start(0, 0, []);
    expect(() => pool.finish(0, 0)).toThrow(/^pool: worker thread 1 stopped while running its share of the work$/);
    await pool.terminate();
  });

  it('should hand a job back when its worker has exited, for the caller to run', async () => {
    const { made: pool, workers } = await withWorkers(spinPool);
    await workers[0]!.terminate();
    expect(pool.lost()).toBe('worker thread 1 exited (code 1)');
    pool.start(0, 0, []);
    expect(pool.finish(0, 0)).toBe(false);
    await pool.terminate();
  });
});

describe('a threaded backend dropped without dispose()', () => {
  it('should have its workers stopped once it is garbage-collected', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { workers } = await withWorkers(async () => {
      await createWasmBackend({ threads: 2 });
    });
    let exited = false;
    workers[0]!.once('exit', () => (exited = true));
    for (let attempt = 0; attempt < 50 && !exited; attempt++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(exited).toBe(true);
  });
});
