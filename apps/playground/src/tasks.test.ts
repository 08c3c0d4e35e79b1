import { fit } from '@rnnkit/model';
import { adam } from '@rnnkit/optimizers';
import { describe, expect, it } from 'vitest';
import type { TrainingConfig } from './config.js';
import { additionTask, buildTask, sineTask } from './tasks.js';

const base: TrainingConfig = {
  task: 'sine',
  layer: 'GRU',
  units: 8,
  timeSteps: 12,
  optimizer: 'adam',
  learningRate: 0.01,
  epochs: 10,
  batchSize: 32,
  seed: 3,
  epochDelayMs: 0,
  backend: 'js',
};

describe('sineTask', () => {
  it('should cut windows of the chosen length, 80 % of them for training', () => {
    const task = sineTask(base);
    const trainCount = task.train.x.shape[0]!;
    const total = trainCount + task.test.x.shape[0]!;
    expect(task.train.x.shape.slice(1)).toEqual([12, 1]);
    expect(trainCount).toBe(Math.round(total * 0.8));
    expect(task.view.task === 'sine' && task.view.truth.length).toBe(total);
  });

  it('should probe the first test window, whose target is the value after it', () => {
    const task = sineTask(base);
    if (task.view.task !== 'sine') throw new Error('expected the sine view');
    expect(Array.from(task.view.probeInput)).toEqual(Array.from(task.test.x.data.subarray(0, 12)));
    expect(task.view.probeTarget).toBe(task.view.truth[task.view.trainCount]);
  });

  it('should give one prediction per window in a snapshot', () => {
    const task = sineTask(base);
    const { model, recurrent } = task.buildModel(base);
    const snapshot = task.snapshot(model, recurrent, 0);
    if (task.view.task !== 'sine') throw new Error('expected the sine view');
    expect(snapshot.predictions.length).toBe(task.view.truth.length);
  });

  it("should end the probe's step outputs with the model's prediction for the probed window", () => {
    const task = sineTask(base);
    if (task.view.task !== 'sine') throw new Error('expected the sine view');
    const { model, recurrent } = task.buildModel(base);
    const snapshot = task.snapshot(model, recurrent, 0);
    expect(snapshot.stepOutputs.length).toBe(12);
    expect(snapshot.stepOutputs.at(-1)).toBeCloseTo(snapshot.predictions[task.view.trainCount]!, 5);
  });

  it('should trace the gradient flow of the probed window and its target', () => {
    const task = sineTask(base);
    const { model, recurrent } = task.buildModel(base);
    const snapshot = task.snapshot(model, recurrent, 0);
    expect(Array.from(task.probeTarget.data)).toEqual([task.test.y.data[0]]);
    expect(snapshot.gradientFlow.kind).toBe('gru');
    expect(snapshot.gradientFlow.series[0]!.norms.length).toBe(12);
  });
});

describe('additionTask', () => {
  const config: TrainingConfig = { ...base, task: 'addition', timeSteps: 8, layer: 'LSTM', units: 16 };

  it('should probe a sample whose addition carries', () => {
    const task = additionTask(config);
    if (task.view.task !== 'addition') throw new Error('expected the addition view');
    const { a, b, aBits, bBits, sumBits } = task.view.probe;
    expect(a & b).not.toBe(0);
    const value = (bits: readonly number[]): number => bits.reduce((sum, bit, t) => sum + bit * 2 ** t, 0);
    expect([value(aBits), value(bBits), value(sumBits)]).toEqual([a, b, a + b]);
  });

  it("should give the model's bit probabilities for the probed sample as its step outputs", () => {
    const task = additionTask(config);
    const { model, recurrent } = task.buildModel(config);
    const { stepOutputs } = task.snapshot(model, recurrent, 0);
    const direct = model.forward(task.probeInput).y.data; // [1, bits, 1]
    expect(stepOutputs.length).toBe(8);
    stepOutputs.forEach((p, t) => expect(p).toBeCloseTo(direct[t]!, 5));
  });

  it('should learn to add: every test sum exact after training', async () => {
    const task = additionTask(config);
    const { model, recurrent } = task.buildModel(config);
    expect(task.snapshot(model, recurrent, 0).accuracy).toBeLessThan(0.5);
    await fit(model, task.train, { loss: task.loss, optimizer: adam, optimizerOptions: { learningRate: 0.02 }, epochs: 25, seed: 1 });
    expect(task.snapshot(model, recurrent, 25).accuracy).toBe(1);
  });
});

describe('buildTask', () => {
  it('should refuse a window longer than the limit', () => {
    expect(() => buildTask({ ...base, timeSteps: 500 })).toThrow(/window length must be an integer in \[2, 60\]/);
  });

  it('should refuse more bits than the limit', () => {
    expect(() => buildTask({ ...base, task: 'addition', timeSteps: 40 })).toThrow(/bits must be an integer in \[3, 16\]/);
  });

  it('should refuse kernels other than js and wasm', () => {
    expect(() => buildTask({ ...base, backend: 'gpu' as never })).toThrow(/unknown kernels "gpu"; expected js or wasm/);
  });
});
