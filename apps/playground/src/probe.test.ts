import { GRU, LSTM, SimpleRNN } from '@rnnkit/layers';
import { type DType, Random, Tensor, allocate, randomUniform } from '@rnnkit/tensor';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Probe, probeLayer, traceOf } from './probe.js';

type Kind = 'SimpleRNN' | 'LSTM' | 'LSTM (h = o ⊙ c)' | 'GRU (reset after)' | 'GRU (reset before)';
const KINDS: readonly Kind[] = ['SimpleRNN', 'LSTM', 'LSTM (h = o ⊙ c)', 'GRU (reset after)', 'GRU (reset before)'];

// Non-zero biases, so a probe that ignored them (or read the wrong bias row) would fail.
const bias = randomUniform({ low: -0.5, high: 0.5 });

function makeLayer(kind: Kind, units: number, dtype: DType, returnSequences: boolean): SimpleRNN | LSTM | GRU {
  const common = { units, dtype, returnSequences, returnState: true, biasInitializer: bias };
  switch (kind) {
    case 'SimpleRNN':
      return new SimpleRNN(common);
    case 'LSTM':
      return new LSTM(common);
    case 'LSTM (h = o ⊙ c)':
      return new LSTM({ ...common, cellOutput: 'none' });
    case 'GRU (reset after)':
      return new GRU({ ...common, resetAfter: true });
    case 'GRU (reset before)':
      return new GRU({ ...common, resetAfter: false });
  }
}

interface Case {
  readonly kind: Kind;
  readonly units: number;
  readonly features: number;
  readonly time: number;
  readonly seed: number;
}

const caseArb: fc.Arbitrary<Case> = fc.record({
  kind: fc.constantFrom(...KINDS),
  units: fc.integer({ min: 1, max: 5 }),
  features: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 7 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

/** A built layer (last-step output) and one input sequence `[1, time, features]`, both seeded. */
function setUp({ kind, units, features, time, seed }: Case, dtype: DType = 'float64', returnSequences = false) {
  const random = new Random(seed);
  const layer = makeLayer(kind, units, dtype, returnSequences);
  layer.build([null, time, features], random);
  const x = new Tensor(random.fillUniform(allocate(dtype, time * features) as Float64Array, -2, 2), [1, time, features]);
  return { layer, x };
}

/** The probe's values of trace `name` at the last step. */
function lastStep(probe: Probe, name: string): Float64Array {
  return traceOf(probe, name).values.slice((probe.time - 1) * probe.units);
}

function maxAbsDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

describe('probeLayer', () => {
  it("should end with the layer's forward output as its final h", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { layer, x } = setUp(c);
        const { y } = layer.forward(x);
        expect(maxAbsDifference(lastStep(probeLayer(layer, x), 'h'), y.data)).toBeLessThan(1e-12);
      }),
      { numRuns: 50 },
    );
  });

  it("should match the layer's h at every step (returnSequences)", () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { layer, x } = setUp(c, 'float64', true);
        const { y } = layer.forward(x); // [1, time, units], which is [time, units] for one sequence
        expect(maxAbsDifference(traceOf(probeLayer(layer, x), 'h').values, y.data)).toBeLessThan(1e-12);
      }),
      { numRuns: 30 },
    );
  });

  it("should end with the LSTM's final cell state as its last c", () => {
    fc.assert(
      fc.property(caseArb.filter((c) => c.kind.startsWith('LSTM')), (c) => {
        const { layer, x } = setUp(c);
        const { states } = layer.forward(x);
        expect(maxAbsDifference(lastStep(probeLayer(layer, x), 'c'), states![1]!.data)).toBeLessThan(1e-12);
      }),
      { numRuns: 30 },
    );
  });

  it('should keep every gate within (0, 1) and every tanh output within (−1, 1)', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const { layer, x } = setUp(c);
        for (const trace of probeLayer(layer, x).traces) {
          if (trace.range === 'unbounded') continue;
          const [low, high] = trace.range === 'unit' ? [0, 1] : [-1, 1];
          for (const v of trace.values) {
            expect(v).toBeGreaterThanOrEqual(low);
            expect(v).toBeLessThanOrEqual(high);
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('should record traces that satisfy the equations that link them', () => {
    // c_t = f ⊙ c_{t−1} + i ⊙ g and h_t = o ⊙ tanh(c_t) (LSTM), h_t = z ⊙ h_{t−1} + (1 − z) ⊙ g (GRU):
    // a trace read from the wrong gate block breaks these.
    fc.assert(
      fc.property(caseArb.filter((c) => c.kind === 'LSTM' || c.kind.startsWith('GRU')), (c) => {
        const { layer, x } = setUp(c);
        const probe = probeLayer(layer, x);
        const v = (name: string, t: number, k: number): number => (t < 0 ? 0 : traceOf(probe, name).values[t * c.units + k]!);
        for (let t = 0; t < c.time; t++) {
          for (let k = 0; k < c.units; k++) {
            if (c.kind === 'LSTM') {
              expect(v('c', t, k)).toBeCloseTo(v('f', t, k) * v('c', t - 1, k) + v('i', t, k) * v('g', t, k), 12);
              expect(v('h', t, k)).toBeCloseTo(v('o', t, k) * Math.tanh(v('c', t, k)), 12);
            } else {
              expect(v('h', t, k)).toBeCloseTo(v('z', t, k) * v('h', t - 1, k) + (1 - v('z', t, k)) * v('g', t, k), 12);
            }
          }
        }
      }),
      { numRuns: 30 },
    );
  });

  it('should agree with a float32 layer to float32 precision', () => {
    const { layer, x } = setUp({ kind: 'LSTM', units: 8, features: 2, time: 12, seed: 3 }, 'float32');
    const { y } = layer.forward(x);
    expect(maxAbsDifference(lastStep(probeLayer(layer, x), 'h'), y.data)).toBeLessThan(1e-5);
  });

  it('should record the traces the page draws, each [time, units]', () => {
    const expected: Record<string, string[]> = {
      SimpleRNN: ['h'],
      LSTM: ['i', 'f', 'o', 'g', 'c', 'h'],
      'GRU (reset after)': ['z', 'r', 'g', 'h'],
    };
    for (const [kind, names] of Object.entries(expected)) {
      const { layer, x } = setUp({ kind: kind as Kind, units: 3, features: 2, time: 4, seed: 1 });
      const probe = probeLayer(layer, x);
      expect(probe.traces.map((t) => t.name)).toEqual(names);
      for (const trace of probe.traces) expect(trace.values.length).toBe(4 * 3);
    }
  });

  it('should accept a sequence given as [time, features]', () => {
    const { layer, x } = setUp({ kind: 'GRU (reset after)', units: 3, features: 2, time: 5, seed: 7 });
    const flat = new Tensor(x.data, [5, 2]);
    expect(traceOf(probeLayer(layer, flat), 'h').values).toEqual(traceOf(probeLayer(layer, x), 'h').values);
  });

  it('should refuse activations it does not write out', () => {
    const layer = new LSTM({ units: 2, recurrentActivation: 'hardSigmoid' });
    layer.build([null, 3, 1], new Random(0));
    expect(() => probeLayer(layer, new Tensor(new Float32Array(3), [3, 1]))).toThrow(/sigmoid gates/);
  });

  it('should refuse a sequence with the wrong number of features', () => {
    const { layer } = setUp({ kind: 'LSTM', units: 2, features: 2, time: 3, seed: 0 });
    expect(() => probeLayer(layer, new Tensor(new Float64Array(3), [3, 1]))).toThrow(/expected one sequence \[time, 2\]/);
  });
});
