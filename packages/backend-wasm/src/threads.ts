// Worker threads that run kernels on the same WebAssembly memory as the main thread.
//
// Each worker instantiates the threaded build of the kernels with the backend's shared
// memory, then sleeps on its slot of a small control buffer. To hand it a job, the main
// thread writes the kernel's number and arguments into the slot, bumps the slot's request
// counter and wakes it; the worker runs the kernel, copies the counter into its "done"
// word and wakes the main thread. No message passing on the hot path, no copies: the
// operands are already in the shared memory.
import { RnnkitError } from '@rnnkit/tensor';

/** Int32 words per worker slot: request, done, kernel, status, argument count, arguments. */
const SLOT_WORDS = 32;
const REQUEST = 0;
const DONE = 1;
const KERNEL = 2;
const STATUS = 3;
const ARGUMENT_COUNT = 4;
const ARGUMENTS = 5;
/** Most arguments a kernel takes (lstmBackward has 22). */
export const MAX_ARGUMENTS = SLOT_WORDS - ARGUMENTS;
const STOP = -1;

// The worker's loop, as source text: it runs in a fresh global scope (a Node worker with
// `eval` or a browser worker from a Blob), so it must not refer to anything here. `ready`
// reports the instantiation; every later signal goes through the control words.
const WORKER_LOOP = `
function runKernels(setup, ready) {
  const { module, memory, control, index, names } = setup;
  let kernels;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    kernels = names.map((name) => instance.exports[name]);
  } catch (error) {
    ready(String(error && error.message ? error.message : error));
    return;
  }
  const slot = new Int32Array(control, index * ${SLOT_WORDS * 4}, ${SLOT_WORDS});
  ready(null);
  let seen = 0;
  for (;;) {
    Atomics.wait(slot, ${REQUEST}, seen);
    const request = Atomics.load(slot, ${REQUEST});
    if (request === seen) continue;
    seen = request;
    const kernel = slot[${KERNEL}];
    if (kernel === ${STOP}) {
      Atomics.store(slot, ${DONE}, request);
      Atomics.notify(slot, ${DONE});
      return;
    }
    const args = [];
    for (let i = 0; i < slot[${ARGUMENT_COUNT}]; i++) args.push(slot[${ARGUMENTS} + i]);
    try {
      kernels[kernel](...args);
      slot[${STATUS}] = 0;
    } catch (error) {
      slot[${STATUS}] = 1;
    }
    Atomics.store(slot, ${DONE}, request);
    Atomics.notify(slot, ${DONE});
  }
}
`;

const NODE_WORKER = `${WORKER_LOOP}
const { parentPort, workerData } = require('node:worker_threads');
runKernels(workerData, (error) => parentPort.postMessage({ error }));
`;

const BROWSER_WORKER = `${WORKER_LOOP}
self.onmessage = (event) => runKernels(event.data, (error) => self.postMessage({ error }));
`;

/** Worker threads sharing one WebAssembly memory with the main thread. */
export interface ThreadPool {
  /** Number of worker threads (the main thread is not counted). */
  readonly workers: number;
  /** Starts kernel number `kernel` with `args` on worker `index` and returns at once. */
  start(index: number, kernel: number, args: readonly number[]): void;
  /** Waits until worker `index` has finished its job; throws if the kernel failed. */
  finish(index: number): void;
  /** Stops every worker. */
  terminate(): Promise<void>;
}

/** What a platform's worker looks like to the pool. */
interface PlatformWorker {
  onceMessage(listener: (message: { error: string | null }) => void): void;
  onceError(listener: (error: unknown) => void): void;
  terminate(): Promise<unknown>;
}

function isNode(): boolean {
  const versions = (globalThis as { process?: { versions?: { node?: string } } }).process?.versions;
  return typeof versions?.node === 'string';
}

/** Logical cores of this machine (1 when unknown). */
export async function availableCores(): Promise<number> {
  if (isNode()) {
    const specifier = 'node:os';
    const os = (await import(/* @vite-ignore */ specifier)) as { availableParallelism?: () => number; cpus: () => unknown[] };
    return Math.max(1, os.availableParallelism?.() ?? os.cpus().length);
  }
  const cores = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency;
  return typeof cores === 'number' && cores >= 1 ? cores : 1;
}

/** Why worker threads cannot run here, or null when they can. */
export function threadsUnavailable(): string | null {
  if (typeof SharedArrayBuffer !== 'function') {
    return 'SharedArrayBuffer is not available (browsers provide it only on cross-origin isolated pages)';
  }
  if (!isNode() && typeof Worker !== 'function') return 'this environment has no Worker';
  return null;
}

async function spawn(setup: object): Promise<PlatformWorker> {
  if (isNode()) {
    const specifier = 'node:worker_threads';
    const threads = (await import(/* @vite-ignore */ specifier)) as typeof import('node:worker_threads');
    const worker = new threads.Worker(NODE_WORKER, { eval: true, workerData: setup });
    // A sleeping worker must not keep the process alive.
    worker.unref();
    return {
      onceMessage: (listener) => worker.once('message', listener),
      onceError: (listener) => worker.once('error', listener),
      terminate: () => worker.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  worker.postMessage(setup);
  return {
    onceMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data as { error: string | null }), { once: true }),
    onceError: (listener) => worker.addEventListener('error', listener, { once: true }),
    terminate: async () => worker.terminate(),
  };
}

/** Whether this thread may block in Atomics.wait (browsers forbid it on the main thread). */
function canBlock(probe: Int32Array): boolean {
  try {
    Atomics.wait(probe, 0, 1, 0); // the value differs: returns at once where waiting is allowed
    return true;
  } catch {
    return false;
  }
}

/**
 * Starts `count` workers, each with its own instance of `module` on `memory`; `names` are
 * the exports a job may call, by index. Resolves once every worker is ready.
 */
export async function startThreads(
  api: string,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  count: number,
  names: readonly string[],
): Promise<ThreadPool> {
  const control = new SharedArrayBuffer(count * SLOT_WORDS * 4);
  const slots = Array.from({ length: count }, (_, index) => new Int32Array(control, index * SLOT_WORDS * 4, SLOT_WORDS));
  const requests = new Int32Array(count);
  const blocking = canBlock(new Int32Array(new SharedArrayBuffer(4)));
  const workers: PlatformWorker[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const worker = await spawn({ module, memory, control, index, names: [...names] });
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        worker.onceError((error) => reject(new RnnkitError(api, `a worker thread failed to start: ${String(error)}`)));
        worker.onceMessage(({ error }) => {
          if (error === null) resolve();
          else reject(new RnnkitError(api, `a worker thread could not instantiate the kernels: ${error}`));
        });
      });
    }
  } catch (error) {
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }

  let stopped = false;
  const pool: ThreadPool = {
    workers: count,
    start(index, kernel, args) {
      const slot = slots[index]!;
      slot[KERNEL] = kernel;
      slot[ARGUMENT_COUNT] = args.length;
      for (let i = 0; i < args.length; i++) slot[ARGUMENTS + i] = args[i]!;
      const request = (requests[index]! + 1) | 0;
      requests[index] = request;
      Atomics.store(slot, REQUEST, request);
      Atomics.notify(slot, REQUEST);
    },
    finish(index) {
      const slot = slots[index]!;
      const request = requests[index]!;
      for (;;) {
        const done = Atomics.load(slot, DONE);
        if (done === request) break;
        if (blocking) Atomics.wait(slot, DONE, done);
      }
      if (slot[STATUS] !== 0) {
        throw new RnnkitError(api, `a kernel failed on worker thread ${index + 1} (out of memory bounds or an engine error)`);
      }
    },
    async terminate() {
      if (stopped) return;
      stopped = true;
      for (let index = 0; index < count; index++) pool.start(index, STOP, []);
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
  return pool;
}
