import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { demo } from '../cli.test-util.js';

describe('rnnkit-demo turbine-forecast', () => {
  it('should list turbine-forecast and --steps in --help', { timeout: 60_000 }, async () => {
    const { code, stdout } = await demo('--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}turbine-forecast +wind-turbine power forecast/m);
    expect(stdout).toMatch(/^ {2}--steps N +turbine-forecast: /m);
  });

  it('should print the forecast metrics as one JSON object, --steps steps ahead', { timeout: 180_000 }, async () => {
    const out = mkdtempSync(join(tmpdir(), 'rnnkit-turbine-forecast-cli-'));
    const { code, stdout, stderr } = await demo('turbine-forecast', '--json', '--quiet', '--epochs', '2', '--steps', '3', '--out', out);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const payload = JSON.parse(stdout) as { experiment: string; seed: number; metrics: Record<string, unknown>; files: string[] };
    expect(payload.experiment).toBe('turbine-forecast');
    expect(payload.seed).toBe(0);
    const m = payload.metrics;
    for (const key of ['mae', 'persistence_mae', 'mase', 'stream_max_abs_diff']) expect(typeof m[key]).toBe('number');
    expect(m.steps).toBe(3);
    expect(m.mae_by_step).toHaveLength(3);
    expect((m.mae_by_step as number[])[0]).toBe(m.mae);
    expect(m.stream_max_abs_diff as number).toBeLessThanOrEqual(1e-6);
    expect(payload.files).toHaveLength(4);
  });

  it('should refuse a --steps that is not a whole number, and --steps for an experiment without a horizon', { timeout: 60_000 }, async () => {
    const bad = await demo('turbine-forecast', '--steps', 'six');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--steps expects a non-negative integer, got "six"');
    const elsewhere = await demo('turbine', '--steps', '3');
    expect(elsewhere.code).toBe(2);
    expect(elsewhere.stderr).toContain('turbine does not take --steps');
  });
});
