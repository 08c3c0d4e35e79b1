// The training worker: @rnnkit/worker's `serveTraining` on this Web Worker, after choosing
// the kernels. The page names the kernels in the worker's name (`new Worker(url, { name })`),
// so they are ready before the first message; messages that arrive while the WebAssembly
// backend loads wait in a queue. The Lion optimizer arrives by name and is put in place here
// (worker-plugins.ts).
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { type KernelBackend, jsBackend, setBackend } from '@rnnkit/tensor';
import { type ToWorker, browserWorkerPort, serveTraining } from '@rnnkit/worker';
import type { KernelsMessage } from './worker-client.js';
import { withPlugins } from './worker-plugins.js';

// The worker's global scope, typed by what we use of it (the DOM and WebWorker libraries
// cannot both be loaded in one program).
const scope = globalThis as unknown as {
  readonly name: string;
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
};

async function kernels(): Promise<KernelBackend & { readonly threads?: number }> {
  // On one thread per core when the page is cross-origin isolated (SharedArrayBuffer), else on one.
  return scope.name === 'wasm' ? createWasmBackend({ threads: 'auto' }) : jsBackend;
}

const port = browserWorkerPort(scope);
const early: ToWorker[] = [];
let deliver: (message: ToWorker) => void = (message) => early.push(message);
port.listen((message) => deliver(withPlugins(message)));

kernels().then(
  (backend) => {
    setBackend(backend);
    const report: KernelsMessage = { type: 'kernels', name: backend.name, threads: backend.threads ?? 1 };
    scope.postMessage(report, []);
    serveTraining({
      post: port.post,
      listen(listener) {
        deliver = listener;
        for (const message of early.splice(0)) listener(message);
      },
    });
  },
  (error: unknown) => {
    // In the protocol's own form, so the job's result rejects with this message.
    scope.postMessage({ type: 'error', error: { name: 'Error', message: `could not load the kernels: ${String(error)}` } }, []);
  },
);
