import type { Sequential } from '@rnnkit/layers';
import type { Tensor } from '@rnnkit/tensor';
import { describe, expectTypeOf, it } from 'vitest';
import type { ModelSnapshot } from './protocol.js';
import { type TrainingJob, type WorkerTrainingResult, trainInWorker } from './train.js';

declare const model: Sequential;
declare const x: Tensor;
declare const y: Tensor;

describe('trainInWorker types', () => {
  it('should return a job whose result holds the loaded model', () => {
    const job = trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam' });
    expectTypeOf(job).toEqualTypeOf<TrainingJob>();
    expectTypeOf(job.result).toEqualTypeOf<Promise<WorkerTrainingResult>>();
    expectTypeOf(job.pause()).toEqualTypeOf<Promise<void>>();
    expectTypeOf<WorkerTrainingResult['model']>().toEqualTypeOf<Sequential>();
  });

  it('should take only what can be sent to a worker', () => {
    // @ts-expect-error a loss function cannot cross to the worker: only its name
    trainInWorker(model, { x, y }, { loss: () => 0, optimizer: 'adam' });
    // @ts-expect-error fit's callbacks are not options here (onProgress and onEpochEnd are)
    trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam', callbacks: {} });
    // @ts-expect-error metric functions cannot cross either
    trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam', metrics: { mine: () => 0 } });
  });

  it('should hand snapshots to onEpochEnd and turn them into models', () => {
    const job = trainInWorker(model, { x, y }, {
      loss: 'mse',
      optimizer: 'adam',
      snapshots: { every: 5 },
      onEpochEnd: (_logs, snapshot) => expectTypeOf(snapshot).toEqualTypeOf<ModelSnapshot | undefined>(),
    });
    expectTypeOf(job.modelAt).parameter(0).toEqualTypeOf<ModelSnapshot>();
    expectTypeOf(job.modelAt).returns.toEqualTypeOf<Sequential>();
    trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam', snapshots: 'epoch' });
    // @ts-expect-error snapshots are per epoch: 'epoch' or { every: n }
    trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam', snapshots: 'batch' });
    // @ts-expect-error unknown snapshot options do not compile
    trainInWorker(model, { x, y }, { loss: 'mse', optimizer: 'adam', snapshots: { every: 2, often: true } });
  });
});
