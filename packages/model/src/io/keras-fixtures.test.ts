// Files converted from Keras by tensorflowjs_converter, which TF.js 4 cannot produce
// itself (GRU with reset_after true): hand-written model.json fixtures in the converter's
// layout (model_config wrapper, InputLayer, cell-infixed or indexed weight names, several
// groups and shards, nested initialiser configs, dtype policies), with seeded weight bytes,
// checked against an independent float64 implementation of Keras' equations.
import { copyFile, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GRU, LSTM } from '@rnnkit/layers';
import { Random, Tensor } from '@rnnkit/tensor';
import { loadModelFromDirectory } from '../node.js';
import { cleanup, expectClose, randomInput, temporaryDirectory } from './test-support.js';

afterAll(cleanup);

const fixtures = join(import.meta.dirname, 'fixtures');

interface Manifest {
  weightsManifest: { paths: string[]; weights: { name: string; shape: number[] }[] }[];
}

/**
 * Copies a fixture's model.json into a temp dir and writes seeded weights into the files its
 * manifest names (each group's bytes cut at an unaligned byte between its shards).
 */
async function materialise(fixture: string, seed: number): Promise<{ dir: string; weights: Map<string, Float32Array> }> {
  const dir = await temporaryDirectory();
  await copyFile(join(fixtures, fixture), join(dir, 'model.json'));
  const manifest = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as Manifest;
  const random = new Random(seed);
  const weights = new Map<string, Float32Array>();
  for (const group of manifest.weightsManifest) {
    const parts = group.weights.map((w) => {
      const values = random.fillNormal(new Float32Array(w.shape.reduce((a, b) => a * b, 1)), 0, 0.5);
      weights.set(w.name, values);
      return new Uint8Array(values.buffer);
    });
    const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let offset = 0;
    for (const p of parts) {
      bytes.set(p, offset);
      offset += p.length;
    }
    const cuts = [0, ...group.paths.slice(1).map((_, i) => Math.floor(((i + 1) * bytes.length) / group.paths.length) + 3), bytes.length];
    for (const [i, path] of group.paths.entries()) await writeFile(join(dir, path), bytes.subarray(cuts[i]!, cuts[i + 1]!));
  }
  return { dir, weights };
}

// ---- An independent float64 reading of Keras' equations (batch-major, one sample at a time) ----

type Matrix = { data: Float32Array; rows: number; cols: number };
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const relu = (v: number): number => Math.max(0, v);

function matrix(data: Float32Array, cols: number): Matrix {
  return { data, rows: data.length / cols, cols };
}

/** v·M for a row vector v. */
function rowTimes(v: readonly number[], m: Matrix): number[] {
  const out = new Array<number>(m.cols).fill(0);
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.cols; j++) out[j]! += v[i]! * m.data[i * m.cols + j]!;
  return out;
}

function sequences(x: Tensor): number[][][] {
  const [batch, time, features] = x.shape as [number, number, number];
  return Array.from({ length: batch }, (_, b) =>
    Array.from({ length: time }, (_, t) => Array.from(x.data.subarray((b * time + t) * features, (b * time + t + 1) * features))),
  );
}

/** Keras 2 GRU with reset_after=True: bias row 0 on the input side, row 1 on the recurrent side. */
function gruResetAfter(xs: number[][], W: Float32Array, U: Float32Array, bias: Float32Array, units: number): number[][] {
  const w = matrix(W, 3 * units);
  const u = matrix(U, 3 * units);
  let h = new Array<number>(units).fill(0);
  return xs.map((x) => {
    const mx = rowTimes(x, w).map((v, j) => v + bias[j]!);
    const mh = rowTimes(h, u).map((v, j) => v + bias[3 * units + j]!);
    h = h.map((hPrev, k) => {
      const z = sigmoid(mx[k]! + mh[k]!);
      const r = sigmoid(mx[units + k]! + mh[units + k]!);
      const candidate = Math.tanh(mx[2 * units + k]! + r * mh[2 * units + k]!);
      return z * hPrev + (1 - z) * candidate;
    });
    return h;
  });
}

/** Keras' LSTM: gates i, f, c, o; h = o ⊙ tanh(c). */
function lstm(xs: number[][], W: Float32Array, U: Float32Array, bias: Float32Array, units: number): number[][] {
  const w = matrix(W, 4 * units);
  const u = matrix(U, 4 * units);
  let h = new Array<number>(units).fill(0);
  let c = new Array<number>(units).fill(0);
  return xs.map((x) => {
    const zx = rowTimes(x, w);
    const zh = rowTimes(h, u);
    const z = zx.map((v, j) => v + zh[j]! + bias[j]!);
    c = c.map((cPrev, k) => sigmoid(z[units + k]!) * cPrev + sigmoid(z[k]!) * Math.tanh(z[2 * units + k]!));
    h = c.map((cNow, k) => sigmoid(z[3 * units + k]!) * Math.tanh(cNow));
    return h;
  });
}

function simpleRnnRelu(xs: number[][], W: Float32Array, U: Float32Array, bias: Float32Array, units: number): number[][] {
  let h = new Array<number>(units).fill(0);
  return xs.map((x) => {
    const zx = rowTimes(x, matrix(W, units));
    const zh = rowTimes(h, matrix(U, units));
    h = zx.map((v, j) => relu(v + zh[j]! + bias[j]!));
    return h;
  });
}

function dense(v: number[], W: Float32Array, bias: Float32Array, units: number): number[] {
  return rowTimes(v, matrix(W, units)).map((s, j) => s + bias[j]!);
}

function softmax(v: number[]): number[] {
  const m = Math.max(...v);
  const e = v.map((a) => Math.exp(a - m));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((a) => a / s);
}

describe('a Keras 2 model converted by tensorflowjs_converter', () => {
  it('should predict as Keras’ equations: GRU reset_after true → LSTM → SimpleRNN (relu) → Dropout → Dense → softmax', async () => {
    const { dir, weights } = await materialise('keras2-converted.model.json', 1);
    const { model, warnings, origin } = await loadModelFromDirectory(dir);
    expect(model.layers.map((l) => l.className)).toEqual(['GRU', 'LSTM', 'SimpleRNN', 'Dropout', 'Dense', 'Activation']);
    expect((model.layers[0] as GRU).resetAfter).toBe(true);
    expect(origin).toEqual({ generatedBy: 'keras v2.15.0', convertedBy: 'TensorFlow.js Converter v4.22.0', kerasVersion: '2.15.0' });
    const x = randomInput([3, 5, 3], 2);
    const w = (name: string) => weights.get(name)!;
    const expected = sequences(x).flatMap((xs) => {
      const g = gruResetAfter(xs, w('gru/gru_cell/kernel'), w('gru/gru_cell/recurrent_kernel'), w('gru/gru_cell/bias'), 4);
      const l = lstm(g, w('lstm/lstm_cell/kernel'), w('lstm/lstm_cell/recurrent_kernel'), w('lstm/lstm_cell/bias'), 3);
      const s = simpleRnnRelu(l, w('simple_rnn/simple_rnn_cell/kernel'), w('simple_rnn/simple_rnn_cell/recurrent_kernel'), w('simple_rnn/simple_rnn_cell/bias'), 3);
      return softmax(dense(s[s.length - 1]!, w('dense/kernel'), w('dense/bias'), 2));
    });
    expectClose(model.forward(x).y.data, expected, 'rnnkit vs Keras equations');
    // The training-only settings it could not keep are reported, not silently dropped; the
    // LSTM's dropout rates are kept (the identity at inference, applied while training).
    expect(warnings).toEqual(['layer 2 "lstm" (LSTM): kernel_regularizer L2 dropped (training only)']);
    expect((model.layers[1] as LSTM).getConfig()).toMatchObject({ dropout: 0.2, recurrentDropout: 0.1 });
  });

  it("should give rnnkit's own GRU (resetAfter true) with the same weights the same outputs", async () => {
    const { dir, weights } = await materialise('keras2-converted.model.json', 3);
    const { model } = await loadModelFromDirectory(dir);
    const gru = new GRU({ units: 4, returnSequences: true });
    gru.build([null, 5, 3], new Random(0));
    gru.setWeights([
      new Tensor(weights.get('gru/gru_cell/kernel')!, [3, 12]),
      new Tensor(weights.get('gru/gru_cell/recurrent_kernel')!, [4, 12]),
      new Tensor(weights.get('gru/gru_cell/bias')!, [2, 12]),
    ]);
    const x = randomInput([2, 5, 3], 4);
    expect(Array.from(model.layers[0]!.forward(x).y.data)).toEqual(Array.from(gru.forward(x).y.data));
  });
});

describe('a Keras 3 style model (dtype policies, batch_shape, indexed weight names)', () => {
  it('should predict as Keras’ equations: GRU reset_after true → LSTM → Dense (sigmoid)', async () => {
    const { dir, weights } = await materialise('keras3-style.model.json', 5);
    const { model, warnings } = await loadModelFromDirectory(dir);
    expect(warnings).toEqual([]);
    expect(model.layerNames).toEqual(['gru', 'lstm', 'dense']);
    const lstmLayer = model.layers[1] as LSTM;
    expect(lstmLayer.getConfig().recurrentInitializer).toEqual({ name: 'orthogonal', options: { gain: 1 } });
    const x = randomInput([2, 4, 2], 6);
    const w = (name: string) => weights.get(name)!;
    const expected = sequences(x).flatMap((xs) => {
      const g = gruResetAfter(xs, w('gru/0'), w('gru/1'), w('gru/2'), 3);
      const l = lstm(g, w('lstm/0'), w('lstm/1'), w('lstm/2'), 2);
      return dense(l[l.length - 1]!, w('dense/0'), w('dense/1'), 1).map(sigmoid);
    });
    expectClose(model.forward(x).y.data, expected, 'rnnkit vs Keras equations');
  });
});

describe('a Keras 3 style stateful model (stateful GRU and LSTM, batch_shape [2, 4, 2])', () => {
  it('should keep the fixed batch and continue the sequences from call to call as Keras’ equations over the whole sequence', async () => {
    const { dir, weights } = await materialise('keras3-style.model.json', 7);
    const file = join(dir, 'model.json');
    const json = JSON.parse(await readFile(file, 'utf8')) as { modelTopology: { model_config?: unknown } };
    const topology = (json.modelTopology.model_config ?? json.modelTopology) as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    for (const layer of topology.config.layers) {
      if (layer.class_name === 'GRU' || layer.class_name === 'LSTM') layer.config.stateful = true;
      if (layer.class_name === 'InputLayer') layer.config.batch_shape = [2, 4, 2];
    }
    await writeFile(file, JSON.stringify(json));
    const { model, warnings } = await loadModelFromDirectory(dir);
    expect(warnings).toEqual([]);
    expect(model.inputShape).toEqual([2, 4, 2]);
    const w = (name: string) => weights.get(name)!;
    const keras = (x: Tensor): number[] =>
      sequences(x).flatMap((xs) => {
        const l = lstm(gruResetAfter(xs, w('gru/0'), w('gru/1'), w('gru/2'), 3), w('lstm/0'), w('lstm/1'), w('lstm/2'), 2);
        return dense(l[l.length - 1]!, w('dense/0'), w('dense/1'), 1).map(sigmoid);
      });
    const whole = randomInput([2, 8, 2], 8);
    const half = (from: number): Tensor => {
      const data = new Float32Array(2 * 4 * 2);
      for (let b = 0; b < 2; b++) data.set(whole.data.subarray((b * 8 + from) * 2, (b * 8 + from + 4) * 2), b * 8);
      return new Tensor(data, [2, 4, 2]);
    };
    expectClose(model.forward(half(0)).y.data, keras(half(0)), 'call 1 (steps 0…3)');
    expectClose(model.forward(half(4)).y.data, keras(whole), 'call 2 (steps 4…7, continuing)');
  });
});
