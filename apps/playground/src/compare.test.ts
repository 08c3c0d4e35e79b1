import { describe, expect, it } from 'vitest';
import { compareCells, compareGradientRows, compareLossRows } from './compare.js';
import type { TrainingConfig } from './config.js';

const config: TrainingConfig = {
  task: 'sine',
  layer: 'LSTM',
  units: 4,
  timeSteps: 5,
  optimizer: 'adam',
  learningRate: 0.02,
  epochs: 2,
  batchSize: 32,
  seed: 4,
  epochDelayMs: 500,
  backend: 'js',
};

describe('compareCells', () => {
  it('should train SimpleRNN, LSTM and GRU on the same settings, each with its losses and gradient flow', async () => {
    const heard: string[] = [];
    const results = await compareCells(config, { onEpoch: (layer, log) => heard.push(`${layer} ${log.epoch}`) });
    expect(results!.map((r) => r.layer)).toEqual(['SimpleRNN', 'LSTM', 'GRU']);
    expect(heard.sort()).toEqual(['GRU 1', 'GRU 2', 'LSTM 1', 'LSTM 2', 'SimpleRNN 1', 'SimpleRNN 2']);
    for (const result of results!) {
      expect(result.logs.map((l) => l.epoch)).toEqual([1, 2]);
      expect(result.flow.time).toBe(5);
      expect(result.flow.series.map((s) => s.state)).toEqual(result.layer === 'LSTM' ? ['h', 'c'] : ['h']);
    }
    // 4 units on 1 feature: SimpleRNN 4·(1 + 4 + 1), LSTM four times that, GRU three (+ the reset-after bias); Dense 5.
    expect(results!.map((r) => r.parameters)).toEqual([24 + 5, 96 + 5, 84 + 5]);
  });

  it('should resolve with null when stopped', async () => {
    const controller = new AbortController();
    const outcome = compareCells({ ...config, epochs: 500 }, { signal: controller.signal, onEpoch: () => controller.abort() });
    await expect(outcome).resolves.toBeNull();
  });

  it('should refuse bad settings before training, naming them', async () => {
    await expect(compareCells({ ...config, units: 0 })).rejects.toThrow('playground: units must be an integer in [1, 128], got 0');
  });
});

describe('compare rows', () => {
  it('should give each cell a training and a test row per epoch, and label the gradient series with the cell', () => {
    expect(compareLossRows('GRU', [{ epoch: 3, loss: 0.5, testLoss: 0.7 }])).toEqual([
      { epoch: 3, loss: 0.5, cell: 'GRU', set: 'training' },
      { epoch: 3, loss: 0.7, cell: 'GRU', set: 'test' },
    ]);
    const flow = { kind: 'gru', time: 2, loss: 1, series: [{ state: 'h' as const, norms: Float64Array.of(1, 2) }] };
    expect(compareGradientRows([{ layer: 'GRU', parameters: 1, logs: [], flow }]).map((r) => r.series)).toEqual(['GRU ‖∂L/∂h_t‖', 'GRU ‖∂L/∂h_t‖']);
  });
});
