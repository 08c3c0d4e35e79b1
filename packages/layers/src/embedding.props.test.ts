// Embedding's backward pass against central differences in float64 (the table, alone and
// under a recurrent layer and a Dense layer), and the zero gradient of its ids.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { Random, Tensor } from '@rnnkit/tensor';
import { Dense } from './dense.js';
import { Embedding } from './embedding.js';
import { GRU } from './gru.js';
import { Sequential } from './sequential.js';
import { layerSubject, randomizeParams } from './test-support.js';

const RUNS = { numRuns: 15 };

const caseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 4 }),
  inputDim: fc.integer({ min: 1, max: 5 }),
  outputDim: fc.integer({ min: 1, max: 3 }),
  maskZero: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

/** Random ids in [0, inputDim), as float64. */
function randomIds(c: Case, random: Random): Tensor {
  const data = new Float64Array(c.batch * c.time);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(c.inputDim - 1, Math.floor(random.uniform() * c.inputDim));
  return new Tensor(data, [c.batch, c.time]);
}

describe('Embedding gradients', () => {
  it('should match central differences for the table, and give the ids a zero gradient', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const random = new Random(c.seed);
        const layer = new Embedding({ inputDim: c.inputDim, outputDim: c.outputDim, maskZero: c.maskZero, dtype: 'float64' });
        layer.build([null, c.time], random);
        randomizeParams(layer, random);
        const ids = randomIds(c, random);
        // The ids are not differentiable (a perturbed id is no id): the table only.
        const subject = { ...layerSubject(layer, ids, random), input: undefined };
        const report = checkGradients(subject);
        if (!report.passed) throw new Error(`${JSON.stringify(c)}\n${report.format()}`);
        const dx = layer.backward(new Tensor(new Float64Array(c.batch * c.time * c.outputDim).fill(1), [c.batch, c.time, c.outputDim]), layer.forward(ids).cache);
        expect(dx.shape).toEqual([c.batch, c.time]);
        expect(Array.from(dx.data).every((v) => v === 0)).toBe(true);
      }),
      RUNS,
    );
  });

  it('should match central differences through Embedding (maskZero or not) → GRU(returnSequences) → Dense', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const random = new Random(c.seed);
        const model = new Sequential({
          layers: [
            new Embedding({ inputDim: c.inputDim, outputDim: c.outputDim, maskZero: c.maskZero, dtype: 'float64' }),
            new GRU({ units: 2, returnSequences: true, dtype: 'float64' }),
            new Dense({ units: 2, dtype: 'float64' }),
          ],
          inputShape: [c.time],
          seed: c.seed,
        });
        randomizeParams(model, random);
        const report = checkGradients({ ...layerSubject(model, randomIds(c, random), random), input: undefined });
        if (!report.passed) throw new Error(`${JSON.stringify(c)}\n${report.format()}`);
      }),
      RUNS,
    );
  });
});
