// Smoke test of the benchmark: tiny sizes, minimal timing. It checks that every row is
// measured by every contender that takes part, that ratios and verdicts are computed and
// that the reports render — never how fast anything is.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { onnxContender } from './contenders/onnx.js';
import { type Measurement, measureCase, ratiosOf } from './harness.js';
import { formatMarkdown, formatText } from './report.js';
import { type BenchReport, runBenchmarks } from './run.js';
import { benchCases, flopsPerSample } from './workloads.js';

const tinyTiming = { warmUpMs: 0, blockMs: 1, repetitions: 2, budgetMs: 1000, errorPasses: 1, errorTrials: 2 };

describe('benchmark harness (tiny sizes)', () => {
  let report: BenchReport;
  beforeAll(async () => {
    // Every contender but PyTorch, which runs only where Python has torch (pytorch.test.ts tests
    // it), and the relaxed-SIMD builds, which Node 20 runs only behind a flag (backend-wasm tests them).
    const contenders = ['rnnkit-js', 'rnnkit-wasm', 'rnnkit-wasm-mt', 'tfjs-cpu', 'tfjs-wasm', 'brain.js', 'onnxruntime', 'rnnkit-onnx'] as const;
    report = await runBenchmarks({ scale: 'tiny', timing: tinyTiming, contenders });
  }, 240_000);

  it('should measure every row of the benchmark, W1 to W6', () => {
    expect(report.results.map((r) => r.case.id)).toEqual([
      'W1 b1', 'W1 b75', 'W2 train', 'W2 predict', 'W3 b1', 'W3 b100', 'W4 train', 'W4 predict', 'W5', 'W6 train', 'W6 predict',
    ]);
  });

  it('should run the three rnnkit backends and both TF.js backends on W1–W4 and W6, brain.js on W5, and ONNX Runtime (direct and onnxRunner) on the prediction rows', () => {
    const rnnkitAndTfjs = ['rnnkit-js', 'rnnkit-wasm', 'rnnkit-wasm-mt', 'tfjs-cpu', 'tfjs-wasm'];
    for (const result of report.results) {
      const ids = result.measurements.map((m) => m.contender);
      if (result.case.workload === 'W5') expect(ids).toEqual(['rnnkit-js', 'rnnkit-wasm', 'rnnkit-wasm-mt', 'brain.js']);
      else if (result.case.phase === 'predict') expect(ids).toEqual([...rnnkitAndTfjs, 'onnxruntime', 'rnnkit-onnx']);
      else expect(ids).toEqual(rnnkitAndTfjs);
    }
  });

  it('should measure ONNX Runtime, which @rnnkit/onnx\'s install holds, and mark it native code', () => {
    const markdown = formatMarkdown(report);
    for (const result of report.results.filter((r) => r.case.phase === 'predict')) {
      for (const id of ['onnxruntime', 'rnnkit-onnx'] as const) expect(result.measurements.find((m) => m.contender === id)!.status, `${result.case.id} ${id}`).toBe('ok');
      expect(markdown).toMatch(new RegExp(`\\| ${result.case.id} \\| rnnkit-onnx \\| .* \\| native code, \\d+\\.\\d\\d× onnxruntime \\|`));
    }
  });

  it('should give every measurement positive, ordered figures (or a reason for n/a)', () => {
    for (const result of report.results) {
      for (const m of result.measurements) {
        if (m.status === 'n/a') {
          expect(m.reason).toBeTruthy();
          continue;
        }
        const s = m.samplesPerSecond!;
        expect(s.min).toBeGreaterThan(0);
        expect(s.min).toBeLessThanOrEqual(s.median);
        expect(s.median).toBeLessThanOrEqual(s.max);
        expect(m.gflops).toBeCloseTo((flopsPerSample(result.case) * s.median) / 1e9, 9);
      }
    }
  });

  it('should compute a ratio for each rnnkit backend against the row anchor, and a verdict where the row has a target', () => {
    for (const result of report.results) {
      expect(result.ratios.map((r) => r.contender)).toEqual(['rnnkit-js', 'rnnkit-wasm', 'rnnkit-wasm-mt']);
      for (const r of result.ratios) expect(Number.isFinite(r.ratio) && r.ratio > 0).toBe(true);
      // W6 has no target (yet): its verdict stays open.
      if (result.case.target === null) expect(result.targetMet).toBeNull();
      else expect(typeof result.targetMet).toBe('boolean');
    }
  });

  it('should report the error after the same number of passes for W5', () => {
    const w5 = report.results.find((r) => r.case.id === 'W5')!;
    for (const m of w5.measurements) expect(Number.isFinite(m.error)).toBe(true);
  });

  it('should measure heap growth per step for LSTM, GRU and SimpleRNN on both backends', () => {
    expect(report.heap.map((h) => `${h.layer}/${h.backend}`)).toEqual([
      'LSTM/js', 'GRU/js', 'SimpleRNN/js', 'LSTM/wasm-simd', 'GRU/wasm-simd', 'SimpleRNN/wasm-simd',
    ]);
    for (const h of report.heap) expect(Number.isFinite(h.forwardBytesPerStep) && Number.isFinite(h.backwardBytesPerStep)).toBe(true);
  });

  it('should render every row and the targets as text and as Markdown', () => {
    const text = formatText(report);
    const markdown = formatMarkdown(report);
    for (const result of report.results) {
      expect(text).toContain(result.case.id);
      expect(markdown).toContain(`| ${result.case.id} |`);
    }
    expect(text).toContain('W4 train GFLOP/s');
    expect(markdown).toContain(report.machine.cpu);
  });
});

describe('ratiosOf', () => {
  const ok = (contender: Measurement['contender'], median: number, error?: number): Measurement => ({
    contender,
    status: 'ok',
    samplesPerSecond: { median, min: median, max: median },
    msPerRun: { median: 1, min: 1, max: 1 },
    gflops: 0,
    ...(error === undefined ? {} : { error }),
  });
  const [w1, , , w2Predict, , , , , w5] = benchCases('tiny');

  it('should divide by the fastest TF.js backend for training targets', () => {
    const { ratios, targetMet } = ratiosOf(w1!, [ok('rnnkit-js', 100), ok('rnnkit-wasm', 300), ok('tfjs-cpu', 20), ok('tfjs-wasm', 50)]);
    expect(ratios).toEqual([
      { contender: 'rnnkit-js', anchor: 'tfjs-wasm', ratio: 2 },
      { contender: 'rnnkit-wasm', anchor: 'tfjs-wasm', ratio: 6 },
    ]);
    expect(targetMet).toBe(true);
  });

  it('should divide by TF.js WASM for the predict targets, even when TF.js CPU is faster', () => {
    const { ratios, targetMet } = ratiosOf(w2Predict!, [ok('rnnkit-js', 30), ok('tfjs-cpu', 20), ok('tfjs-wasm', 10)]);
    expect(ratios).toEqual([{ contender: 'rnnkit-js', anchor: 'tfjs-wasm', ratio: 3 }]);
    expect(targetMet).toBe(true);
  });

  it('should not count the W5 target as met when rnnkit is faster but its error is higher', () => {
    const slower = ratiosOf(w5!, [ok('rnnkit-js', 1000, 0.5), ok('brain.js', 10, 0.1)]);
    expect(slower.ratios[0]!.ratio).toBe(100);
    expect(slower.targetMet).toBe(false);
    expect(ratiosOf(w5!, [ok('rnnkit-js', 1000, 0.05), ok('brain.js', 10, 0.1)]).targetMet).toBe(true);
  });

  it('should leave ratios empty and the verdict open when no anchor could run', () => {
    expect(ratiosOf(w1!, [ok('rnnkit-js', 100), { contender: 'tfjs-cpu', status: 'n/a', reason: 'x' }])).toEqual({ ratios: [], targetMet: null });
  });
});

describe('ONNX Runtime contenders', () => {
  it('should be n/a with a note, not fail the run, when onnxruntime-node cannot load', async () => {
    const [, , , w2Predict] = benchCases('tiny');
    const missing = onnxContender('rnnkit-onnx', () => {
      throw new Error("Cannot find module 'onnxruntime-node'\nRequire stack: …");
    });
    const result = await measureCase(w2Predict!, [missing], tinyTiming);
    expect(result.measurements).toEqual([{ contender: 'rnnkit-onnx', status: 'n/a', reason: "onnxruntime-node cannot load: Cannot find module 'onnxruntime-node'" }]);
  });
});

describe('bench command line', () => {
  it('should print a parseable JSON report with --json (tiny, quick, one workload)', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const result = spawnSync(
      process.execPath,
      ['--import', 'tsx', '--conditions=source', 'src/main.ts', '--tiny', '--quick', '--json', '--no-heap', '--only', 'W3', '--reps', '1'],
      { cwd: root, encoding: 'utf8', timeout: 120_000 },
    );
    expect(result.status, result.stderr).toBe(0);
    const parsed = JSON.parse(result.stdout) as BenchReport;
    expect(parsed.results.map((r) => r.case.id)).toEqual(['W3 b1', 'W3 b100']);
    expect(parsed.timing.repetitions).toBe(1);
  }, 130_000);

  it('should refuse an unknown argument', () => {
    const root = join(dirname(fileURLToPath(import.meta.url)), '..');
    const result = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', 'src/main.ts', '--fast'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain('unknown argument "--fast"');
  }, 70_000);
});
