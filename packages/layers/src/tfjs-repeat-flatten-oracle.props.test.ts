// Oracle: RepeatVector and Flatten inside Dense → RepeatVector → LSTM(returnSequences) →
// Flatten → Dense compute what the same TensorFlow.js 4.22 model computes: outputs, every
// weight gradient and the input gradient, within 1e-5.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { Flatten } from './flatten.js';
import { LSTM } from './lstm.js';
import { RepeatVector } from './repeat-vector.js';
import { Sequential } from './sequential.js';
import { uniform } from './test-support.js';
import { expectClose, forwardBackward, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  features: fc.integer({ min: 1, max: 3 }),
  // At least 2 steps: TF.js 4.22 cannot differentiate a one-step RNN's input.
  n: fc.integer({ min: 2, max: 4 }),
  units: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function compare(c: Case): void {
  const random = new Random(c.seed);
  const model = new Sequential({
    layers: [new Dense({ units: 2, activation: 'tanh' }), new RepeatVector({ n: c.n }), new LSTM({ units: c.units, returnSequences: true }), new Flatten(), new Dense({ units: 2 })],
    inputShape: [c.features],
    seed: c.seed,
  });
  for (const p of model.params()) random.fillUniform(p.value.data, -0.6, 0.6);
  const x = uniform([c.batch, c.features], random, 'float32');
  const { y, w, dx } = forwardBackward(model, x, random); // loss = Σ y ⊙ w

  tf.tidy(() => {
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    const tfModel = tf.sequential({
      layers: [
        tf.layers.dense({ units: 2, activation: 'tanh', inputShape: [c.features] }),
        tf.layers.repeatVector({ n: c.n }),
        tf.layers.lstm({ units: c.units, returnSequences: true, recurrentActivation: 'sigmoid' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2 }),
      ],
    });
    tfModel.setWeights(model.getWeights().map(toTf));
    const xT = toTf(x);
    const wT = toTf(w);
    expectClose(y.data, (tfModel.predict(xT) as TF.Tensor).dataSync(), 'output');
    const lossOf = (input: TF.Tensor): TF.Scalar => tf.sum(tf.mul(tfModel.apply(input) as TF.Tensor, wT));
    const variables = tfModel.trainableWeights.map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xT), variables);
    const ours = model.params();
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `∂loss/∂${ours[k]!.name}`));
    expectClose(dx.data, tf.grad(lossOf)(xT).dataSync(), '∂loss/∂x');
  });
}

describe('oracle: TensorFlow.js 4.22 tf.layers.repeatVector and tf.layers.flatten', () => {
  it('should match TF.js within 1e-5 in Dense → RepeatVector → LSTM → Flatten → Dense: outputs and every gradient', () => {
    fc.assert(fc.property(caseArb, compare), { numRuns: 10 });
  });
});
