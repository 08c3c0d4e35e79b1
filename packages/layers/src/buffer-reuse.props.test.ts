// The layers keep some internal buffers between calls (backward's work buffers, the zero
// initial states, Dense's ∂L/∂z) and, for a batch of one, read the input in place. These
// properties check that nothing a caller holds is affected: passes interleaved over other
// passes of other shapes give exactly what they give alone, and returned tensors keep
// their values when the layer runs again.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, Random, type Tensor, allocate } from '@rnnkit/tensor';
import { swapLeadingAxes } from './common.js';
import { Dense } from './dense.js';
import { GRU } from './gru.js';
import type { Layer, RecurrentLayer } from './layer.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { randomizeParams, uniform } from './test-support.js';

const RUNS = { numRuns: 40 };

const recurrentKindArb = fc.record({
  kind: fc.constantFrom('LSTM' as const, 'GRU' as const, 'SimpleRNN' as const),
  returnSequences: fc.boolean(),
  returnState: fc.boolean(),
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  // SimpleRNN's learnable h_0 takes the other initial-state path.
  learnableInitialState: fc.boolean(),
});
type RecurrentKind = typeof recurrentKindArb extends fc.Arbitrary<infer T> ? T : never;

/** A batch size, a length and the sizes of a recurrent layer. */
const shapeArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 4 }),
});
const sizesArb = fc.record({
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

function makeRecurrent(spec: RecurrentKind, units: number, features: number, seed: number): RecurrentLayer {
  const { kind, learnableInitialState, ...flags } = spec;
  const options = { units, ...flags };
  const layer =
    kind === 'LSTM'
      ? new LSTM(options)
      : kind === 'GRU'
        ? new GRU(options)
        : new SimpleRNN({ ...options, learnableInitialState });
  const random = new Random(seed);
  layer.build([null, null, features], random);
  randomizeParams(layer, random);
  return layer;
}

/** A layer with the same configuration and weights. */
function twin<L extends Layer>(layer: L, make: () => L): L {
  const copy = make();
  copy.setWeights(layer.getWeights());
  return copy;
}

function copyOf(t: Tensor): number[] {
  return Array.from(t.data);
}

function grads(layer: Layer): number[][] {
  return layer.params().map((p) => Array.from(p.grad.data));
}

describe('buffers kept between calls', () => {
  it('should give a recurrent pass interleaved with a pass of another shape the results it gives alone', () => {
    fc.assert(
      fc.property(recurrentKindArb, sizesArb, shapeArb, shapeArb, (spec, { features, units, seed }, a, b) => {
        const make = (): RecurrentLayer => makeRecurrent(spec, units, features, seed);
        const layer = make();
        const random = new Random(seed + 1);
        const xA = uniform([a.batch, a.time, features], random, spec.dtype);
        const xB = uniform([b.batch, b.time, features], random, spec.dtype);
        const xACopy = copyOf(xA);
        const xBCopy = copyOf(xB);
        const dyShape = (s: { batch: number; time: number }): number[] =>
          spec.returnSequences ? [s.batch, s.time, units] : [s.batch, units];
        const dyA = uniform(dyShape(a), random, spec.dtype);
        const dyB = uniform(dyShape(b), random, spec.dtype);

        // Reference: each pass alone on a fresh layer, A's starting from B's parameter
        // gradients (the order they accumulate in below).
        const referenceB = twin(layer, make);
        const refB = referenceB.forward(xB, { training: true });
        const refDxB = copyOf(referenceB.backward(dyB, refB.cache));
        const reference = twin(layer, make);
        reference.params().forEach((p, k) => p.grad.data.set(referenceB.params()[k]!.grad.data));
        const refA = reference.forward(xA, { training: true });
        const refYA = copyOf(refA.y);
        const refDxA = copyOf(reference.backward(dyA, refA.cache));

        // Interleaved: both forwards, then both backwards.
        const passA = layer.forward(xA, { training: true });
        const passB = layer.forward(xB, { training: true });
        const yA = copyOf(passA.y);
        const dxB = layer.backward(dyB, passB.cache);
        const dxBValues = copyOf(dxB);
        const dxA = layer.backward(dyA, passA.cache);

        expect(yA).toEqual(refYA);
        expect(dxBValues).toEqual(refDxB);
        expect(copyOf(dxA)).toEqual(refDxA);
        expect(grads(layer)).toEqual(grads(reference));
        // Earlier results and the inputs are untouched by the later calls.
        expect(copyOf(passA.y)).toEqual(yA);
        expect(copyOf(dxB)).toEqual(dxBValues);
        expect(copyOf(xA)).toEqual(xACopy);
        expect(copyOf(xB)).toEqual(xBCopy);
      }),
      RUNS,
    );
  });

  it('should give backward and backwardWithStates the same input gradient, with or without stateGrads', () => {
    fc.assert(
      fc.property(recurrentKindArb, sizesArb, shapeArb, fc.boolean(), (spec, { features, units, seed }, s, withStateGrads) => {
        const make = (): RecurrentLayer => makeRecurrent({ ...spec, returnState: true }, units, features, seed);
        const layer = make();
        const reference = twin(layer, make);
        const random = new Random(seed + 2);
        const x = uniform([s.batch, s.time, features], random, spec.dtype);
        // A pass of the same shape first, so that backward's kept buffers hold old values.
        const warmUp = layer.forward(uniform(x.shape, random, spec.dtype), { training: true });
        layer.backward(uniform(warmUp.y.shape, random, spec.dtype), warmUp.cache);
        for (const p of layer.params()) p.zeroGrad();
        const pass = layer.forward(x, { training: true });
        const dy = uniform(pass.y.shape, random, spec.dtype);
        const stateGrads = withStateGrads ? pass.states!.map((t) => uniform(t.shape, random, spec.dtype)) : undefined;
        const options = stateGrads === undefined ? {} : { stateGrads };
        const dx = copyOf(layer.backward(dy, pass.cache, options));
        const refPass = reference.forward(x, { training: true });
        const result = reference.backwardWithStates(dy, refPass.cache, options);
        expect(dx).toEqual(copyOf(result.dx));
        expect(grads(layer)).toEqual(grads(reference));
      }),
      RUNS,
    );
  });

  it('should keep the state gradients backwardWithStates returned when the layer runs again', () => {
    fc.assert(
      fc.property(recurrentKindArb, sizesArb, shapeArb, (spec, { features, units, seed }, s) => {
        const layer = makeRecurrent(spec, units, features, seed);
        const random = new Random(seed + 3);
        const x = uniform([s.batch, s.time, features], random, spec.dtype);
        const first = layer.forward(x, { training: true });
        const dy = uniform(first.y.shape, random, spec.dtype);
        const { initialStateGrads } = layer.backwardWithStates(dy, first.cache);
        const kept = initialStateGrads.map(copyOf);
        // Another pass with other values, through both backward methods.
        const second = layer.forward(uniform(x.shape, random, spec.dtype), { training: true });
        const dy2 = uniform(dy.shape, random, spec.dtype);
        layer.backward(dy2, second.cache);
        layer.backwardWithStates(dy2, second.cache);
        expect(initialStateGrads.map(copyOf)).toEqual(kept);
        expect(new Set(initialStateGrads.map((t) => t.data)).size).toBe(initialStateGrads.length);
      }),
      RUNS,
    );
  });

  it("should give Dense passes interleaved over other row counts the results they give alone", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.constantFrom('linear' as const, 'tanh' as const, 'softmax' as const),
        fc.integer({ min: 0, max: 2 ** 31 - 1 }),
        (features, units, rowsA, rowsB, activation, seed) => {
          const make = (): Dense => {
            const dense = new Dense({ units, activation, dtype: 'float64' });
            const random = new Random(seed);
            dense.build([null, features], random);
            randomizeParams(dense, random);
            return dense;
          };
          const layer = make();
          const random = new Random(seed + 1);
          const xA = uniform([rowsA, features], random);
          const xB = uniform([rowsB, features], random);
          const dyA = uniform([rowsA, units], random);
          const dyB = uniform([rowsB, units], random);
          const dyACopy = copyOf(dyA);
          // Each pass alone on a fresh layer, A's from B's parameter gradients.
          const referenceB = twin(layer, make);
          const refB = referenceB.forward(xB);
          const refDxB = copyOf(referenceB.backward(dyB, refB.cache));
          const reference = twin(layer, make);
          reference.params().forEach((p, k) => p.grad.data.set(referenceB.params()[k]!.grad.data));
          const refA = reference.forward(xA);
          const refDxA = copyOf(reference.backward(dyA, refA.cache));
          const passA = layer.forward(xA);
          const passB = layer.forward(xB);
          const dxB = layer.backward(dyB, passB.cache);
          const dxBValues = copyOf(dxB);
          expect(copyOf(layer.backward(dyA, passA.cache))).toEqual(refDxA);
          expect(dxBValues).toEqual(refDxB);
          expect(copyOf(dxB)).toEqual(dxBValues);
          expect(copyOf(dyA)).toEqual(dyACopy);
          expect(grads(layer)).toEqual(grads(reference));
        },
      ),
      RUNS,
    );
  });
});

describe('swapLeadingAxes', () => {
  it('should move element [o, i, k] to [i, o, k], with the block copy for an axis of length one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 3 }),
        fc.constantFrom<DType>('float32', 'float64'),
        (outer, inner, width, extra, dtype) => {
          // A source longer than the block (a view into a larger run buffer, say).
          const source = allocate(dtype, outer * inner * width + extra);
          for (let i = 0; i < source.length; i++) source[i] = i + 1;
          const target = allocate(dtype, outer * inner * width);
          swapLeadingAxes(source, outer, inner, width, target);
          for (let o = 0; o < outer; o++) {
            for (let i = 0; i < inner; i++) {
              for (let k = 0; k < width; k++) {
                expect(target[(i * outer + o) * width + k]).toBe(source[(o * inner + i) * width + k]);
              }
            }
          }
        },
      ),
      RUNS,
    );
  });
});
