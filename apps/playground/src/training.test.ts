import { predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { EpochLog, RunStatus, Snapshot, TrainingConfig } from './config.js';
import { TrainingRun, concatRows, validationSplitFor } from './training.js';

const config: TrainingConfig = {
  task: 'sine',
  layer: 'LSTM',
  units: 4,
  timeSteps: 6,
  optimizer: 'adam',
  learningRate: 0.02,
  epochs: 3,
  batchSize: 32,
  seed: 2,
  epochDelayMs: 0,
  backend: 'js',
};

describe('validationSplitFor', () => {
  it('should leave exactly the last samples out, as fit counts them', () => {
    for (let total = 2; total < 400; total += 7) {
      for (const validation of [1, Math.floor(total / 5) || 1, total - 1]) {
        const split = validationSplitFor(validation, total);
        expect(total - Math.floor(total * (1 - split))).toBe(validation);
      }
    }
  });
});

describe('concatRows', () => {
  it('should put the rows of the second tensor after those of the first', () => {
    const joined = concatRows(new Tensor(Float32Array.of(1, 2, 3, 4), [2, 2]), new Tensor(Float32Array.of(5, 6), [1, 2]));
    expect(joined.shape).toEqual([3, 2]);
    expect(Array.from(joined.data)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('TrainingRun', () => {
  it('should train on a worker through @rnnkit/worker, reporting every epoch and both snapshots', async () => {
    const logs: EpochLog[] = [];
    const snapshots: Snapshot[] = [];
    const statuses: RunStatus[] = [];
    const run = new TrainingRun(config, {
      onEpoch: (log) => logs.push(log),
      onSnapshot: (snapshot) => snapshots.push(snapshot),
      onStatus: (status) => statuses.push(status),
    });
    const trained = await run.start();
    expect(trained).not.toBeNull();
    expect(logs.map((l) => l.epoch)).toEqual([1, 2, 3]);
    for (const log of logs) expect(Number.isFinite(log.testLoss) && log.testLoss > 0).toBe(true);
    expect(snapshots.map((s) => s.epoch)).toEqual([0, 3]);
    expect(statuses).toEqual(['running', 'done']);
    // The trained model came back from the worker: its predictions differ from the untrained one's.
    const before = predict(run.model, run.task.test.x).data;
    const after = predict(trained!.model, run.task.test.x).data;
    expect(Array.from(after)).not.toEqual(Array.from(before));
    expect(Array.from(snapshots[1]!.predictions.subarray(-after.length))).toEqual(Array.from(after, (v) => Math.fround(v)));
  });

  it('should pace the epochs without reporting a pause, and train every epoch', async () => {
    const statuses: RunStatus[] = [];
    const epochs: number[] = [];
    const run = new TrainingRun({ ...config, epochs: 4, epochDelayMs: 30 }, {
      onStatus: (status) => statuses.push(status),
      onEpoch: (log) => epochs.push(log.epoch),
    });
    expect(await run.start()).not.toBeNull();
    expect(epochs).toEqual([1, 2, 3, 4]);
    expect(statuses).toEqual(['running', 'done']);
  });

  it('should pause, resume, and end with null when stopped', async () => {
    const statuses: RunStatus[] = [];
    let paused = false;
    const run = new TrainingRun({ ...config, epochs: 400, batchSize: 8 }, {
      onStatus: (status) => statuses.push(status),
      onEpoch: (log) => {
        if (log.epoch === 1 && !paused) {
          paused = true;
          void run.pause().then(() => {
            expect(run.status).toBe('paused');
            run.resume();
            run.stop();
          });
        }
      },
    });
    await expect(run.start()).resolves.toBeNull();
    expect(statuses).toEqual(['running', 'paused', 'running']);
  });
});
