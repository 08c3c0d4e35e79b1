// Oracle: TimeDistributed(Dense) computes what TensorFlow.js 4.22's tf.layers.timeDistributed
// computes: after an LSTM returning sequences, outputs, every weight gradient and the input
// gradient within 1e-5; and after Masking → LSTM, the outputs with the mask passed through
// to a second LSTM.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import type { Layer } from './layer.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { Sequential } from './sequential.js';
import { uniform } from './test-support.js';
import { TimeDistributed } from './time-distributed.js';
import { expectClose, forwardBackward, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    // At least 2 steps: TF.js 4.22 cannot differentiate a one-step RNN's input.
    time: fc.integer({ min: 2, max: 4 }),
    features: fc.integer({ min: 1, max: 3 }),
    units: fc.integer({ min: 1, max: 3 }),
    activation: fc.constantFrom('linear' as const, 'tanh' as const, 'softmax' as const),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) => fc.record({ c: fc.constant(c), padding: fc.array(fc.boolean(), { minLength: c.batch * c.time, maxLength: c.batch * c.time }) }));
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function compare({ c, padding }: Case, masked: boolean): void {
  const random = new Random(c.seed);
  const layers: Layer[] = [new LSTM({ units: 2, returnSequences: true }), new TimeDistributed({ layer: new Dense({ units: c.units, activation: c.activation }) })];
  if (masked) layers.unshift(new Masking());
  if (masked) layers.push(new LSTM({ units: 2 }));
  const model = new Sequential({ layers, inputShape: [c.time, c.features], seed: c.seed });
  for (const p of model.params()) random.fillUniform(p.value.data, -0.6, 0.6);
  const x = uniform([c.batch, c.time, c.features], random, 'float32');
  if (masked) padding.forEach((pad, s) => pad && x.data.fill(0, s * c.features, (s + 1) * c.features));
  const { y, w, dx } = forwardBackward(model, x, random); // loss = Σ y ⊙ w

  tf.tidy(() => {
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    const tfLayers: TF.layers.Layer[] = [
      tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid', inputShape: [c.time, c.features] }),
      tf.layers.timeDistributed({ layer: tf.layers.dense({ units: c.units, activation: c.activation }) }),
    ];
    if (masked) tfLayers.unshift(tf.layers.masking({ maskValue: 0, inputShape: [c.time, c.features] }));
    if (masked) tfLayers.push(tf.layers.lstm({ units: 2, recurrentActivation: 'sigmoid' }));
    const tfModel = tf.sequential({ layers: tfLayers });
    tfModel.setWeights(model.getWeights().map(toTf));
    const xT = toTf(x);
    const what = masked ? 'Masking → LSTM → TimeDistributed(Dense) → LSTM' : `LSTM → TimeDistributed(Dense ${c.activation})`;
    expectClose(y.data, (tfModel.predict(xT) as TF.Tensor).dataSync(), `${what} output`);
    // TF.js' Masking has no gradient (and an RNN returning its last step none either): gradients unmasked.
    if (masked) return;
    const wT = toTf(w);
    const lossOf = (input: TF.Tensor): TF.Scalar => tf.sum(tf.mul(tfModel.apply(input) as TF.Tensor, wT));
    const variables = tfModel.trainableWeights.map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xT), variables);
    const ours = model.params();
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `${what} ∂loss/∂${ours[k]!.name}`));
    expectClose(dx.data, tf.grad(lossOf)(xT).dataSync(), `${what} ∂loss/∂x`);
  });
}

describe('oracle: TensorFlow.js 4.22 tf.layers.timeDistributed', () => {
  it('should match TF.js within 1e-5 over Dense after an LSTM: outputs and every gradient', () => {
    fc.assert(fc.property(caseArb, (c) => compare(c, false)), { numRuns: 10 });
  });

  it('should match TF.js within 1e-5 with a mask passed through to a second LSTM: outputs', () => {
    fc.assert(fc.property(caseArb, (c) => compare(c, true)), { numRuns: 10 });
  });
});
