import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  randomNormal,
  randomUniform,
  truncatedNormal,
  varianceScaling,
} from './init.js';
import type { Initializer } from './init-define.js';
import { getInitializer, initializerConfig, initializers } from './init-names.js';
import { orthogonal } from './orthogonal.js';
import { Random } from './random.js';

const seedArb = fc.integer();
const shapeArb = (minRank: number, maxRank: number, maxLength = 6) =>
  fc.array(fc.integer({ min: 1, max: maxLength }), { minLength: minRank, maxLength: maxRank });

const all: [string, () => Initializer][] = [
  ['zeros', () => initializers.zeros()],
  ['ones', () => initializers.ones()],
  ['constant', () => initializers.constant({ value: 0.3 })],
  ['randomUniform', () => randomUniform({ low: -1, high: 1 })],
  ['randomNormal', () => randomNormal({ std: 1 })],
  ['truncatedNormal', () => truncatedNormal({ std: 1 })],
  ['varianceScaling', () => varianceScaling({ mode: 'fanAvg' })],
  ['glorotUniform', () => glorotUniform()],
  ['glorotNormal', () => glorotNormal()],
  ['glorotNormal plain', () => glorotNormal({ truncated: false })],
  ['heNormal', () => heNormal()],
  ['heUniform', () => heUniform()],
  ['orthogonal', () => orthogonal({ gain: 0.5 })],
];
const initArb = fc.constantFrom(...all);

/** Product AᵀA (tall: columns orthonormal) or AAᵀ (wide: rows orthonormal) of a rows×cols matrix. */
function gram(data: ArrayLike<number>, rows: number, cols: number): number[][] {
  const n = Math.min(rows, cols);
  const at = (r: number, c: number) => data[r * cols + c]!;
  const out: number[][] = [];
  for (let a = 0; a < n; a++) {
    out.push([]);
    for (let b = 0; b < n; b++) {
      let dot = 0;
      if (rows >= cols) for (let r = 0; r < rows; r++) dot += at(r, a) * at(r, b);
      else for (let c = 0; c < cols; c++) dot += at(a, c) * at(b, c);
      out[a]!.push(dot);
    }
  }
  return out;
}

describe('initialisers (properties)', () => {
  it('should reproduce every initialiser from a seed, on any shape', () => {
    fc.assert(
      fc.property(initArb, shapeArb(2, 3), seedArb, ([, make], shape, seed) => {
        const a = make()(shape, new Random(seed));
        const b = make()(shape, new Random(seed));
        expect(a.shape).toEqual(shape);
        expect(a.data).toEqual(b.data);
      }),
    );
  });

  it('should rebuild every initialiser from its JSON config', () => {
    fc.assert(
      fc.property(initArb, shapeArb(2, 3), seedArb, ([, make], shape, seed) => {
        const init = make();
        const rebuilt = getInitializer(JSON.parse(JSON.stringify(initializerConfig(init))));
        expect(rebuilt(shape, new Random(seed)).data).toEqual(init(shape, new Random(seed)).data);
      }),
    );
  });

  it('should give orthonormal columns (tall, square) or rows (wide) times the gain', () => {
    fc.assert(
      fc.property(shapeArb(2, 3, 8), seedArb, fc.double({ min: 0.1, max: 3, noNaN: true }), (shape, seed, gain) => {
        const q = orthogonal({ gain })(shape, new Random(seed), 'float64');
        const cols = shape[shape.length - 1]!;
        const rows = q.size / cols;
        const g = gram(q.data, rows, cols);
        g.forEach((row, a) => row.forEach((v, b) => expect(v).toBeCloseTo(a === b ? gain * gain : 0, 9)));
      }),
    );
  });

  it('should keep glorotUniform within ±√(6/(fanIn+fanOut))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), seedArb, (fanIn, fanOut, seed) => {
        const limit = Math.sqrt(6 / (fanIn + fanOut));
        for (const v of glorotUniform()([fanIn, fanOut], new Random(seed), 'float64').data) {
          expect(Math.abs(v)).toBeLessThanOrEqual(limit);
        }
      }),
    );
  });

  it('should keep truncatedNormal within two standard deviations of the mean', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -10, max: 10, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        seedArb,
        (mean, std, seed) => {
          for (const v of truncatedNormal({ mean, std })([20, 10], new Random(seed), 'float64').data) {
            expect(Math.abs(v - mean)).toBeLessThanOrEqual(2 * std * (1 + 1e-12) + 1e-12);
          }
        },
      ),
    );
  });

  it('should keep randomUniform in [low, high)', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -100, max: 100, noNaN: true }),
        fc.double({ min: 1e-3, max: 100, noNaN: true }),
        seedArb,
        (low, width, seed) => {
          const high = low + width;
          for (const v of randomUniform({ low, high })([50], new Random(seed), 'float64').data) {
            expect(v).toBeGreaterThanOrEqual(low);
            expect(v).toBeLessThan(high);
          }
        },
      ),
    );
  });

  it('should draw different values from different seeds', () => {
    fc.assert(
      fc.property(seedArb, seedArb, (a, b) => {
        fc.pre(a !== b);
        expect(glorotUniform()([4, 4], new Random(a)).data).not.toEqual(glorotUniform()([4, 4], new Random(b)).data);
      }),
    );
  });
});
