// goBackwards (Keras' go_backwards): the layer reads the sequence last step first. So it must
// equal the same layer running forwards over the time-reversed input — outputs (in processing
// order), final states, and every gradient, the input's reversed back — and pass the float64
// gradient check, for each built-in cell and for a batch of one (no layout copy forwards).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { Random, Tensor } from '@rnnkit/tensor';
import { GRU } from './gru.js';
import type { RecurrentLayer } from './layer.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { layerSubject, randomizeParams, recurrentCaseArb, uniform } from './test-support.js';

const RUNS = { numRuns: 15 };

/** `[batch, time, width]` with the time axis reversed. */
function reverseTime(t: Tensor): Tensor {
  const [batch, time, width] = t.shape as [number, number, number];
  const out = new Float64Array(t.size);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < time; s++) out.set(t.data.subarray((b * time + s) * width, (b * time + s + 1) * width), (b * time + (time - 1 - s)) * width);
  }
  return new Tensor(out, [batch, time, width]);
}

type Make = (options: { units: number; goBackwards: boolean; returnSequences: boolean; returnState: boolean }) => RecurrentLayer;

const makers: readonly [string, Make][] = [
  ['SimpleRNN', (o) => new SimpleRNN({ ...o, dtype: 'float64' })],
  ['LSTM', (o) => new LSTM({ ...o, dtype: 'float64' })],
  ['GRU resetAfter true', (o) => new GRU({ ...o, dtype: 'float64' })],
  ['GRU resetAfter false', (o) => new GRU({ ...o, resetAfter: false, dtype: 'float64' })],
];

describe('goBackwards', () => {
  for (const [label, make] of makers) {
    it(`should equal the forward ${label} over the time-reversed input, outputs and gradients`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, fc.boolean(), (c, returnSequences) => {
          const random = new Random(c.seed);
          const backwards = make({ units: c.units, goBackwards: true, returnSequences, returnState: true });
          const forwards = make({ units: c.units, goBackwards: false, returnSequences, returnState: true });
          backwards.build([null, c.time, c.features], random);
          forwards.build([null, c.time, c.features], random);
          randomizeParams(backwards, random);
          forwards.setWeights(backwards.getWeights());
          const x = uniform([c.batch, c.time, c.features], random);
          const a = backwards.forward(x);
          const b = forwards.forward(reverseTime(x));
          expect(Array.from(a.y.data)).toEqual(Array.from(b.y.data));
          expect(a.states!.map((s) => Array.from(s.data))).toEqual(b.states!.map((s) => Array.from(s.data)));
          const dy = uniform(a.y.shape, random);
          const stateGrads = a.states!.map((s) => uniform(s.shape, random));
          const ga = backwards.backwardWithStates(dy, a.cache, { stateGrads });
          const gb = forwards.backwardWithStates(dy, b.cache, { stateGrads });
          expect(Array.from(ga.dx.data)).toEqual(Array.from(reverseTime(gb.dx).data));
          expect(ga.initialStateGrads.map((s) => Array.from(s.data))).toEqual(gb.initialStateGrads.map((s) => Array.from(s.data)));
          backwards.params().forEach((p, k) => expect(Array.from(p.grad.data)).toEqual(Array.from(forwards.params()[k]!.grad.data)));
        }),
        RUNS,
      );
    });

    it(`should match central differences in float64: ${label}, input and initial states`, () => {
      fc.assert(
        fc.property(recurrentCaseArb, fc.boolean(), (c, returnSequences) => {
          const random = new Random(c.seed);
          const layer = make({ units: c.units, goBackwards: true, returnSequences, returnState: true });
          layer.build([null, c.time, c.features], random);
          randomizeParams(layer, random);
          const x = uniform([c.batch, c.time, c.features], random);
          const initialState = Array.from({ length: layer.stateCount }, () => uniform([c.batch, c.units], random));
          for (const input of ['x', ...initialState.map((_, k) => k)] as const) {
            const report = checkGradients(layerSubject(layer, x, random, { initialState, input }));
            if (!report.passed) throw new Error(`${label} input ${input} ${JSON.stringify(c)}\n${report.format()}`);
          }
        }),
        RUNS,
      );
    });
  }

  it('should record goBackwards in its config and refuse a non-boolean', () => {
    expect(new LSTM({ units: 2, goBackwards: true }).getConfig().goBackwards).toBe(true);
    expect(LSTM.fromConfig(new LSTM({ units: 2, goBackwards: true }).getConfig()).goBackwards).toBe(true);
    expect(() => new GRU({ units: 2, goBackwards: 'yes' as unknown as boolean })).toThrow(/^GRU: goBackwards/);
  });
});
