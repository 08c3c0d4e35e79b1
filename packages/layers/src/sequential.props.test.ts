import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DType } from '@rnnkit/tensor';
import { layerLaws } from '@rnnkit/testing';
import { Dense } from './dense.js';
import { GRU } from './gru.js';
import type { Layer } from './layer.js';
import { LSTM } from './lstm.js';
import { Sequential } from './sequential.js';
import { SimpleRNN } from './simple-rnn.js';

// A random stack: recurrent layers (all but the last returning sequences, the last either
// way), then dense layers, for inputs [batch, time, features].
type RecurrentKind = 'LSTM' | 'GRU' | 'GRU (resetAfter: false)' | 'SimpleRNN';

interface Stack {
  readonly features: number;
  readonly recurrent: readonly { readonly kind: RecurrentKind; readonly units: number }[];
  readonly lastReturnsSequences: boolean;
  readonly dense: readonly { readonly units: number; readonly activation: 'linear' | 'tanh' | 'sigmoid' }[];
}

const stackArb = (maxUnits: number): fc.Arbitrary<Stack> =>
  fc.record({
    features: fc.integer({ min: 1, max: maxUnits }),
    recurrent: fc.array(
      fc.record({
        kind: fc.constantFrom<RecurrentKind>('LSTM', 'GRU', 'GRU (resetAfter: false)', 'SimpleRNN'),
        units: fc.integer({ min: 1, max: maxUnits }),
      }),
      { minLength: 1, maxLength: 3 },
    ),
    lastReturnsSequences: fc.boolean(),
    dense: fc.array(
      fc.record({
        units: fc.integer({ min: 1, max: maxUnits }),
        activation: fc.constantFrom('linear' as const, 'tanh' as const, 'sigmoid' as const),
      }),
      { maxLength: 2 },
    ),
  });

function layersOf(stack: Stack, dtype: DType): Layer[] {
  const layers: Layer[] = stack.recurrent.map(({ kind, units }, i) => {
    const returnSequences = i < stack.recurrent.length - 1 || stack.lastReturnsSequences;
    switch (kind) {
      case 'LSTM':
        return new LSTM({ units, returnSequences, dtype });
      case 'GRU':
        return new GRU({ units, returnSequences, dtype });
      case 'GRU (resetAfter: false)':
        return new GRU({ units, returnSequences, resetAfter: false, dtype });
      case 'SimpleRNN':
        return new SimpleRNN({ units, returnSequences, dtype });
    }
  });
  for (const { units, activation } of stack.dense) layers.push(new Dense({ units, activation, dtype }));
  return layers;
}

/** The parameter counts Keras reports, from the closed-form formulas. */
function expectedCounts(stack: Stack): number[] {
  const counts: number[] = [];
  let inputs = stack.features;
  for (const { kind, units: u } of stack.recurrent) {
    const perGate = inputs + u + 1; // kernel row + recurrent row + bias, per unit and gate
    counts.push(
      kind === 'LSTM'
        ? 4 * u * perGate
        : kind === 'GRU'
          ? 3 * u * (inputs + u + 2) // resetAfter: separate input and recurrent biases
          : kind === 'GRU (resetAfter: false)'
            ? 3 * u * perGate
            : u * perGate,
    );
    inputs = u;
  }
  for (const { units } of stack.dense) {
    counts.push(inputs * units + units);
    inputs = units;
  }
  return counts;
}

const parseCount = (text: string): number => Number(text.replace(/,/g, ''));

describe('Sequential summary counts', () => {
  it('should equal the closed-form formulas per layer, and their sum in the totals', () => {
    fc.assert(
      fc.property(stackArb(40), fc.integer({ min: 1, max: 30 }), (stack, time) => {
        const model = new Sequential({ layers: layersOf(stack, 'float32'), inputShape: [time, stack.features] });
        const summary = model.summary();
        const rows = summary
          .split('\n')
          .map((line) => /^ (\S+) \((\w+)\) +\(.*\) +([\d,]+)$/.exec(line))
          .filter((m): m is RegExpExecArray => m !== null);
        const expected = expectedCounts(stack);
        expect(rows.map((m) => parseCount(m[3]!))).toEqual(expected);
        expect(rows.map((m) => m[1])).toEqual(model.layerNames);
        const total = expected.reduce((a, b) => a + b, 0);
        expect(summary).toContain(`Total params: ${total.toLocaleString('en-US')}`);
        expect(summary).toContain(`Trainable params: ${total.toLocaleString('en-US')}`);
        expect(summary).toContain('Non-trainable params: 0');
      }),
      { numRuns: 30 },
    );
  });

  it('should give each row the shape outputShape reports for that layer', () => {
    fc.assert(
      fc.property(stackArb(6), fc.integer({ min: 1, max: 5 }), (stack, time) => {
        const model = new Sequential({ layers: layersOf(stack, 'float32'), inputShape: [time, stack.features] });
        const last = stack.dense.at(-1)?.units ?? stack.recurrent.at(-1)!.units;
        const sequences = stack.lastReturnsSequences;
        expect(model.outputShape()).toEqual(sequences ? [null, time, last] : [null, last]);
        const rendered = sequences ? `(None, ${time}, ${last})` : `(None, ${last})`;
        const lastRow = model.summary().split('\n').filter((l) => l.startsWith(` ${model.layerNames.at(-1)} (`));
        expect(lastRow[0]).toContain(rendered);
      }),
      { numRuns: 20 },
    );
  });
});

describe('Sequential laws (stacked recurrent and dense layers, float64)', () => {
  const laws = layerLaws<Stack>({
    name: 'Sequential',
    make: (stack) => new Sequential({ layers: layersOf(stack, 'float64') }),
    configArb: stackArb(3),
    inputShapeArb: (stack) =>
      fc.tuple(fc.integer({ min: 1, max: 2 }), fc.integer({ min: 1, max: 3 }), fc.constant(stack.features)),
    fromConfig: (config) => Sequential.fromConfig(config),
  });
  for (const law of laws) it(law.name, () => fc.assert(law.property, { numRuns: 25 }));
});

describe('experiment 5 model (LSTM(1→32) → Dense(32→1), float64)', () => {
  it('should pass the gradient check on sampled parameter elements', () => {
    const laws = layerLaws<null>({
      name: 'experiment 5',
      make: () => new Sequential({ layers: [new LSTM({ units: 32, dtype: 'float64' }), new Dense({ units: 1, dtype: 'float64' })] }),
      configArb: fc.constant(null),
      inputShapeArb: fc.constant([2, 25, 1]),
      gradcheck: { sample: 40 },
    });
    const gradientLaw = laws.find((l) => l.name.includes('central differences'))!;
    fc.assert(gradientLaw.property, { numRuns: 3 });
  });
});
