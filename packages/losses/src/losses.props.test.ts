import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkGradients } from '@rnnkit/gradcheck';
import { Random, Tensor, type Shape, shapeSize } from '@rnnkit/tensor';
import { type Law, type LossSample, lossLaws } from '@rnnkit/testing';
import {
  type Loss,
  type Reduction,
  binaryCrossentropy,
  getLoss,
  halfSumOfSquares,
  meanAbsoluteError,
  meanSquaredError,
  selectFeatures,
  softmaxCrossEntropy,
} from './index.js';

// ---------------------------------------------------------------------------------------
// Samples: random shapes [features], [batch, features] and [batch, time, features]
// ---------------------------------------------------------------------------------------

const length = fc.integer({ min: 1, max: 4 });
const shapeArb: fc.Arbitrary<number[]> = fc.oneof(
  fc.tuple(length),
  fc.tuple(length, length),
  fc.tuple(length, length, length),
);
const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const reductionArb = fc.constantFrom<Reduction>('mean', 'sum');

function uniform(shape: Shape, random: Random, low: number, high: number): Tensor {
  return new Tensor(random.fillUniform(new Float64Array(shapeSize(shape)), low, high), shape);
}

function map(t: Tensor, f: (v: number, i: number) => number): Tensor {
  return new Tensor(t.data.map(f), t.shape);
}

/** Samples for a loss family, kept where the loss is smooth. */
type Family = 'squares' | 'absolute' | 'probabilities' | 'logits' | 'labels' | 'onehot';

function sampleOf(family: Family, shape: Shape, seed: number): LossSample {
  const random = new Random(seed);
  switch (family) {
    case 'squares':
      return { predictions: uniform(shape, random, -2, 2), targets: uniform(shape, random, -2, 2) };
    case 'absolute': {
      // Keep |ŷ − y| ≥ 0.05: |·| has a kink at 0 where finite differences are meaningless.
      const targets = uniform(shape, random, -2, 2);
      const offsets = map(uniform(shape, random, 0.05, 1), (v) => (random.next() < 0.5 ? -v : v));
      return { predictions: map(targets, (v, i) => v + offsets.data[i]!), targets };
    }
    case 'probabilities':
      return { predictions: uniform(shape, random, 0.05, 0.95), targets: softOrHard(shape, random) };
    case 'logits':
      return { predictions: uniform(shape, random, -5, 5), targets: softOrHard(shape, random) };
    case 'labels': {
      const classes = shape[shape.length - 1]!;
      const labels = map(uniform(shape.slice(0, -1), random, 0, 1), () => random.integer(0, classes));
      return { predictions: uniform(shape, random, -3, 3), targets: labels };
    }
    case 'onehot': {
      // Non-negative class weights: one-hot rows and soft distributions alike.
      const targets = uniform(shape, random, 0, 1);
      return { predictions: uniform(shape, random, -3, 3), targets };
    }
  }
}

function softOrHard(shape: Shape, random: Random): Tensor {
  const soft = random.next() < 0.5;
  return map(uniform(shape, random, 0, 1), (v) => (soft ? v : Math.round(v)));
}

const sampleArb = (family: Family): fc.Arbitrary<LossSample> =>
  fc.tuple(shapeArb, seedArb).map(([shape, seed]) => sampleOf(family, shape, seed));

// ---------------------------------------------------------------------------------------
// The shared laws (gradient check in float64, shapes, purity, config round-trip)
// ---------------------------------------------------------------------------------------

interface Subject {
  readonly name: string;
  readonly make: (reduction: Reduction) => Loss;
  readonly family: Family;
}

const subjects: Subject[] = [
  { name: 'meanSquaredError', make: (reduction) => meanSquaredError({ reduction }), family: 'squares' },
  { name: 'halfSumOfSquares', make: (reduction) => halfSumOfSquares({ reduction }), family: 'squares' },
  { name: 'meanAbsoluteError', make: (reduction) => meanAbsoluteError({ reduction }), family: 'absolute' },
  { name: 'binaryCrossentropy', make: (reduction) => binaryCrossentropy({ reduction }), family: 'probabilities' },
  {
    name: 'binaryCrossentropy (fromLogits)',
    make: (reduction) => binaryCrossentropy({ reduction, fromLogits: true }),
    family: 'logits',
  },
  { name: 'softmaxCrossEntropy (labels)', make: (reduction) => softmaxCrossEntropy({ reduction }), family: 'labels' },
  { name: 'softmaxCrossEntropy (one-hot)', make: (reduction) => softmaxCrossEntropy({ reduction }), family: 'onehot' },
];

function lawsOf(subject: Subject): Law[] {
  return lossLaws({
    name: subject.name,
    make: subject.make,
    configArb: reductionArb,
    sampleArb: sampleArb(subject.family),
    fromConfig: (config) => getLoss(config),
  });
}

for (const subject of subjects) {
  describe(`${subject.name} laws`, () => {
    for (const law of lawsOf(subject)) {
      it(law.name, () => fc.assert(law.property, { numRuns: 40 }));
    }
  });
}

describe('selectFeatures laws', () => {
  // A base loss on a random subset (in random order) of the features.
  const selectionArb = fc
    .tuple(shapeArb, seedArb, reductionArb)
    .chain(([shape, seed, reduction]) => {
      const width = shape[shape.length - 1]!;
      return fc
        .shuffledSubarray(
          Array.from({ length: width }, (_, i) => i),
          { minLength: 1 },
        )
        .map((indices) => ({ shape, seed, reduction, indices }));
    });
  const laws = lossLaws({
    name: 'selectFeatures(meanSquaredError)',
    configArb: selectionArb,
    make: ({ reduction, indices }) => selectFeatures(meanSquaredError({ reduction }), { indices }),
    sampleArb: ({ shape, seed, indices }) => {
      const random = new Random(seed);
      const selected = [...shape.slice(0, -1), indices.length];
      return fc.constant({ predictions: uniform(shape, random, -2, 2), targets: uniform(selected, random, -2, 2) });
    },
    fromConfig: (config) => getLoss(config),
  });
  for (const law of laws) it(law.name, () => fc.assert(law.property, { numRuns: 40 }));
});

// ---------------------------------------------------------------------------------------
// Oracles: values against the formulas written out naively
// ---------------------------------------------------------------------------------------

/** The rows of the last axis, as plain arrays. */
function rows(t: Tensor): number[][] {
  const width = t.shape[t.rank - 1]!;
  const out: number[][] = [];
  for (let r = 0; r < t.size / width; r++) out.push(Array.from(t.data.subarray(r * width, (r + 1) * width)));
  return out;
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);
const reduce = (perPosition: number[], reduction: Reduction): number =>
  reduction === 'mean' ? mean(perPosition) : sum(perPosition);
const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

function close(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-10 * Math.max(1, Math.abs(b));
}

describe('loss values', () => {
  const oracleCase = (family: Family) => fc.tuple(sampleArb(family), reductionArb);

  it('should equal the mean over features of (ŷ − y)², reduced over positions, for meanSquaredError', () => {
    fc.assert(
      fc.property(oracleCase('squares'), ([{ predictions: p, targets: t }, reduction]) => {
        const y = rows(t);
        const expected = reduce(rows(p).map((r, i) => mean(r.map((v, f) => (v - y[i]![f]!) ** 2))), reduction);
        expect(close(meanSquaredError({ reduction }).value(p, t), expected)).toBe(true);
      }),
    );
  });

  it('should equal the mean over all elements for meanSquaredError with mean reduction (Keras mse)', () => {
    fc.assert(
      fc.property(sampleArb('squares'), ({ predictions: p, targets: t }) => {
        const all = Array.from(p.data, (v, i) => (v - t.data[i]!) ** 2);
        expect(close(meanSquaredError().value(p, t), mean(all))).toBe(true);
      }),
    );
  });

  it('should equal ½ Σ (ŷ − y)² over every element for halfSumOfSquares', () => {
    fc.assert(
      fc.property(sampleArb('squares'), ({ predictions: p, targets: t }) => {
        const expected = 0.5 * sum(Array.from(p.data, (v, i) => (v - t.data[i]!) ** 2));
        expect(close(halfSumOfSquares().value(p, t), expected)).toBe(true);
      }),
    );
  });

  it('should equal the mean over features of |ŷ − y|, reduced over positions, for meanAbsoluteError', () => {
    fc.assert(
      fc.property(oracleCase('absolute'), ([{ predictions: p, targets: t }, reduction]) => {
        const y = rows(t);
        const expected = reduce(rows(p).map((r, i) => mean(r.map((v, f) => Math.abs(v - y[i]![f]!)))), reduction);
        expect(close(meanAbsoluteError({ reduction }).value(p, t), expected)).toBe(true);
      }),
    );
  });

  it('should equal −(y log p + (1 − y) log(1 − p)) averaged over features for binaryCrossentropy', () => {
    fc.assert(
      fc.property(oracleCase('probabilities'), ([{ predictions: p, targets: t }, reduction]) => {
        const y = rows(t);
        const term = (q: number, target: number): number => -(target * Math.log(q) + (1 - target) * Math.log(1 - q));
        const expected = reduce(rows(p).map((r, i) => mean(r.map((q, f) => term(q, y[i]![f]!)))), reduction);
        expect(close(binaryCrossentropy({ reduction }).value(p, t), expected)).toBe(true);
      }),
    );
  });

  it('should equal the probability form at σ(x) for binaryCrossentropy from logits', () => {
    fc.assert(
      fc.property(oracleCase('logits'), ([{ predictions: x, targets: t }, reduction]) => {
        const y = rows(t);
        const term = (v: number, target: number): number =>
          -(target * Math.log(sigmoid(v)) + (1 - target) * Math.log(1 - sigmoid(v)));
        const expected = reduce(rows(x).map((r, i) => mean(r.map((v, f) => term(v, y[i]![f]!)))), reduction);
        expect(Math.abs(binaryCrossentropy({ reduction, fromLogits: true }).value(x, t) - expected)).toBeLessThan(1e-9);
      }),
    );
  });

  it('should equal −Σ_c y_c log softmax(z)_c, reduced over positions, for softmaxCrossEntropy', () => {
    fc.assert(
      fc.property(oracleCase('onehot'), ([{ predictions: z, targets: t }, reduction]) => {
        const y = rows(t);
        const perPosition = rows(z).map((r, i) => {
          const exps = r.map(Math.exp);
          const total = sum(exps);
          return -sum(exps.map((e, c) => y[i]![c]! * Math.log(e / total)));
        });
        expect(close(softmaxCrossEntropy({ reduction }).value(z, t), reduce(perPosition, reduction))).toBe(true);
      }),
    );
  });

  it('should give the same value and gradient for class labels and their one-hot encoding', () => {
    fc.assert(
      fc.property(sampleArb('labels'), reductionArb, ({ predictions: z, targets: labels }, reduction) => {
        const classes = z.shape[z.rank - 1]!;
        const oneHot = new Tensor(new Float64Array(z.size), z.shape);
        labels.data.forEach((label, position) => (oneHot.data[position * classes + label] = 1));
        const loss = softmaxCrossEntropy({ reduction });
        const a = loss.compute(z, labels);
        const b = loss.compute(z, oneHot);
        const c = loss.compute(z, labels.reshape([...labels.shape, 1])); // Keras' sparse [batch, 1]
        expect(close(a.value, b.value)).toBe(true);
        expect(Array.from(a.grad.data)).toEqual(Array.from(c.grad.data));
        a.grad.data.forEach((g, i) => expect(Math.abs(g - b.grad.data[i]!)).toBeLessThan(1e-12));
      }),
    );
  });
});

// ---------------------------------------------------------------------------------------
// Metamorphic laws: reductions, per-time-step targets, weights and masks, selections
// ---------------------------------------------------------------------------------------

describe('reductions and weights', () => {
  const anyLoss = fc.constantFrom(...subjects);
  const loaded = anyLoss.chain((subject) =>
    sampleArb(subject.family).map((sample) => ({ subject, ...sample })),
  );
  const positionsOf = (p: Tensor): Shape => p.shape.slice(0, -1);

  it('should make sum equal mean times the number of positions (value and gradient)', () => {
    fc.assert(
      fc.property(loaded, ({ subject, predictions: p, targets: t }) => {
        const count = shapeSize(positionsOf(p));
        const m = subject.make('mean').compute(p, t);
        const s = subject.make('sum').compute(p, t);
        expect(close(s.value, m.value * count)).toBe(true);
        s.grad.data.forEach((g, i) => expect(Math.abs(g - m.grad.data[i]! * count)).toBeLessThan(1e-12));
      }),
    );
  });

  it('should treat [batch, time, features] like [batch·time, features] (per-time-step targets)', () => {
    fc.assert(
      fc.property(loaded, reductionArb, ({ subject, predictions: p, targets: t }, reduction) => {
        if (p.rank !== 3) return;
        const flat = [p.shape[0]! * p.shape[1]!, p.shape[2]!];
        const tFlat = t.rank === 3 ? flat : [flat[0]!]; // class labels have no feature axis
        const loss = subject.make(reduction);
        const a = loss.compute(p, t);
        const b = loss.compute(p.reshape(flat), t.reshape(tFlat));
        expect(close(a.value, b.value)).toBe(true);
        expect(Array.from(a.grad.data)).toEqual(Array.from(b.grad.data));
      }),
    );
  });

  it('should weigh each position by sampleWeight, broadcast over trailing positions', () => {
    fc.assert(
      fc.property(loaded, reductionArb, seedArb, ({ subject, predictions: p, targets: t }, reduction, seed) => {
        const positions = positionsOf(p);
        const random = new Random(seed);
        const prefix = positions.slice(0, random.integer(0, positions.length + 1));
        const weights = uniform(prefix, random, 0, 2);
        const loss = subject.make('sum');
        // Oracle: each position alone, scaled by its weight.
        const count = shapeSize(positions);
        const block = count / weights.size;
        const width = p.shape[p.rank - 1]!;
        const labels = t.rank < p.rank;
        let expected = 0;
        for (let position = 0; position < count; position++) {
          const one = new Tensor(p.data.slice(position * width, (position + 1) * width), [1, width]);
          const target = labels
            ? new Tensor(t.data.slice(position, position + 1), [1])
            : new Tensor(t.data.slice(position * width, (position + 1) * width), [1, width]);
          expected += weights.data[Math.floor(position / block)]! * loss.value(one, target);
        }
        if (reduction === 'mean') expected /= count;
        const got = subject.make(reduction).value(p, t, { sampleWeight: weights });
        expect(close(got, expected)).toBe(true);
      }),
    );
  });

  it('should average over unmasked positions only, ignoring what the masked ones hold', () => {
    fc.assert(
      fc.property(loaded, reductionArb, seedArb, ({ subject, predictions: p, targets: t }, reduction, seed) => {
        const positions = positionsOf(p);
        const random = new Random(seed);
        const mask = map(uniform(positions, random, 0, 1), (v) => (v < 0.3 ? 0 : 1));
        const loss = subject.make(reduction);
        const masked = loss.compute(p, t, { mask });
        // Filling masked positions with NaN must change nothing.
        const width = p.shape[p.rank - 1]!;
        const poisoned = map(p, (v, i) => (mask.data[Math.floor(i / width)] === 0 ? NaN : v));
        const again = loss.compute(poisoned, t, { mask });
        expect(Object.is(again.value, masked.value)).toBe(true);
        // Oracle: the mean (or sum) of sum-reduced single positions that are kept.
        const kept = Array.from(mask.data).filter((m) => m === 1).length;
        const perPosition = subject.make('sum').value(p, t, { sampleWeight: mask });
        const expected = reduction === 'sum' ? perPosition : kept === 0 ? 0 : perPosition / kept;
        expect(close(masked.value, expected)).toBe(true);
        masked.grad.data.forEach((g, i) => {
          if (mask.data[Math.floor(i / width)] === 0) expect(g).toBe(0);
        });
      }),
    );
  });

  it('should pass the gradient check with sample weights and a mask', () => {
    fc.assert(
      fc.property(loaded, reductionArb, seedArb, ({ subject, predictions: p, targets: t }, reduction, seed) => {
        const random = new Random(seed);
        const positions = positionsOf(p);
        const options = {
          sampleWeight: uniform(positions, random, 0, 2),
          mask: map(uniform(positions, random, 0, 1), (v) => (v < 0.3 ? 0 : 1)),
        };
        const loss = subject.make(reduction);
        const report = checkGradients({
          params: [],
          input: p,
          loss: () => loss.value(p, t, options),
          gradients: () => {
            const { value, grad } = loss.compute(p, t, options);
            return { loss: value, inputGrad: grad };
          },
        });
        expect(report.passed, report.format()).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});

describe('selectFeatures', () => {
  it('should equal the base loss on the gathered features, with zero gradient elsewhere', () => {
    fc.assert(
      fc.property(shapeArb, seedArb, reductionArb, (shape, seed, reduction) => {
        const random = new Random(seed);
        const width = shape[shape.length - 1]!;
        const indices = random.permutation(width).slice(0, random.integer(1, width + 1));
        const p = uniform(shape, random, -2, 2);
        const t = uniform([...shape.slice(0, -1), indices.length], random, -2, 2);
        // Gather by hand.
        const gathered = new Float64Array(t.size);
        for (let r = 0; r < p.size / width; r++) {
          indices.forEach((f, j) => (gathered[r * indices.length + j] = p.data[r * width + f]!));
        }
        const base = meanSquaredError({ reduction });
        const expected = base.compute(new Tensor(gathered, t.shape), t);
        const got = selectFeatures(base, { indices }).compute(p, t);
        expect(got.value).toBe(expected.value);
        for (let r = 0; r < p.size / width; r++) {
          for (let f = 0; f < width; f++) {
            const j = indices.indexOf(f);
            expect(got.grad.data[r * width + f]).toBe(j < 0 ? 0 : expected.grad.data[r * indices.length + j]);
          }
        }
      }),
    );
  });
});

describe('binaryCrossentropy stability', () => {
  it('should stay finite, non-negative and with a gradient in [−1, 1] for logits up to ±1e4', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 8 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (logits, target) => {
          const x = new Tensor(Float64Array.from(logits), [logits.length, 1]);
          const t = new Tensor(new Float64Array(logits.length).fill(target), [logits.length, 1]);
          const { value, grad } = binaryCrossentropy({ fromLogits: true, reduction: 'sum' }).compute(x, t);
          expect(Number.isFinite(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          for (const g of grad.data) expect(Math.abs(g)).toBeLessThanOrEqual(1);
        },
      ),
    );
  });

  it('should keep softmaxCrossEntropy finite for logits up to ±1e4', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e4, max: 1e4, noNaN: true }), { minLength: 2, maxLength: 6 }),
        fc.nat(),
        (logits, label) => {
          const z = new Tensor(Float64Array.from(logits), [1, logits.length]);
          const t = new Tensor(Float64Array.of(label % logits.length), [1]);
          const { value, grad } = softmaxCrossEntropy().compute(z, t);
          expect(Number.isFinite(value)).toBe(true);
          expect(value).toBeGreaterThanOrEqual(0);
          for (const g of grad.data) expect(Number.isFinite(g)).toBe(true);
        },
      ),
    );
  });
});
