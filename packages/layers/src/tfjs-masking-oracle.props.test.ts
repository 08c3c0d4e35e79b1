// Oracle: a Masking layer before a recurrent layer computes what TensorFlow.js computes with
// tf.layers.masking — outputs (a masked step repeats the last valid output, zeros before the
// first valid step) and the gradients of the weights and of the input — for LSTM, GRU
// (resetAfter false, the form TF.js has) and SimpleRNN, forwards and goBackwards, alone and
// inside Bidirectional, with padding anywhere in the sequence (random steps are all zeros).
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, Tensor } from '@rnnkit/tensor';
import { Bidirectional } from './bidirectional.js';
import { GRU } from './gru.js';
import type { Layer } from './layer.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { Sequential } from './sequential.js';
import { SimpleRNN } from './simple-rnn.js';
import { uniform } from './test-support.js';
import { expectClose, forwardBackward, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const RUNS = { numRuns: 10 };

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    // At least 2 steps: TF.js 4.22 cannot differentiate with respect to a one-step RNN's input.
    time: fc.integer({ min: 2, max: 5 }),
    features: fc.integer({ min: 1, max: 3 }),
    units: fc.integer({ min: 1, max: 3 }),
    kind: fc.constantFrom('LSTM' as const, 'GRU' as const, 'SimpleRNN' as const),
    goBackwards: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  })
  .chain((c) => fc.record({ c: fc.constant(c), padding: fc.array(fc.boolean(), { minLength: c.batch * c.time, maxLength: c.batch * c.time }) }));
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function compare({ c, padding }: Case, returnSequences: boolean, bidirectional: boolean): void {
  const random = new Random(c.seed);
  const options = { units: c.units, returnSequences, goBackwards: c.goBackwards };
  const recurrent: Layer =
    c.kind === 'LSTM' ? new LSTM(options) : c.kind === 'GRU' ? new GRU({ ...options, resetAfter: false }) : new SimpleRNN(options);
  const layer = bidirectional ? new Bidirectional({ layer: recurrent as never }) : recurrent;
  const model = new Sequential({ layers: [new Masking(), layer], inputShape: [c.time, c.features], seed: c.seed });
  for (const p of model.params()) random.fillUniform(p.value.data, -0.6, 0.6);
  const x = uniform([c.batch, c.time, c.features], random, 'float32');
  padding.forEach((pad, s) => pad && x.data.fill(0, s * c.features, (s + 1) * c.features));
  const { y, w, dx } = forwardBackward(model, x, random, { training: true }); // loss = Σ y ⊙ w

  tf.tidy(() => {
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    const o = { units: c.units, returnSequences, goBackwards: c.goBackwards, activation: 'tanh' as const };
    const inner =
      c.kind === 'LSTM'
        ? tf.layers.lstm({ ...o, recurrentActivation: 'sigmoid' })
        : c.kind === 'GRU'
          ? tf.layers.gru({ ...o, recurrentActivation: 'sigmoid' })
          : tf.layers.simpleRNN(o);
    const tfModel = tf.sequential({
      layers: [tf.layers.masking({ maskValue: 0, inputShape: [c.time, c.features] }), bidirectional ? tf.layers.bidirectional({ layer: inner }) : inner],
    });
    tfModel.setWeights(model.getWeights().map(toTf));
    const xT = toTf(x);
    const what = `${bidirectional ? 'Bidirectional ' : ''}${c.kind} goBackwards ${c.goBackwards} returnSequences ${returnSequences}`;
    expectClose(y.data, (tfModel.predict(xT) as TF.Tensor).dataSync(), `${what} output`);
    // TF.js 4.22 cannot differentiate through an RNN returning only its last step (its
    // unstack gradient receives null for the other steps): gradients with sequences only.
    if (!returnSequences) return;
    const wT = toTf(w);
    // TF.js' Masking has no gradient (its mask comes from an Any op), so the gradients go
    // through the recurrent layer given Masking's output and mask, the mask a constant.
    const keep = tf.tensor(padding.map((pad) => (pad ? 0 : 1)), [c.batch, c.time]);
    const mask = tf.cast(keep, 'bool');
    const keep3 = tf.expandDims(keep, 2);
    const recurrentT = tfModel.layers[1]!;
    const lossOf = (input: TF.Tensor): TF.Scalar => tf.sum(tf.mul(recurrentT.apply(tf.mul(input, keep3), { mask }) as TF.Tensor, wT));
    const variables = tfModel.trainableWeights.map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xT), variables);
    const ours = model.params();
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `${what} ∂loss/∂${ours[k]!.name}`));
    expectClose(dx.data, tf.grad(lossOf)(xT).dataSync(), `${what} ∂loss/∂x`);
  });
}

describe('oracle: TensorFlow.js 4.22 tf.layers.masking before a recurrent layer', () => {
  for (const bidirectional of [false, true]) {
    for (const returnSequences of [false, true]) {
      it(`should match TF.js within 1e-5${bidirectional ? ', inside Bidirectional' : ''}: returnSequences ${returnSequences}${returnSequences ? ', outputs and gradients' : ', outputs'}`, () => {
        fc.assert(fc.property(caseArb, (c) => compare(c, returnSequences, bidirectional)), RUNS);
      });
    }
  }
});
