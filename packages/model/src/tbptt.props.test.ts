// The laws of truncated backpropagation through time (`fit` with `tbptt`), on random models
// (stacked SimpleRNN/LSTM/GRU layers, a Dense head, sequence or last-step outputs):
// - every optimizer step gets the gradients that chunking by hand gives — each recurrent
//   layer's `forward(x, { initialState })` from the previous chunk's final states (returnState)
//   and `backwardWithStates` within the chunk, its state gradients dropped;
// - with chunks as long as the sequences (k ≥ time), fit is ordinary fit, bit for bit.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Dense, Dropout, GRU, type Layer, LSTM, type RecurrentLayer, Sequential, SimpleRNN } from '@rnnkit/layers';
import { meanSquaredError } from '@rnnkit/losses';
import { adam, defineOptimizer } from '@rnnkit/optimizers';
import { Random, Tensor, allocate } from '@rnnkit/tensor';
import { fit } from './fit.js';

const specArb = fc.record({
  recurrent: fc.array(
    fc.record({
      kind: fc.constantFrom('SimpleRNN' as const, 'LSTM' as const, 'GRU' as const),
      units: fc.integer({ min: 1, max: 3 }),
      learnableInitialState: fc.boolean(),
    }),
    { minLength: 1, maxLength: 2 },
  ),
  returnSequences: fc.boolean(),
  dense: fc.integer({ min: 1, max: 2 }),
  batch: fc.integer({ min: 1, max: 3 }),
  features: fc.integer({ min: 1, max: 2 }),
  time: fc.integer({ min: 2, max: 7 }),
  chunk: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

/** The spec's layers in float64 (the recurrent ones returning their states when `returnState`). */
function layersOf(spec: Spec, returnState: boolean, dropout: boolean): Layer[] {
  const dtype = 'float64' as const;
  const layers: Layer[] = spec.recurrent.map((r, i) => {
    const common = { units: r.units, dtype, returnState, returnSequences: i < spec.recurrent.length - 1 || spec.returnSequences };
    if (r.kind === 'LSTM') return new LSTM(common);
    if (r.kind === 'GRU') return new GRU(common);
    return new SimpleRNN({ ...common, learnableInitialState: r.learnableInitialState });
  });
  if (dropout) layers.push(new Dropout({ rate: 0.3, dtype }));
  layers.push(new Dense({ units: spec.dense, dtype, activation: 'tanh' }));
  return layers;
}

/** The spec's model, its weights drawn from the spec's seed. */
function modelOf(spec: Spec, dropout = false): Sequential {
  const model = new Sequential({ layers: layersOf(spec, false, dropout), inputShape: [null, spec.features], seed: spec.seed });
  const random = new Random(spec.seed);
  for (const p of model.params()) random.fillNormal(p.value.data, 0, 0.5);
  return model;
}

function dataOf(spec: Spec, samples = spec.batch) {
  const random = new Random(spec.seed + 1);
  const x = new Tensor(random.fillUniform(new Float64Array(samples * spec.time * spec.features), -1, 1), [samples, spec.time, spec.features]);
  const yShape = spec.returnSequences ? [samples, spec.time, spec.dense] : [samples, spec.dense];
  const y = new Tensor(random.fillUniform(new Float64Array(yShape.reduce((a, b) => a * b, 1)), -0.9, 0.9), yShape);
  return { x, y };
}

/** `t[:, from…to)` of a `[batch, time, …]` tensor. */
function steps(t: Tensor, from: number, to: number): Tensor {
  const [batch, time] = t.shape as [number, number];
  const inner = t.size / (batch * time);
  const out = allocate(t.dtype, batch * (to - from) * inner);
  for (let b = 0; b < batch; b++) out.set(t.data.subarray((b * time + from) * inner, (b * time + to) * inner), b * (to - from) * inner);
  return new Tensor(out, [batch, to - from, ...t.shape.slice(2)]);
}

/**
 * The gradients of every optimizer step, as chunking by hand gives them, with the weights of
 * `original` in layers of its own whose recurrent ones return their states (a Sequential
 * refuses those, so they run here one by one).
 */
function chunkedByHand(spec: Spec, original: Sequential, x: Tensor, y: Tensor): number[][][] {
  const layers = layersOf(spec, true, false);
  let shape: readonly (number | null)[] = [null, null, spec.features];
  layers.forEach((layer, i) => {
    layer.build(shape, new Random(0));
    layer.setWeights(original.layers[i]!.getWeights());
    shape = layer.outputShape(shape);
  });
  const params = layers.flatMap((layer) => layer.params());
  const loss = meanSquaredError();
  const carried: (readonly Tensor[] | undefined)[] = [];
  const gradients: number[][][] = [];
  for (let from = 0; from < spec.time; from += spec.chunk) {
    const to = Math.min(spec.time, from + spec.chunk);
    let h = steps(x, from, to);
    const caches: unknown[] = [];
    layers.forEach((layer, i) => {
      const initialState = carried[i];
      const result = layer.forward(h, initialState === undefined ? { training: true } : { training: true, initialState });
      if (result.states !== undefined) carried[i] = result.states;
      caches[i] = result.cache;
      h = result.y;
    });
    // A last-step output has a loss on the last chunk only.
    if (!spec.returnSequences && to < spec.time) continue;
    const target = spec.returnSequences ? steps(y, from, to) : y;
    let grad = loss.compute(h, target).grad;
    for (let i = layers.length - 1; i >= 0; i--) {
      const layer = layers[i]!;
      // The initial states' gradients are dropped: backpropagation stops at the chunk's start.
      grad = 'backwardWithStates' in layer ? (layer as RecurrentLayer).backwardWithStates(grad, caches[i]).dx : layer.backward(grad, caches[i]);
    }
    gradients.push(params.map((p) => Array.from(p.grad.data)));
    for (const p of params) p.zeroGrad();
  }
  return gradients;
}

describe('fit with tbptt (property)', () => {
  it('should give every optimizer step the gradients of chunking by hand with forward(x, { initialState }) and backwardWithStates', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, async (spec) => {
        const { x, y } = dataOf(spec);
        // An optimizer that records the gradients and leaves the weights as they are.
        const seen: number[][] = [];
        const recorder = defineOptimizer({
          name: 'recorder',
          defaults: {},
          init: () => ({}),
          update: ({ grad, out, state }) => {
            seen.push(Array.from(grad));
            return { update: out.fill(0), state };
          },
        });
        const model = modelOf(spec);
        const history = await fit(model, { x, y }, { loss: 'mse', optimizer: recorder, batchSize: 'full', shuffle: false, tbptt: spec.chunk });
        const expected = chunkedByHand(spec, model, x, y);
        const perStep = model.params().length;
        expect(history.optimizer.iterations).toBe(expected.length);
        const steps = Array.from({ length: seen.length / perStep }, (_, s) => seen.slice(s * perStep, (s + 1) * perStep));
        expect(steps).toEqual(expected);
      }),
      { numRuns: 40, seed: 1414 },
    );
  });

  it('should be ordinary fit, bit for bit, when the chunks are as long as the sequences', async () => {
    await fc.assert(
      fc.asyncProperty(specArb, fc.integer({ min: 0, max: 3 }), fc.boolean(), async (spec, longer, dropout) => {
        const { x, y } = dataOf(spec, 5);
        const run = async (tbptt: number | undefined) => {
          const model = modelOf(spec, dropout);
          const history = await fit(model, { x, y }, {
            loss: 'mse', optimizer: adam, optimizerOptions: { learningRate: 0.05 }, batchSize: 2, epochs: 2, seed: spec.seed, ...(tbptt === undefined ? {} : { tbptt }),
          });
          return { losses: history.batches.map((b) => b.loss), weights: model.getWeights().map((w) => Array.from(w.data)) };
        };
        expect(await run(spec.time + longer)).toEqual(await run(undefined));
      }),
      { numRuns: 25, seed: 2718 },
    );
  });
});
