import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DemoError } from '../errors.js';
import type { CommonFlags, ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { TURBINE_DEFAULTS, turbine } from './turbine.js';

async function runTurbine(flags: CommonFlags = {}): Promise<{ result: ExperimentResult; files: string[] }> {
  const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-')), { overwrite: false });
  const result = await turbine.run({ flags, reporter: createReporter({ json: true, quiet: true }), out });
  return { result, files: out.written };
}

const fixture = join(dirname(createRequire(import.meta.url).resolve('@rnnkit/datasets/package.json')), 'fixtures', 'la-haute-borne-sample.csv');

describe('turbine experiment', () => {
  it('should bring Adam at least 10× below SGD with the defaults (seed, lr 0.1, init ×0.1, 100 iterations)', async () => {
    const { result, files } = await runTurbine();
    expect(result.seed).toBe(TURBINE_DEFAULTS.seed);
    const sgdLoss = result.metrics.sgd_loss as number;
    const adamLoss = result.metrics.adam_loss as number;
    expect(Number.isFinite(sgdLoss) && Number.isFinite(adamLoss)).toBe(true);
    expect(adamLoss * 10).toBeLessThanOrEqual(sgdLoss);
    // Also below SGD from the unscaled initialisation.
    expect(adamLoss * 10).toBeLessThanOrEqual(result.metrics.sgd_loss_original_init as number);
    expect(result.reference).toMatchObject({ sgd_loss: 0.26, adam_loss: 0.0013 });
    expect(files.map((f) => f.split(/[\\/]/).pop()).sort()).toEqual(['loss.svg', 'predictions.svg']);
    for (const file of files) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('should read a SCADA export given with --csv and say so in the metrics', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-csv-')), 'export.csv');
    copyFileSync(fixture, csv);
    const { result } = await runTurbine({ csv, epochs: 3, variant: 'radians' });
    expect(result.metrics.data).toBe(csv);
    expect(result.metrics.variant).toBe('radians');
    expect(result.metrics.iterations).toBe(3);
  });

  it('should refuse an unreadable --csv with a DemoError naming the file', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-bad-')), 'bad.csv');
    writeFileSync(csv, 'not;a;scada;export\n1;2;3;4\n');
    await expect(runTurbine({ csv, epochs: 1 })).rejects.toThrow(DemoError);
    await expect(runTurbine({ csv, epochs: 1 })).rejects.toThrow(csv);
  });
});
