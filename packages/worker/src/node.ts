// The Node transport: a worker_threads Worker that loads this very module and serves one
// training job. As in @rnnkit/backend-wasm, the worker starts from source text (`eval`), so
// no separate worker file has to be found; the text imports the module this code is in (by
// its URL), which exports `serveTraining`: dist/index.js or dist/index.cjs when built, or
// src/node.ts when running from the sources (the tests), which the worker then loads with
// tsx's require hook, resolving the sibling packages with `--conditions=source`.
import { serveTraining } from './serve.js';
import type { WorkerTransport } from './transport.js';
import type { FromWorker } from './protocol.js';

// Re-exported so that the module at `import.meta.url` has it, in the sources as in dist.
export { serveTraining };

const NODE_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const early = [];
let deliver = (message) => early.push(message);
parentPort.on('message', (message) => deliver(message));
const port = {
  post: (message, transfer) => parentPort.postMessage(message, transfer),
  listen: (listener) => {
    deliver = listener;
    for (const message of early.splice(0)) listener(message);
  },
};
// From the sources, tsx's require hook loads them (as CommonJS: an "--import tsx" in the
// worker's execArgv does not take effect on Node 20).
const loaded = workerData.tsx
  ? Promise.resolve().then(() => require(workerData.tsx).require(workerData.entry, workerData.entry))
  : import(workerData.entry);
loaded.then(
  (module) => (module.serveTraining ?? module.default.serveTraining)(port),
  (error) => parentPort.postMessage({
    type: 'error',
    error: { name: 'Error', message: 'could not load ' + workerData.entry + ': ' + (error && error.message ? error.message : String(error)) },
  }),
);
`;

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Starts a Node worker thread that serves one training job. */
export async function nodeWorkerTransport(): Promise<WorkerTransport> {
  const threadsSpecifier = 'node:worker_threads';
  const moduleSpecifier = 'node:module';
  const threads = (await import(/* @vite-ignore */ threadsSpecifier)) as typeof import('node:worker_threads');
  let workerData: { entry: string; tsx?: string } = { entry: import.meta.url };
  let execArgv: string[] | undefined;
  if (/\.[cm]?ts$/.test(new URL(import.meta.url).pathname)) {
    // Running from the TypeScript sources (the tests): the worker reads them through tsx,
    // and resolves the sibling packages to their sources too.
    const { createRequire } = (await import(/* @vite-ignore */ moduleSpecifier)) as typeof import('node:module');
    const urlSpecifier = 'node:url';
    const { fileURLToPath } = (await import(/* @vite-ignore */ urlSpecifier)) as typeof import('node:url');
    const entry = fileURLToPath(import.meta.url);
    workerData = { entry, tsx: createRequire(entry).resolve('tsx/cjs/api') };
    execArgv = ['--conditions=source'];
  }
  const worker = new threads.Worker(NODE_WORKER, { eval: true, workerData, ...(execArgv ? { execArgv } : {}) });
  return {
    post: (message, transfer = []) => worker.postMessage(message, [...transfer]),
    listen(onMessage, onLost) {
      worker.on('message', (message: FromWorker) => onMessage(message));
      // Listening to 'error' also keeps the worker's uncaught error from being rethrown here.
      worker.on('error', (error) => onLost(`failed (${describe(error)})`));
      worker.on('exit', (code) => onLost(`exited (code ${code})`));
    },
    terminate: () => void worker.terminate(),
  };
}
