import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CommonFlags, ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { LSTM_TOY_DEFAULTS, lstmToy, lstmToySetup } from './lstm-toy.js';

async function runToy(flags: CommonFlags = {}): Promise<{ result: ExperimentResult; files: string[] }> {
  const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-lstm-toy-')), { overwrite: false });
  const result = await lstmToy.run({ flags, reporter: createReporter({ json: true, quiet: true }), out });
  return { result, files: out.written };
}

/** The default run, shared by the tests that need it (it trains once). */
let defaultRun: Promise<{ result: ExperimentResult; files: string[] }> | undefined;
const runDefault = () => (defaultRun ??= runToy());

const { units, inputs } = LSTM_TOY_DEFAULTS;
const width = 4 * units;

/** Column block `gate` (0 … 3) of a `[rows, 4·units]` matrix, row by row. */
function block(data: ArrayLike<number>, rows: number, gate: number): number[] {
  const out: number[] = [];
  for (let r = 0; r < rows; r++) for (let k = 0; k < units; k++) out.push(data[r * width + gate * units + k]!);
  return out;
}

describe('lstm-toy experiment', () => {
  it('should start the four gates equal with the original re-seeding, and the biases from the same first draws', () => {
    const [kernel, recurrent, bias] = lstmToySetup(3, 'original').weights;
    for (const gate of [1, 2, 3]) {
      expect(block(kernel.data, inputs, gate)).toEqual(block(kernel.data, inputs, 0));
      expect(block(recurrent.data, units, gate)).toEqual(block(recurrent.data, units, 0));
      expect(block(bias.data, 1, gate)).toEqual(block(bias.data, 1, 0));
    }
    // Re-seeded, the bias repeats W's first row: b[k] = W[0, k], and W[0, j] = kernel[j, unit 0].
    for (let j = 0; j < inputs; j++) expect(bias.data[j]).toBe(kernel.data[j * width]);
  });

  it('should draw the four gates independently in the independent variant', () => {
    const [kernel, , bias] = lstmToySetup(3, 'independent').weights;
    expect(block(kernel.data, inputs, 1)).not.toEqual(block(kernel.data, inputs, 0));
    expect(block(bias.data, 1, 1)).not.toEqual(block(bias.data, 1, 0));
  });

  it('should reach a summed loss of at most 0.069 after 100 iterations with the original equal gates', async () => {
    const { result, files } = await runDefault();
    expect(result.seed).toBe(LSTM_TOY_DEFAULTS.seed);
    expect(result.metrics.variant).toBe('original');
    expect(result.metrics.final_loss as number).toBeLessThanOrEqual(0.069);
    expect(result.reference).toMatchObject({ final_loss: 0.069 });
    expect(files).toHaveLength(2);
    for (const file of files) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('should reach a loss at least 1,000× lower with independent gates (same seed)', async () => {
    const original = (await runDefault()).result.metrics.final_loss as number;
    const { metrics } = (await runToy({ variant: 'independent' })).result;
    expect((metrics.final_loss as number) * 1000).toBeLessThan(original);
    const predictions = metrics.predictions as number[];
    predictions.forEach((p, t) => expect(Math.abs(p - LSTM_TOY_DEFAULTS.targets[t]!)).toBeLessThan(0.01));
  });
});
