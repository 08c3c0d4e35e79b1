import { fit, predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { EpochLog, RunStatus, Snapshot, TrainingConfig } from './config.js';
import { recurrentOf } from './tasks.js';
import { TrainingRun, concatRows, liveSnapshotEvery, validationSplitFor } from './training.js';

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
  it('should train on a worker through @rnnkit/worker, reporting every epoch and, not live, the snapshots before and after', async () => {
    const logs: EpochLog[] = [];
    const snapshots: Snapshot[] = [];
    const statuses: RunStatus[] = [];
    const run = new TrainingRun(
      config,
      {
        onEpoch: (log) => logs.push(log),
        onSnapshot: (snapshot) => snapshots.push(snapshot),
        onStatus: (status) => statuses.push(status),
      },
      undefined,
      { live: false },
    );
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

  it('should report a snapshot of the model after each epoch while it trains, as fit stopped there', async () => {
    const snapshots: Snapshot[] = [];
    // Paced, so every epoch's weights are shown before the next arrive.
    const run = new TrainingRun({ ...config, epochs: 4, epochDelayMs: 100 }, { onSnapshot: (snapshot) => snapshots.push(snapshot) }, undefined, {
      liveIntervalMs: 0,
    });
    const trained = await run.start();
    expect(snapshots.map((s) => s.epoch)).toEqual([0, 1, 2, 3, 4]);
    // Epoch 2's snapshot is that of the same model trained for 2 epochs on this thread.
    const { task } = run;
    const here = task.buildModel(run.config).model;
    await fit(here, { x: concatRows(task.train.x, task.test.x), y: concatRows(task.train.y, task.test.y) }, {
      loss: task.loss,
      optimizer: 'adam',
      optimizerOptions: { learningRate: config.learningRate },
      epochs: 2,
      batchSize: config.batchSize,
      seed: config.seed,
      validationSplit: validationSplitFor(task.test.x.shape[0]!, task.train.x.shape[0]! + task.test.x.shape[0]!),
    });
    const expected = task.snapshot(here, recurrentOf(here), 2);
    expect(Array.from(snapshots[2]!.predictions)).toEqual(Array.from(expected.predictions));
    expect(snapshots[2]!.probe).toEqual(expected.probe);
    expect(snapshots[2]!.gradientFlow).toEqual(expected.gradientFlow);
    expect(Array.from(snapshots[2]!.predictions)).not.toEqual(Array.from(snapshots[4]!.predictions));
    // The live snapshots do not change what is trained.
    expect(Array.from(predict(trained!.model, task.test.x).data).map(Math.fround)).toEqual(
      Array.from(snapshots[4]!.predictions.subarray(-task.test.x.shape[0]!)),
    );
  });

  it('should show at most one live snapshot per interval', async () => {
    const epochs: number[] = [];
    const run = new TrainingRun({ ...config, epochs: 6 }, { onSnapshot: (snapshot) => epochs.push(snapshot.epoch) }, undefined, {
      liveIntervalMs: 60_000,
    });
    await run.start();
    // The first weights to arrive are shown at once; the others wait for the interval, which outlasts the run.
    expect(epochs).toHaveLength(3);
    expect(epochs[0]).toBe(0);
    expect(epochs[1]).toBeGreaterThanOrEqual(1);
    expect(epochs[1]).toBeLessThan(6);
    expect(epochs[2]).toBe(6);
  });

  it('should ask for the weights every epoch in short runs and about 50 times in long ones', () => {
    expect([1, 20, 50, 51, 100, 101, 5000].map(liveSnapshotEvery)).toEqual([1, 1, 1, 2, 2, 3, 100]);
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
