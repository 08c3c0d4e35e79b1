// Worker threads that run kernels on the same WebAssembly memory as the main thread.
//
// Each worker instantiates the threaded build of the kernels with the backend's shared
// memory, then sleeps on its slot of a small control buffer. To hand it a job, the main
// thread writes the kernel's number and arguments into the slot, bumps the slot's request
// counter and wakes it; the worker claims the job, runs the kernel, copies the counter into
// its "done" word and wakes the main thread. No message passing on the hot path, no
// copies: the operands are already in the shared memory.
//
// A worker can be lost (it exits, is terminated, fails outside a kernel). The main thread
// blocks synchronously while it waits, so its event loop — and any 'exit' listener — cannot
// run then: every wait is therefore done in bounded slices that read the slot's GONE word,
// which the worker sets itself as it goes (and the listeners set when they get to run).
// A job the worker has not claimed can be taken back (both sides race for the same
// compare-exchange, exactly one wins), and then the main thread runs it itself.
import { RnnkitError } from '@rnnkit/tensor';

/** Int32 words per worker slot: the words below, then the arguments. */
const SLOT_WORDS = 32;
/** Number of the latest job offered (written by the main thread). */
const REQUEST = 0;
/** Number of the latest job taken, by the worker to run it or by the main thread back. */
const CLAIM = 1;
/** Number of the latest job the worker finished. */
const DONE = 2;
const KERNEL = 3;
/** 0 when the finished job's kernel returned, 1 when it threw. */
const STATUS = 4;
/** Nonzero once the worker has stopped. */
const GONE = 5;
const ARGUMENT_COUNT = 6;
const ARGUMENTS = 7;
/** Most arguments a kernel takes (gruResetBeforeBackward has 24). */
export const MAX_ARGUMENTS = SLOT_WORDS - ARGUMENTS;
const STOP = -1;

// The worker's loop, as source text: it runs in a fresh global scope (a Node worker with
// `eval` or a browser worker from a Blob), so it must not refer to anything here. `ready`
// reports the instantiation; every later signal goes through the control words.
// `onExit` registers a last call where the platform has one (Node's process 'exit').
const WORKER_LOOP = `
function runKernels(setup, ready, onExit) {
  const { module, memory, control, index, names, init } = setup;
  let kernels;
  try {
    const instance = new WebAssembly.Instance(module, { env: { memory } });
    kernels = names.map((name) => instance.exports[name]);
    if (init !== null && !instance.exports[init[0]](...init.slice(1))) throw new Error(init[0] + ' refused ' + init.slice(1).join(', '));
  } catch (error) {
    ready(String(error && error.message ? error.message : error));
    return;
  }
  const slot = new Int32Array(control, index * ${SLOT_WORDS * 4}, ${SLOT_WORDS});
  const gone = () => {
    Atomics.store(slot, ${GONE}, 1);
    Atomics.notify(slot, ${DONE});
  };
  onExit(gone);
  ready(null);
  let seen = 0;
  try {
    for (;;) {
      Atomics.wait(slot, ${REQUEST}, seen);
      const request = Atomics.load(slot, ${REQUEST});
      if (request === seen) continue;
      seen = request;
      // Claim the job, unless the main thread took it back because this thread was late.
      const previous = (request - 1) | 0;
      if (Atomics.compareExchange(slot, ${CLAIM}, previous, request) !== previous) continue;
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
  } finally {
    gone();
  }
}
`;

const NODE_WORKER = `${WORKER_LOOP}
const { parentPort, workerData } = require('node:worker_threads');
runKernels(workerData, (error) => parentPort.postMessage({ error }), (gone) => process.on('exit', gone));
`;

const BROWSER_WORKER = `${WORKER_LOOP}
self.onmessage = (event) => runKernels(event.data, (error) => self.postMessage({ error }), () => {});
`;

/**
 * How long the main thread waits for a worker before it gives up on it, in milliseconds.
 * Only a lost worker gets near these: the others finish their share in about the time the
 * main thread takes for its own.
 */
export interface WaitLimits {
  /** A job not yet claimed after this long is taken back and run by the main thread. */
  readonly claim: number;
  /** A claimed job not finished after `stall + stallPerOwn · (the main thread's own share)` fails. */
  readonly stall: number;
  readonly stallPerOwn: number;
}

/** Generous: a loaded machine may leave a thread unscheduled for a while, never this long. */
export const DEFAULT_WAIT_LIMITS: WaitLimits = { claim: 2_000, stall: 30_000, stallPerOwn: 50 };

/** Slice of a blocking wait: how often the waiting main thread looks at the clock. */
const WAIT_SLICE_MS = 50;

/** Worker threads sharing one WebAssembly memory with the main thread. */
export interface ThreadPool {
  /** Number of worker threads (the main thread is not counted). */
  readonly workers: number;
  /** Starts kernel number `kernel` with `args` on worker `index` and returns at once. */
  start(index: number, kernel: number, args: readonly number[]): void;
  /**
   * Waits until worker `index` has finished its job (true), or takes the job back when the
   * worker is lost before claiming it (false: the caller must run it). Throws if the kernel
   * failed, or if the worker was lost while running it or stalls past the limits
   * (`ownMilliseconds`: how long the caller's own share took).
   */
  finish(index: number, ownMilliseconds: number): boolean;
  /** Why a worker was lost (the first one), or null while every worker is there. */
  lost(): string | null;
  /** Stops every worker. */
  terminate(): Promise<void>;
}

/** What a platform's worker looks like to the pool. */
interface PlatformWorker {
  onceMessage(listener: (message: { error: string | null }) => void): void;
  /** Calls `listener` with a description each time the worker fails or exits. */
  onLost(listener: (reason: string) => void): void;
  terminate(): Promise<unknown>;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
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
      // Listening to 'error' also keeps a worker's uncaught error from being rethrown here.
      onLost: (listener) => {
        worker.on('error', (error) => listener(`failed (${message(error)})`));
        worker.on('exit', (code) => listener(`exited (code ${code})`));
      },
      terminate: () => worker.terminate(),
    };
  }
  const url = URL.createObjectURL(new Blob([BROWSER_WORKER], { type: 'text/javascript' }));
  const worker = new Worker(url);
  URL.revokeObjectURL(url);
  worker.postMessage(setup);
  return {
    onceMessage: (listener) => worker.addEventListener('message', (event) => listener(event.data as { error: string | null }), { once: true }),
    onLost: (listener) => worker.addEventListener('error', (event) => listener(`failed (${event.message})`)),
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
 * the exports a job may call, by index. Resolves once every worker is ready. `api` names
 * the caller in start-up errors, `name` in the errors of later jobs. `init`, an export and
 * its arguments, is called once by each worker before it is ready (a falsy result fails the start).
 */
export async function startThreads(
  api: string,
  module: WebAssembly.Module,
  memory: WebAssembly.Memory,
  count: number,
  names: readonly string[],
  name = api,
  limits: WaitLimits = DEFAULT_WAIT_LIMITS,
  init: readonly [string, ...number[]] | null = null,
): Promise<ThreadPool> {
  const control = new SharedArrayBuffer(count * SLOT_WORDS * 4);
  const slots = Array.from({ length: count }, (_, index) => new Int32Array(control, index * SLOT_WORDS * 4, SLOT_WORDS));
  const requests = new Int32Array(count);
  const blocking = canBlock(new Int32Array(new SharedArrayBuffer(4)));
  const workers: PlatformWorker[] = [];
  let stopped = false;
  let lostReason: string | null = null;

  function lose(index: number, reason: string): void {
    if (stopped) return;
    Atomics.store(slots[index]!, GONE, 1);
    lostReason ??= `worker thread ${index + 1} ${reason}`;
  }

  try {
    for (let index = 0; index < count; index++) {
      const worker = await spawn({ module, memory, control, index, names: [...names], init: init === null ? null : [...init] });
      workers.push(worker);
      await new Promise<void>((resolve, reject) => {
        // Stays on for the pool's life: a worker lost later is marked here too.
        worker.onLost((reason) => {
          reject(new RnnkitError(api, `a worker thread ${reason} while starting`));
          lose(index, reason);
        });
        worker.onceMessage(({ error }) => {
          if (error === null) resolve();
          else reject(new RnnkitError(api, `a worker thread could not instantiate the kernels: ${error}`));
        });
      });
    }
  } catch (error) {
    stopped = true;
    await Promise.all(workers.map((worker) => worker.terminate()));
    throw error;
  }

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
    finish(index, ownMilliseconds) {
      const slot = slots[index]!;
      const request = requests[index]!;
      const previous = (request - 1) | 0;
      const since = performance.now();
      const stallLimit = limits.stall + limits.stallPerOwn * ownMilliseconds;
      for (;;) {
        const done = Atomics.load(slot, DONE);
        if (done === request) break;
        const gone = Atomics.load(slot, GONE) !== 0;
        const waited = performance.now() - since;
        if (Atomics.load(slot, CLAIM) !== request) {
          // Not claimed yet: take the job back from a lost or late worker.
          if ((gone || waited > limits.claim) && Atomics.compareExchange(slot, CLAIM, previous, request) === previous) {
            lose(index, gone ? 'stopped' : `did not take its job within ${limits.claim} ms`);
            return false;
          }
        } else if (gone) {
          lose(index, 'stopped');
          throw new RnnkitError(name, `worker thread ${index + 1} stopped while running its share of the work`);
        } else if (waited > stallLimit) {
          lose(index, `did not finish its share within ${Math.round(stallLimit)} ms`);
          void workers[index]!.terminate();
          throw new RnnkitError(name, `worker thread ${index + 1} did not finish its share within ${Math.round(stallLimit)} ms and was stopped`);
        }
        if (blocking) Atomics.wait(slot, DONE, done, WAIT_SLICE_MS);
      }
      if (slot[STATUS] !== 0) {
        throw new RnnkitError(name, `a kernel failed on worker thread ${index + 1} (out of memory bounds or an engine error)`);
      }
      return true;
    },
    lost: () => lostReason,
    async terminate() {
      if (stopped) return;
      stopped = true;
      for (let index = 0; index < count; index++) pool.start(index, STOP, []);
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
  return pool;
}
