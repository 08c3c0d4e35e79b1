// How the main thread reaches a worker. `trainInWorker` speaks the protocol of protocol.ts
// through this small interface only, so the same code drives a Node worker thread, a browser
// Web Worker, or any other channel with postMessage semantics.
import type { FromWorker, ToWorker } from './protocol.js';
import type { WorkerPort } from './serve.js';

/** The main thread's end of the channel to one worker that runs `serveTraining`. */
export interface WorkerTransport {
  post(message: ToWorker, transfer?: readonly ArrayBuffer[]): void;
  /**
   * Calls `onMessage` with each message of the worker, and `onLost` with a description
   * (such as `"exited (code 1)"`) when the worker fails or stops on its own.
   */
  listen(onMessage: (message: FromWorker) => void, onLost: (reason: string) => void): void;
  /** Stops the worker; no message arrives after this. */
  terminate(): void;
}

/** What the browser adapter needs of a `Worker` (structural, so no DOM types are required). */
export interface BrowserWorkerLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'error', listener: (event: { message?: string }) => void): void;
  terminate(): void;
}

/** What the browser adapter needs of a worker's global scope (`self`). */
export interface BrowserWorkerScopeLike {
  postMessage(message: unknown, transfer: ArrayBuffer[]): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
}

/** A transport over a browser `Worker` whose script calls `serveTraining(browserWorkerPort(self))`. */
export function browserWorkerTransport(worker: BrowserWorkerLike): WorkerTransport {
  return {
    post: (message, transfer = []) => worker.postMessage(message, [...transfer]),
    listen(onMessage, onLost) {
      worker.addEventListener('message', (event) => onMessage(event.data as FromWorker));
      worker.addEventListener('error', (event) => onLost(`failed (${event.message ?? 'an error in the worker script'})`));
    },
    terminate: () => worker.terminate(),
  };
}

/** The worker's end of a browser transport: `serveTraining(browserWorkerPort(self))` in the worker script. */
export function browserWorkerPort(scope: BrowserWorkerScopeLike): WorkerPort {
  return {
    post: (message, transfer = []) => scope.postMessage(message, [...transfer]),
    listen: (listener) => scope.addEventListener('message', (event) => listener(event.data as ToWorker)),
  };
}
