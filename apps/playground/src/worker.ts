// The training worker: receives commands from the page, runs one TrainingSession at a time
// and posts its reports back. Training here keeps the page's main thread free.
import { type WasmBackend, createWasmBackend } from '@rnnkit/backend-wasm';
import { type KernelBackend, jsBackend, setBackend } from '@rnnkit/tensor';
import type { BackendName, Command, Report } from './protocol.js';
import { TrainingSession } from './session.js';

// The worker's global scope, typed by what we use of it (the DOM and WebWorker libraries
// cannot both be loaded in one program).
const scope = globalThis as unknown as {
  postMessage(report: Report): void;
  onmessage: ((event: MessageEvent<Command>) => void) | null;
};

const post = (report: Report): void => scope.postMessage(report);
let session: TrainingSession | null = null;
/** Commands are handled one after another: a start may wait for the WebAssembly backend. */
let queue: Promise<void> = Promise.resolve();
let wasm: Promise<WasmBackend> | null = null;

/**
 * The kernels of a run. The WebAssembly backend is made once and kept; it runs on one
 * thread per core when the page is cross-origin isolated (SharedArrayBuffer), else on one.
 */
async function kernels(name: BackendName): Promise<KernelBackend & { readonly threads?: number }> {
  if (name === 'js') return jsBackend;
  wasm ??= createWasmBackend({ threads: 'auto' });
  return wasm;
}

function fail(id: number, error: unknown): void {
  post({ type: 'error', id, message: error instanceof Error ? error.message : String(error) });
  post({ type: 'status', id, status: 'failed', epoch: 0 });
}

async function handle(command: Command): Promise<void> {
  if (command.type === 'start') {
    session?.stop();
    session = null;
    try {
      const backend = await kernels(command.config.backend);
      setBackend(backend);
      post({ type: 'kernels', id: command.id, name: backend.name, threads: backend.threads ?? 1 });
      session = new TrainingSession(command.id, command.config, post);
    } catch (error) {
      session = null;
      fail(command.id, error);
      return;
    }
    void session.start();
    return;
  }
  if (session === null || session.id !== command.id) return; // a command for a run that has ended
  if (command.type === 'pause') session.pause();
  else if (command.type === 'resume') void session.resume();
  else {
    session.stop();
    session = null;
  }
}

scope.onmessage = ({ data: command }) => {
  queue = queue.then(() => handle(command));
};
