// The worker's side: receive a model, data and options, train with `fit`, report progress,
// wait while paused, and send the trained model back as saved artifacts.
import { type FitOptions, fit, loadModel, saveModel } from '@rnnkit/model';
import type { Sequential } from '@rnnkit/layers';
import { RnnkitError } from '@rnnkit/tensor';
import { type ErrorMessage, type FromWorker, type ModelSnapshot, type ToWorker, decodeTensor } from './protocol.js';

/** The worker's end of the channel: what `serveTraining` needs of `self` or `parentPort`. */
export interface WorkerPort {
  post(message: FromWorker, transfer?: readonly ArrayBuffer[]): void;
  listen(listener: (message: ToWorker) => void): void;
}

function errorMessage(error: unknown): ErrorMessage {
  if (error instanceof RnnkitError) return { name: error.name, message: error.message, api: error.api };
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: 'Error', message: String(error) };
}

/**
 * Serves one training job on `port`: call it in a worker (a browser's worker script, for
 * example, calls `serveTraining(browserWorkerPort(self))`). `trainInWorker` starts Node
 * worker threads that call it for you.
 */
export function serveTraining(port: WorkerPort): void {
  let paused = false;
  let wake: (() => void) | undefined;

  async function waitWhilePaused(): Promise<void> {
    if (!paused) return;
    port.post({ type: 'paused' });
    await new Promise<void>((resolve) => {
      wake = resolve;
    });
  }

  /** The weights as they are now, and their buffers to transfer (`getWeights` copies, so they are the snapshot's own). */
  function snapshotOf(model: Sequential, epoch: number): { snapshot: ModelSnapshot; transfer: ArrayBuffer[] } {
    const weights = model.getWeights().map((w) => ({ data: w.data as Float32Array | Float64Array, shape: [...w.shape] }));
    return { snapshot: { epoch, weights }, transfer: weights.map((w) => w.data.buffer as ArrayBuffer) };
  }

  async function train(message: Extract<ToWorker, { type: 'train' }>): Promise<void> {
    const { model } = loadModel(message.artifacts);
    const every = message.snapshotEvery;
    const history = await fit(model, { x: decodeTensor(message.x), y: decodeTensor(message.y) }, {
      ...message.options,
      callbacks: {
        onBatchEnd: waitWhilePaused,
        onProgress: (event) => port.post({ type: 'progress', event }),
        onEpochEnd: (logs) => {
          // Only reading the weights (a copy), after the epoch's update: training goes on unchanged.
          if (every === undefined || logs.epoch % every !== 0) return port.post({ type: 'epoch', logs });
          const { snapshot, transfer } = snapshotOf(model, logs.epoch);
          port.post({ type: 'epoch', logs, snapshot }, transfer);
        },
      },
    } as FitOptions);
    const { optimizer: _optimizer, ...rest } = history;
    const artifacts = saveModel(model);
    port.post({ type: 'done', artifacts, history: rest }, [artifacts.weights]);
  }

  port.listen((message) => {
    switch (message.type) {
      case 'train':
        train(message).catch((error: unknown) => port.post({ type: 'error', error: errorMessage(error) }));
        break;
      case 'pause':
        paused = true;
        break;
      case 'resume':
        paused = false;
        wake?.();
        wake = undefined;
        break;
    }
  });
}
