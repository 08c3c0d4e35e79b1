// The masking law: a padded batch with its mask gives what each sequence gives run alone
// without its padding — outputs (a masked step repeats the last valid output, zeros before the
// first), final states, the input gradient (zero at masked steps) and the parameter gradients
// (the batch's are the sum of the sequences'). Masks are random, so padding at the end, at the
// start and in between are all covered; so are goBackwards and a sequence with no valid step.
// Plus the float64 gradient check of a masked layer.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { Random, Tensor } from '@rnnkit/tensor';
import { GRU } from './gru.js';
import type { RecurrentLayer } from './layer.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { layerSubject, randomizeParams, uniform } from './test-support.js';

const RUNS = { numRuns: 20 };

type Make = (options: { units: number; goBackwards: boolean; returnSequences: boolean; returnState: boolean }) => RecurrentLayer;

const makers: readonly [string, Make][] = [
  ['SimpleRNN', (o) => new SimpleRNN({ ...o, dtype: 'float64' })],
  ['LSTM', (o) => new LSTM({ ...o, dtype: 'float64' })],
  ['GRU resetAfter true', (o) => new GRU({ ...o, dtype: 'float64' })],
  ['GRU resetAfter false', (o) => new GRU({ ...o, resetAfter: false, dtype: 'float64' })],
];

const caseArb = fc
  .record({
    batch: fc.integer({ min: 1, max: 3 }),
    time: fc.integer({ min: 1, max: 5 }),
    features: fc.integer({ min: 1, max: 3 }),
    units: fc.integer({ min: 1, max: 3 }),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    returnSequences: fc.boolean(),
    goBackwards: fc.boolean(),
  })
  .chain((c) => fc.record({ c: fc.constant(c), mask: fc.array(fc.constantFrom(0, 1), { minLength: c.batch * c.time, maxLength: c.batch * c.time }) }));

/** Rows `rows` of `[batch, time, width]` data of sample b, as a `[1, rows.length, width]` tensor. */
function pick(x: Tensor, b: number, rows: readonly number[]): Tensor {
  const [, time, width] = x.shape as [number, number, number];
  const out = new Float64Array(rows.length * width);
  rows.forEach((t, j) => out.set(x.data.subarray((b * time + t) * width, (b * time + t + 1) * width), j * width));
  return new Tensor(out, [1, rows.length, width]);
}

function close(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) expect(Math.abs(actual[i]! - expected[i]!), `${what}[${i}]`).toBeLessThan(1e-12);
}

describe('masking', () => {
  for (const [label, make] of makers) {
    it(`should give each ${label} sequence of a padded, masked batch what it gives alone, unpadded`, () => {
      fc.assert(
        fc.property(caseArb, ({ c, mask }) => {
          const { batch, time, features, units, returnSequences, goBackwards } = c;
          const random = new Random(c.seed);
          const layer = make({ units, goBackwards, returnSequences, returnState: true });
          layer.build([null, null, features], random);
          randomizeParams(layer, random);
          const x = uniform([batch, time, features], random);
          const w = uniform(returnSequences ? [batch, time, units] : [batch, units], random);
          const m = new Tensor(Float64Array.from(mask), [batch, time]);
          const padded = layer.forward(x, { mask: m, training: true });
          for (const p of layer.params()) p.zeroGrad();
          const dx = layer.backward(w, padded.cache);
          const batchGrads = layer.params().map((p) => Float64Array.from(p.grad.data));

          const sums = batchGrads.map((g) => new Float64Array(g.length));
          for (let b = 0; b < batch; b++) {
            const steps = [...Array(time).keys()].filter((t) => mask[b * time + t] === 1);
            // Processing order: position p of the padded run reads step order[p].
            const order = goBackwards ? [...Array(time).keys()].reverse() : [...Array(time).keys()];
            const alone = steps.length === 0 ? null : layer.forward(pick(x, b, steps), { training: true });
            // Which output of the unpadded run each padded output repeats (-1: zeros).
            const source: number[] = [];
            let seen = 0;
            for (const step of order) {
              if (mask[b * time + step] === 1) seen++;
              source.push(seen - 1);
            }
            const expectedY = new Float64Array(returnSequences ? time * units : units);
            const dyAlone = new Float64Array(steps.length * (returnSequences ? units : 0) + (returnSequences ? 0 : units));
            if (alone !== null) {
              if (returnSequences) {
                source.forEach((j, p) => {
                  if (j < 0) return;
                  for (let k = 0; k < units; k++) {
                    expectedY[p * units + k] = alone.y.data[j * units + k]!;
                    dyAlone[j * units + k]! += w.data[(b * time + p) * units + k]!;
                  }
                });
              } else {
                expectedY.set(alone.y.data);
                dyAlone.set(w.data.subarray(b * units, (b + 1) * units));
              }
            }
            const yRow = returnSequences ? time * units : units;
            close(padded.y.data.subarray(b * yRow, (b + 1) * yRow), expectedY, `y of sample ${b}`);
            for (let s = 0; s < padded.states!.length; s++) {
              const size = padded.states![s]!.shape[1]!;
              const expected = alone === null ? new Float64Array(size) : alone.states![s]!.data;
              close(padded.states![s]!.data.subarray(b * size, (b + 1) * size), expected, `state ${s} of sample ${b}`);
            }
            const expectedDx = new Float64Array(time * features);
            if (alone !== null) {
              for (const p of layer.params()) p.zeroGrad();
              const dxAlone = layer.backward(new Tensor(dyAlone, alone.y.shape), alone.cache);
              steps.forEach((t, j) => expectedDx.set(dxAlone.data.subarray(j * features, (j + 1) * features), t * features));
              layer.params().forEach((p, i) => p.grad.data.forEach((v, k) => (sums[i]![k]! += v)));
            }
            close(dx.data.subarray(b * time * features, (b + 1) * time * features), expectedDx, `dx of sample ${b}`);
          }
          batchGrads.forEach((g, i) => close(g, sums[i]!, `gradient of ${layer.params()[i]!.name}`));
        }),
        RUNS,
      );
    });
  }

  it('should pass the float64 gradient check with a mask, for every built-in cell, inputs and initial states', () => {
    for (const [label, make] of makers) {
      for (const goBackwards of [false, true]) {
        const random = new Random(label.length);
        const layer = make({ units: 2, goBackwards, returnSequences: true, returnState: true });
        layer.build([null, null, 2], random);
        randomizeParams(layer, random);
        const x = uniform([2, 4, 2], random);
        const initialState = Array.from({ length: layer.stateCount }, () => uniform([2, 2], random));
        const mask = new Tensor(Float64Array.from([1, 1, 0, 0, 0, 1, 0, 1]), [2, 4]);
        for (const input of ['x', 0] as const) {
          const report = checkGradients(layerSubject(layer, x, random, { initialState, input, mask }));
          expect(report.passed, `${label}, goBackwards ${goBackwards}, input ${input}\n${report.format()}`).toBe(true);
        }
      }
    }
  });
});
