import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sgd } from '@rnnkit/optimizers';
import { Random } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import type { CommonFlags, ExperimentResult } from '../experiment.js';
import { OutputDirectory } from '../files.js';
import { type Reporter, createReporter } from '../reporter.js';
import { ADDITION_RNN_DEFAULTS, additionRnn, additionRnnModel, trainAdditionRnn } from './addition-rnn.js';

async function runExperiment(flags: CommonFlags = {}, reporter: Reporter = createReporter({ json: true, quiet: true })) {
  const out = new OutputDirectory(mkdtempSync(join(tmpdir(), 'rnnkit-addition-rnn-')), { overwrite: false });
  const result: ExperimentResult = await additionRnn.run({ flags, reporter, out });
  return { result, files: out.written };
}

/** A reporter that keeps the human output. */
function recordingReporter(): { reporter: Reporter; lines: string[] } {
  const lines: string[] = [];
  return { reporter: { log: (line = '') => lines.push(...line.split('\n')), progress: () => {}, endProgress: () => {} }, lines };
}

const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));

/**
 * The original's hand-written step, on plain arrays: forward, deltas `(y − ŷ)·ŷ(1 − ŷ)`
 * backpropagated through time, updates summed over the sequence, `W += update·alpha`.
 * Row-major matrices: W0 [2, H], Wh [H, H], W1 [H, 1]. Returns the new weights.
 */
function originalStep(W0: number[], Wh: number[], W1: number[], x: number[][], y: number[], alpha: number) {
  const H = W1.length;
  const T = y.length;
  const hs: number[][] = [new Array<number>(H).fill(0)];
  const outs: number[] = [];
  for (let t = 0; t < T; t++) {
    const prev = hs[t]!;
    const h = new Array<number>(H);
    for (let k = 0; k < H; k++) {
      let z = x[t]![0]! * W0[k]! + x[t]![1]! * W0[H + k]!;
      for (let j = 0; j < H; j++) z += prev[j]! * Wh[j * H + k]!;
      h[k] = sigmoid(z);
    }
    hs.push(h);
    let o = 0;
    for (let k = 0; k < H; k++) o += h[k]! * W1[k]!;
    outs.push(sigmoid(o));
  }
  const u0 = new Array<number>(2 * H).fill(0);
  const uh = new Array<number>(H * H).fill(0);
  const u1 = new Array<number>(H).fill(0);
  let future = new Array<number>(H).fill(0);
  for (let t = T - 1; t >= 0; t--) {
    const out = outs[t]!;
    const outDelta = (y[t]! - out) * out * (1 - out);
    const h = hs[t + 1]!;
    const prev = hs[t]!;
    const delta = new Array<number>(H);
    for (let k = 0; k < H; k++) {
      let back = outDelta * W1[k]!;
      for (let j = 0; j < H; j++) back += future[j]! * Wh[k * H + j]!;
      delta[k] = back * h[k]! * (1 - h[k]!);
    }
    for (let k = 0; k < H; k++) u1[k]! += h[k]! * outDelta;
    for (let j = 0; j < H; j++) for (let k = 0; k < H; k++) uh[j * H + k]! += prev[j]! * delta[k]!;
    for (let k = 0; k < H; k++) {
      u0[k]! += x[t]![0]! * delta[k]!;
      u0[H + k]! += x[t]![1]! * delta[k]!;
    }
    future = delta;
  }
  return {
    W0: W0.map((w, i) => w + alpha * u0[i]!),
    Wh: Wh.map((w, i) => w + alpha * uh[i]!),
    W1: W1.map((w, i) => w + alpha * u1[i]!),
  };
}

/** The default run, shared by the tests that need it (it trains once). */
let defaultRun: ReturnType<typeof runExperiment> | undefined;
const runDefault = () => (defaultRun ??= runExperiment());

describe('addition-rnn experiment', () => {
  it('should add all 1,000 fresh pairs exactly after the original 10,000 iterations (default seed)', async () => {
    const { result } = await runDefault();
    expect(result.seed).toBe(ADDITION_RNN_DEFAULTS.seed);
    expect(result.metrics.iterations).toBe(10_000);
    expect(result.metrics.accuracy).toBe(1);
    expect(result.reference).toMatchObject({ accuracy: 1, iterations: 10_000 });
  });

  it('should write the loss curve and the predicted sums as SVG files', async () => {
    const { files } = await runDefault();
    expect(files.map((f) => f.split(/[\\/]/).pop())).toEqual(['loss.svg', 'predictions.svg']);
    for (const file of files) expect(readFileSync(file, 'utf8').startsWith('<svg')).toBe(true);
  });

  it("should take the original's hand-derived step: deltas (y − ŷ)·σ′, summed over time, W += 0.1·update", () => {
    const seed = 7;
    const initial = additionRnnModel(new Random(seed).split()).getWeights();
    const { model, train } = trainAdditionRnn({ seed, iterations: 1, learningRate: 0.1, optimizer: sgd });
    const bits = ADDITION_RNN_DEFAULTS.bits;
    const x = Array.from({ length: bits }, (_, t) => [train.inputs.data[2 * t]!, train.inputs.data[2 * t + 1]!]);
    const y = Array.from(train.targets.data.subarray(0, bits));
    const [W0, Wh, W1] = initial.map((w) => Array.from(w.data)) as [number[], number[], number[]];
    const expected = originalStep(W0, Wh, W1, x, y, 0.1);
    const [kernel, recurrent, output] = model.getWeights().map((w) => Array.from(w.data)) as [number[], number[], number[]];
    // Float32 weights against a float64 oracle: agreement to float32 rounding.
    const close = (a: number[], b: number[]) => a.forEach((v, i) => expect(v).toBeCloseTo(b[i]!, 5));
    close(kernel, expected.W0);
    close(recurrent, expected.Wh);
    close(output, expected.W1);
    // The step did change the weights (so the comparison above is not trivially true).
    expect(kernel.some((v, i) => Math.abs(v - W0[i]!) > 1e-6)).toBe(true);
  });

  it('should start from weights uniform in [−1, 1) and no biases', () => {
    const model = additionRnnModel(new Random(3));
    expect(model.params().map((p) => p.name)).toEqual(['simple_rnn/kernel', 'simple_rnn/recurrentKernel', 'dense/kernel']);
    const all = model.getWeights().flatMap((w) => Array.from(w.data));
    expect(Math.min(...all)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...all)).toBeLessThan(1);
    expect(Math.max(...all) - Math.min(...all)).toBeGreaterThan(1.5);
  });

  it('should print the pair, its prediction and a + b = c every 1,000 iterations, as the original did', async () => {
    const { reporter, lines } = recordingReporter();
    await runExperiment({ epochs: 2_000 }, reporter);
    const reports = lines.filter((l) => /^iteration \d+: error \d+\.\d{4}$/.test(l));
    expect(reports).toEqual([expect.stringMatching(/^iteration 1000:/), expect.stringMatching(/^iteration 2000:/)]);
    expect(lines.filter((l) => /^pred: = [01]{8} +\d+ +(correct|wrong)$/.test(l)).length).toBeGreaterThanOrEqual(2);
    for (const l of lines.filter((line) => /^\d+ \+ \d+ = \d+$/.test(line))) {
      const [a, b] = l.split(/ \+ | = /).map(Number) as [number, number];
      expect(a).toBeLessThan(128);
      expect(b).toBeLessThan(128);
    }
    expect(lines.some((l) => /^exact additions: \d+ of 1000 \(/.test(l))).toBe(true);
  });
});
