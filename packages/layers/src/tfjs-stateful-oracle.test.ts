// Oracle: a stateful LSTM matches TF.js' stateful tf.layers.lstm (same Keras-layout weights)
// over consecutive calls — the second call continues the sequences of the first — and after
// resetting the states on both sides, in float32.
import { describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { Random } from '@rnnkit/tensor';
import { LSTM } from './lstm.js';
import { uniform } from './test-support.js';
import { expectClose, withTf } from './tfjs-oracle.test-util.js';

let tf: typeof TF;
withTf((loaded) => (tf = loaded));

describe('oracle: TensorFlow.js stateful LSTM', () => {
  it('should give the same outputs over consecutive calls and after resetting the states (float32)', () => {
    const batch = 3, time = 4, features = 2, units = 5;
    const random = new Random(11);
    const ours = new LSTM({ units, returnSequences: true, stateful: true });
    ours.build([batch, time, features], random);
    for (const p of ours.params()) random.fillUniform(p.value.data, -0.6, 0.6);
    const chunks = [0, 1, 2].map(() => uniform([batch, time, features], random, 'float32'));
    const theirs = tf.sequential({
      layers: [tf.layers.lstm({ units, returnSequences: true, stateful: true, recurrentActivation: 'sigmoid', batchInputShape: [batch, time, features] })],
    });
    theirs.setWeights(ours.getWeights().map((w) => tf.tensor(w.data, [...w.shape])));
    const run = (k: number): Float32Array => tf.tidy(() => (theirs.predict(tf.tensor(chunks[k]!.data, [batch, time, features])) as TF.Tensor).dataSync() as Float32Array);
    expectClose(ours.forward(chunks[0]!).y.data, run(0), 'call 1');
    expectClose(ours.forward(chunks[1]!).y.data, run(1), 'call 2 (continuing call 1)');
    theirs.resetStates();
    ours.resetStates();
    expectClose(ours.forward(chunks[0]!).y.data, run(0), 'after resetStates');
    // The carried states matter: call 2 differs from a fresh start on the same input.
    const fresh = new LSTM({ units, returnSequences: true });
    fresh.build([null, time, features], random);
    fresh.setWeights(ours.getWeights());
    const second = ours.forward(chunks[1]!).y.data;
    expect(Math.max(...Array.from(second, (v, i) => Math.abs(v - fresh.forward(chunks[1]!).y.data[i]!)))).toBeGreaterThan(1e-3);
  });
});
