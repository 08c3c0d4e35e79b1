import { describe, expect, it } from 'vitest';
import type { TrainingConfig } from './config.js';
import { csvHeader, csvTask, pickColumns, readCsvSeries } from './csv-task.js';
import { buildTask } from './tasks.js';

/** A CSV of `rows` hourly rows: temp follows a sine, wind a cosine, and a text column. */
function csvText(rows: number, delimiter = ','): string {
  const lines = [['time', 'temp', 'wind', 'site'].join(delimiter)];
  for (let k = 0; k < rows; k++) {
    const time = new Date(Date.UTC(2024, 0, 1, k)).toISOString();
    lines.push([time, (10 + 5 * Math.sin(k / 3)).toFixed(3), Math.cos(k / 5).toFixed(3), 'north'].join(delimiter));
  }
  return `${lines.join('\n')}\n`;
}

const config: TrainingConfig = {
  task: 'csv',
  layer: 'GRU',
  units: 4,
  timeSteps: 6,
  optimizer: 'adam',
  learningRate: 0.01,
  epochs: 2,
  batchSize: 16,
  seed: 1,
  epochDelayMs: 0,
  backend: 'js',
};

describe('csvHeader', () => {
  it('should read the column names with the separator parseTimeSeries detects, quotes and a BOM removed', () => {
    expect(csvHeader('time,temp,wind\n1,2,3')).toEqual(['time', 'temp', 'wind']);
    expect(csvHeader('\uFEFFtime;"temp; °C";wind\r\n')).toEqual(['time', 'temp; °C', 'wind']);
    expect(csvHeader('\n\ntime\tx\n')).toEqual(['time', 'x']);
  });

  it('should refuse empty, binary and one-column files and bad headers in one line', () => {
    expect(() => csvHeader('')).toThrow('playground CSV: the file is empty; expected a header line of column names, then rows');
    expect(() => csvHeader('PK\u0003\u0004\u0000\u0000')).toThrow('playground CSV: the file is not text (it holds NUL bytes); expected a CSV file');
    expect(() => csvHeader('just one\n1\n')).toThrow('playground CSV: the header "just one" has 1 column; expected a time column and at least one value column');
    expect(() => csvHeader('time,a,a\n')).toThrow('playground CSV: the header names column "a" twice');
    expect(() => csvHeader('time,,a\n')).toThrow('playground CSV: column 2 of the header has no name');
    for (const bad of ['', 'time,a,a', 'x']) {
      try {
        csvHeader(bad);
      } catch (error) {
        expect((error as Error).message).not.toContain('\n');
      }
    }
  });
});

describe('pickColumns', () => {
  const header = ['time', 'temp', 'wind', 'site'];

  it('should put the target first, then the features, once each', () => {
    expect(pickColumns(header, { time: 'time', target: 'wind', features: ['temp'] })).toEqual(['wind', 'temp']);
    expect(pickColumns(header, { time: 'time', target: 'temp', features: ['temp', 'wind'] })).toEqual(['temp', 'wind']);
    expect(pickColumns(header, { time: 'time', target: 'temp', features: [] })).toEqual(['temp']);
  });

  it('should name a missing column with the columns there are, and refuse the time column as a value', () => {
    expect(() => pickColumns(header, { time: 'time', target: 'rain', features: [] })).toThrow(
      'playground CSV: no column "rain" for the target; the columns are "time", "temp", "wind", "site"',
    );
    expect(() => pickColumns(header, { time: 'time', target: 'time', features: [] })).toThrow('the target "time" is the time column');
    expect(() => pickColumns(header, { time: 'time', target: 'temp', features: ['time'] })).toThrow('the time column "time" cannot be a feature');
  });
});

describe('readCsvSeries', () => {
  it('should read the picked columns in time order, dropping rows with a missing value', async () => {
    const text = 'time,a,b\n2024-01-01 02:00,3,30\n2024-01-01 00:00,1,10\n2024-01-01 01:00,,20\n2024-01-01 03:00,4,40\n';
    const series = await readCsvSeries(text, { time: 'time', target: 'b', features: ['a'] }, 'x.csv');
    expect(series.columns).toEqual(['b', 'a']);
    expect(series.rows).toBe(3);
    expect(Array.from(series.values)).toEqual([10, 1, 30, 3, 40, 4]);
  });

  it('should reject a cell that is not a number with parseTimeSeries’ one-line message', async () => {
    const text = 'time,a\n2024-01-01 00:00,1\n2024-01-01 01:00,<b>oops</b>\n';
    await expect(readCsvSeries(text, { time: 'time', target: 'a', features: [] }, 'x.csv')).rejects.toThrow(/^parseTimeSeries: line 3, column "a": expected a number, got "<b>oops<\/b>"$/);
  });
});

describe('csvTask', () => {
  it('should cut windows of every picked column, predict the target, and split 80/20 in time order', async () => {
    const csv = await readCsvSeries(csvText(60, ';'), { time: 'time', target: 'temp', features: ['wind'] }, 'weather.csv');
    const task = buildTask({ ...config, csv });
    expect(task.train.x.shape).toEqual([43, 6, 2]);
    expect(task.test.x.shape).toEqual([11, 6, 2]);
    expect(task.train.y.shape).toEqual([43, 1]);
    if (task.view.task !== 'csv') throw new Error('expected the csv view');
    expect(task.view.target).toBe('temp');
    // The target of window k is the scaled temp of row k + 6, which is also step 0 of window k + 6's input.
    expect(task.train.y.data[0]).toBeCloseTo(task.train.x.data[6 * 6 * 2]!, 6);
    // Scaled on the training rows only: they span exactly [−1, 1].
    const trainTemps = Array.from(task.train.x.data).filter((_, k) => k % 2 === 0);
    expect(Math.min(...trainTemps)).toBeCloseTo(-1, 5);
    expect(Math.max(...trainTemps)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('should need a file, and enough rows for the window', async () => {
    expect(() => csvTask(config)).toThrow('playground CSV: choose a CSV file and its columns first');
    const csv = await readCsvSeries(csvText(12), { time: 'time', target: 'temp', features: [] }, 'short.csv');
    expect(() => buildTask({ ...config, csv })).toThrow('playground CSV: the file has 12 complete rows; windows of 6 need at least 16');
  });

  it('should give a snapshot with finite predictions for every window', async () => {
    const csv = await readCsvSeries(csvText(40), { time: 'time', target: 'wind', features: ['temp'] }, 'w.csv');
    const task = csvTask({ ...config, csv });
    const { model, recurrent } = task.buildModel({ ...config, csv });
    const snapshot = task.snapshot(model, recurrent, 0);
    expect(snapshot.predictions.length).toBe(34);
    expect(snapshot.predictions.every(Number.isFinite)).toBe(true);
    expect(snapshot.gradientFlow.series[0]!.norms.length).toBe(6);
  });
});
