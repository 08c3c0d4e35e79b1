import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { LSTM_SCRATCH_DEFAULTS, lstmScratch, lstmScratchModel } from './lstm-scratch.js';

describe('lstm-scratch experiment', () => {
  it("should print the original's summary: lstm 4,352, dense 33, total 4,385 parameters", () => {
    const summary = lstmScratchModel(new Random(0)).summary();
    expect(summary).toMatch(/lstm \(LSTM\)\s+\(None, 32\)\s+4,352/);
    expect(summary).toMatch(/dense \(Dense\)\s+\(None, 1\)\s+33/);
    expect(summary).toContain('Total params: 4,385');
  });

  it('should make each gate block of the recurrent kernel orthogonal (UᵀU = I per gate)', () => {
    const [, recurrent] = lstmScratchModel(new Random(5)).getWeights();
    const units = LSTM_SCRATCH_DEFAULTS.units;
    const width = 4 * units;
    const data = recurrent!.data;
    for (let gate = 0; gate < 4; gate++) {
      for (const [a, b] of [[0, 0], [0, 1], [7, 7], [7, 31], [31, 31]] as const) {
        let dot = 0;
        for (let r = 0; r < units; r++) dot += data[r * width + gate * units + a]! * data[r * width + gate * units + b]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
  });

  it('should reach a final summed loss ≤ 0.14 after 200 epochs with the defaults (original: 0.139785)', async () => {
    const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-lstm-scratch-')), { overwrite: false });
    const result = await lstmScratch.run({ flags: {}, reporter: createReporter({ json: true, quiet: true }), out });
    expect(result.seed).toBe(LSTM_SCRATCH_DEFAULTS.seed);
    expect(result.metrics.final_loss as number).toBeLessThanOrEqual(0.14);
    expect(result.metrics.params_total).toBe(4385);
    const byEpoch = result.metrics.loss_by_epoch as Record<string, number>;
    expect(Object.keys(byEpoch)).toEqual(Array.from({ length: 20 }, (_, i) => String(10 * (i + 1))));
    expect(byEpoch['200']).toBe(result.metrics.final_loss);
    // Learning happened: the summed loss fell by more than 10× from epoch 10 to 200.
    expect(byEpoch['200']! * 10).toBeLessThan(byEpoch['10']!);
    expect(out.written).toHaveLength(2);
    for (const file of out.written) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });
});
