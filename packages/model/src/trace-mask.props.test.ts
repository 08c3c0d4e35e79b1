// The trace of masked sequences, against two oracles: the gradients of the model's own
// backward on the same masked batch (a Masking layer or a `mask` given; padding at the start,
// the end or in the middle, sequences with every step masked), and the trace of the same
// sequence with its padding cut out, step for step.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dense, type Layer, Masking, Sequential } from '@rnnkit/layers';
import { getLoss } from '@rnnkit/losses';
import { Random, Tensor } from '@rnnkit/tensor';
import { builtInRecurrentMakers } from './test-support.js';
import { type RecurrentTrace, traceSequence } from './trace.js';

const makers = builtInRecurrentMakers;

type Padding = 'none' | 'start' | 'end' | 'middle' | 'all';
const paddingArb = fc.constantFrom<Padding>('none', 'start', 'end', 'middle', 'all');

/** One sequence's mask: `cut` steps of padding at the start or the end, a random pattern, or every step. */
function sequenceMask(padding: Padding, time: number, cut: number, random: Random): number[] {
  const pad = Math.min(cut, time - 1);
  return Array.from({ length: time }, (_, t) => {
    if (padding === 'none') return 1;
    if (padding === 'all') return 0;
    if (padding === 'start') return t < pad ? 0 : 1;
    if (padding === 'end') return t >= time - pad ? 0 : 1;
    return random.next() < 0.5 ? 0 : 1;
  });
}

/** Values ±[0.1, 1): never 0, which Masking takes for padding; padded steps are all zeros. */
function paddedInput(mask: readonly number[], batch: number, time: number, features: number, random: Random): Tensor {
  const data = new Float64Array(batch * time * features);
  for (let i = 0; i < data.length; i++) {
    if (mask[Math.floor(i / features)] === 1) data[i] = random.uniform(0.1, 1) * (random.next() < 0.5 ? -1 : 1);
  }
  return new Tensor(data, [batch, time, features]);
}

function model(layers: Layer[], features: number, seed: number): Sequential {
  const m = new Sequential({ layers, inputShape: [null, features], seed, dtype: 'float64' });
  const random = new Random(seed);
  for (const p of m.params()) random.fillNormal(p.value.data, 0, 0.5);
  return m;
}

/** Step t of each layer's contributions to parameter `name`, as plain numbers. */
function contributionAt(layer: RecurrentTrace, name: string, t: number): number[] {
  const steps = layer.stepContributions[name]!;
  const size = steps.size / layer.time;
  return Array.from(steps.data.subarray(t * size, (t + 1) * size));
}

/** Slot `slot` of sequence `b` of a `[batch, slots, size]` tensor. */
function row(tensor: Tensor, b: number, slot: number): number[] {
  const [, slots, size] = tensor.shape as [number, number, number];
  return Array.from(tensor.data.subarray((b * slots + slot) * size, (b * slots + slot + 1) * size));
}

function expectClose(got: readonly number[], want: readonly number[], what: string): void {
  expect(got.length, what).toBe(want.length);
  got.forEach((v, i) => expect(Math.abs(v - want[i]!), `${what}[${i}]`).toBeLessThan(1e-10));
}

const batchArb = fc.record({
  kind: fc.integer({ min: 0, max: makers.length - 1 }),
  batch: fc.integer({ min: 1, max: 4 }),
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 3 }),
  paddings: fc.array(paddingArb, { minLength: 4, maxLength: 4 }),
  cut: fc.integer({ min: 1, max: 4 }),
  returnSequences: fc.boolean(),
  goBackwards: fc.boolean(),
  maskOption: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

describe('traceSequence of masked sequences (property)', () => {
  it("should sum each layer's step contributions to the gradients of backward on the same masked batch, masked steps carried and adding nothing", () => {
    fc.assert(
      fc.property(batchArb, (c) => {
        const [label, make] = makers[c.kind]!;
        const random = new Random(c.seed);
        const mask = Array.from({ length: c.batch }, (_, b) => sequenceMask(c.paddings[b]!, c.time, c.cut, random)).flat();
        const recurrent = [make({ units: c.units, returnSequences: true, goBackwards: false }), make({ units: c.units, returnSequences: c.returnSequences, goBackwards: c.goBackwards })];
        // The mask from a Masking layer over zero padding, or given as the `mask` option.
        const layers = c.maskOption ? [...recurrent, new Dense({ units: 2, dtype: 'float64' })] : [new Masking({ dtype: 'float64' }), ...recurrent, new Dense({ units: 2, dtype: 'float64' })];
        const m = model(layers, c.features, c.seed);
        const x = paddedInput(c.maskOption ? Array(mask.length).fill(1) : mask, c.batch, c.time, c.features, random);
        const maskTensor = new Tensor(Float64Array.from(mask), [c.batch, c.time]);
        const yShape = c.returnSequences ? [c.batch, c.time, 2] : [c.batch, 2];
        const y = new Tensor(random.fillUniform(new Float64Array(yShape.reduce((a, b) => a * b)), -1, 1), yShape);

        for (const p of m.params()) p.zeroGrad();
        const { y: prediction, cache } = m.forward(x, c.maskOption ? { training: true, mask: maskTensor } : { training: true });
        const loss = getLoss('mse');
        const result = cache.mask ? loss.compute(prediction, y, { mask: cache.mask }) : loss.compute(prediction, y);
        m.backward(result.grad, cache);
        const trace = traceSequence(m, x, y, c.maskOption ? { loss: 'mse', mask: maskTensor } : { loss: 'mse' });
        expect(trace.loss).toBeCloseTo(result.value, 12);
        expect(trace.layers).toHaveLength(2);

        for (const layer of trace.layers) {
          const where = `${label} ${layer.name} ${JSON.stringify(c)}`;
          // The mask in processing order: reversed for goBackwards.
          const expected = Array.from({ length: c.batch }, (_, b) =>
            Array.from({ length: c.time }, (_, t) => mask[b * c.time + (layer.goBackwards ? c.time - 1 - t : t)] === 0),
          );
          expect(layer.masked, where).toEqual(expected);
          for (const p of m.layers[layer.index]!.params()) {
            const sum = new Float64Array(p.value.size);
            for (let t = 0; t < c.time; t++) contributionAt(layer, p.name, t).forEach((v, i) => (sum[i]! += v));
            expectClose(Array.from(sum), Array.from(p.grad.data), `${where} ${p.name}`);
          }
          const sequences = (m.layers[layer.index] as unknown as { returnSequences: boolean }).returnSequences;
          for (let b = 0; b < c.batch; b++) {
            for (let t = 0; t < c.time; t++) {
              if (!layer.masked[b]![t]) continue;
              for (const [name, states] of Object.entries(layer.states)) expect(row(states, b, t + 1), `${where} ${name} carried`).toEqual(row(states, b, t));
              for (const g of Object.values(layer.gradients)) expect(row(g, b, t).every((v) => v === 0), where).toBe(true);
              // Through a masked step a state gradient passes unchanged (h gains the output gradient of step t − 1 in sequences).
              for (const [s, [name, g]] of Object.entries(layer.stateGradients).entries()) {
                if (s === 0 && sequences) continue;
                expect(row(g, b, t), `${where} ∂L/∂${name} passed through`).toEqual(row(g, b, t + 1));
              }
            }
          }
        }
      }),
      { numRuns: 60 },
    );
  });

  it('should give at each kept step of a padded sequence what the trace of the sequence without its padding gives there, and zero at the padding', () => {
    const caseArb = fc.record({
      kind: fc.integer({ min: 0, max: makers.length - 1 }),
      mask: fc.array(fc.constantFrom(0, 1), { minLength: 1, maxLength: 7 }).filter((m) => m.includes(1)),
      features: fc.integer({ min: 1, max: 3 }),
      units: fc.integer({ min: 1, max: 3 }),
      goBackwards: fc.boolean(),
      seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    });
    fc.assert(
      fc.property(caseArb, (c) => {
        const [label, make] = makers[c.kind]!;
        const random = new Random(c.seed);
        const time = c.mask.length;
        const recurrent = () => [make({ units: c.units, returnSequences: true, goBackwards: false }), make({ units: c.units, returnSequences: false, goBackwards: c.goBackwards })];
        const padded = model([new Masking({ dtype: 'float64' }), ...recurrent(), new Dense({ units: 2, dtype: 'float64' })], c.features, c.seed);
        const plain = model([...recurrent(), new Dense({ units: 2, dtype: 'float64' })], c.features, c.seed + 1);
        plain.setWeights(padded.getWeights());
        const x = paddedInput(c.mask, 1, time, c.features, random);
        const kept = c.mask.flatMap((m, t) => (m === 1 ? [t] : []));
        const features = c.features;
        const unpadded = new Tensor(Float64Array.from(kept.flatMap((t) => Array.from(x.data.subarray(t * features, (t + 1) * features)))), [1, kept.length, features]);
        const y = new Tensor(random.fillUniform(new Float64Array(2), -1, 1), [1, 2]);

        const withPadding = traceSequence(padded, x, y, { loss: 'mse' });
        const without = traceSequence(plain, unpadded, y, { loss: 'mse' });
        expect(withPadding.loss).toBeCloseTo(without.loss, 12);
        withPadding.layers.forEach((layer, l) => {
          const other = without.layers[l]!;
          const where = `${label} ${layer.name} ${JSON.stringify(c)}`;
          // Processing steps that count, in order: step j of the unpadded trace.
          const counted = layer.masked[0]!.flatMap((masked, t) => (masked ? [] : [t]));
          expect(counted).toHaveLength(other.time);
          for (const name of Object.keys(layer.stepContributions)) {
            for (let t = 0; t < time; t++) {
              const j = counted.indexOf(t);
              const got = contributionAt(layer, name, t);
              if (j < 0) expect(got.every((v) => v === 0), `${where} ${name} at padding step ${t}`).toBe(true);
              else expectClose(got, contributionAt(other, name, j), `${where} ${name} at step ${t}`);
            }
          }
          counted.forEach((t, j) => {
            for (const name of Object.keys(layer.states)) {
              expectClose(row(layer.states[name]!, 0, t + 1), row(other.states[name]!, 0, j + 1), `${where} ${name}_${t}`);
              expectClose(row(layer.stateGradients[name]!, 0, t + 1), row(other.stateGradients[name]!, 0, j + 1), `${where} ∂L/∂${name}_${t}`);
            }
          });
          for (const name of Object.keys(layer.states)) expectClose(row(layer.stateGradients[name]!, 0, 0), row(other.stateGradients[name]!, 0, 0), `${where} ∂L/∂${name}_0`);
        });
      }),
      { numRuns: 60 },
    );
  });
});
