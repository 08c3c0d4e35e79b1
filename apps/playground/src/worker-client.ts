// The page's end of the training worker: a transport for @rnnkit/worker's `trainInWorker`
// over a new Web Worker running train-worker.ts, with the chosen kernels.
import { type WorkerTransport, browserWorkerTransport } from '@rnnkit/worker';
import type { BackendName } from './config.js';

/** The one message of the worker outside @rnnkit/worker's protocol: which kernels it runs. */
export interface KernelsMessage {
  readonly type: 'kernels';
  readonly name: string;
  readonly threads: number;
}

/**
 * A transport factory for `trainInWorker`: each job starts its own worker (named after its
 * kernels, which the worker reads), and `onKernels` hears which kernels it runs on.
 */
export function webWorkerTransport(backend: BackendName, onKernels: (kernels: KernelsMessage) => void): () => WorkerTransport {
  return () => {
    const worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module', name: backend });
    worker.addEventListener('message', (event: MessageEvent<{ type?: string }>) => {
      if (event.data?.type === 'kernels') onKernels(event.data as KernelsMessage);
    });
    return browserWorkerTransport(worker);
  };
}
