import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Random } from './random.js';

const seedArb = fc.maxSafeInteger();
const draw = (random: Random, n = 16): number[] => Array.from({ length: n }, () => random.nextUint32());

describe('Random (properties over seeds)', () => {
  it('should give the same stream for the same seed', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        expect(draw(new Random(seed))).toEqual(draw(new Random(seed)));
      }),
    );
  });

  it('should give different streams for different seeds', () => {
    // Seeds are hashed to 32 bits, so two seeds can collide, with probability 2⁻³² per pair.
    fc.assert(
      fc.property(seedArb, seedArb, (a, b) => {
        fc.pre(a !== b);
        expect(draw(new Random(a), 4)).not.toEqual(draw(new Random(b), 4));
      }),
    );
  });

  it('should continue identically from a saved state', () => {
    fc.assert(
      fc.property(seedArb, fc.nat({ max: 50 }), fc.nat({ max: 3 }), (seed, skip, normals) => {
        const random = new Random(seed);
        for (let i = 0; i < skip; i++) random.nextUint32();
        for (let i = 0; i < normals; i++) random.normal();
        const copy = new Random(0);
        copy.setState(random.getState());
        const continued = [random.normal(), random.uniform(-1, 1), random.integer(0, 1000), random.normal()];
        expect([copy.normal(), copy.uniform(-1, 1), copy.integer(0, 1000), copy.normal()]).toEqual(continued);
      }),
    );
  });

  it('should split into children that are reproducible and independent of each other', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const parent = new Random(seed);
        const [a, b] = [parent.split(), parent.split()];
        const again = new Random(seed);
        const [a2, b2] = [again.split(), again.split()];
        const streams = [draw(a), draw(b)];
        expect([draw(a2), draw(b2)]).toEqual(streams);
        expect(streams[0]).not.toEqual(streams[1]);
      }),
    );
  });

  it('should keep uniform draws in [low, high)', () => {
    fc.assert(
      fc.property(
        seedArb,
        fc.double({ min: -1e6, max: 1e6, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        (seed, low, width) => {
          const high = low + width;
          const random = new Random(seed);
          for (let i = 0; i < 50; i++) {
            const u = random.uniform(low, high);
            if (width === 0 || high === low) expect(u).toBe(low);
            else {
              expect(u).toBeGreaterThanOrEqual(low);
              expect(u).toBeLessThan(high);
            }
          }
        },
      ),
    );
  });

  it('should keep integers in [low, high)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1, max: 2 ** 40 }), (seed, low, range) => {
        const random = new Random(seed);
        for (let i = 0; i < 20; i++) {
          const k = random.integer(low, low + range);
          expect(Number.isInteger(k)).toBe(true);
          expect(k).toBeGreaterThanOrEqual(low);
          expect(k).toBeLessThan(low + range);
        }
      }),
    );
  });

  it('should shuffle into a permutation of the same items', () => {
    fc.assert(
      fc.property(seedArb, fc.array(fc.integer(), { maxLength: 40 }), (seed, items) => {
        const shuffled = new Random(seed).shuffle([...items]);
        expect([...shuffled].sort((x, y) => x - y)).toEqual([...items].sort((x, y) => x - y));
      }),
    );
  });

  it('should draw roughly uniform integers for every seed (chi-square)', () => {
    fc.assert(
      fc.property(seedArb, fc.integer({ min: 2, max: 12 }), (seed, k) => {
        const random = new Random(seed);
        const n = 1000 * k;
        const counts = new Array<number>(k).fill(0);
        for (let i = 0; i < n; i++) counts[random.integer(0, k)]!++;
        const chiSquare = counts.reduce((sum, c) => sum + (c - 1000) ** 2 / 1000, 0);
        // Generous: mean k − 1, sd √(2(k − 1)); 10 sd above the mean is never reached by chance.
        expect(chiSquare).toBeLessThan(k - 1 + 10 * Math.sqrt(2 * (k - 1)));
      }),
      { numRuns: 30 },
    );
  });

  it('should draw normals whose mean and spread are within 5 standard errors for every seed', () => {
    fc.assert(
      fc.property(seedArb, (seed) => {
        const random = new Random(seed);
        const n = 5000;
        const xs = Array.from({ length: n }, () => random.normal());
        const mean = xs.reduce((a, b) => a + b, 0) / n;
        const std = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
        expect(Math.abs(mean)).toBeLessThan(5 / Math.sqrt(n));
        expect(Math.abs(std - 1)).toBeLessThan(5 / Math.sqrt(2 * n));
      }),
      { numRuns: 30 },
    );
  });
});
