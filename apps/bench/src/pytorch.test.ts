import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { pytorchContender, setupRequest } from './contenders/pytorch.js';
import { makeData } from './data.js';
import { measureCase } from './harness.js';
import { formatText, nativeLines } from './report.js';
import { type BenchCase, benchCases } from './workloads.js';

const stub = fileURLToPath(new URL('./pytorch-stub.mjs', import.meta.url));
const timing = { warmUpMs: 0, blockMs: 10, repetitions: 3, budgetMs: 1000, errorPasses: 1, errorTrials: 1 };
const row = benchCases('tiny').find((c) => c.id === 'W1 b75')!;

describe('the PyTorch contender', () => {
  it('should time blocks where the work runs (the process reports 2 ms a run), marked as native code', async () => {
    const result = await measureCase(row, [pytorchContender({ python: process.execPath, script: stub })], timing);
    const m = result.measurements[0]!;
    expect(m).toMatchObject({ contender: 'pytorch-cpu', status: 'ok' });
    expect(formatText({ machine: { date: '', cpu: '', cores: 2, memoryGiB: 1, node: '', platform: '', loadAverage: [] }, scale: 'tiny', timing, results: [result], heap: [] })).toMatch(
      /^W1 b75 +pytorch-cpu +37,500 .* native code$/m,
    );
    // Pipe and process overhead would show here if the harness timed the messages itself.
    expect(m.msPerRun).toEqual({ min: 2, median: 2, max: 2 });
    expect(m.samplesPerSecond!.median).toBe(row.batch * 500);
    expect(result.ratios).toEqual([]); // a yardstick, never an anchor
  });

  it('should give rnnkit best ÷ native per row', () => {
    const ok = (contender: string, median: number) => ({ contender, status: 'ok', samplesPerSecond: { min: median, median, max: median } });
    const measurements = [ok('rnnkit-js', 100), ok('rnnkit-wasm', 300), ok('rnnkit-onnx', 900), ok('pytorch-cpu', 600), ok('onnxruntime', 1000)];
    const lines = nativeLines({ results: [{ case: row, ratios: [], targetMet: null, measurements }] } as never);
    // rnnkit-onnx is rnnkit's model on ONNX Runtime: native, so neither "best rnnkit" nor an engine.
    expect(lines).toEqual([
      ['W1 b75', 'pytorch-cpu', '0.50× (rnnkit-wasm)'],
      ['W1 b75', 'onnxruntime', '0.30× (rnnkit-wasm)'],
    ]);
  });

  it('should report n/a with the reason when there is no Python with torch, when the process refuses the row, and on the reference BLAS', async () => {
    const missing = await measureCase(row, [pytorchContender({ python: '/nonexistent/python3' })], timing);
    expect(missing.measurements[0]).toMatchObject({ status: 'n/a' });
    expect(missing.measurements[0]!.reason).toMatch(/^the PyTorch process ended: .*ENOENT.* \(needs a python3 with torch, e.g\. Debian's python3-torch\)$/);
    const refused = await measureCase({ ...row, id: 'refused' } as BenchCase, [pytorchContender({ python: process.execPath, script: stub })], timing);
    expect(refused.measurements[0]).toMatchObject({ status: 'n/a', reason: 'PyTorch: RuntimeError: no such row' });
    const slow = await measureCase({ ...row, id: 'slow blas' } as BenchCase, [pytorchContender({ python: process.execPath, script: stub })], timing);
    expect(slow.measurements[0]).toMatchObject({ status: 'n/a' });
    expect(slow.measurements[0]!.reason).toMatch(/^PyTorch runs on the reference BLAS here, .* libopenblas0-pthread\)$/);
  });

  it('should send each sample\'s length for a masked row (W6), the bench data\'s, and none for the others', () => {
    for (const scale of ['tiny', 'full'] as const) {
      for (const c of benchCases(scale)) {
        const request = setupRequest(c, 2);
        expect(request).toMatchObject({ op: 'setup', case: c, threads: 2 });
        if (c.workload !== 'W6') {
          expect(request.lengths).toBeNull();
          continue;
        }
        const { x } = makeData(c);
        const lengths = request.lengths!;
        expect(lengths).toHaveLength(c.samples);
        // Each length is where the data's padding starts: a non-zero first feature before it, zero steps from it on.
        const step = (s: number, t: number) => x.subarray((s * c.time + t) * c.features, (s * c.time + t + 1) * c.features);
        lengths.forEach((length, s) => {
          expect(Number.isInteger(length) && length >= 1 && length <= c.time).toBe(true);
          expect(step(s, length - 1)[0]).not.toBe(0);
          for (let t = length; t < c.time; t++) expect(step(s, t).every((v) => v === 0)).toBe(true);
        });
        if (scale === 'full') expect(new Set(lengths).size).toBeGreaterThan(20); // 1 to 40 steps, not one length
      }
    }
  });

  it('should run a masked row when the process gets its lengths (the stand-in refuses one without them)', async () => {
    const w6 = benchCases('tiny').find((c) => c.id === 'W6 predict')!;
    const result = await measureCase(w6, [pytorchContender({ python: process.execPath, script: stub })], timing);
    expect(result.measurements[0]).toMatchObject({ contender: 'pytorch-cpu', status: 'ok' });
    // The same request without its lengths, straight to the stand-in: refused, so the run above got them.
    const bare = spawnSync(process.execPath, [stub], { input: `${JSON.stringify({ ...setupRequest(w6, 1), lengths: null })}\n`, encoding: 'utf8' });
    expect(JSON.parse(bare.stdout)).toEqual({ error: 'ValueError: a masked row needs "lengths", one per sample (8)' });
  });
});
