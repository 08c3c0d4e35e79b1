import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Random } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { lstmScratch, lstmScratchModel } from './lstm-scratch.js';

describe('lstm-scratch experiment, peephole variant (a user-written cell)', () => {
  it('should add the peephole weights [3, 32] to the original model: 4,352 + 96 + 33 parameters', () => {
    const model = lstmScratchModel(new Random(0), 32, 'peephole');
    expect(model.params().map((p) => `${p.name} [${p.value.shape.join(', ')}]`)).toEqual([
      'peephole_lstm/kernel [1, 128]',
      'peephole_lstm/recurrentKernel [32, 128]',
      'peephole_lstm/bias [128]',
      'peephole_lstm/peephole [3, 32]',
      'dense/kernel [32, 1]',
      'dense/bias [1]',
    ]);
    expect(model.summary()).toContain('Total params: 4,481');
  });

  it('should train the peephole cell from the demo: the summed loss falls tenfold in 30 epochs (seed 0)', async () => {
    const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-lstm-scratch-peephole-')), { overwrite: false });
    const result = await lstmScratch.run({
      flags: { variant: 'peephole', epochs: 30, lr: 1e-3 },
      reporter: createReporter({ json: true, quiet: true }),
      out,
    });
    expect(result.metrics.variant).toBe('peephole');
    expect(result.metrics.params_total).toBe(4481);
    const curve = result.lossCurve!;
    expect(curve).toHaveLength(30);
    expect(curve.every(Number.isFinite)).toBe(true);
    expect(curve.at(-1)!).toBeLessThan(curve[0]! / 10);
  });
});
