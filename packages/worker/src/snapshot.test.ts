import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { fit, predict, saveModel } from '@rnnkit/model';
import { Random, RnnkitError, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { FromWorker, ModelSnapshot, ToWorker } from './protocol.js';
import { serveTraining } from './serve.js';
import { applySnapshot } from './snapshot.js';
import { type TrainInWorkerOptions, trainInWorker } from './train.js';

/** Windows of a noisy sine: x [n, 8, 1] predicting the next value y [n, 1]. */
function sineTask(n: number, seed: number) {
  const random = new Random(seed);
  const series = Array.from({ length: n + 8 }, (_, t) => Math.sin((2 * Math.PI * t) / 20) + random.normal(0, 0.02));
  const x = Array.from({ length: n }, (_, i) => series.slice(i, i + 8).map((v) => [v]));
  const y = Array.from({ length: n }, (_, i) => [series[i + 8]!]);
  return { x: tensor(x), y: tensor(y) };
}

function lstmModel(seed = 1, units = 6): Sequential {
  return new Sequential({ inputShape: [8, 1], layers: [new LSTM({ units }), new Dense({ units: 1 })], seed });
}

function weightsOf(model: Sequential): number[][] {
  return model.getWeights().map((w) => Array.from(w.data));
}

const data = sineTask(48, 3);
const fitOptions = { loss: 'mse', optimizer: 'adam', optimizerOptions: { learningRate: 0.01 }, epochs: 5, batchSize: 8, seed: 11 } as const;

/** Trains in a worker, keeping every epoch's snapshot argument (undefined where none came). */
async function trainKeeping(options: Partial<TrainInWorkerOptions>) {
  const snapshots: (ModelSnapshot | undefined)[] = [];
  const job = trainInWorker(lstmModel(), data, { ...fitOptions, ...options, onEpochEnd: (_logs, snapshot) => snapshots.push(snapshot) });
  return { job, snapshots, result: await job.result };
}

describe('trainInWorker snapshots', () => {
  it('should send a snapshot with every n-th epoch only', async () => {
    const { snapshots } = await trainKeeping({ snapshots: { every: 2 } });
    expect(snapshots.map((s) => s?.epoch)).toEqual([undefined, 2, undefined, 4, undefined]);
  });

  it("should send one with every epoch for 'epoch', and none when not asked", async () => {
    const each = await trainKeeping({ snapshots: 'epoch' });
    expect(each.snapshots.map((s) => s?.epoch)).toEqual([1, 2, 3, 4, 5]);
    const none = await trainKeeping({});
    expect(none.snapshots).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  it('should train bit for bit the same with and without snapshots, as fit on this thread', async () => {
    const here = lstmModel();
    const expected = await fit(here, data, fitOptions);
    const without = await trainKeeping({});
    const each = await trainKeeping({ snapshots: 'epoch' });
    for (const { result } of [without, each]) {
      expect(weightsOf(result.model)).toEqual(weightsOf(here));
      expect(result.history.loss).toEqual(expected.loss);
      expect(result.history.batches.map((b) => b.loss)).toEqual(expected.batches.map((b) => b.loss));
    }
    // The last epoch's snapshot is the trained model.
    expect(each.snapshots[4]!.weights.map((w) => Array.from(w.data))).toEqual(weightsOf(here));
  });

  it('should give models that predict what fit stopped at that epoch predicts', async () => {
    const { job, snapshots } = await trainKeeping({ snapshots: { every: 2 } });
    for (const epoch of [2, 4]) {
      const stopped = lstmModel();
      await fit(stopped, data, { ...fitOptions, epochs: epoch });
      const expected = Array.from(predict(stopped, data.x).data);
      const snapshot = snapshots[epoch - 1]!;
      expect(Array.from(predict(job.modelAt(snapshot), data.x).data)).toEqual(expected);
      // Loaded into a model of the same architecture whatever its own weights were.
      const other = lstmModel(99);
      applySnapshot(other, snapshot);
      expect(Array.from(predict(other, data.x).data)).toEqual(expected);
    }
  });

  it('should refuse bad snapshots options before starting a worker, in one line', () => {
    const refusal = (snapshots: unknown): string => {
      let started = 0;
      try {
        trainInWorker(lstmModel(), data, { ...fitOptions, snapshots: snapshots as never, transport: () => {
          started++;
          throw new Error('should not start');
        },
      });
      } catch (error) {
        expect(started).toBe(0);
        expect(error).toBeInstanceOf(RnnkitError);
        return (error as Error).message;
      }
      throw new Error('expected trainInWorker to throw');
    };
    expect(refusal('batch')).toBe(`trainInWorker: snapshots must be 'epoch' or { every: n } (a positive number of epochs), got "batch"`);
    expect(refusal(3)).toBe(`trainInWorker: snapshots must be 'epoch' or { every: n } (a positive number of epochs), got number 3`);
    expect(refusal(null)).toBe(`trainInWorker: snapshots must be 'epoch' or { every: n } (a positive number of epochs), got null`);
    expect(refusal({ every: 0 })).toBe('trainInWorker: snapshots.every must be a positive integer (epochs between snapshots), got number 0');
    expect(refusal({ every: 1.5 })).toBe('trainInWorker: snapshots.every must be a positive integer (epochs between snapshots), got number 1.5');
    expect(refusal({ every: '2' })).toBe('trainInWorker: snapshots.every must be a positive integer (epochs between snapshots), got "2"');
    expect(refusal({})).toBe('trainInWorker: snapshots.every must be a positive integer (epochs between snapshots), got undefined');
    expect(refusal({ every: 2, often: true })).toBe('trainInWorker: unknown snapshots option "often"; valid snapshots options are every');
  });

  it('should refuse a snapshot that does not fit the model, leaving the model unchanged', async () => {
    const { snapshots } = await trainKeeping({ epochs: 1, snapshots: 'epoch' });
    const wider = lstmModel(1, 7);
    const before = weightsOf(wider);
    expect(() => applySnapshot(wider, snapshots[0]!)).toThrow(/^applySnapshot: the snapshot of epoch 1 does not fit the model: setWeights: .*shape/);
    expect(weightsOf(wider)).toEqual(before);
    expect(() => applySnapshot(wider, { epoch: 1 } as never)).toThrow('applySnapshot: snapshot must be a ModelSnapshot ({ epoch, weights }) from onEpochEnd, got');
    expect(() => applySnapshot({} as never, snapshots[0]!)).toThrow('applySnapshot: model must be a Sequential, got');
  });
});

describe('the worker side of snapshots', () => {
  /** Serves one job on this thread, recording what the worker posts and what it transfers. */
  async function serveHere(snapshotEvery?: number): Promise<{ message: FromWorker; transfer: readonly ArrayBuffer[] }[]> {
    const posted: { message: FromWorker; transfer: readonly ArrayBuffer[] }[] = [];
    let send: (message: ToWorker) => void = () => {};
    const done = new Promise<void>((resolve) => {
      serveTraining({
        post: (message, transfer = []) => {
          posted.push({ message, transfer });
          if (message.type === 'done' || message.type === 'error') resolve();
        },
        listen: (listener) => (send = listener),
      });
    });
    const artifacts = saveModel(lstmModel());
    const x = { data: data.x.data.slice() as Float32Array, shape: data.x.shape };
    const y = { data: data.y.data.slice() as Float32Array, shape: data.y.shape };
    send({ type: 'train', artifacts, x, y, options: { ...fitOptions, epochs: 3 }, ...(snapshotEvery ? { snapshotEvery } : {}) });
    await done;
    return posted;
  }

  it("should transfer each snapshot's weight buffers, and send nothing extra when none are asked for", async () => {
    const epochs = (await serveHere(1)).filter((p) => p.message.type === 'epoch');
    expect(epochs).toHaveLength(3);
    for (const { message, transfer } of epochs) {
      const weights = (message as Extract<FromWorker, { type: 'epoch' }>).snapshot!.weights;
      expect(weights.length).toBeGreaterThan(0);
      expect(transfer).toEqual(weights.map((w) => w.data.buffer));
      // Each weight has a buffer of its own, so transferring one detaches nothing else.
      expect(new Set(transfer).size).toBe(weights.length);
    }
    const plain = (await serveHere()).filter((p) => p.message.type === 'epoch');
    expect(plain.map((p) => [Object.keys(p.message), p.transfer])).toEqual([1, 2, 3].map(() => [['type', 'logs'], []]));
  });
});
