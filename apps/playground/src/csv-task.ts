// "Your own CSV": a time-series CSV file read with @rnnkit/datasets' parseTimeSeries, its
// columns picked by name (a time column, the target, the features), scaled to [−1, 1] on the
// training part, cut into windows (slidingWindows) and split 80/20 in time order
// (trainTestSplit); the network predicts the target's next value from each window of every
// picked column. Free of DOM and worker globals.
import { fitMinMaxScaler, parseTimeSeries, slidingWindows, trainTestSplit } from '@rnnkit/datasets';
import { Dense } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { RnnkitError, Tensor } from '@rnnkit/tensor';
import type { CsvSeries, TaskView, TrainingConfig } from './config.js';
import { type Task, makeTask, rows, toFloat64 } from './task-common.js';

const API = 'playground CSV';

/** The columns the user picked, by name. */
export interface CsvChoice {
  readonly time: string;
  readonly target: string;
  /** Further input columns (the target's own history is always an input). */
  readonly features: readonly string[];
}

/** Most rows read from a file, so that a wrong file cannot fill the page's memory. */
export const CSV_MAX_ROWS = 100_000;
/** Windows a file must give at least, so that both the training and the test part have some. */
const MIN_WINDOWS = 10;

/** Text from a file, cut and made printable for a one-line message. */
function quote(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return JSON.stringify(clean.length > 40 ? `${clean.slice(0, 40)}…` : clean);
}

/** The separator parseTimeSeries would detect: the most frequent of `,` `;` tab `|` outside quotes. */
function detectDelimiter(line: string): string {
  const counts = new Map<string, number>();
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && (ch === ',' || ch === ';' || ch === '\t' || ch === '|')) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  }
  let best = ',';
  let most = 0;
  for (const [ch, count] of counts) {
    if (count > most) [best, most] = [ch, count];
  }
  return best;
}

/**
 * The column names of a CSV text (its first line), so the page can offer them before the
 * file is read in full. Throws a one-line error for an empty or binary file, or a header
 * with fewer than two columns or a repeated or empty name.
 */
export function csvHeader(text: string): string[] {
  if (text.includes('\u0000')) throw new RnnkitError(API, 'the file is not text (it holds NUL bytes); expected a CSV file');
  const line = text.replace(/^\uFEFF/, '').split(/\r?\n/).find((l) => l.trim() !== '');
  if (line === undefined) throw new RnnkitError(API, 'the file is empty; expected a header line of column names, then rows');
  const delimiter = detectDelimiter(line);
  const names: string[] = [];
  let field = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === delimiter && !quoted) {
      names.push(field.trim());
      field = '';
    } else field += ch;
  }
  names.push(field.trim());
  if (names.length < 2) throw new RnnkitError(API, `the header ${quote(line)} has ${names.length} column; expected a time column and at least one value column`);
  const empty = names.indexOf('');
  if (empty >= 0) throw new RnnkitError(API, `column ${empty + 1} of the header has no name`);
  const repeated = names.find((name, k) => names.indexOf(name) !== k);
  if (repeated !== undefined) throw new RnnkitError(API, `the header names column ${quote(repeated)} twice`);
  return names;
}

/**
 * Checks a choice of columns against the header: every name must be a column, the time
 * column cannot be the target or a feature, and no column may be picked twice. Returns the
 * value columns in the order of the series: the target first, then the features.
 */
export function pickColumns(header: readonly string[], choice: CsvChoice): string[] {
  const known = (name: string, what: string): void => {
    if (!header.includes(name)) throw new RnnkitError(API, `no column ${quote(name)} for the ${what}; the columns are ${header.map(quote).join(', ')}`);
  };
  known(choice.time, 'time');
  known(choice.target, 'target');
  for (const feature of choice.features) known(feature, 'features');
  if (choice.target === choice.time) throw new RnnkitError(API, `the target ${quote(choice.target)} is the time column; pick a column of values`);
  if (choice.features.includes(choice.time)) throw new RnnkitError(API, `the time column ${quote(choice.time)} cannot be a feature`);
  const columns = [choice.target, ...choice.features.filter((f) => f !== choice.target)];
  if (new Set(columns).size !== columns.length) throw new RnnkitError(API, 'a feature is picked twice');
  return columns;
}

/**
 * Reads the picked columns of a CSV text with parseTimeSeries (rows sorted by time, rows with a
 * missing value dropped) into the series a `csv` task trains on. Rejects with parseTimeSeries'
 * own one-line error for a bad file (a cell that is not a number, a bad timestamp, …).
 */
export async function readCsvSeries(text: string, choice: CsvChoice, name: string): Promise<CsvSeries> {
  const columns = pickColumns(csvHeader(text), choice);
  const { series } = await parseTimeSeries(text, { time: choice.time, columns, fill: 'drop', maxRows: CSV_MAX_ROWS });
  const only = series[0];
  if (only === undefined || only.values.shape[0] === 0) throw new RnnkitError(API, 'the file has no rows with a value in every picked column');
  return { name, columns: only.columns, values: Float32Array.from(only.values.data), rows: only.values.shape[0]! };
}

/**
 * Predict the target's next value from the last `timeSteps` rows of every picked column. The
 * scaler is fitted on the rows of the training windows only, so the test part stays unseen.
 */
export function csvTask(config: TrainingConfig): Task {
  const csv = config.csv;
  if (csv === undefined) throw new RnnkitError(API, 'choose a CSV file and its columns first');
  const window = config.timeSteps;
  const features = csv.columns.length;
  const count = csv.rows - window;
  if (count < MIN_WINDOWS) {
    throw new RnnkitError(API, `the file has ${csv.rows} complete rows; windows of ${window} need at least ${window + MIN_WINDOWS}`);
  }
  const trainCount = Math.round(count * 0.8);
  // Rows of the training windows and their targets: 0 … trainCount + window − 1.
  const trainRows = new Tensor(csv.values.slice(0, (trainCount + window) * features), [trainCount + window, features]);
  const scaler = fitMinMaxScaler(trainRows, { featureRange: [-1, 1] });
  const scaled = scaler.transform(new Tensor(csv.values, [csv.rows, features]));
  const windows = slidingWindows(scaled, { window, targetFeatures: [0] });
  const { train, test } = trainTestSplit({ inputs: windows.inputs, targets: windows.targets }, { trainCount });
  const probeInput = rows(test.inputs, 0, 1);
  const probeTarget = rows(test.targets, 0, 1);
  const view: TaskView = {
    task: 'csv',
    target: csv.columns[0]!,
    t: Float64Array.from({ length: count }, (_, k) => k + window),
    truth: toFloat64(windows.targets),
    trainCount,
    probeInput: Float64Array.from({ length: window }, (_, t) => probeInput.data[t * features]!),
    probeTarget: test.targets.data[0]!,
  };
  return makeTask({
    train,
    test,
    loss: 'mse',
    view,
    inputShape: [window, features],
    probeInput,
    probeTarget,
    returnSequences: false,
    network: (recurrent) => ({ layers: [recurrent, new Dense({ units: 1 })], inputShape: [window, features] }),
    measure: (model) => ({ predictions: toFloat64(predict(model, windows.inputs)) }),
  });
}
