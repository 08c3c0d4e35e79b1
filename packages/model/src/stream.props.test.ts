// The streaming law: a random model (stacked SimpleRNN/LSTM/GRU layers, Dropout, Activation,
// Dense) fed a sequence one step at a time gives, at step t, what `predict` gives for the
// whole sequence at t (models returning sequences) or for the prefix 0…t (models ending in
// the last step); `reset` starts a new sequence. float64 within 1e-6, float32 within 1e-5.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActivationLayer, Dense, Dropout, GRU, type Layer, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { type DType, Random, Tensor, allocate } from '@rnnkit/tensor';
import { predict } from './evaluate.js';
import { createStream } from './stream.js';

const recurrentArb = fc.record({
  kind: fc.constantFrom('SimpleRNN' as const, 'LSTM' as const, 'GRU' as const),
  units: fc.integer({ min: 1, max: 4 }),
  resetAfter: fc.boolean(),
  learnableInitialState: fc.boolean(),
});

const specArb = fc.record({
  recurrent: fc.array(recurrentArb, { minLength: 1, maxLength: 3 }),
  returnSequences: fc.boolean(),
  dropout: fc.boolean(),
  activation: fc.constantFrom('linear' as const, 'tanh' as const, 'softmax' as const, 'relu' as const),
  dense: fc.integer({ min: 1, max: 3 }),
  dtype: fc.constantFrom<DType>('float64', 'float32'),
  batch: fc.integer({ min: 1, max: 3 }),
  features: fc.integer({ min: 1, max: 3 }),
  // The sequences fed: their lengths, with a reset between them.
  lengths: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

function modelOf(spec: Spec): Sequential {
  const dtype = spec.dtype;
  const layers: Layer[] = spec.recurrent.map((r, i) => {
    const common = { units: r.units, dtype, returnSequences: i < spec.recurrent.length - 1 || spec.returnSequences };
    if (r.kind === 'LSTM') return new LSTM(common);
    if (r.kind === 'GRU') return new GRU({ ...common, resetAfter: r.resetAfter });
    return new SimpleRNN({ ...common, learnableInitialState: r.learnableInitialState });
  });
  if (spec.dropout) layers.push(new Dropout({ rate: 0.5, dtype }));
  layers.push(new Dense({ units: spec.dense, dtype, activation: 'tanh' }), new ActivationLayer({ activation: spec.activation, dtype }));
  const model = new Sequential({ layers, inputShape: [null, spec.features], seed: spec.seed });
  const random = new Random(spec.seed);
  for (const p of model.params()) random.fillNormal(p.value.data, 0, 0.5);
  return model;
}

/** `x[:, from…to)` of a `[batch, time, features]` tensor. */
function steps(x: Tensor, from: number, to: number): Tensor {
  const [batch, time, features] = x.shape as [number, number, number];
  const out = allocate(x.dtype, batch * (to - from) * features);
  for (let b = 0; b < batch; b++) out.set(x.data.subarray((b * time + from) * features, (b * time + to) * features), b * (to - from) * features);
  return new Tensor(out, [batch, to - from, features]);
}

describe('createStream (property)', () => {
  it('should give at every step what predict gives for the sequence so far, across resets', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const model = modelOf(spec);
        const tolerance = spec.dtype === 'float64' ? 1e-6 : 1e-5;
        const stream = createStream(model, { batch: spec.batch });
        const random = new Random(spec.seed + 1);
        const out = new Tensor(allocate(spec.dtype, spec.batch * spec.dense), [spec.batch, spec.dense]);
        for (const time of spec.lengths) {
          const x = new Tensor(random.fillUniform(allocate(spec.dtype, spec.batch * time * spec.features), -2, 2), [spec.batch, time, spec.features]);
          const whole = spec.returnSequences ? predict(model, x) : undefined;
          for (let t = 0; t < time; t++) {
            stream.step(steps(x, t, t + 1).reshape([spec.batch, spec.features]), out);
            const expected = whole !== undefined ? steps(whole, t, t + 1).data : predict(model, steps(x, 0, t + 1)).data;
            for (let i = 0; i < expected.length; i++) {
              const a = out.data[i]!, b = expected[i]!;
              if (!(Math.abs(a - b) <= tolerance * Math.max(1, Math.abs(b)))) throw new Error(`step ${t} [${i}]: stream ${a}, predict ${b}`);
            }
          }
          stream.reset();
        }
        expect(stream.outputSize).toBe(spec.dense);
      }),
      { numRuns: 40 },
    );
  });
});
