import fc from 'fast-check';
import { Bidirectional, Dense, GRU, type Layer, LSTM, type MergeMode, Masking, Sequential, SimpleRNN } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { onnxRunner } from './index.js';
import { maxAbsDiff, randomTensor } from './test-support.js';

// Random masked models, Masking → one recurrent layer (last output; forwards, goBackwards or
// Bidirectional) → Dense, on random batches whose sequences have random lengths, end-padded
// with the mask value; and the same on masks of any pattern (start padding, holes).
const recurrentArb = fc.record({
  kind: fc.constantFrom('SimpleRNN', 'LSTM', 'GRU'),
  units: fc.integer({ min: 1, max: 4 }),
  wrap: fc.constantFrom<'forwards' | 'backwards' | MergeMode>('forwards', 'backwards', 'concat', 'sum', 'mul', 'ave'),
  resetAfter: fc.boolean(),
  learnableInitialState: fc.boolean(),
});

const caseArb = fc.record({
  recurrent: recurrentArb,
  features: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 7 }),
  batch: fc.integer({ min: 1, max: 5 }),
  maskValue: fc.constantFrom(0, -1, 0.25),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

function recurrentLayer({ kind, units, wrap, resetAfter, learnableInitialState }: Case['recurrent']): Layer {
  const goBackwards = wrap === 'backwards';
  const make = (): Layer =>
    kind === 'SimpleRNN' ? new SimpleRNN({ units, goBackwards, learnableInitialState }) : kind === 'LSTM' ? new LSTM({ units, goBackwards }) : new GRU({ units, goBackwards, resetAfter });
  return wrap === 'forwards' || wrap === 'backwards' ? make() : new Bidirectional({ layer: make() as never, mergeMode: wrap });
}

/** The model and a batch whose step t of sequence b is padding where `valid(b, t)` is false. */
function build(spec: Case, valid: (b: number, t: number) => boolean): { model: Sequential; x: Tensor } {
  const model = new Sequential({ layers: [new Masking({ maskValue: spec.maskValue }), recurrentLayer(spec.recurrent), new Dense({ units: 2 })], inputShape: [null, spec.features], seed: spec.seed });
  const random = new Random(spec.seed);
  model.setWeights(model.getWeights().map((w) => randomTensor(w.shape, random, 0.8)));
  const x = randomTensor([spec.batch, spec.time, spec.features], random);
  for (let b = 0; b < spec.batch; b++) {
    for (let t = 0; t < spec.time; t++) if (!valid(b, t)) x.data.fill(spec.maskValue, (b * spec.time + t) * spec.features, (b * spec.time + t + 1) * spec.features);
  }
  return { model, x };
}

async function expectSame(model: Sequential, x: Tensor): Promise<void> {
  const expected = predict(model, x);
  const runner = onnxRunner(model);
  try {
    const y = await runner.predict(x);
    expect(y.shape).toEqual(expected.shape);
    expect(maxAbsDiff(y.data, expected.data)).toBeLessThan(1e-5);
  } finally {
    await runner.dispose();
  }
}

describe('exportOnnx with masks (property)', () => {
  it('end-padded batches of random lengths run in ONNX Runtime equal to predict within 1e-5', async () => {
    await fc.assert(
      fc.asyncProperty(
        caseArb.chain((spec) => fc.tuple(fc.constant(spec), fc.array(fc.integer({ min: 0, max: spec.time }), { minLength: spec.batch, maxLength: spec.batch }))),
        async ([spec, lengths]) => {
          const { model, x } = build(spec, (b, t) => t < lengths[b]!);
          await expectSame(model, x);
        },
      ),
      { numRuns: 60, seed: 20261203 },
    );
  });

  it('masks of any pattern (start padding, holes) run equal to predict too', async () => {
    await fc.assert(
      fc.asyncProperty(
        caseArb.chain((spec) => fc.tuple(fc.constant(spec), fc.array(fc.boolean(), { minLength: spec.batch * spec.time, maxLength: spec.batch * spec.time }))),
        async ([spec, flags]) => {
          const { model, x } = build(spec, (b, t) => flags[b * spec.time + t]!);
          await expectSame(model, x);
        },
      ),
      { numRuns: 60, seed: 20261204 },
    );
  });
});
