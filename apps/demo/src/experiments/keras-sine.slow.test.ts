import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dense, LSTM } from '@rnnkit/layers';
import { Random, slice } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { KERAS_SINE_DEFAULTS, kerasSine, kerasSineData, kerasSineModel, projectEveryStep } from './keras-sine.js';

/**
 * TF.js 4.22 (CPU backend) training the identical model on the identical data: the median
 * test MSE of 5 runs of `apps/demo/scripts/keras-sine-tfjs.ts --runs 5` (TF.js seeds neither
 * weights nor shuffling), recorded with every run in apps/demo/README.md, "keras-sine".
 * rnnkit's default run must do no worse.
 */
const TFJS_TEST_MSE = 2.5243e-2;

describe('keras-sine data', () => {
  it('should split the 4,001-point series 90/10 before cutting windows of 5', () => {
    const { series, train, test, testStart } = kerasSineData();
    expect(series.shape).toEqual([4001]);
    // round(0.9 · 4001) = 3601 training points → 3596 windows; 400 test points → 395.
    expect(train.inputs.shape).toEqual([3596, 5, 1]);
    expect(test.inputs.shape).toEqual([395, 5, 1]);
    expect(testStart).toBe(3606);
    expect(Array.from(test.inputs.data.subarray(0, 5))).toEqual(Array.from(series.data.subarray(3601, 3606)));
    expect(test.targets.data[0]).toBe(series.data[3606]);
  });
});

describe('projectEveryStep', () => {
  it("should give, at step t, the model's prediction for the window cut after t steps", () => {
    const model = kerasSineModel(new Random(4), 6);
    const { test } = kerasSineData();
    const inputs = slice(test.inputs, 0, 20);
    const projections = projectEveryStep(model, inputs); // [20, 5, 1]
    const [lstm, dense] = model.layers as [LSTM, Dense];
    for (let t = 1; t <= KERAS_SINE_DEFAULTS.window; t++) {
      const truncated = slice(inputs, [0, 0], [-1, t]);
      const expected = dense.forward(lstm.forward(truncated).y).y.data;
      for (let i = 0; i < 20; i++) expect(projections.data[i * 5 + t - 1]).toBeCloseTo(expected[i]!, 6);
    }
  });

  it("should equal the model's own prediction at the last step", () => {
    const model = kerasSineModel(new Random(5), 6);
    const inputs = slice(kerasSineData().test.inputs, 0, 10);
    const projections = projectEveryStep(model, inputs);
    const predictions = model.forward(inputs).y.data;
    for (let i = 0; i < 10; i++) expect(projections.data[i * 5 + 4]).toBeCloseTo(predictions[i]!, 6);
  });
});

describe('keras-sine experiment', () => {
  let run: Promise<{ result: ExperimentResult; files: string[] }> | undefined;
  const runDefault = () =>
    (run ??= (async () => {
      const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-keras-sine-')), { overwrite: false });
      const result = await kerasSine.run({ flags: {}, reporter: createReporter({ json: true, quiet: true }), out });
      return { result, files: out.written };
    })());

  it('should reach a test MSE no worse than TF.js training the same model on the same data', { timeout: 300_000 }, async () => {
    const { result } = await runDefault();
    expect(result.seed).toBe(KERAS_SINE_DEFAULTS.seed);
    expect(result.metrics.test_mse as number).toBeLessThanOrEqual(TFJS_TEST_MSE);
    expect(result.metrics.train_seconds as number).toBeGreaterThan(0);
  });

  it('should write predictions, per-step projections and the loss curve as SVG files', { timeout: 300_000 }, async () => {
    const { files } = await runDefault();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['predictions.svg', 'projections.svg', 'loss.svg']);
    for (const file of files) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('should show the projections of h_t approaching the truth as t grows', { timeout: 300_000 }, async () => {
    const { result } = await runDefault();
    const mse = result.metrics.projection_mse as number[];
    expect(mse).toHaveLength(5);
    expect(mse[4]).toBeCloseTo(result.metrics.test_mse as number, 6);
    expect(mse[4]!).toBeLessThan(mse[0]! / 5);
  });
});
