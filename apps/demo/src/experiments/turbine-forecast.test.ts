import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { Random, Tensor, randomUniform } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { DemoError } from '../errors.js';
import type { CommonFlags, ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { createReporter } from '../reporter.js';
import { TURBINE_FORECAST_DEFAULTS, readTurbineSeries, streamAgainstPredict, turbineForecast } from './turbine-forecast.js';

async function runForecast(flags: CommonFlags = {}): Promise<{ result: ExperimentResult; files: string[] }> {
  const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-forecast-')), { overwrite: false });
  const result = await turbineForecast.run({ flags, reporter: createReporter({ json: true, quiet: true }), out });
  return { result, files: out.written };
}

const fixture = join(dirname(createRequire(import.meta.url).resolve('@rnnkit/datasets/package.json')), 'fixtures', 'la-haute-borne-sample.csv');

/** The metrics without the wall-clock time, which differs from run to run. */
const withoutTime = (metrics: Record<string, unknown>): Record<string, unknown> => {
  const { train_seconds: seconds, ...rest } = metrics;
  expect(seconds).toBeGreaterThan(0);
  return rest;
};

describe('readTurbineSeries', () => {
  it("should give the first turbine's channels on the 10-minute grid, the direction as sin and cos, without a missing value", async () => {
    const data = await readTurbineSeries(undefined);
    expect(data.turbine).toBe('R80736'); // the turbine of the first data row, as experiment 1 takes it
    expect(data.turbines).toBe(4);
    expect(data.columns).toEqual(['P_avg', 'Ws_avg', 'Wa_c_avg_sin', 'Wa_c_avg_cos', 'Ot_avg', 'Ba_avg']);
    // 24,000 rows shared by 4 turbines, 3 % of rows absent: about 6,200 instants each.
    expect(data.values.shape[0]).toBeGreaterThan(6000);
    expect(data.values.shape[0]).toBeLessThan(6300);
    expect(data.values.shape[1]).toBe(6);
    expect(Array.from(data.values.data).every(Number.isFinite)).toBe(true);
    for (let r = 0; r < 100; r++) {
      const sin = data.values.data[r * 6 + 2]!;
      const cos = data.values.data[r * 6 + 3]!;
      expect(sin * sin + cos * cos).toBeLessThanOrEqual(1 + 1e-6);
    }
  });
});

describe('streamAgainstPredict', () => {
  it('should find the stream, reset before each window, equal to predict on that window', () => {
    const random = new Random(3);
    const model = new Sequential({ layers: [new LSTM({ units: 5 }), new Dense({ units: 2 })], inputShape: [7, 3], random });
    const windows = randomUniform({ low: -1, high: 1 })([4, 7, 3], random);
    expect(streamAgainstPredict(model, windows)).toBeLessThanOrEqual(1e-6);
  });

  it('should see a difference when predict does not match the stream', () => {
    const random = new Random(3);
    const model = new Sequential({ layers: [new LSTM({ units: 5 }), new Dense({ units: 2 })], inputShape: [7, 3], random });
    const windows = randomUniform({ low: -1, high: 1 })([4, 7, 3], random);
    // A model whose batch pass is shifted by 0.5: the measure must report it.
    const forward = (x: Tensor) => {
      const y = model.forward(x).y;
      return { y: new Tensor(y.data.map((v) => v + 0.5), y.shape) };
    };
    const shifted = new Proxy(model, {
      get(target, key) {
        if (key === 'forward') return forward;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      },
    });
    expect(streamAgainstPredict(shifted, windows)).toBeCloseTo(0.5, 5);
  });
});

describe('turbine-forecast experiment', () => {
  let defaultRun: Promise<{ result: ExperimentResult; files: string[] }> | undefined;
  const runDefault = () => (defaultRun ??= runForecast());

  it('should beat persistence 10 minutes ahead on the test part with the default seed', { timeout: 180_000 }, async () => {
    const { result } = await runDefault();
    expect(result.seed).toBe(TURBINE_FORECAST_DEFAULTS.seed);
    const modelMae = result.metrics.mae as number;
    const persistenceMae = result.metrics.persistence_mae as number;
    expect(Number.isFinite(modelMae)).toBe(true);
    expect(modelMae).toBeLessThan(persistenceMae);
    expect(result.metrics.target).toBe('P_avg');
    expect(result.metrics.unit).toBe('kW');
  });

  it('should stream the test windows step by step to the same forecasts as predict (≤ 1e-6)', { timeout: 180_000 }, async () => {
    const { result } = await runDefault();
    expect(result.metrics.stream_max_abs_diff).toBeGreaterThanOrEqual(0);
    expect(result.metrics.stream_max_abs_diff as number).toBeLessThanOrEqual(1e-6);
  });

  it('should report the MAE of every horizon, the first being mae, and persistence at the same points', { timeout: 180_000 }, async () => {
    const { result } = await runDefault();
    const m = result.metrics;
    expect(m.steps).toBe(TURBINE_FORECAST_DEFAULTS.steps);
    const byStep = m.mae_by_step as number[];
    const persistenceByStep = m.persistence_mae_by_step as number[];
    expect(byStep).toHaveLength(6);
    expect(persistenceByStep).toHaveLength(6);
    expect(byStep[0]).toBe(m.mae);
    expect(persistenceByStep[0]).toBe(m.persistence_mae);
    // The further ahead, the harder: persistence's error grows with the horizon.
    for (let h = 1; h < 6; h++) expect(persistenceByStep[h]!).toBeGreaterThan(persistenceByStep[h - 1]!);
    expect(m.mase as number).toBeGreaterThan(0);
    expect(Number.isFinite(m.mase)).toBe(true);
    expect(m.epochs_trained as number).toBeLessThanOrEqual(TURBINE_FORECAST_DEFAULTS.epochs);
    expect(m.best_epoch as number).toBeLessThanOrEqual(m.epochs_trained as number);
  });

  it('should write the forecasts against the truth, the error by horizon and the loss curves as SVG files', { timeout: 180_000 }, async () => {
    const { files } = await runDefault();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['forecast.svg', 'forecast-last-step.svg', 'horizons.svg', 'loss.svg']);
    for (const file of files) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });

  it('should give the same metrics twice for the same seed', { timeout: 180_000 }, async () => {
    const first = await runForecast({ seed: 5, epochs: 2 });
    const second = await runForecast({ seed: 5, epochs: 2 });
    expect(withoutTime(second.result.metrics)).toEqual(withoutTime(first.result.metrics));
    const other = await runForecast({ seed: 6, epochs: 2 });
    expect(other.result.metrics.mae).not.toBe(first.result.metrics.mae);
  });

  it('should forecast the wind speed with --variant speed, --steps steps ahead', { timeout: 180_000 }, async () => {
    const { result } = await runForecast({ variant: 'speed', steps: 3, epochs: 1 });
    expect(result.metrics.target).toBe('Ws_avg');
    expect(result.metrics.unit).toBe('m/s');
    expect(result.metrics.steps).toBe(3);
    expect(result.metrics.mae_by_step).toHaveLength(3);
    expect(result.metrics.persistence_mae as number).toBeLessThan(5); // m/s, not kW
    expect(result.metrics.stream_max_abs_diff as number).toBeLessThanOrEqual(1e-6);
  });

  it('should read a SCADA export given with --csv and say so in the metrics', { timeout: 180_000 }, async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-forecast-csv-')), 'export.csv');
    copyFileSync(fixture, csv);
    const { result } = await runForecast({ csv, epochs: 2 });
    expect(result.metrics.data).toBe(csv);
    expect(result.metrics.turbine).toBe('R80736');
    expect(result.metrics.test_forecasts as number).toBeGreaterThan(0);
  });

  it('should refuse an unreadable --csv with a DemoError naming the file', async () => {
    const csv = join(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-forecast-bad-')), 'bad.csv');
    writeFileSync(csv, 'not;a;scada;export\n1;2;3;4\n');
    await expect(runForecast({ csv, epochs: 1 })).rejects.toThrow(DemoError);
    await expect(runForecast({ csv, epochs: 1 })).rejects.toThrow(csv);
  });

  it('should refuse --steps 0 and a series too short for the split', async () => {
    await expect(runForecast({ steps: 0 })).rejects.toThrow('turbine-forecast: --steps must be at least 1, got 0');
    const csv = join(mkdtempSync(join(tmpdir(), 'rnnkit-turbine-forecast-short-')), 'short.csv');
    writeFileSync(csv, readFileSync(fixture, 'utf8').split('\n').slice(0, 41).join('\n') + '\n');
    await expect(runForecast({ csv, epochs: 1 })).rejects.toThrow(/too few for windows of 12 and 6 steps ahead/);
  });
});
