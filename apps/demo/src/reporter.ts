// How the demo talks while it works: a progress bar on a terminal, plain periodic lines
// when the output is a pipe or a file, and nothing at all on stdout in --json mode.
import cliProgress from 'cli-progress';
import type { ProgressEvent } from '@rnnkit/model';

/** One progress update from a training loop. */
export interface Progress {
  /** What is being trained, e.g. `"SGD"` or `"epoch"`. */
  readonly label: string;
  /** Iterations (or epochs) done so far. */
  readonly done: number;
  readonly total: number;
  readonly loss: number;
  /** Training samples processed per second, when known. */
  readonly samplesPerSecond?: number;
}

/** A `fit` progress event as a {@link Progress} in batches: `done` counts the batches of every epoch so far. */
export function batchProgress(label: string, event: ProgressEvent): Progress {
  return {
    label,
    done: (event.epoch - 1) * event.batches + event.batch,
    total: event.epochs * event.batches,
    loss: event.loss,
    samplesPerSecond: event.samplesPerSecond,
  };
}

export interface Reporter {
  /** A line of human output (stdout); silent in --json mode. */
  log(line?: string): void;
  /** Updates the progress display. */
  progress(update: Progress): void;
  /** Ends the current progress display. */
  endProgress(): void;
}

export interface ReporterOptions {
  readonly json: boolean;
  readonly quiet: boolean;
  readonly stdout?: NodeJS.WriteStream;
  readonly stderr?: NodeJS.WriteStream;
}

export function createReporter(options: ReporterOptions): Reporter {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const human = !options.json;
  // Progress goes to stderr so stdout stays clean for results (and for --json).
  const showProgress = !options.quiet && (human || stderr.isTTY === true);
  let bar: cliProgress.SingleBar | undefined;
  let lastLabel = '';
  let lastPlain = -1;
  let started = 0;

  const formatEta = (update: Progress): string => {
    const elapsed = (Date.now() - started) / 1000;
    if (update.done === 0) return '?';
    const eta = (elapsed / update.done) * (update.total - update.done);
    return eta < 60 ? `${eta.toFixed(0)}s` : `${Math.floor(eta / 60)}m${String(Math.round(eta % 60)).padStart(2, '0')}s`;
  };

  return {
    log(line = '') {
      if (human) stdout.write(`${line}\n`);
    },
    progress(update) {
      if (!showProgress) return;
      const rate = update.samplesPerSecond !== undefined ? `${Math.round(update.samplesPerSecond).toLocaleString('en-US')}` : '–';
      if (update.label !== lastLabel) {
        bar?.stop();
        bar = undefined;
        lastLabel = update.label;
        lastPlain = -1;
        started = Date.now();
      }
      const payload = { label: update.label.padEnd(10), loss: update.loss.toPrecision(4), rate, eta2: formatEta(update) };
      if (stderr.isTTY) {
        if (!bar) {
          bar = new cliProgress.SingleBar(
            {
              stream: stderr,
              format: '{label} {bar} {value}/{total} | loss {loss} | {rate} samples/s | ETA {eta2}',
              barsize: 24,
              hideCursor: true,
              clearOnComplete: false,
            },
            cliProgress.Presets.shades_classic,
          );
          bar.start(update.total, update.done, payload);
        } else {
          bar.update(update.done, payload);
        }
        return;
      }
      // Not a terminal: one line per tenth of the run, and the last one.
      const tenth = Math.floor((update.done * 10) / Math.max(1, update.total));
      if (tenth > lastPlain || update.done === update.total) {
        lastPlain = tenth;
        stderr.write(
          `${update.label}: ${update.done}/${update.total} loss ${payload.loss}, ${rate} samples/s, ETA ${payload.eta2}\n`,
        );
      }
    },
    endProgress() {
      bar?.stop();
      bar = undefined;
      lastLabel = '';
    },
  };
}

/** A plain-text table with aligned columns. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}
