// Oracle: with identical Keras-layout weights, rnnkit's recurrent layers followed by Dense
// compute the same outputs and the same gradients (weights and input) as TensorFlow.js'
// tf.layers, in float32, forwards and with goBackwards (TF.js' outputs then come in
// processing order, as Keras'). TF.js is a devDependency of these tests only.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { GRU } from './gru.js';
import type { RecurrentLayer } from './layer.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { uniform } from './test-support.js';
import { expectClose, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const RUNS = { numRuns: 10 };

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  // At least 2 steps: TF.js 4.22 fails to differentiate with respect to the input of a
  // one-step RNN ("Argument tensors passed to stack must be a `Tensor[]`").
  time: fc.integer({ min: 2, max: 4 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 4 }),
  outputs: fc.integer({ min: 1, max: 2 }),
  returnSequences: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Case = (typeof caseArb extends fc.Arbitrary<infer T> ? T : never) & { readonly goBackwards: boolean };

type Kind = 'SimpleRNN' | 'LSTM' | 'GRU';

function rnnkitLayer(kind: Kind, c: Case): RecurrentLayer {
  const options = { units: c.units, returnSequences: c.returnSequences, goBackwards: c.goBackwards };
  if (kind === 'LSTM') return new LSTM(options);
  if (kind === 'GRU') return new GRU({ ...options, resetAfter: false }); // TF.js knows only resetAfter false
  return new SimpleRNN(options);
}

function tfLayer(kind: Kind, c: Case): TF.layers.Layer {
  // Keras' activations spelled out: TF.js would default the gates to its hard sigmoid.
  // Always returnSequences: TF.js 4.22 cannot differentiate through an RNN that returns
  // only the last step (its unstack gradient receives null for the unused steps), so
  // `model` below takes the last step itself, which is the same function.
  const options = { units: c.units, returnSequences: true, goBackwards: c.goBackwards, activation: 'tanh' as const };
  if (kind === 'LSTM') return tf.layers.lstm({ ...options, recurrentActivation: 'sigmoid' });
  if (kind === 'GRU') return tf.layers.gru({ ...options, recurrentActivation: 'sigmoid' });
  return tf.layers.simpleRNN(options);
}

function compare(kind: Kind, c: Case): void {
  const random = new Random(c.seed);
  const rnn = rnnkitLayer(kind, c);
  const dense = new Dense({ units: c.outputs });
  rnn.build([null, c.time, c.features], random);
  dense.build(rnn.outputShape([null, c.time, c.features]), random);
  // Weights well away from zero everywhere (biases included), so every term matters.
  for (const p of [...rnn.params(), ...dense.params()]) random.fillUniform(p.value.data, -0.6, 0.6);
  const x = uniform([c.batch, c.time, c.features], random, 'float32');

  const hidden = rnn.forward(x);
  const out = dense.forward(hidden.y);
  const w = uniform(out.y.shape, random, 'float32'); // loss = Σ out ⊙ w, so ∂loss/∂out = w
  for (const p of [...rnn.params(), ...dense.params()]) p.zeroGrad();
  const dx = rnn.backward(dense.backward(w, out.cache), hidden.cache);

  tf.tidy(() => {
    const tfRnn = tfLayer(kind, c);
    const tfDense = tf.layers.dense({ units: c.outputs });
    const xT = tf.tensor(x.data, [...x.shape]);
    tfDense.apply(tfRnn.apply(xT)); // builds both (Dense's kernel depends only on the last axis)
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    tfRnn.setWeights(rnn.getWeights().map(toTf));
    tfDense.setWeights(dense.getWeights().map(toTf));
    const wT = tf.tensor(w.data, [...w.shape]);
    const lastStep = (h: TF.Tensor): TF.Tensor =>
      c.returnSequences ? h : tf.squeeze(tf.slice(h, [0, c.time - 1, 0], [c.batch, 1, c.units]), [1]);
    const model = (input: TF.Tensor): TF.Tensor => tfDense.apply(lastStep(tfRnn.apply(input) as TF.Tensor)) as TF.Tensor;
    const lossOf = (input: TF.Tensor): TF.Scalar => tf.sum(tf.mul(model(input), wT));

    expectClose(out.y.data, model(xT).dataSync(), `${kind} output`);
    const variables = [...tfRnn.trainableWeights, ...tfDense.trainableWeights].map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xT), variables);
    const ours = [...rnn.params(), ...dense.params()];
    expect(ours.length).toBe(variables.length);
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `${kind} ∂loss/∂${ours[k]!.name}`));
    expectClose(dx.data, tf.grad(lossOf)(xT).dataSync(), `${kind} ∂loss/∂x`);
  });
}

describe('oracle: TensorFlow.js 4.22 tf.layers', () => {
  for (const kind of ['SimpleRNN', 'LSTM', 'GRU'] as const) {
    for (const goBackwards of [false, true]) {
      it(`should match TF.js ${kind}${kind === 'GRU' ? ' (resetAfter false)' : ''}${goBackwards ? ' with goBackwards' : ''} + Dense in outputs and gradients within 1e-5 (float32)`, () => {
        fc.assert(fc.property(caseArb, (c) => compare(kind, { ...c, goBackwards })), RUNS);
      });
    }
  }
});
