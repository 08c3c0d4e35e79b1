// The measuring loop. Every contender of a row is set up first; then, after a warm-up
// (so that V8 has optimised the hot code and the WASM modules are compiled), the
// contenders are timed in turn, repetition after repetition, in a rotating order — so
// that a slow phase of the machine (another process, thermal throttling) hits all of
// them alike and the ratios stay meaningful.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type Spread, spread } from './stats.js';
import { type BenchCase, flopsPerSample } from './workloads.js';

/**
 * Who runs a row: rnnkit on each kernel backend, TF.js on either backend, brain.js, and native
 * code as a yardstick (never an anchor of the ratios): PyTorch on the CPU, and on the
 * prediction rows ONNX Runtime directly or through rnnkit's onnxRunner.
 */
export type ContenderId =
  | RnnkitContenderId
  | 'tfjs-cpu'
  | 'tfjs-wasm'
  | 'brain.js'
  | 'pytorch-cpu'
  | 'onnxruntime'
  | 'rnnkit-onnx';

/** rnnkit on the JS kernels, or on WebAssembly (one thread or all cores; 128-bit or relaxed SIMD). */
export type RnnkitContenderId = 'rnnkit-js' | 'rnnkit-wasm' | 'rnnkit-wasm-mt' | 'rnnkit-wasm-relaxed' | 'rnnkit-wasm-mt-relaxed';

/** One contender set up for one row. */
export interface Task {
  /** Samples processed by one call of `run`. */
  readonly samplesPerRun: number;
  /**
   * Makes this contender's backend the current one. Called before every timed block,
   * because contenders interleave and share global backend settings. Resolves with true
   * when the next run pays for the switch (TF.js moves its tensors to the new backend on
   * first use), so that the harness can run once untimed first.
   */
  activate(): Promise<boolean>;
  /** One unit of work: a training step on a batch, a prediction, or (W5) one pass. */
  run(): void | Promise<void>;
  /**
   * For a contender that runs in another process: does `runs` units of work and resolves
   * with the milliseconds they took, timed where the work runs, so that the messages to and
   * from the process are not timed. The harness times blocks with it when it is given.
   */
  timeRuns?(runs: number): Promise<number>;
  /**
   * W5: trains a fresh model (the `trial`-th initialisation) for `passes` passes and
   * returns its error, so that contenders are compared after the same number of passes.
   */
  errorAfter?(passes: number, trial: number): Promise<number>;
  /** Frees what the task holds (TF.js tensors). */
  dispose(): void;
}

/** A library (and backend) that can run rows. */
export interface Contender {
  readonly id: ContenderId;
  /** Which rows it takes part in. */
  supports(c: BenchCase): boolean;
  /** Sets up the row; throws when the contender cannot run it (reported as n/a). */
  setup(c: BenchCase): Promise<Task>;
}

/** Timing settings. */
export interface TimingOptions {
  /** Warm-up per contender and row, in milliseconds (at least two runs). */
  readonly warmUpMs: number;
  /** Length of one timed block, in milliseconds (at least one run). */
  readonly blockMs: number;
  /** Timed blocks per contender and row. */
  readonly repetitions: number;
  /**
   * Time budget per contender and row, in milliseconds: a contender whose runs are so slow
   * (TF.js' CPU backend on W4 takes 20 s a step) that `repetitions` blocks would exceed it
   * is timed in fewer blocks, but at least 3.
   */
  readonly budgetMs: number;
  /** W5: passes before the errors are compared. */
  readonly errorPasses: number;
  /** W5: fresh trainings per contender whose median error is reported (brain.js cannot be seeded). */
  readonly errorTrials: number;
}

/** One contender's figures for one row. */
export interface Measurement {
  readonly contender: ContenderId;
  /** 'n/a' when the contender could not run the row (`reason` says why). */
  readonly status: 'ok' | 'n/a';
  readonly reason?: string;
  /** Samples per second over the repetitions. */
  readonly samplesPerSecond?: Spread;
  /** Milliseconds per run (a batch, or for W5 a pass) over the repetitions. */
  readonly msPerRun?: Spread;
  /** Median GFLOP/s of the recurrent layer's products (as docs/benchmarks.md counts them). */
  readonly gflops?: number;
  /** W5: median error after `errorPasses` passes over `errorTrials` fresh trainings. */
  readonly error?: number;
}

/** A ratio of rnnkit's median throughput to an anchor's. */
export interface Ratio {
  readonly contender: ContenderId;
  /** The anchor it is compared with, e.g. 'tfjs-wasm' (the fastest TF.js backend here). */
  readonly anchor: ContenderId;
  /** rnnkit ÷ anchor (greater is better for rnnkit). */
  readonly ratio: number;
}

/** One row of the table. */
export interface CaseResult {
  readonly case: BenchCase;
  readonly measurements: readonly Measurement[];
  /** Each rnnkit backend against the row's anchor (its target's, else the fastest TF.js). */
  readonly ratios: readonly Ratio[];
  /** Whether the best rnnkit backend meets the row's target (null: no target, or no anchor ran). */
  readonly targetMet: boolean | null;
}

/** Progress lines for a terminal (the JSON mode sends them to stderr). */
export type Log = (line: string) => void;

const RNNKIT: readonly ContenderId[] = ['rnnkit-js', 'rnnkit-wasm', 'rnnkit-wasm-mt', 'rnnkit-wasm-relaxed', 'rnnkit-wasm-mt-relaxed'];
const TFJS: readonly ContenderId[] = ['tfjs-cpu', 'tfjs-wasm'];

/** Measures one row with every contender that supports it. */
export async function measureCase(
  c: BenchCase,
  contenders: readonly Contender[],
  timing: TimingOptions,
  log: Log = () => {},
): Promise<CaseResult> {
  const tasks: { id: ContenderId; task: Task | null; reason?: string }[] = [];
  for (const contender of contenders) {
    if (!contender.supports(c)) continue;
    try {
      tasks.push({ id: contender.id, task: await contender.setup(c) });
    } catch (error) {
      tasks.push({ id: contender.id, task: null, reason: reasonOf(error) });
    }
  }

  const perRunMs = new Map<ContenderId, number>();
  const runsPerBlock = new Map<ContenderId, number>();
  for (const entry of tasks) {
    const task = entry.task;
    if (task === null) continue;
    try {
      await task.activate();
      const started = performance.now();
      let runs = 0;
      let last = started;
      let lastMs = 0;
      // At least two runs (the first one compiles and allocates), unless one run alone
      // already takes several warm-up periods.
      do {
        const pending = task.run();
        if (pending !== undefined) await pending;
        runs++;
        const now = performance.now();
        lastMs = now - last;
        last = now;
      } while (performance.now() - started < timing.warmUpMs || (runs < 2 && lastMs < 5 * timing.warmUpMs));
      const ms = runs > 1 ? lastMs : (performance.now() - started) / runs;
      perRunMs.set(entry.id, ms);
      runsPerBlock.set(entry.id, Math.max(1, Math.round(timing.blockMs / Math.max(ms, 1e-3))));
      log(`  ${c.id} ${entry.id}: warm, ${ms.toFixed(2)} ms per run`);
    } catch (error) {
      entry.task = null;
      entry.reason = reasonOf(error);
      task.dispose();
    }
  }

  const blocks = new Map<ContenderId, number[]>();
  const live = () => tasks.filter((t) => t.task !== null);
  const repetitionsOf = (id: ContenderId): number =>
    Math.min(timing.repetitions, Math.max(3, Math.floor(timing.budgetMs / (perRunMs.get(id)! * runsPerBlock.get(id)!))));
  for (let rep = 0; rep < timing.repetitions; rep++) {
    const order = live().filter((entry) => rep < repetitionsOf(entry.id));
    // Rotate the order every repetition so that no contender always runs first.
    for (let k = 0; k < order.length; k++) {
      const entry = order[(k + rep) % order.length]!;
      const task = entry.task!;
      try {
        const switched = await task.activate();
        // After a backend switch TF.js moves its weights on first use: an untimed run
        // absorbs that, unless a run is so long that the move is lost in it.
        if (switched && perRunMs.get(entry.id)! < 1000) {
          const pending = task.run();
          if (pending !== undefined) await pending;
        }
        const runs = runsPerBlock.get(entry.id)!;
        collectGarbage();
        let ms: number;
        if (task.timeRuns !== undefined) {
          ms = (await task.timeRuns(runs)) / runs;
        } else {
          const started = performance.now();
          for (let r = 0; r < runs; r++) {
            // Synchronous contenders are not awaited, so they pay no microtask per run.
            const pending = task.run();
            if (pending !== undefined) await pending;
          }
          ms = (performance.now() - started) / runs;
        }
        const list = blocks.get(entry.id) ?? [];
        list.push(ms);
        blocks.set(entry.id, list);
      } catch (error) {
        entry.task = null;
        entry.reason = reasonOf(error);
        task.dispose();
      }
    }
  }

  const measurements: Measurement[] = [];
  for (const entry of tasks) {
    const times = blocks.get(entry.id);
    if (entry.task === null || times === undefined) {
      measurements.push({ contender: entry.id, status: 'n/a', reason: entry.reason ?? 'not measured' });
      continue;
    }
    const task = entry.task;
    const msPerRun = spread(times);
    const samplesPerSecond = spread(times.map((ms) => (task.samplesPerRun * 1000) / ms));
    let error: number | undefined;
    if (task.errorAfter !== undefined) {
      try {
        await task.activate();
        const errors: number[] = [];
        for (let trial = 0; trial < timing.errorTrials; trial++) errors.push(await task.errorAfter(timing.errorPasses, trial));
        error = spread(errors).median;
      } catch (e) {
        log(`  ${c.id} ${entry.id}: error evaluation failed: ${reasonOf(e)}`);
      }
    }
    task.dispose();
    measurements.push({
      contender: entry.id,
      status: 'ok',
      msPerRun,
      samplesPerSecond,
      gflops: (flopsPerSample(c) * samplesPerSecond.median) / 1e9,
      ...(error === undefined ? {} : { error }),
    });
  }
  return { case: c, measurements, ...ratiosOf(c, measurements) };
}

/** rnnkit ÷ anchor per rnnkit backend, and whether the best meets the target. */
export function ratiosOf(
  c: BenchCase,
  measurements: readonly Measurement[],
): { ratios: Ratio[]; targetMet: boolean | null } {
  const ok = (id: ContenderId) => measurements.find((m) => m.contender === id && m.status === 'ok');
  const against = c.target?.against ?? 'fastest TF.js';
  let anchor: Measurement | undefined;
  if (against === 'brain.js') anchor = ok('brain.js');
  else if (against === 'TF.js WASM') anchor = ok('tfjs-wasm');
  else {
    for (const id of TFJS) {
      const m = ok(id);
      if (m && (!anchor || m.samplesPerSecond!.median > anchor.samplesPerSecond!.median)) anchor = m;
    }
  }
  const ratios: Ratio[] = [];
  if (anchor === undefined) return { ratios, targetMet: null };
  for (const id of RNNKIT) {
    const m = ok(id);
    if (!m) continue;
    ratios.push({ contender: id, anchor: anchor.contender, ratio: m.samplesPerSecond!.median / anchor.samplesPerSecond!.median });
  }
  if (c.target === null || ratios.length === 0) return { ratios, targetMet: null };
  const best = Math.max(...ratios.map((r) => r.ratio));
  let met = best >= c.target.ratio;
  // W5 also asks for an equal or lower error after the same number of passes.
  if (met && against === 'brain.js') {
    const bestId = ratios.find((r) => r.ratio === best)!.contender;
    const mine = ok(bestId)?.error;
    met = mine !== undefined && anchor.error !== undefined && mine <= anchor.error;
  }
  return { ratios, targetMet: met };
}

let collector: (() => void) | null = null;

/**
 * A full garbage collection, outside the timed code, so that no contender pays for the
 * garbage another one left behind (TF.js' CPU backend leaves hundreds of megabytes per W4
 * step; collecting them inside rnnkit's next block tripled its time). Exposing `gc` at run
 * time means `pnpm bench` needs no node flags.
 */
export function collectGarbage(): void {
  if (collector === null) {
    setFlagsFromString('--expose-gc');
    collector = runInNewContext('gc') as () => void;
  }
  collector();
}

function reasonOf(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]!.slice(0, 160);
}
