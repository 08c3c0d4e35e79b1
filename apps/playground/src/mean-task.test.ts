import { Masking } from '@rnnkit/layers';
import { fit, predict } from '@rnnkit/model';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { TrainingConfig } from './config.js';
import { gradientFlow } from './gradient-flow.js';
import { meanTask, variableLengthMeans } from './mean-task.js';
import { buildTask } from './tasks.js';

const config: TrainingConfig = {
  task: 'mean',
  layer: 'LSTM',
  units: 8,
  timeSteps: 10,
  optimizer: 'adam',
  learningRate: 0.01,
  epochs: 10,
  batchSize: 32,
  seed: 6,
  epochDelayMs: 0,
  backend: 'js',
};

describe('variableLengthMeans', () => {
  it('should give each sequence its length of non-zero values, zeros after, and their mean as the target', () => {
    const { inputs, targets, lengths } = variableLengthMeans(200, 9, 3);
    expect(inputs.shape).toEqual([200, 9, 1]);
    expect(new Set(lengths)).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9]));
    lengths.forEach((length, i) => {
      const row = Array.from(inputs.data.subarray(i * 9, (i + 1) * 9));
      expect(row.slice(0, length).every((v) => Math.abs(v) >= 0.05 && Math.abs(v) < 1)).toBe(true);
      expect(row.slice(length).every((v) => v === 0)).toBe(true);
      expect(targets.data[i]).toBeCloseTo(row.slice(0, length).reduce((a, b) => a + b, 0) / length, 6);
    });
  });

  it('should be the same for the same seed', () => {
    expect(Array.from(variableLengthMeans(5, 6, 1).inputs.data)).toEqual(Array.from(variableLengthMeans(5, 6, 1).inputs.data));
    expect(Array.from(variableLengthMeans(5, 6, 1).inputs.data)).not.toEqual(Array.from(variableLengthMeans(5, 6, 2).inputs.data));
  });
});

describe('meanTask', () => {
  it('should mask the padding: a sequence predicts the same padded or not', () => {
    const task = meanTask(config);
    const { model } = task.buildModel(config);
    expect(model.layers[0]).toBeInstanceOf(Masking);
    const probe = task.probeInput; // the first test sequence without its padding
    const length = probe.shape[1]!;
    const padded = new Tensor(Float32Array.from({ length: 10 }, (_, t) => (t < length ? probe.data[t]! : 0)), [1, 10, 1]);
    expect(predict(model, padded).data[0]).toBeCloseTo(predict(model, probe).data[0]!, 6);
  });

  it('should trace the gradient flow through the masked model itself: the padded sequence gives the same at its real steps', () => {
    const task = buildTask(config);
    const { model, recurrent } = task.buildModel(config);
    const snapshot = task.snapshot(model, recurrent, 0);
    const length = task.probeInput.shape[1]!;
    expect(snapshot.gradientFlow.time).toBe(length);
    expect(snapshot.gradientFlow.series.map((s) => s.state)).toEqual(['h', 'c']);
    expect(snapshot.predictions.length).toBe(128);
    expect(snapshot.probe.time).toBe(length);
    // The padding after the last real step is masked: the state and its gradient pass through it.
    const padded = new Tensor(Float32Array.from({ length: 10 }, (_, t) => (t < length ? task.probeInput.data[t]! : 0)), [1, 10, 1]);
    const flow = gradientFlow(model, padded, task.probeTarget, 'mse');
    expect(flow.loss).toBeCloseTo(snapshot.gradientFlow.loss, 6);
    snapshot.gradientFlow.series.forEach(({ norms }, s) => {
      for (let t = 0; t < length; t++) expect(flow.series[s]!.norms[t]).toBeCloseTo(norms[t]!, 6);
    });
  });

  it('should learn: the test loss falls well below that of predicting 0', async () => {
    const task = meanTask(config);
    const { model } = task.buildModel(config);
    await fit(model, task.train, { loss: 'mse', optimizer: 'adam', optimizerOptions: { learningRate: 0.01 }, epochs: 10, batchSize: 32, seed: 1 });
    const y = Array.from(task.test.y.data);
    const prediction = predict(model, task.test.x).data;
    const mse = y.reduce((sum, v, k) => sum + (v - prediction[k]!) ** 2, 0) / y.length;
    const baseline = y.reduce((sum, v) => sum + v * v, 0) / y.length;
    expect(mse).toBeLessThan(baseline / 3);
  });
});
