// Bidirectional through the reusable layer laws (float64 gradient check, accumulation,
// determinism, shapes, purity, config round trip), the gradient check of its states, and
// its definition: the merge of a forward layer and a goBackwards layer flipped back in time.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { layerLaws } from '@rnnkit/testing';
import { Random, Tensor } from '@rnnkit/tensor';
import { Bidirectional, type MergeMode } from './bidirectional.js';
import { layerFromConfig } from './from-config.js';
import { GRU } from './gru.js';
import type { RecurrentLayer } from './layer.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { layerSubject, randomizeParams, recurrentCaseArb, uniform } from './test-support.js';

const RUNS = { numRuns: 12 };
const MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

type Kind = 'SimpleRNN' | 'LSTM' | 'GRU';
interface InnerConfig {
  readonly kind: Kind;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly returnState?: boolean;
  readonly goBackwards: boolean;
}

function inner(c: InnerConfig) {
  const options = { units: c.units, returnSequences: c.returnSequences, returnState: c.returnState ?? false, goBackwards: c.goBackwards, dtype: 'float64' as const };
  if (c.kind === 'LSTM') return new LSTM(options);
  if (c.kind === 'GRU') return new GRU({ ...options, resetAfter: false });
  return new SimpleRNN(options);
}

const configArb = fc.record({
  kind: fc.constantFrom<Kind>('SimpleRNN', 'LSTM', 'GRU'),
  units: fc.integer({ min: 1, max: 3 }),
  returnSequences: fc.boolean(),
  goBackwards: fc.boolean(),
  mergeMode: fc.constantFrom(...MODES),
});

const laws = layerLaws({
  name: 'Bidirectional',
  make: (c) => new Bidirectional({ layer: inner(c), mergeMode: c.mergeMode }),
  configArb,
  inputShapeArb: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 3 })),
  fromConfig: (config) => layerFromConfig('Bidirectional', config),
});

describe('Bidirectional through layerLaws', () => {
  for (const law of laws) it(law.name, () => fc.assert(law.property, RUNS));
});

/** `[batch, time, width]` with the time axis reversed (written here independently of the layer's helper). */
function reversed(t: Tensor): number[] {
  const [batch, time, width] = t.shape as [number, number, number];
  const out: number[] = [];
  for (let b = 0; b < batch; b++) for (let s = time - 1; s >= 0; s--) for (let k = 0; k < width; k++) out.push(t.data[(b * time + s) * width + k]!);
  return out;
}

describe('Bidirectional', () => {
  it('should match central differences with returnState, for the input and each initial state of both directions', () => {
    fc.assert(
      fc.property(recurrentCaseArb, configArb, (c, config) => {
        const random = new Random(c.seed);
        const layer = new Bidirectional({ layer: inner({ ...config, units: c.units, returnState: true }), mergeMode: config.mergeMode });
        layer.build([null, c.time, c.features], random);
        randomizeParams(layer, random);
        const x = uniform([c.batch, c.time, c.features], random);
        const initialState = Array.from({ length: layer.stateCount }, () => uniform([c.batch, c.units], random));
        for (const input of ['x', ...initialState.map((_, k) => k)] as const) {
          const report = checkGradients(layerSubject(layer, x, random, { initialState, input }));
          if (!report.passed) throw new Error(`input ${input} ${JSON.stringify({ c, config })}\n${report.format()}`);
        }
      }),
      RUNS,
    );
  });

  it('should merge a forward layer with a goBackwards layer whose outputs are flipped back in time (Keras definition)', () => {
    fc.assert(
      fc.property(recurrentCaseArb, configArb, (c, config) => {
        const random = new Random(c.seed);
        const layer = new Bidirectional({ layer: inner({ ...config, units: c.units, returnState: true }), mergeMode: config.mergeMode });
        layer.build([null, c.time, c.features], random);
        randomizeParams(layer, random);
        const x = uniform([c.batch, c.time, c.features], random);
        const forwards: RecurrentLayer = inner({ ...config, units: c.units, returnState: true });
        const backwards: RecurrentLayer = inner({ ...config, units: c.units, returnState: true, goBackwards: !config.goBackwards });
        forwards.build([null, c.time, c.features], random);
        backwards.build([null, c.time, c.features], random);
        const weights = layer.getWeights();
        forwards.setWeights(weights.slice(0, forwards.params().length));
        backwards.setWeights(weights.slice(forwards.params().length));
        const a = forwards.forward(x);
        const b = backwards.forward(x);
        const yb = config.returnSequences ? reversed(b.y) : Array.from(b.y.data);
        const ya = Array.from(a.y.data);
        const { y, states } = layer.forward(x);
        const expected =
          config.mergeMode === 'concat'
            ? ya.flatMap((_, i) => (i % c.units === 0 ? [...ya.slice(i, i + c.units), ...yb.slice(i, i + c.units)] : []))
            : ya.map((v, i) => (config.mergeMode === 'sum' ? v + yb[i]! : config.mergeMode === 'mul' ? v * yb[i]! : (v + yb[i]!) / 2));
        expect(Array.from(y.data)).toEqual(expected);
        expect(states!.map((s) => Array.from(s.data))).toEqual([...a.states!, ...b.states!].map((s) => Array.from(s.data)));
      }),
      RUNS,
    );
  });
});
