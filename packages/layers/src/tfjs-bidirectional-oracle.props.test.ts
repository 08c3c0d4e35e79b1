// Oracle: with identical weights, rnnkit's Bidirectional computes the same outputs and the
// same gradients (weights and input) as TensorFlow.js' tf.layers.bidirectional, for each
// merge mode, returnSequences both ways, over LSTM, GRU (resetAfter false) and SimpleRNN.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random, type Tensor } from '@rnnkit/tensor';
import { Bidirectional, type MergeMode } from './bidirectional.js';
import { GRU } from './gru.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { uniform } from './test-support.js';
import { expectClose, forwardBackward, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

const RUNS = { numRuns: 6 };

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  // At least 2 steps: TF.js 4.22 cannot differentiate with respect to a one-step RNN's input.
  time: fc.integer({ min: 2, max: 4 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 3 }),
  kind: fc.constantFrom('LSTM' as const, 'GRU' as const, 'SimpleRNN' as const),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function compare(c: Case, mergeMode: MergeMode, returnSequences: boolean): void {
  const random = new Random(c.seed);
  const options = { units: c.units, returnSequences };
  const inner = c.kind === 'LSTM' ? new LSTM(options) : c.kind === 'GRU' ? new GRU({ ...options, resetAfter: false }) : new SimpleRNN(options);
  const layer = new Bidirectional({ layer: inner, mergeMode });
  layer.build([null, c.time, c.features], random);
  for (const p of layer.params()) random.fillUniform(p.value.data, -0.6, 0.6);
  const x = uniform([c.batch, c.time, c.features], random, 'float32');
  const { y, w, dx } = forwardBackward(layer, x, random); // loss = Σ y ⊙ w

  tf.tidy(() => {
    const toTf = (t: Tensor): TF.Tensor => tf.tensor(t.data, [...t.shape]);
    // Keras' activations spelled out: TF.js would default the gates to its hard sigmoid.
    const tfInner = (sequences: boolean): TF.RNN => {
      const o = { units: c.units, returnSequences: sequences, activation: 'tanh' as const };
      if (c.kind === 'LSTM') return tf.layers.lstm({ ...o, recurrentActivation: 'sigmoid' });
      if (c.kind === 'GRU') return tf.layers.gru({ ...o, recurrentActivation: 'sigmoid' });
      return tf.layers.simpleRNN(o);
    };
    const xT = toTf(x);
    const wT = toTf(w);
    // Predictions: TF.js' own Bidirectional, as configured.
    const tfLayer = tf.layers.bidirectional({ layer: tfInner(returnSequences), mergeMode });
    tfLayer.apply(xT);
    tfLayer.setWeights(layer.getWeights().map(toTf));
    expectClose(y.data, (tfLayer.apply(xT) as TF.Tensor).dataSync(), `${c.kind} ${mergeMode} output`);

    // Gradients. TF.js 4.22 cannot differentiate through an RNN returning only its last step
    // (its unstack gradient receives null for the other steps): without returnSequences the
    // same function is its sequences' forward last step and backward first (flipped) step,
    // merged here with TF.js' ops.
    // mergeMode null: TF.js returns the two directions' sequences, the backward one flipped back.
    const model = tf.layers.bidirectional({ layer: tfInner(true), mergeMode: (returnSequences ? mergeMode : null) as MergeMode });
    model.apply(xT);
    model.setWeights(layer.getWeights().map(toTf));
    const last = (h: TF.Tensor, step: number): TF.Tensor => tf.squeeze(tf.slice(h, [0, step, 0], [c.batch, 1, c.units]), [1]);
    const lossOf = (input: TF.Tensor): TF.Scalar => {
      if (returnSequences) return tf.sum(tf.mul(model.apply(input) as TF.Tensor, wT));
      const [f, b] = model.apply(input) as TF.Tensor[];
      const hf = last(f!, c.time - 1);
      const hb = last(b!, 0);
      const merged =
        mergeMode === 'concat' ? tf.concat([hf, hb], -1) : mergeMode === 'sum' ? tf.add(hf, hb) : mergeMode === 'mul' ? tf.mul(hf, hb) : tf.div(tf.add(hf, hb), 2);
      return tf.sum(tf.mul(merged, wT));
    };
    const variables = model.trainableWeights.map((v) => v.read() as TF.Variable);
    const { grads } = tf.variableGrads(() => lossOf(xT), variables);
    const ours = layer.params();
    expect(ours.length).toBe(variables.length);
    variables.forEach((v, k) => expectClose(ours[k]!.grad.data, grads[v.name]!.dataSync(), `${c.kind} ${mergeMode} ∂loss/∂${ours[k]!.name}`));
    expectClose(dx.data, tf.grad(lossOf)(xT).dataSync(), `${c.kind} ${mergeMode} ∂loss/∂x`);
  });
}

describe('oracle: TensorFlow.js 4.22 tf.layers.bidirectional', () => {
  for (const mergeMode of ['concat', 'sum', 'mul', 'ave'] as const) {
    for (const returnSequences of [false, true]) {
      it(`should match TF.js in outputs and gradients within 1e-5: mergeMode ${mergeMode}, returnSequences ${returnSequences}`, () => {
        fc.assert(fc.property(caseArb, (c) => compare(c, mergeMode, returnSequences)), RUNS);
      });
    }
  }
});
