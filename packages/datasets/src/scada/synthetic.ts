// A seeded stand-in for the La Haute Borne export: the same columns, separator, time format
// and flaws (gaps, empty cells, daylight-saving offset changes, turbines interleaved in no
// fixed order), so the loader can be tested, benchmarked and demonstrated without the
// 300 MB original. The committed fixture is exactly this generator's output.
import { RnnkitError, describeValue } from '@rnnkit/tensor';
import { type SeedOptions, checkOptions, choiceOption, integerOption, numberOption, randomOption } from '../options.js';
import { centralEuropeanOffset, formatDateTime, parseDateTime } from './date-time.js';

/** Columns of {@link syntheticScadaCsv}, a realistic subset of the real export's. */
export const SYNTHETIC_SCADA_COLUMNS: readonly string[] = [
  'Wind_turbine_name',
  'Date_time',
  'Ba_avg',
  'Ba_min',
  'Ba_max',
  'Ba_std',
  'Ot_avg',
  'Ws_avg',
  'Ws_min',
  'Ws_max',
  'Ws_std',
  'Wa_avg',
  'Wa_c_avg',
  'Ya_avg',
  'P_avg',
];

/** Options of {@link syntheticScadaCsv}. */
export interface SyntheticScadaOptions extends SeedOptions {
  /**
   * Data rows to write (duplicates included), header not counted.
   * @defaultValue 320
   */
  rows?: number;
  /**
   * Turbine names; every 10-minute instant has one row per turbine, in shuffled order.
   * @defaultValue ['R80711', 'R80721', 'R80736', 'R80790'] (the four La Haute Borne turbines)
   */
  turbines?: readonly string[];
  /**
   * First instant, as an ISO date-time with an offset. The default lies 5 hours before the
   * switch to summer time, so the offsets change from +01:00 to +02:00 within the default rows.
   * @defaultValue '2013-03-30T20:00:00+01:00'
   */
  start?: string;
  /**
   * Minutes between instants.
   * @defaultValue 10
   */
  intervalMinutes?: number;
  /**
   * Probability that a row is absent (a gap in that turbine's series).
   * @defaultValue 0.02
   */
  gapRate?: number;
  /**
   * Probability that a value cell is empty (a missing reading).
   * @defaultValue 0.03
   */
  missingRate?: number;
  /**
   * Probability that a row is written twice in a row.
   * @defaultValue 0
   */
  duplicateRate?: number;
  /**
   * Probability that a row is written late, after the rows of the next instant, so the
   * file is not in time order (a loader must sort it).
   * @defaultValue 0
   */
  lateRate?: number;
  /**
   * Line ending.
   * @defaultValue '\n'
   */
  lineEnding?: '\n' | '\r\n';
  /**
   * Start with a UTF-8 byte-order mark (U+FEFF), as some exports do.
   * @defaultValue false
   */
  bom?: boolean;
}

const LINES_PER_CHUNK = 512;

/**
 * Settings of the repository's fixture `packages/datasets/fixtures/la-haute-borne-sample.csv`
 * (four turbines, 320 rows across the switch to summer time on 2013-03-31, with gaps, empty
 * cells, a few duplicated rows and a few rows out of time order): `[...syntheticScadaCsv(scadaSampleOptions)].join('')`
 * is that file, byte for byte, in any environment.
 */
export const scadaSampleOptions: Readonly<SyntheticScadaOptions> = Object.freeze({
  rows: 320,
  seed: 2015,
  gapRate: 0.03,
  missingRate: 0.04,
  duplicateRate: 0.01,
  lateRate: 0.03,
});

/**
 * A synthetic La Haute Borne SCADA export (`;`-separated, {@link SYNTHETIC_SCADA_COLUMNS}),
 * yielded as chunks of text so that files of any size can be written without holding them
 * in memory: `[...syntheticScadaCsv()].join('')` is the whole text.
 *
 * Weather is a seeded random walk shared by the farm (wind direction in degrees, wind speed
 * in m/s, temperature), seen by each turbine with its own noise; power follows a cubic curve
 * capped at 2,050 kW, pitch rises above rated wind. Times are local French time with their
 * offset (+01:00 in winter, +02:00 in summer).
 */
export function* syntheticScadaCsv(options?: SyntheticScadaOptions): Generator<string> {
  const api = 'syntheticScadaCsv';
  const o = checkOptions(api, options, [
    'rows',
    'turbines',
    'start',
    'intervalMinutes',
    'gapRate',
    'missingRate',
    'duplicateRate',
    'lateRate',
    'lineEnding',
    'bom',
    'seed',
    'random',
  ]);
  const rows = integerOption(api, 'rows', o.rows, 320, 0);
  const turbines = o.turbines ?? ['R80711', 'R80721', 'R80736', 'R80790'];
  if (!Array.isArray(turbines) || turbines.length === 0 || !turbines.every((t) => typeof t === 'string' && /^[^;"\r\n]+$/.test(t))) {
    throw new RnnkitError(api, `option "turbines" must be a non-empty array of names without ; " or line breaks, got ${describeValue(turbines)}`);
  }
  const startText = o.start ?? '2013-03-30T20:00:00+01:00';
  const start = typeof startText === 'string' ? parseDateTime(startText) : NaN;
  if (Number.isNaN(start)) {
    throw new RnnkitError(api, `option "start" must be an ISO date-time with an offset, got ${describeValue(startText)}`);
  }
  const interval = integerOption(api, 'intervalMinutes', o.intervalMinutes, 10, 1) * 60_000;
  const rate = (name: 'gapRate' | 'missingRate' | 'duplicateRate' | 'lateRate', fallback: number): number => {
    const p = numberOption(api, name, o[name], fallback, true);
    if (p >= 1) throw new RnnkitError(api, `option "${name}" must be a probability in [0, 1), got ${p}`);
    return p;
  };
  const gapRate = rate('gapRate', 0.02);
  const missingRate = rate('missingRate', 0.03);
  const duplicateRate = rate('duplicateRate', 0);
  const lateRate = rate('lateRate', 0);
  const eol = choiceOption(api, 'lineEnding', o.lineEnding, ['\n', '\r\n'], '\n');
  if (o.bom !== undefined && typeof o.bom !== 'boolean') throw new RnnkitError(api, `option "bom" must be true or false, got ${describeValue(o.bom)}`);
  const random = randomOption(api, o);

  const wrap = (degrees: number): number => ((degrees % 360) + 360) % 360;
  const cell = (value: number): string => (random.next() < missingRate ? '' : value.toFixed(2));
  let direction = random.uniform(0, 360);
  let speed = random.uniform(3, 9);
  let lines: string[] = [(o.bom ? '\ufeff' : '') + SYNTHETIC_SCADA_COLUMNS.join(';')];
  let written = 0;
  const order = [...turbines];
  let late: string[] = []; // rows held back until the next instant's rows are out
  for (let step = 0; written < rows; step++) {
    const instant = start + step * interval;
    const stamp = formatDateTime(instant, centralEuropeanOffset(instant));
    // Farm weather: direction drifts, speed reverts to 7 m/s, temperature follows the day.
    direction = wrap(direction + random.normal(0, 4));
    speed = Math.max(0, speed + 0.05 * (7 - speed) + random.normal(0, 0.6));
    const hour = ((instant / 3_600_000) % 24) / 24;
    const temperature = 9 + 5 * Math.sin(2 * Math.PI * (hour - 0.375)) + random.normal(0, 0.3);
    random.shuffle(order);
    const held = late;
    late = [];
    for (const name of order) {
      if (written >= rows) break;
      if (random.next() < gapRate) continue;
      const ws = Math.max(0, speed * (1 + random.normal(0, 0.05)));
      const wsStd = 0.1 * ws + Math.abs(random.normal(0, 0.2));
      const waC = wrap(direction + random.normal(0, 3));
      const pitch = ws > 12 ? 2 * (ws - 12) : -1 + random.normal(0, 0.1);
      const power = ws < 3 ? -5 + random.normal(0, 1) : 2050 * Math.min(1, ((ws - 3) / 10) ** 3);
      const line = [
        name,
        stamp,
        cell(pitch),
        cell(pitch - Math.abs(random.normal(0, 0.5))),
        cell(pitch + Math.abs(random.normal(0, 0.5))),
        cell(Math.abs(random.normal(0, 0.3))),
        cell(temperature),
        cell(ws),
        cell(Math.max(0, ws - 2 * wsStd)),
        cell(ws + 2 * wsStd),
        cell(wsStd),
        cell(wrap(waC + random.normal(0, 1))),
        cell(waC),
        cell(wrap(waC + random.normal(0, 2))),
        cell(power),
      ].join(';');
      const copies = written + 1 < rows && random.next() < duplicateRate ? 2 : 1;
      const target = random.next() < lateRate ? late : lines;
      for (let c = 0; c < copies; c++) target.push(line);
      written += copies;
    }
    lines.push(...held);
    if (lines.length >= LINES_PER_CHUNK) {
      yield lines.join(eol) + eol;
      lines = [];
    }
  }
  lines.push(...late);
  if (lines.length > 0) yield lines.join(eol) + eol;
}
