// Masked sequences on the fused LSTM, GRU (both forms) and SimpleRNN passes (one thread and
// three), through the recurrent layer. The passes' own maths on masked sequences — carried
// states and every gradient against the cells' reference steps, over random masks and uneven
// batches — is the law of recurrentKernelLaws (the *-pass.props tests). Here: what the layer adds around a
// pass, against the same layer on the JS backend (where the cells' own steps run and the layer
// applies the mask, rnn-mask.ts of @rnnkit/layers) — the mask reversed for goBackwards, the
// output gradients it prepares (returnSequences, the last output), returnState, the inference
// pass finished before backward; Bidirectional over a masked batch; and proof that a masked
// sequence ran the fused pass rather than the cells' steps.
import { type Layer, type RecurrentLayer, type RecurrentPass, bidirectional, gru, lstm, simpleRNN } from '@rnnkit/layers';
import { type KernelBackend, Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { backendsUnderTest, passOf, randomTensor, relativeError } from './pass-support.js';

const backends = await backendsUnderTest();
afterEach(() => vi.restoreAllMocks());

type MaskKind = 'all valid' | 'start padding' | 'end padding' | 'middle' | 'all masked';
const MASK_KINDS: readonly MaskKind[] = ['all valid', 'start padding', 'end padding', 'middle', 'all masked'];

/** One sample's mask of `time` steps: padding of `cut` steps at the start or end, a random pattern, or nothing valid. */
function sampleMask(kind: MaskKind, time: number, cut: number, random: Random): number[] {
  const pad = Math.min(cut, time - 1);
  return Array.from({ length: time }, (_, t) => {
    if (kind === 'all valid') return 1;
    if (kind === 'all masked') return 0;
    if (kind === 'start padding') return t < pad ? 0 : 1;
    if (kind === 'end padding') return t >= time - pad ? 0 : 1;
    return random.uniform(0, 1) < 0.5 ? 0 : 1;
  });
}

/** The layers whose cells have a fused pass, by that pass's name. */
const LAYERS = {
  lstm: (options: LayerOptions) => lstm(options),
  gru: (options: LayerOptions) => gru(options),
  'gru-reset-before': (options: LayerOptions) => gru({ ...options, resetAfter: false }),
  'simple-rnn': (options: LayerOptions) => simpleRNN(options),
  'simple-rnn (sigmoid)': (options: LayerOptions) => simpleRNN({ ...options, activation: 'sigmoid' }),
} as const;
type LayerOptions = { units: number; returnSequences?: boolean; goBackwards?: boolean; returnState?: boolean; useBias?: boolean };
type CellName = keyof typeof LAYERS;
const passName = (cell: CellName): string => cell.replace(' (sigmoid)', '');

const caseArb = fc.record({
  cell: fc.constantFrom(...(Object.keys(LAYERS) as CellName[])),
  batch: fc.integer({ min: 1, max: 5 }),
  time: fc.integer({ min: 1, max: 6 }),
  features: fc.integer({ min: 1, max: 4 }),
  units: fc.integer({ min: 1, max: 9 }), // below, at and past a SIMD vector of units
  kinds: fc.array(fc.constantFrom(...MASK_KINDS), { minLength: 5, maxLength: 5 }),
  cut: fc.integer({ min: 1, max: 5 }),
  goBackwards: fc.boolean(),
  returnSequences: fc.boolean(),
  returnState: fc.boolean(),
  useBias: fc.boolean(),
  seed: fc.integer({ min: 1, max: 2 ** 30 }),
});
type Case = typeof caseArb extends fc.Arbitrary<infer T> ? T : never;

interface Results {
  readonly values: readonly (readonly [string, Float32Array])[];
}

/** Inference output, then a training pass: output, final states, ∂x, initial-state gradients and weight gradients. */
function runCase(layer: Layer & RecurrentLayer, backend: KernelBackend, x: Tensor, mask: Tensor, dy: Tensor, stateGrads: Tensor[]): Results {
  setBackend(backend);
  const inference = layer.forward(x, { mask }).y;
  for (const p of layer.params()) p.zeroGrad();
  const { y, states, cache } = layer.forward(x, { mask, training: true });
  const result = layer.backwardWithStates(dy, cache, stateGrads.length > 0 ? { stateGrads } : {});
  const values: [string, Float32Array][] = [
    ['inference y', inference.data as Float32Array],
    ['y', y.data as Float32Array],
    ...(states ?? []).map((s, i) => [`final state ${i}`, s.data as Float32Array] as [string, Float32Array]),
    ['dx', result.dx.data as Float32Array],
    ...result.initialStateGrads.map((g, i) => [`initial state gradient ${i}`, g.data as Float32Array] as [string, Float32Array]),
    ...layer.params().map((p) => [`gradient of ${p.name}`, p.grad.data.slice() as Float32Array] as [string, Float32Array]),
  ];
  return { values };
}

function makeCase(c: Case) {
  const random = new Random(c.seed);
  const options = { units: c.units, goBackwards: c.goBackwards, returnSequences: c.returnSequences, returnState: c.returnState, useBias: c.useBias };
  const layer = LAYERS[c.cell](options);
  layer.build([null, c.time, c.features], random);
  for (const p of layer.params()) random.fillUniform(p.value.data, -0.7, 0.7);
  const x = randomTensor([c.batch, c.time, c.features], random);
  const maskValues = Array.from({ length: c.batch }, (_, b) => sampleMask(c.kinds[b]!, c.time, c.cut, random)).flat();
  const mask = new Tensor(Float32Array.from(maskValues), [c.batch, c.time]);
  const dy = randomTensor(c.returnSequences ? [c.batch, c.time, c.units] : [c.batch, c.units], random);
  const stateGrads = c.returnState ? layer.cell.states.map(() => randomTensor([c.batch, c.units], random)) : [];
  return { layer, x, mask, dy, stateGrads };
}

function expectClose(got: Results, want: Results, where: string): void {
  expect(got.values.map(([name]) => name)).toEqual(want.values.map(([name]) => name));
  got.values.forEach(([name, values], i) => {
    const error = relativeError(values, want.values[i]![1]);
    if (!(error < 1e-4)) throw new Error(`${where}: ${name} differs from the reference steps by ${error} (relative)`);
  });
}

for (const [label, backend] of backends) {
  describe(`masked sequences on the fused passes (${label})`, () => {
    it("should equal the cells' own steps on the JS backend through the layer (goBackwards, returnSequences, returnState): outputs, states and every gradient", () => {
      fc.assert(
        fc.property(caseArb, (c) => {
          const { layer, x, mask, dy, stateGrads } = makeCase(c);
          const want = runCase(layer, jsBackend, x, mask, dy, stateGrads);
          const got = runCase(layer, backend, x, mask, dy, stateGrads);
          expectClose(got, want, JSON.stringify(c));
        }),
        { numRuns: 40 }, // the passes' maths over many masks is the kernel law's; this is the layer around them (five cells)
      );
    });

    it('should run a masked sequence on the fused pass, forward and backward', () => {
      for (const name of Object.keys(LAYERS) as CellName[]) {
        const pass: RecurrentPass = passOf(backend, passName(name));
        const forward = vi.spyOn(pass, 'forward');
        const backward = vi.spyOn(pass, 'backward');
        const layer = LAYERS[name]({ units: 4, returnSequences: true });
        layer.build([null, 3, 2], new Random(3));
        const x = randomTensor([2, 3, 2], new Random(4));
        const mask = new Tensor(Float32Array.from([1, 1, 0, 0, 1, 1]), [2, 3]);
        setBackend(backend);
        const inference = layer.forward(x, { mask });
        expect(inference.cache.complete).toBe(false); // only the fused pass skips what backward needs
        const { y, cache } = layer.forward(x, { mask, training: true });
        layer.backward(y, cache);
        expect(forward).toHaveBeenCalledTimes(2);
        expect(backward).toHaveBeenCalledTimes(1);
        expect(Array.from(forward.mock.calls[0]![0].valid ?? [])).toEqual([1, 0, 1, 1, 0, 1]); // time-major
        vi.restoreAllMocks();
      }
    });
  });
}

describe('Bidirectional over a masked batch on the fused passes', () => {
  const cases: readonly [string, () => Layer & RecurrentLayer][] = [
    ['Bidirectional(LSTM) concat, sequences', () => bidirectional({ layer: lstm({ units: 5, returnSequences: true }) })],
    ['Bidirectional(GRU) sum, last step, states', () => bidirectional({ layer: gru({ units: 4, returnState: true }), mergeMode: 'sum' })],
    ['Bidirectional(SimpleRNN) concat, sequences', () => bidirectional({ layer: simpleRNN({ units: 5, returnSequences: true }) })],
  ];
  for (const [label, make] of cases) {
    for (const [name, backend] of backends) {
      it(`should equal the cells' own steps: ${label} (${name})`, () => {
        const random = new Random(17);
        const layer = make();
        layer.build([null, 6, 3], random);
        for (const p of layer.params()) random.fillUniform(p.value.data, -0.6, 0.6);
        const lengths = [6, 3, 1, 0, 4];
        const batch = lengths.length;
        const x = randomTensor([batch, 6, 3], random);
        const mask = new Tensor(Float32Array.from(lengths.flatMap((n) => Array.from({ length: 6 }, (_, t) => (t < n ? 1 : 0)))), [batch, 6]);
        setBackend(jsBackend);
        const shape = layer.forward(x, { mask }).y.shape;
        const dy = randomTensor([...shape], random);
        const calls = vi.spyOn(passOf(backend, label.includes('LSTM') ? 'lstm' : label.includes('GRU') ? 'gru' : 'simple-rnn'), 'backward');
        const want = runCase(layer, jsBackend, x, mask, dy, []);
        const got = runCase(layer, backend, x, mask, dy, []);
        expectClose(got, want, label);
        expect(calls).toHaveBeenCalledTimes(2); // both directions
      });
    }
  }
});
