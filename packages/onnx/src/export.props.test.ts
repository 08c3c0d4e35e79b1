import fc from 'fast-check';
import { ActivationLayer, Bidirectional, Dense, Dropout, GRU, type Layer, LSTM, type MergeMode, Sequential, SimpleRNN } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { Random, Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { exportOnnx, loadOnnx, onnxRunner } from './index.js';
import { maxAbsDiff, randomTensor } from './test-support.js';

// Random small models of every exportable layer: recurrent layers (all but the last
// returning sequences), then per-step or last-step Dense / Activation / Dropout layers, with
// every built-in activation each layer accepts and random (non-zero) weights everywhere.
type Element = 'linear' | 'relu' | 'tanh' | 'sigmoid' | 'hardSigmoid';
const element = fc.constantFrom<Element>('linear', 'relu', 'tanh', 'sigmoid', 'hardSigmoid');
const gate = fc.constantFrom<Element>('sigmoid', 'hardSigmoid');

const plainRecurrentArb: fc.Arbitrary<(units: number, returnSequences: boolean, goBackwards: boolean) => Layer> = fc.oneof(
  fc.record({ activation: element, useBias: fc.boolean(), learnableInitialState: fc.boolean() }).map(
    (o) => (units: number, returnSequences: boolean, goBackwards: boolean) => new SimpleRNN({ units, returnSequences, goBackwards, ...o }),
  ),
  fc.record({ activation: element, recurrentActivation: gate, useBias: fc.boolean(), cellOutput: fc.constantFrom<'activation' | 'none'>('activation', 'none') }).map(
    (o) => (units: number, returnSequences: boolean, goBackwards: boolean) => new LSTM({ units, returnSequences, goBackwards, ...o }),
  ),
  fc.record({ activation: element, recurrentActivation: gate, useBias: fc.boolean(), resetAfter: fc.boolean() }).map(
    (o) => (units: number, returnSequences: boolean, goBackwards: boolean) => new GRU({ units, returnSequences, goBackwards, ...o }),
  ),
);

// A recurrent layer read forwards or backwards (goBackwards), or both ways (Bidirectional, any merge mode).
const recurrentArb: fc.Arbitrary<(units: number, returnSequences: boolean) => Layer> = fc
  .record({ make: plainRecurrentArb, wrap: fc.constantFrom<'forwards' | 'backwards' | MergeMode>('forwards', 'backwards', 'concat', 'sum', 'mul', 'ave') })
  .map(({ make, wrap }) => (units: number, returnSequences: boolean) => {
    if (wrap === 'forwards' || wrap === 'backwards') return make(units, returnSequences, wrap === 'backwards');
    return new Bidirectional({ layer: make(units, returnSequences, false) as never, mergeMode: wrap });
  });

const headArb: fc.Arbitrary<(units: number) => Layer> = fc.oneof(
  fc.record({ activation: fc.oneof(element, fc.constant('softmax' as const)), useBias: fc.boolean() }).map((o) => (units: number) => new Dense({ units, ...o })),
  fc.oneof(element, fc.constant('softmax' as const)).map((activation) => () => new ActivationLayer({ activation })),
  fc.double({ min: 0, max: 0.9, noNaN: true }).map((rate) => () => new Dropout({ rate })),
);

const modelArb = fc.record({
  features: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 5 }),
  dynamicTime: fc.boolean(),
  batch: fc.integer({ min: 1, max: 3 }),
  recurrent: fc.array(fc.tuple(recurrentArb, fc.integer({ min: 1, max: 4 })), { minLength: 0, maxLength: 2 }),
  lastReturnsSequences: fc.boolean(),
  head: fc.array(fc.tuple(headArb, fc.integer({ min: 1, max: 4 })), { minLength: 1, maxLength: 3 }),
  seed: fc.integer({ min: 0, max: 1e6 }),
});

type ModelSpec = typeof modelArb extends fc.Arbitrary<infer T> ? T : never;

function build(spec: ModelSpec): { model: Sequential; x: Tensor } {
  const layers = [
    ...spec.recurrent.map(([make, units], i) => make(units, i < spec.recurrent.length - 1 || spec.lastReturnsSequences)),
    ...spec.head.map(([make, units]) => make(units)),
  ];
  const recurrent = spec.recurrent.length > 0;
  const inputShape = recurrent ? [spec.dynamicTime ? null : spec.time, spec.features] : [spec.features];
  const model = new Sequential({ layers, inputShape, seed: spec.seed });
  const random = new Random(spec.seed);
  const uniform = (shape: readonly number[]): Tensor => randomTensor(shape, random, 0.8);
  // Random biases and initial states too (they start at zero), so every weight is exercised.
  model.setWeights(model.getWeights().map((w) => uniform(w.shape)));
  const x = uniform(recurrent ? [spec.batch, spec.time, spec.features] : [spec.batch, spec.features]);
  return { model, x };
}

describe('exportOnnx (property)', () => {
  it('every random model runs in ONNX Runtime equal to rnnkit predict within 1e-5', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb, async (spec) => {
        const { model, x } = build(spec);
        const expected = predict(model, x);
        const runner = onnxRunner(model);
        try {
          const y = await runner.predict(x);
          expect(y.shape).toEqual(expected.shape);
          expect(maxAbsDiff(y.data, expected.data)).toBeLessThan(1e-5);
        } finally {
          await runner.dispose();
        }
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });

  it('every random model without a learned initial state comes back from loadOnnx predicting the same', () => {
    fc.assert(
      fc.property(modelArb, (spec) => {
        const { model, x } = build(spec);
        // loadOnnx reads zero initial states only (rnnkit's layers start from zeros unless they learn one).
        const learnsInitialState = (config: Record<string, unknown>): boolean =>
          config.learnableInitialState === true || (config.layer as { config?: Record<string, unknown> } | undefined)?.config?.learnableInitialState === true;
        fc.pre(!model.layers.some((l) => learnsInitialState(l.getConfig())));
        const again = loadOnnx(exportOnnx(model));
        expect(maxAbsDiff(predict(again, x).data, predict(model, x).data)).toBeLessThan(1e-5);
      }),
      { numRuns: 60, seed: 20261202 },
    );
  });
});
