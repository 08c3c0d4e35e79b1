// Random Sequential models for the save/load property tests (test-only helpers).
import fc from 'fast-check';
import { ActivationLayer, type ActivationName, Bidirectional, Dense, Dropout, GRU, type Layer, LSTM, type MergeMode, Sequential, SimpleRNN } from '@rnnkit/layers';
import { Random, Tensor } from '@rnnkit/tensor';

export interface RecurrentSpec {
  readonly kind: 'SimpleRNN' | 'LSTM' | 'GRU';
  readonly units: number;
  readonly activation: ActivationName;
  readonly recurrentActivation: ActivationName;
  readonly useBias: boolean;
  readonly cellOutput: 'activation' | 'none';
  readonly resetAfter: boolean;
  readonly learnableInitialState: boolean;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  /** Wrapped in a Bidirectional with this merge mode, or not wrapped (null). */
  readonly bidirectional: MergeMode | null;
}

export type ExtraSpec = { readonly kind: 'Dropout'; readonly rate: number } | { readonly kind: 'Activation'; readonly activation: ActivationName };

export interface ModelSpec {
  readonly recurrent: readonly RecurrentSpec[];
  readonly extras: readonly ExtraSpec[];
  readonly dense: readonly { readonly units: number; readonly activation: ActivationName; readonly useBias: boolean }[];
  readonly batch: number;
  readonly time: number;
  readonly features: number;
  readonly seed: number;
}

const elementwise: readonly ActivationName[] = ['linear', 'sigmoid', 'hardSigmoid', 'tanh', 'relu'];

/**
 * Random models of every savable layer. `keras: true` keeps to what Keras and TF.js 4 can
 * compute (no cellOutput 'none', no learnable initial state, GRU resetAfter false).
 */
export function modelSpecArb(options: { readonly keras?: boolean } = {}): fc.Arbitrary<ModelSpec> {
  const keras = options.keras === true;
  const recurrentArb: fc.Arbitrary<RecurrentSpec> = fc.record({
    kind: fc.constantFrom('SimpleRNN' as const, 'LSTM' as const, 'GRU' as const),
    units: fc.integer({ min: 1, max: 4 }),
    activation: fc.constantFrom(...elementwise),
    recurrentActivation: fc.constantFrom<ActivationName>('sigmoid', 'hardSigmoid', 'tanh'),
    useBias: fc.boolean(),
    cellOutput: keras ? fc.constant('activation' as const) : fc.constantFrom('activation' as const, 'none' as const),
    resetAfter: keras ? fc.constant(false) : fc.boolean(),
    learnableInitialState: keras ? fc.constant(false) : fc.boolean(),
    returnSequences: fc.boolean(),
    goBackwards: fc.boolean(),
    bidirectional: fc.constantFrom<MergeMode | null>(null, null, 'concat', 'sum', 'mul', 'ave'),
  });
  const extraArb: fc.Arbitrary<ExtraSpec> = fc.oneof(
    fc.record({ kind: fc.constant('Dropout' as const), rate: fc.double({ min: 0, max: 0.9, noNaN: true }) }),
    fc.record({ kind: fc.constant('Activation' as const), activation: fc.constantFrom<ActivationName>(...elementwise, 'softmax') }),
  );
  return fc.record({
    recurrent: fc.array(recurrentArb, { maxLength: 3 }),
    extras: fc.array(extraArb, { maxLength: 2 }),
    dense: fc.array(
      fc.record({ units: fc.integer({ min: 1, max: 4 }), activation: fc.constantFrom<ActivationName>(...elementwise, 'softmax'), useBias: fc.boolean() }),
      { minLength: 1, maxLength: 2 },
    ),
    batch: fc.integer({ min: 1, max: 3 }),
    time: fc.integer({ min: 1, max: 4 }),
    features: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  });
}

/** The rnnkit model of a spec (stacked recurrent layers return sequences), with random weights. */
export function modelFromSpec(spec: ModelSpec): Sequential {
  const layers: Layer[] = spec.recurrent.map((r, i) => {
    const returnSequences = i < spec.recurrent.length - 1 || r.returnSequences;
    const common = { units: r.units, activation: r.activation, useBias: r.useBias, returnSequences, goBackwards: r.goBackwards };
    const layer =
      r.kind === 'LSTM'
        ? new LSTM({ ...common, recurrentActivation: r.recurrentActivation, cellOutput: r.cellOutput })
        : r.kind === 'GRU'
          ? new GRU({ ...common, recurrentActivation: r.recurrentActivation, resetAfter: r.resetAfter })
          : new SimpleRNN({ ...common, learnableInitialState: r.learnableInitialState });
    return r.bidirectional === null ? layer : new Bidirectional({ layer, mergeMode: r.bidirectional, name: `bidirectional_${i}` });
  });
  for (const e of spec.extras) layers.push(e.kind === 'Dropout' ? new Dropout({ rate: e.rate }) : new ActivationLayer({ activation: e.activation }));
  for (const d of spec.dense) layers.push(new Dense(d));
  const inputShape = spec.recurrent.length > 0 ? [spec.time, spec.features] : [spec.features];
  const model = new Sequential({ layers, inputShape, seed: spec.seed });
  const random = new Random(spec.seed);
  model.setWeights(model.getWeights().map((w) => new Tensor(random.fillNormal(new Float32Array(w.size), 0, 0.5), w.shape)));
  return model;
}

/** A random input for a spec's model. */
export function inputFromSpec(spec: ModelSpec): Tensor {
  const shape = spec.recurrent.length > 0 ? [spec.batch, spec.time, spec.features] : [spec.batch, spec.features];
  const size = shape.reduce((a, b) => a * b, 1);
  return new Tensor(new Random(spec.seed + 1).fillUniform(new Float32Array(size), -2, 2), shape);
}
