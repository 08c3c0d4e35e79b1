// Metamorphic laws of the recurrent layers: different ways of running the same computation
// must agree (sequence vs last step, batch vs single sequences, whole vs chunked sequences,
// a layer vs its config round-trip), forward and backward.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random, Tensor, allocate } from '@rnnkit/tensor';
import { GRU } from './gru.js';
import type { RecurrentLayer } from './layer.js';
import { LSTM } from './lstm.js';
import { SimpleRNN } from './simple-rnn.js';
import { maxAbsDiff, randomizeParams, recurrentCaseArb, uniform } from './test-support.js';

const RUNS = { numRuns: 25 };
const TOLERANCE = 1e-12;

/** A recurrent layer kind with the options that change its maths. */
const kindArb = fc.oneof(
  fc.record({
    kind: fc.constant('LSTM' as const),
    cellOutput: fc.constantFrom('activation' as const, 'none' as const),
    unitForgetBias: fc.boolean(),
    recurrentActivation: fc.constantFrom('sigmoid' as const, 'hardSigmoid' as const),
    useBias: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('GRU' as const),
    resetAfter: fc.boolean(),
    recurrentActivation: fc.constantFrom('sigmoid' as const, 'hardSigmoid' as const),
    useBias: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('SimpleRNN' as const),
    activation: fc.constantFrom('tanh' as const, 'sigmoid' as const),
    learnableInitialState: fc.boolean(),
    useBias: fc.boolean(),
  }),
);
type Kind = typeof kindArb extends fc.Arbitrary<infer T> ? T : never;

function make(
  spec: Kind,
  units: number,
  flags: { returnSequences?: boolean; returnState?: boolean } = {},
): RecurrentLayer {
  const { kind, ...options } = spec;
  const common = { units, dtype: 'float64' as const, ...flags };
  if (kind === 'LSTM') return new LSTM({ ...common, ...options });
  if (kind === 'GRU') return new GRU({ ...common, ...options });
  return new SimpleRNN({ ...common, ...options });
}

/** Two layers of the same kind and weights, differing only in flags. */
function twins(spec: Kind, units: number, features: number, seed: number, a: object, b: object) {
  const random = new Random(seed);
  const first = make(spec, units, a);
  first.build([null, null, features], random);
  randomizeParams(first, random);
  const second = make(spec, units, b);
  second.build([null, null, features], random);
  second.setWeights(first.getWeights());
  return { first, second, random };
}

/** Rows `[from, to)` of axis 0 of a tensor, as a new tensor. */
function rows(t: Tensor, from: number, to: number): Tensor {
  const inner = t.size / t.shape[0]!;
  return new Tensor(t.data.slice(from * inner, to * inner), [to - from, ...t.shape.slice(1)]);
}

/** Steps `[from, to)` of a `[batch, time, f]` tensor. */
function steps(t: Tensor, from: number, to: number): Tensor {
  const [batch, , width] = t.shape as [number, number, number];
  const out = allocate(t.dtype, batch * (to - from) * width);
  for (let b = 0; b < batch; b++) {
    out.set(t.data.subarray((b * t.shape[1]! + from) * width, (b * t.shape[1]! + to) * width), b * (to - from) * width);
  }
  return new Tensor(out, [batch, to - from, width]);
}

/** Concatenates `[batch, t_i, f]` tensors along time. */
function concatTime(parts: readonly Tensor[]): Tensor {
  const [batch, , width] = parts[0]!.shape as [number, number, number];
  const time = parts.reduce((n, p) => n + p.shape[1]!, 0);
  const out = allocate(parts[0]!.dtype, batch * time * width);
  let offset = 0;
  for (const p of parts) {
    const t = p.shape[1]!;
    for (let b = 0; b < batch; b++) out.set(p.data.subarray(b * t * width, (b + 1) * t * width), (b * time + offset) * width);
    offset += t;
  }
  return new Tensor(out, [batch, time, width]);
}

/** Random cut points splitting `time` steps into one or more chunks. */
const cutsArb = fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 3 });

describe('recurrent layers: metamorphic laws', () => {
  it('should return, as the plain output, the last step of the returnSequences output', () => {
    fc.assert(
      fc.property(kindArb, recurrentCaseArb, (spec, c) => {
        const { first, second, random } = twins(spec, c.units, c.features, c.seed, {}, { returnSequences: true });
        const x = uniform([c.batch, c.time, c.features], random);
        const last = first.forward(x).y;
        const sequence = second.forward(x).y;
        expect(maxAbsDiff(last, rows(steps(sequence, c.time - 1, c.time).reshape([c.batch, c.units]), 0, c.batch))).toBe(0);
      }),
      RUNS,
    );
  });

  it('should give a batch of two the outputs and summed gradients of two batches of one', () => {
    fc.assert(
      fc.property(kindArb, recurrentCaseArb, fc.boolean(), (spec, c, returnSequences) => {
        const { first: layer, random } = twins(spec, c.units, c.features, c.seed, { returnSequences }, {});
        const x = uniform([2, c.time, c.features], random);
        const batched = layer.forward(x);
        const dy = uniform(batched.y.shape, random);
        for (const p of layer.params()) p.zeroGrad();
        const dx = layer.backward(dy, batched.cache);
        const together = layer.params().map((p) => p.grad.clone());
        for (const p of layer.params()) p.zeroGrad();
        for (const b of [0, 1]) {
          const single = layer.forward(rows(x, b, b + 1));
          expect(maxAbsDiff(single.y, rows(batched.y, b, b + 1))).toBeLessThanOrEqual(TOLERANCE);
          const dxSingle = layer.backward(rows(dy, b, b + 1), single.cache);
          expect(maxAbsDiff(dxSingle, rows(dx, b, b + 1))).toBeLessThanOrEqual(TOLERANCE);
        }
        layer.params().forEach((p, k) => expect(maxAbsDiff(p.grad, together[k]!)).toBeLessThanOrEqual(TOLERANCE));
      }),
      RUNS,
    );
  });

  it('should give the same outputs, states and gradients when a sequence is fed in chunks with the state carried over', () => {
    fc.assert(
      fc.property(kindArb, recurrentCaseArb, cutsArb, (spec, c, lengths) => {
        const flags = { returnSequences: true, returnState: true };
        const { first: layer, random } = twins(spec, c.units, c.features, c.seed, flags, {});
        // Chunk lengths from the drawn lengths, the last chunk taking what is left.
        const bounds = [0];
        for (const n of lengths) if (bounds[bounds.length - 1]! + n < c.time) bounds.push(bounds[bounds.length - 1]! + n);
        bounds.push(c.time);
        const x = uniform([c.batch, c.time, c.features], random);
        const whole = layer.forward(x);
        const dy = uniform(whole.y.shape, random);
        const dStates = whole.states!.map((s) => uniform(s.shape, random));
        for (const p of layer.params()) p.zeroGrad();
        const dx = layer.backward(dy, whole.cache, { stateGrads: dStates });
        const wholeGrads = layer.params().map((p) => p.grad.clone());

        // Forward chunk by chunk, each starting from the previous chunk's final states.
        const runs: { cache: unknown; y: Tensor }[] = [];
        let states: readonly Tensor[] | undefined;
        for (let k = 0; k + 1 < bounds.length; k++) {
          const result = layer.forward(steps(x, bounds[k]!, bounds[k + 1]!), states ? { initialState: states } : {});
          runs.push(result);
          states = result.states;
        }
        expect(maxAbsDiff(concatTime(runs.map((r) => r.y)), whole.y)).toBeLessThanOrEqual(TOLERANCE);
        states!.forEach((s, k) => expect(maxAbsDiff(s, whole.states![k]!)).toBeLessThanOrEqual(TOLERANCE));

        // Backward chunk by chunk, last first, carrying the initial-state gradients back.
        for (const p of layer.params()) p.zeroGrad();
        let carried: readonly Tensor[] = dStates;
        const dxParts: Tensor[] = [];
        for (let k = runs.length - 1; k >= 0; k--) {
          const dyChunk = steps(dy, bounds[k]!, bounds[k + 1]!);
          const result = layer.backwardWithStates(dyChunk, runs[k]!.cache, { stateGrads: carried });
          dxParts.unshift(result.dx);
          carried = result.initialStateGrads;
        }
        expect(maxAbsDiff(concatTime(dxParts), dx)).toBeLessThanOrEqual(TOLERANCE);
        layer.params().forEach((p, k) => expect(maxAbsDiff(p.grad, wholeGrads[k]!)).toBeLessThanOrEqual(TOLERANCE));
      }),
      RUNS,
    );
  });

  it('should rebuild from its JSON config a layer with an equal config and identical outputs', () => {
    fc.assert(
      fc.property(kindArb, recurrentCaseArb, fc.boolean(), fc.boolean(), (spec, c, returnSequences, returnState) => {
        const { first: layer, random } = twins(spec, c.units, c.features, c.seed, { returnSequences, returnState }, {});
        const config = JSON.parse(JSON.stringify(layer.getConfig()));
        const rebuilt = spec.kind === 'LSTM' ? LSTM.fromConfig(config) : spec.kind === 'GRU' ? GRU.fromConfig(config) : SimpleRNN.fromConfig(config);
        expect(rebuilt.getConfig()).toEqual(layer.getConfig());
        rebuilt.build([null, null, c.features], new Random(c.seed + 1));
        rebuilt.setWeights(layer.getWeights());
        const x = uniform([c.batch, c.time, c.features], random);
        const a = layer.forward(x);
        const b = rebuilt.forward(x);
        expect(maxAbsDiff(a.y, b.y)).toBe(0);
        expect((b.states ?? []).length).toBe((a.states ?? []).length);
        (a.states ?? []).forEach((s, k) => expect(maxAbsDiff(s, b.states![k]!)).toBe(0));
      }),
      RUNS,
    );
  });
});
