// Oracle: the global pooling layers compute what TensorFlow.js 4.22 computes. Without a mask,
// tf.layers.globalAveragePooling1d / globalMaxPooling1d after a Dense layer: outputs, the
// Dense weight gradients and the input gradient. With a mask (which TF.js' pooling layers
// refuse), the masked mean Σ m·x / Σ m and the masked max written in TF.js ops, and their
// TF.js gradients.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';
import type { Layer } from './layer.js';
import { Sequential } from './sequential.js';
import { uniform } from './test-support.js';
import { expectClose, forwardBackward, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const RUNS = { numRuns: 10 };

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    time: fc.integer({ min: 1, max: 5 }),
    features: fc.integer({ min: 1, max: 3 }),
    units: fc.integer({ min: 1, max: 3 }),
    max: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) => fc.record({ c: fc.constant(c), steps: fc.array(fc.boolean(), { minLength: c.batch * c.time, maxLength: c.batch * c.time }) }));
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function compareLayers({ c }: Case): void {
  const random = new Random(c.seed);
  const pooling = c.max ? new GlobalMaxPooling1D() : new GlobalAveragePooling1D();
  const model = new Sequential({ layers: [new Dense({ units: c.units }), pooling], inputShape: [c.time, c.features], seed: c.seed });
  for (const p of model.params()) random.fillUniform(p.value.data, -0.6, 0.6);
  const x = uniform([c.batch, c.time, c.features], random, 'float32');
  const { y, w, dx } = forwardBackward(model, x, random); // loss = Σ y ⊙ w

  tf.tidy(() => {
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    const tfModel = tf.sequential({
      layers: [tf.layers.dense({ units: c.units, inputShape: [c.time, c.features] }), c.max ? tf.layers.globalMaxPooling1d({}) : tf.layers.globalAveragePooling1d({})],
    });
    tfModel.setWeights(model.getWeights().map(toTf));
    const xT = toTf(x);
    const wT = toTf(w);
    const what = `Dense → ${pooling.className}`;
    expectClose(y.data, (tfModel.predict(xT) as TF.Tensor).dataSync(), `${what} output`);
    const lossOf = (input: TF.Tensor): TF.Scalar => tf.sum(tf.mul(tfModel.apply(input) as TF.Tensor, wT));
    const variables = tfModel.trainableWeights.map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xT), variables);
    const ours = model.params();
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `${what} ∂loss/∂${ours[k]!.name}`));
    expectClose(dx.data, tf.grad(lossOf)(xT).dataSync(), `${what} ∂loss/∂x`);
  });
}

function compareMasked({ c, steps }: Case): void {
  const random = new Random(c.seed);
  const layer: Layer = c.max ? new GlobalMaxPooling1D() : new GlobalAveragePooling1D();
  const x = uniform([c.batch, c.time, c.features], random, 'float32');
  const mask = new Tensor(Float32Array.from(steps, (s) => (s ? 1 : 0)), [c.batch, c.time]);
  const { y, cache } = layer.forward(x, { mask });
  const w = uniform(y.shape, random, 'float32');
  const dx = layer.backward(w, cache);

  tf.tidy(() => {
    const m = tf.expandDims(tf.tensor(mask.data, [c.batch, c.time]), 2);
    const any = tf.greater(tf.sum(m, 1), 0); // [batch, 1]: the sample has a valid step
    const pool = (input: TF.Tensor): TF.Tensor =>
      c.max
        ? tf.where(any, tf.max(tf.where(tf.greater(m, 0), input, tf.fill(input.shape, -Infinity)), 1), tf.zerosLike(tf.sum(input, 1)))
        : tf.div(tf.sum(tf.mul(input, m), 1), tf.maximum(tf.sum(m, 1), 1)); // 0 / 1 for a sample without a valid step
    const xT = tf.tensor(x.data, [...x.shape]);
    const wT = tf.tensor(w.data, [...w.shape]);
    const what = `masked ${layer.className}`;
    expectClose(y.data, pool(xT).dataSync(), `${what} output`);
    expectClose(dx.data, tf.grad((input: TF.Tensor) => tf.sum(tf.mul(pool(input), wT)))(xT).dataSync(), `${what} ∂loss/∂x`);
  });
}

describe('oracle: TensorFlow.js 4.22 global pooling', () => {
  it('should match tf.layers.globalAveragePooling1d / globalMaxPooling1d after a Dense layer within 1e-5: outputs and gradients', () => {
    fc.assert(fc.property(caseArb, compareLayers), RUNS);
  });

  it('should match the masked mean and the masked max written in TF.js ops within 1e-5: outputs and input gradients', () => {
    fc.assert(fc.property(caseArb, compareMasked), RUNS);
  });
});
