import { RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { EpochLog, Report, Snapshot, TrainingConfig } from './protocol.js';
import { TrainingSession } from './session.js';

const small: TrainingConfig = {
  task: 'sine',
  layer: 'LSTM',
  units: 6,
  timeSteps: 10,
  optimizer: 'adam',
  learningRate: 0.01,
  epochs: 4,
  batchSize: 32,
  seed: 1,
  epochDelayMs: 0,
  backend: 'js',
};

/** Every report, and a session that reports every epoch and every batch. */
function record(config: TrainingConfig, onReport?: (report: Report, session: TrainingSession) => void) {
  const reports: Report[] = [];
  const session: TrainingSession = new TrainingSession(
    7,
    config,
    (report) => {
      reports.push(report);
      onReport?.(report, session);
    },
    { progressMs: 0, snapshotMs: 0 },
  );
  const logs = (): EpochLog[] => reports.flatMap((r) => (r.type === 'epochs' ? r.logs : []));
  const snapshots = (): Snapshot[] => reports.flatMap((r) => (r.type === 'epochs' ? [r.snapshot] : []));
  const statuses = (): string[] => reports.flatMap((r) => (r.type === 'status' ? [r.status] : []));
  return { session, reports, logs, snapshots, statuses };
}

describe('TrainingSession', () => {
  it('should report the setup and the untrained model first', async () => {
    const { session, reports } = record(small);
    await session.start();
    expect(reports[0]!.type).toBe('setup');
    expect(reports[1]).toMatchObject({ type: 'epochs', logs: [], snapshot: { epoch: 0 } });
  });

  it('should report every epoch once, in order, then finish', async () => {
    const { session, reports, logs, statuses } = record(small);
    await session.start();
    expect(logs().map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    expect(statuses()).toEqual(['running', 'done']);
    expect(reports.every((r) => r.id === 7)).toBe(true);
  });

  it('should lower the training loss of the sine task with every optimizer', async () => {
    for (const [optimizer, learningRate] of [['adam', 0.01], ['rmsprop', 0.005], ['sgd', 0.1], ['lion', 0.003]] as const) {
      const { session, logs } = record({ ...small, optimizer, learningRate, epochs: 8 });
      await session.start();
      const losses = logs().map((l) => l.loss);
      expect(losses.at(-1), optimizer).toBeLessThan(losses[0]! / 2);
    }
  });

  it('should stop between batches on pause, and carry on from there on resume', async () => {
    let paused = false;
    const { session, logs, statuses } = record({ ...small, batchSize: 8 }, (report, s) => {
      if (report.type === 'progress' && report.epoch === 2 && report.batch === 3 && !paused) {
        paused = true;
        s.pause();
      }
    });
    await session.start();
    expect(session.state).toBe('paused');
    expect(session.epoch).toBe(1);
    expect(logs().map((l) => l.epoch)).toEqual([1]);
    await session.resume();
    expect(logs().map((l) => l.epoch)).toEqual([1, 2, 3, 4]);
    expect(statuses()).toEqual(['running', 'paused', 'running', 'done']);
  });

  it('should report nothing more after stop', async () => {
    let stoppedAt = -1;
    const { session, reports } = record({ ...small, batchSize: 8 }, (report, s) => {
      if (report.type === 'progress' && report.batch === 2 && stoppedAt < 0) {
        stoppedAt = reports.length;
        s.stop();
      }
    });
    await session.start();
    expect(stoppedAt).toBeGreaterThan(0);
    expect(reports.slice(stoppedAt)).toEqual([]);
    expect(session.epoch).toBe(0);
  });

  it('should report every epoch on its own when paced', async () => {
    const reports: Report[] = [];
    const session = new TrainingSession(1, { ...small, epochs: 3, epochDelayMs: 1 }, (r) => reports.push(r), {
      progressMs: Infinity,
      snapshotMs: Infinity,
    });
    await session.start();
    const epochs = reports.flatMap((r) => (r.type === 'epochs' ? [r.logs.map((l) => l.epoch)] : []));
    expect(epochs).toEqual([[], [1], [2], [3]]);
  });

  it('should send a probe of the recurrent layer with every snapshot', async () => {
    for (const layer of ['LSTM', 'GRU', 'SimpleRNN'] as const) {
      const { session, snapshots } = record({ ...small, layer, epochs: 1 });
      await session.start();
      for (const { probe } of snapshots()) {
        expect(probe.kind).toBe(layer);
        expect(probe.time).toBe(small.timeSteps);
        expect(probe.traces.at(-1)!.values.length).toBe(small.timeSteps * small.units);
      }
    }
  });

  it('should report a failed run with the reason when training diverges', async () => {
    const { session, reports, statuses } = record({ ...small, optimizer: 'sgd', learningRate: 1e30 });
    await session.start();
    expect(statuses().at(-1)).toBe('failed');
    const error = reports.find((r) => r.type === 'error');
    expect(error && error.type === 'error' && error.message).toMatch(/^fit: /);
  });

  it('should refuse a configuration outside the limits', () => {
    expect(() => new TrainingSession(1, { ...small, units: 0 }, () => {})).toThrow(RnnkitError);
    expect(() => new TrainingSession(1, { ...small, learningRate: -1 }, () => {})).toThrow(/learning rate/);
  });
});
