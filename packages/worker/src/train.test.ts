import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { type EpochLogs, type ProgressEvent, fit, loadModel, saveModel } from '@rnnkit/model';
import { Random, RnnkitError, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { FromWorker } from './protocol.js';
import { trainInWorker } from './train.js';
import type { BrowserWorkerLike, WorkerTransport } from './transport.js';

/** Windows of a noisy sine: x [n, 8, 1] predicting the next value y [n, 1]. */
function sineTask(n: number, seed: number) {
  const random = new Random(seed);
  const series = Array.from({ length: n + 8 }, (_, t) => Math.sin((2 * Math.PI * t) / 20) + random.normal(0, 0.02));
  const x = Array.from({ length: n }, (_, i) => series.slice(i, i + 8).map((v) => [v]));
  const y = Array.from({ length: n }, (_, i) => [series[i + 8]!]);
  return { x: tensor(x), y: tensor(y) };
}

function lstmModel(seed = 1): Sequential {
  return new Sequential({ inputShape: [8, 1], layers: [new LSTM({ units: 6 }), new Dense({ units: 1 })], seed });
}

function weightsOf(model: Sequential): number[][] {
  return model.getWeights().map((w) => Array.from(w.data));
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the promise to reject');
}

/** A Node transport whose worker's messages and exit are also recorded for the test. */
async function recordingTransport(seen: FromWorker['type'][], exits: number[]): Promise<WorkerTransport> {
  const { nodeWorkerTransport } = await import('./node.js');
  const inner = await nodeWorkerTransport();
  return {
    post: (message, transfer) => inner.post(message, transfer),
    listen(onMessage, onLost) {
      inner.listen(
        (message) => {
          seen.push(message.type);
          onMessage(message);
        },
        (reason) => {
          const code = /code (-?\d+)/.exec(reason);
          if (code) exits.push(Number(code[1]));
          onLost(reason);
        },
      );
    },
    terminate: () => inner.terminate(),
  };
}

const data = sineTask(48, 3);
const fitOptions = { loss: 'mse', optimizer: 'adam', optimizerOptions: { learningRate: 0.01 }, epochs: 3, batchSize: 8, seed: 11 } as const;

describe('trainInWorker', () => {
  it('should train bit for bit as fit does on this thread with the same seed', async () => {
    const here = lstmModel();
    const artifacts = saveModel(here);
    const expected = await fit(here, data, fitOptions);
    const progress: ProgressEvent[] = [];
    const { model, history } = await trainInWorker(artifacts, data, { ...fitOptions, onProgress: (event) => progress.push(event) }).result;
    expect(weightsOf(model)).toEqual(weightsOf(here));
    expect(history.loss).toEqual(expected.loss);
    expect(history.batches.map((b) => b.loss)).toEqual(expected.batches.map((b) => b.loss));
    expect(history.stopReason).toBe('completed');
    // 48 samples in batches of 8: 6 progress events per epoch, in order.
    expect(progress.map((event) => [event.epoch, event.batch])).toEqual(
      [1, 2, 3].flatMap((epoch) => [1, 2, 3, 4, 5, 6].map((batch) => [epoch, batch])),
    );
  });

  it('should take a Sequential, save it for the worker and leave it unchanged', async () => {
    const model = lstmModel(5);
    const before = weightsOf(model);
    const trained = lstmModel(5);
    await fit(trained, data, fitOptions);
    const { model: result, artifacts } = await trainInWorker(model, data, fitOptions).result;
    expect(weightsOf(model)).toEqual(before);
    expect(weightsOf(result)).toEqual(weightsOf(trained));
    expect(weightsOf(loadModel(artifacts).model)).toEqual(weightsOf(trained));
  });

  it('should forward each finished epoch to onEpochEnd', async () => {
    const epochs: EpochLogs[] = [];
    const { history } = await trainInWorker(lstmModel(), data, { ...fitOptions, validationSplit: 0.25, onEpochEnd: (logs) => epochs.push(logs) }).result;
    expect(epochs.map((logs) => logs.epoch)).toEqual([1, 2, 3]);
    expect(epochs.map((logs) => logs.valLoss)).toEqual(history.valLoss);
  });

  it('should reject with an AbortError and stop the worker when the signal aborts', async () => {
    const seen: FromWorker['type'][] = [];
    const exits: number[] = [];
    const controller = new AbortController();
    const job = trainInWorker(lstmModel(), data, {
      ...fitOptions,
      epochs: 1000,
      signal: controller.signal,
      transport: () => recordingTransport(seen, exits),
      onEpochEnd: () => controller.abort(new Error('enough')),
    });
    const error = await rejection(job.result);
    expect(error).toBeInstanceOf(RnnkitError);
    expect(error.name).toBe('AbortError');
    expect(error.message).toBe('trainInWorker: training was aborted and the worker stopped');
    expect((error.cause as Error).message).toBe('enough');
    // The worker is terminated (exit code 1), long before its thousand epochs.
    await expect.poll(() => exits).toEqual([1]);
    expect(seen).not.toContain('done');
  });

  it('should reject at once, starting no worker, when the signal is already aborted', async () => {
    let started = 0;
    const error = await rejection(
      trainInWorker(lstmModel(), data, {
        ...fitOptions,
        signal: AbortSignal.abort(),
        transport: () => {
          started++;
          throw new Error('should not start');
        },
      }).result,
    );
    expect(error.name).toBe('AbortError');
    expect(started).toBe(0);
  });

  it('should train no further epoch while paused, and finish the same after resume', async () => {
    const here = lstmModel();
    const expected = await fit(here, data, { ...fitOptions, epochs: 10 });
    const epochs: number[] = [];
    let paused: Promise<void> | undefined;
    let pauseAsked: () => void = () => {};
    const pausing = new Promise<void>((resolve) => (pauseAsked = resolve));
    const job = trainInWorker(lstmModel(), data, {
      ...fitOptions,
      epochs: 10,
      yieldEveryMs: 0,
      onEpochEnd: (logs) => {
        epochs.push(logs.epoch);
        // Asked at once, from the first epoch's event.
        if (paused === undefined) {
          paused = job.pause();
          pauseAsked();
        }
      },
    });
    await pausing;
    await paused;
    const atPause = epochs.length;
    expect(atPause).toBeLessThan(10);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(epochs.length).toBe(atPause);
    job.resume();
    const { model, history } = await job.result;
    expect(epochs).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(history.loss).toEqual(expected.loss);
    expect(weightsOf(model)).toEqual(weightsOf(here));
  });

  it('should pause a job asked to before its worker has started', async () => {
    const batches: number[] = [];
    const job = trainInWorker(lstmModel(), data, { ...fitOptions, yieldEveryMs: 0, onProgress: (event) => batches.push(event.batch) });
    await job.pause();
    const atPause = batches.length;
    expect(atPause).toBeLessThan(18);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(batches.length).toBe(atPause);
    job.resume();
    const { history } = await job.result;
    expect(batches).toHaveLength(18);
    expect(history.epochs).toHaveLength(3);
  });

  it("should reject with fit's own one-line message for a bad option", async () => {
    const here = lstmModel();
    const expected = await rejection(fit(here, data, { ...fitOptions, batchSize: 0 }));
    const error = await rejection(trainInWorker(lstmModel(), data, { ...fitOptions, batchSize: 0 }).result);
    expect(error).toBeInstanceOf(RnnkitError);
    expect(error.message).toBe(expected.message);
    expect(error.message).toBe('fit: batchSize must be a positive integer, got number 0');
  });

  it('should reject an unknown loss name with the message fit gives', async () => {
    const expected = await rejection(fit(lstmModel(), data, { ...fitOptions, loss: 'nope' }));
    const error = await rejection(trainInWorker(lstmModel(), data, { ...fitOptions, loss: 'nope' }).result);
    expect(error.message).toBe(expected.message);
    expect(error.message.split('\n')).toHaveLength(1);
  });

  it('should refuse what cannot be sent to a worker before starting one', () => {
    expect(() => trainInWorker(lstmModel(), data, { ...fitOptions, loss: (() => 0) as never })).toThrow(
      'trainInWorker: loss must be a name such as "mse" (a function cannot be sent to a worker), got',
    );
    expect(() => trainInWorker({} as never, data, fitOptions)).toThrow('trainInWorker: spec must be a Sequential or the artifacts of saveModel');
    expect(() => trainInWorker(lstmModel(), { x: data.x } as never, fitOptions)).toThrow('trainInWorker: data must be { x, y } with two Tensors');
    expect(() => trainInWorker(lstmModel(), data, { ...fitOptions, callbacks: {} } as never)).toThrow(/^trainInWorker: .*callbacks/);
  });

  it('should reject with the error of a callback that throws, and stop the worker', async () => {
    const exits: number[] = [];
    const error = await rejection(
      trainInWorker(lstmModel(), data, {
        ...fitOptions,
        epochs: 1000,
        transport: () => recordingTransport([], exits),
        onProgress: () => {
          throw new Error('callback failed');
        },
      }).result,
    );
    expect(error.message).toBe('callback failed');
    await expect.poll(() => exits).toEqual([1]);
  });

  it('should reject when the worker stops on its own', async () => {
    const error = await rejection(
      trainInWorker(lstmModel(), data, {
        ...fitOptions,
        transport: () => ({
          post: () => {},
          listen: (_onMessage, onLost) => setTimeout(() => onLost('exited (code 3)'), 10),
          terminate: () => {},
        }),
      }).result,
    );
    expect(error.message).toBe('trainInWorker: the worker exited (code 3) before training finished');
  });
});

describe('the browser transport', () => {
  it('should run the same protocol over a pair of ports, bit for bit as fit', async () => {
    const { MessageChannel } = await import('node:worker_threads');
    const { browserWorkerPort, browserWorkerTransport } = await import('./transport.js');
    const { serveTraining } = await import('./serve.js');
    const here = lstmModel();
    const artifacts = saveModel(here);
    const expected = await fit(here, data, fitOptions);
    // The worker's side runs on this thread, at the other end of a channel.
    const channel = new MessageChannel();
    serveTraining(browserWorkerPort(channel.port2 as never));
    let terminated = false;
    const worker: BrowserWorkerLike = {
      postMessage: (message, transfer) => channel.port1.postMessage(message, transfer),
      addEventListener: (type: 'message' | 'error', listener: (event: never) => void) => channel.port1.addEventListener(type, listener as never),
      terminate: () => {
        terminated = true;
        channel.port1.close();
      },
    };
    const transport = browserWorkerTransport(worker);
    channel.port1.start();
    channel.port2.start();
    const epochs: number[] = [];
    const { model, history } = await trainInWorker(artifacts, data, { ...fitOptions, transport: () => transport, onEpochEnd: (logs) => epochs.push(logs.epoch) }).result;
    expect(weightsOf(model)).toEqual(weightsOf(here));
    expect(history.loss).toEqual(expected.loss);
    expect(epochs).toEqual([1, 2, 3]);
    expect(terminated).toBe(true);
  });
});
