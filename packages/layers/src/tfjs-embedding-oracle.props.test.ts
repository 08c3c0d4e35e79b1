// Oracle: Embedding computes what TensorFlow.js 4.22's tf.layers.embedding computes — the
// outputs, and the gradient of the table (TF.js differentiates its gather) — alone, and with
// maskZero before an LSTM that skips the padding. The ids have no gradient in either library.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { Embedding } from './embedding.js';
import type { Layer } from './layer.js';
import { LSTM } from './lstm.js';
import { Sequential } from './sequential.js';
import { expectClose, forwardBackward, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const RUNS = { numRuns: 10 };

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 2, max: 5 }),
  inputDim: fc.integer({ min: 2, max: 6 }),
  outputDim: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function compare(c: Case, withLstm: boolean): void {
  const random = new Random(c.seed);
  const layers: Layer[] = [new Embedding({ inputDim: c.inputDim, outputDim: c.outputDim, maskZero: withLstm })];
  if (withLstm) layers.push(new LSTM({ units: 2, returnSequences: true }));
  const model = new Sequential({ layers, inputShape: [c.time], seed: c.seed });
  for (const p of model.params()) random.fillUniform(p.value.data, -0.6, 0.6);
  const ids = new Float32Array(c.batch * c.time);
  for (let i = 0; i < ids.length; i++) ids[i] = Math.min(c.inputDim - 1, Math.floor(random.uniform() * c.inputDim));
  const x = new Tensor(ids, [c.batch, c.time]);
  const { y, w } = forwardBackward(model, x, random); // loss = Σ y ⊙ w

  tf.tidy(() => {
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    const tfLayers: TF.layers.Layer[] = [tf.layers.embedding({ inputDim: c.inputDim, outputDim: c.outputDim, maskZero: withLstm, inputShape: [c.time] })];
    if (withLstm) tfLayers.push(tf.layers.lstm({ units: 2, returnSequences: true, recurrentActivation: 'sigmoid' }));
    const tfModel = tf.sequential({ layers: tfLayers });
    tfModel.setWeights(model.getWeights().map(toTf));
    const xT = toTf(x);
    const what = withLstm ? 'Embedding(maskZero) → LSTM' : 'Embedding';
    expectClose(y.data, (tfModel.predict(xT) as TF.Tensor).dataSync(), `${what} output`);
    const wT = toTf(w);
    const variables = tfModel.trainableWeights.map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => tf.sum(tf.mul(tfModel.apply(xT) as TF.Tensor, wT)), variables);
    const ours = model.params();
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `${what} ∂loss/∂${ours[k]!.name}`));
  });
}

describe('oracle: TensorFlow.js 4.22 tf.layers.embedding', () => {
  it('should match TF.js within 1e-5: outputs and the gradient of the table', () => {
    fc.assert(fc.property(caseArb, (c) => compare(c, false)), RUNS);
  });

  it('should match TF.js within 1e-5 with maskZero before an LSTM: outputs and every weight gradient', () => {
    fc.assert(fc.property(caseArb, (c) => compare(c, true)), RUNS);
  });
});
