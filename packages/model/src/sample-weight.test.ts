// Sample weights and output masks in fit's and evaluate's losses and metrics. TF.js 4.22 is
// the oracle for weights: its `fit` refuses `sampleWeight` but weighs each sample by its
// class with `classWeight` (Σ w·loss / number of elements, as tf.keras' sample_weight), and
// per-step weights are checked against TF.js' own gradient of that weighted mean. TF.js
// ignores output masks, so masks are checked against the documented rule directly.
import { Dense, LSTM, Masking, Sequential } from '@rnnkit/layers';
import { meanSquaredError } from '@rnnkit/losses';
import { defineOptimizer, sgd } from '@rnnkit/optimizers';
import { Random, Tensor, tensor } from '@rnnkit/tensor';
import type * as TF from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, fit, predict } from './index.js';
import { type Tfjs, expectClose, loadTf, randomInput } from './io/test-support.js';
import { rejection, scalarModel } from './test-support.js';

let tf: Tfjs;
beforeAll(async () => {
  tf = await loadTf();
});
afterAll(() => tf?.disposeVariables());

/** LSTM(3) (→ sequences when `sequences`) → Dense(1), its weights drawn from `seed`. */
function model(sequences: boolean, seed: number): Sequential {
  const m = new Sequential({ inputShape: [4, 2], layers: [new LSTM({ units: 3, returnSequences: sequences }), new Dense({ units: 1 })], seed });
  const random = new Random(seed);
  m.setWeights(m.getWeights().map((w) => new Tensor(random.fillNormal(new Float32Array(w.size), 0, 0.5), w.shape)));
  return m;
}

/** The same model in TF.js, with the same weights. */
function tfTwin(source: Sequential, sequences: boolean): TF.Sequential {
  const twin = tf.sequential({
    layers: [
      tf.layers.lstm({ units: 3, returnSequences: sequences, recurrentActivation: 'sigmoid', inputShape: [4, 2] }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  twin.setWeights(source.getWeights().map((w) => tf.tensor(w.data as Float32Array, [...w.shape])));
  return twin;
}

const tfWeights = (m: TF.LayersModel): Float32Array[] => m.getWeights().map((w) => w.dataSync() as Float32Array);

describe('sampleWeight in fit', () => {
  it('should train as TF.js does with the same weights per sample (its classWeight), over several batches', async () => {
    const x = randomInput([8, 4, 2], 1);
    const labels = [0, 1, 1, 0, 1, 0, 0, 1];
    const y = tensor(labels.map((v) => [v]));
    const byClass = { 0: 0.25, 1: 2.5 };
    const sampleWeight = tensor(labels.map((v) => byClass[v as 0 | 1]));
    const ours = model(false, 3);
    const theirs = tfTwin(ours, false);
    theirs.compile({ optimizer: tf.train.sgd(0.5), loss: 'meanSquaredError' });
    await theirs.fit(tf.tensor(x.data as Float32Array, [...x.shape]), tf.tensor(y.data as Float32Array, [8, 1]), {
      batchSize: 4, epochs: 2, shuffle: false, classWeight: byClass, verbose: 0,
    });
    await fit(ours, { x, y }, { loss: 'mse', optimizer: sgd, optimizerOptions: { learningRate: 0.5 }, batchSize: 4, epochs: 2, shuffle: false, sampleWeight });
    const expected = tfWeights(theirs);
    ours.getWeights().forEach((w, i) => expectClose(w.data, expected[i]!, `weight ${i}`));
    // The weights matter: unweighted training ends elsewhere.
    const plain = model(false, 3);
    await fit(plain, { x, y }, { loss: 'mse', optimizer: sgd, optimizerOptions: { learningRate: 0.5 }, batchSize: 4, epochs: 2, shuffle: false });
    expect(() => plain.getWeights().forEach((w, i) => expectClose(w.data, expected[i]!, `weight ${i}`))).toThrow();
  });

  it('should take one SGD step as TF.js\' gradient of Σ w·loss / (samples · steps) with weights per time step', async () => {
    const x = randomInput([5, 4, 2], 2);
    const y = randomInput([5, 4, 1], 3);
    const sampleWeight = new Tensor(new Random(4).fillUniform(new Float32Array(20), 0, 2), [5, 4]);
    const ours = model(true, 5);
    const theirs = tfTwin(ours, true);
    const lr = 0.3;
    const expected = tf.tidy(() => {
      const [tx, ty, tw] = [tf.tensor(x.data as Float32Array, [5, 4, 2]), tf.tensor(y.data as Float32Array, [5, 4, 1]), tf.tensor(sampleWeight.data as Float32Array, [5, 4])];
      const { grads } = tf.variableGrads(() => {
        const perStep = tf.mean(tf.square(tf.sub(theirs.apply(tx, { training: true }) as TF.Tensor, ty)), -1);
        return tf.div(tf.sum(tf.mul(perStep, tw)), 20) as TF.Scalar;
      });
      return theirs.weights.map((w) => tf.sub(w.read(), tf.mul(grads[w.originalName]!, lr)).dataSync() as Float32Array);
    });
    await fit(ours, { x, y }, { loss: 'mse', optimizer: sgd, optimizerOptions: { learningRate: lr }, batchSize: 'full', sampleWeight });
    ours.getWeights().forEach((w, i) => expectClose(w.data, expected[i]!, `weight ${i}`));
  });

  it('should shuffle the weights with their samples', async () => {
    // A model that predicts 0: sample i's loss is (i + 1)², weighted by 1 / (i + 1)² it is 1.
    const n = 9;
    const x = tensor(Array.from({ length: n }, (_, i) => [i]), 'float64');
    const y = tensor(Array.from({ length: n }, (_, i) => [i + 1]), 'float64');
    const sampleWeight = tensor(Array.from({ length: n }, (_, i) => 1 / (i + 1) ** 2), 'float64');
    const still = defineOptimizer({ name: 'still', defaults: {}, init: () => ({}), update: ({ out, state }) => ({ update: out.fill(0), state }) });
    const history = await fit(scalarModel(), { x, y }, { loss: 'mse', optimizer: still, batchSize: 1, epochs: 2, seed: 3, sampleWeight });
    const ones = (losses: number[]) => losses.every((loss) => Math.abs(loss - 1) < 1e-12);
    expect(history.batches).toHaveLength(2 * n);
    expect(ones(history.batches.map((b) => b.loss))).toBe(true);
    // Unshuffled weights would pair a sample with another's weight.
    const reversed = tensor([...sampleWeight.data].reverse(), 'float64');
    const mismatched = await fit(scalarModel(), { x, y }, { loss: 'mse', optimizer: still, batchSize: 1, seed: 3, sampleWeight: reversed });
    expect(ones(mismatched.batches.map((b) => b.loss))).toBe(false);
  });

  it('should split the weights with validationSplit and weigh the validation loss and metrics', async () => {
    const x = randomInput([10, 4, 2], 6);
    const y = randomInput([10, 1], 7);
    const sampleWeight = tensor([1, 1, 1, 1, 1, 1, 1, 1, 0, 3]);
    const m = model(false, 8);
    const still = defineOptimizer({ name: 'still', defaults: {}, init: () => ({}), update: ({ out, state }) => ({ update: out.fill(0), state }) });
    const history = await fit(m, { x, y }, { loss: 'mse', optimizer: still, validationSplit: 0.2, metrics: ['mae'], sampleWeight });
    const p = predict(m, x).data;
    const error = (i: number) => p[i]! - y.data[i]!;
    // Validation samples 8 (weight 0) and 9 (weight 3): Σ w·loss / 2, and the weighted mean of |error|.
    expect(history.valLoss[0]).toBeCloseTo((3 * error(9) ** 2) / 2, 6);
    expect(history.epochs[0]!.metrics.val_mae).toBeCloseTo(Math.abs(error(9)), 6);
  });

  it('should refuse weights of the wrong shape, negative or not finite, naming the shapes accepted', async () => {
    const x = randomInput([4, 3, 2], 1);
    const y = randomInput([4, 1], 2);
    const options = { loss: 'mse', optimizer: sgd } as const;
    expect((await rejection(fit(model(false, 1), { x, y }, { ...options, sampleWeight: tensor([1, 1, 1]) }))).message).toBe(
      'fit: sampleWeight must have shape [4] or [4, 3] (per sample or per time step), got [3]',
    );
    expect((await rejection(fit(model(false, 1), { x, y }, { ...options, sampleWeight: tensor([1, -1, 1, 1]) }))).message).toBe(
      'fit: sampleWeight must be finite and ≥ 0, got -1 at index [1]',
    );
    expect(() => evaluate(model(false, 1), { x, y }, { loss: 'mse', sampleWeight: [1, 1, 1, 1] as never })).toThrow(
      'evaluate: sampleWeight must be a Tensor [4] or [4, 3], got object',
    );
  });
});

/** Masking(0) → LSTM(2, sequences) → Dense(1) on float64 data whose sequences end in padding. */
function maskedTask() {
  const lengths = [4, 2, 3, 1, 4, 2];
  const random = new Random(9);
  const x = new Tensor(new Float64Array(6 * 4 * 2), [6, 4, 2]);
  const mask = new Float64Array(24);
  lengths.forEach((length, b) => {
    for (let t = 0; t < length; t++) {
      mask[b * 4 + t] = 1;
      for (let f = 0; f < 2; f++) x.data[(b * 4 + t) * 2 + f] = random.uniform(0.1, 1);
    }
  });
  const y = new Tensor(random.fillNormal(new Float64Array(24), 0, 1), [6, 4, 1]);
  const make = () =>
    new Sequential({ inputShape: [4, 2], layers: [new Masking({ maskValue: 0, dtype: 'float64' }), new LSTM({ units: 2, returnSequences: true, dtype: 'float64' }), new Dense({ units: 1, dtype: 'float64' })], seed: 4 });
  return { x, y, mask, make };
}

describe('output masks in losses and metrics', () => {
  it('should give masked steps no weight: their targets change nothing in training', async () => {
    const { x, y, mask, make } = maskedTask();
    const other = y.clone();
    mask.forEach((m, i) => {
      if (m === 0) other.data[i] = 1000 + i;
    });
    const train = async (targets: Tensor) => {
      const m = make();
      const history = await fit(m, { x, y: targets }, { loss: 'mse', optimizer: sgd, batchSize: 3, epochs: 2, seed: 1 });
      return { weights: m.getWeights().map((w) => Array.from(w.data)), loss: history.loss };
    };
    const [a, b] = [await train(y), await train(other)];
    expect(b).toEqual(a);
    // Unmasked targets do matter.
    const moved = y.clone();
    moved.data[0]! += 1;
    expect((await train(moved)).weights).not.toEqual(a.weights);
  });

  it('should average the loss over the unmasked steps only, whatever the batch size, and weigh the metrics alike', () => {
    const { x, y, mask, make } = maskedTask();
    const m = make();
    const p = predict(m, x).data;
    let squares = 0;
    let absolute = 0;
    let kept = 0;
    mask.forEach((keep, i) => {
      if (keep === 0) return;
      squares += (p[i]! - y.data[i]!) ** 2;
      absolute += Math.abs(p[i]! - y.data[i]!);
      kept++;
    });
    for (const batchSize of [1, 4, 256]) {
      const { loss, metrics } = evaluate(m, { x, y }, { loss: 'mse', batchSize, metrics: ['mae', 'mse'] });
      expect(loss, `batchSize ${batchSize}`).toBeCloseTo(squares / kept, 12);
      expect(metrics.mae).toBeCloseTo(absolute / kept, 12);
      expect(metrics.mse).toBeCloseTo(squares / kept, 12);
    }
  });

  it('should hand a metric function the weight of each position: mask × sample weight', () => {
    const { x, y, mask, make } = maskedTask();
    let given: Tensor | undefined;
    const metrics = { seen: (_p: Tensor, _t: Tensor, weights?: Tensor) => ((given = weights), 0) };
    evaluate(make(), { x, y }, { loss: 'mse', metrics, sampleWeight: tensor([1, 2, 3, 4, 5, 6]), batchSize: 4 });
    expect(given?.shape).toEqual([6, 4]);
    expect(Array.from(given!.data)).toEqual(Array.from(mask, (m, i) => m * (Math.floor(i / 4) + 1)));
  });

  it('should combine a mask with weights as Σ w·m·loss / Σ m', () => {
    const { x, y, mask, make } = maskedTask();
    const m = make();
    const p = predict(m, x).data;
    const weights = new Tensor(Float64Array.from({ length: 24 }, (_, i) => (i % 5) / 2), [6, 4]);
    let sum = 0;
    let kept = 0;
    mask.forEach((keep, i) => {
      sum += keep * weights.data[i]! * (p[i]! - y.data[i]!) ** 2;
      kept += keep;
    });
    expect(evaluate(m, { x, y }, { loss: meanSquaredError(), sampleWeight: weights }).loss).toBeCloseTo(sum / kept, 12);
  });
});
