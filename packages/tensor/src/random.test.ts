import { describe, expect, it } from 'vitest';
import { RnnkitError } from './errors.js';
import { Random } from './random.js';

// ---------------------------------------------------------------------------------------
// An independent reference: the published algorithms written out literally with BigInt
// (unbounded integers reduced mod 2³² by hand), sharing no code with random.ts.
// ---------------------------------------------------------------------------------------

const MASK = 0xffffffffn;
const rotl = (x: bigint, k: bigint): bigint => ((x << k) | (x >> (32n - k))) & MASK;

/** xoshiro128** 1.0 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c). */
function referenceXoshiro(state: bigint[]): () => bigint {
  const s = [...state];
  return () => {
    const result = (rotl((s[1]! * 5n) & MASK, 7n) * 9n) & MASK;
    const t = (s[1]! << 9n) & MASK;
    s[2] = s[2]! ^ s[0]!;
    s[3] = s[3]! ^ s[1]!;
    s[1] = s[1]! ^ s[2]!;
    s[0] = s[0]! ^ s[3]!;
    s[2] = s[2]! ^ t;
    s[3] = rotl(s[3]!, 11n);
    return result;
  };
}

/**
 * The seeding documented in random.ts: the seed's low 32 bits XOR its high 32 bits times the
 * golden ratio 0x9e3779b9 give x; then SplitMix32 (a Weyl step of 0x9e3779b9 followed by
 * MurmurHash3's fmix32 finaliser) produces the four state words.
 */
function referenceSeed(seed: number): bigint[] {
  const n = BigInt(Math.trunc(seed));
  const two32 = 1n << 32n;
  const mod = (v: bigint): bigint => ((v % two32) + two32) % two32;
  const floorDiv = (a: bigint, b: bigint): bigint => (a >= 0n ? a / b : -((-a + b - 1n) / b));
  let x = mod(n) ^ ((mod(floorDiv(n, two32)) * 0x9e3779b9n) & MASK);
  const next = (): bigint => {
    x = (x + 0x9e3779b9n) & MASK;
    let z = x;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & MASK;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & MASK;
    return z ^ (z >> 16n);
  };
  return [next(), next(), next(), next()];
}

const SEEDS = [0, 1, 2, 42, 2 ** 31, 2 ** 32 - 1, 2 ** 32 + 1, -1, -123456, 9007199254740991];

describe('Random stream', () => {
  it('should match a literal BigInt xoshiro128** + SplitMix32 for the first 1,000 outputs', () => {
    for (const seed of SEEDS) {
      const random = new Random(seed);
      const reference = referenceXoshiro(referenceSeed(seed));
      const ours = Array.from({ length: 1000 }, () => random.nextUint32());
      const theirs = Array.from({ length: 1000 }, () => Number(reference()));
      expect(ours, `seed ${seed}`).toEqual(theirs);
    }
  });

  it('should reproduce the published xoshiro128** outputs for the state [0, 1, 2, 3]', () => {
    // Test vector of the C reference implementation as other xoshiro ports publish it.
    const random = new Random(0);
    random.setState({ algorithm: 'xoshiro128**', words: [0, 1, 2, 3], spareNormal: null });
    const published = [
      5760, 17280, 2966400, 32451840, 2604340873, 3891234569, 1254043636, 216095511, 3291724652, 2070429911,
      3403762308, 371730125, 2871333640, 1107719891,
    ];
    expect(Array.from({ length: published.length }, () => random.nextUint32())).toEqual(published);
  });

  it('should build floats in [0, 1) from 27 + 26 high bits of two outputs', () => {
    for (const seed of SEEDS.slice(0, 4)) {
      const random = new Random(seed);
      const reference = referenceXoshiro(referenceSeed(seed));
      for (let i = 0; i < 200; i++) {
        const high = reference() >> 5n;
        const low = reference() >> 6n;
        expect(random.next()).toBe(Number((high << 26n) | low) / 2 ** 53);
      }
    }
  });

  it('should give equal streams for equal seeds and a seed’s integer part only', () => {
    const a = new Random(7);
    const b = new Random(7.9);
    expect(Array.from({ length: 50 }, () => a.nextUint32())).toEqual(Array.from({ length: 50 }, () => b.nextUint32()));
  });

  it('should give different streams for seeds 1 and 2³² + 1', () => {
    expect(new Random(1).nextUint32()).not.toBe(new Random(2 ** 32 + 1).nextUint32());
  });
});

describe('Random state', () => {
  it('should continue identically after setState, a waiting normal deviate included', () => {
    const random = new Random(3);
    random.normal(); // leaves the second Box–Muller deviate waiting
    const state = random.getState();
    expect(state.spareNormal).not.toBeNull();
    const expected = [random.normal(), random.normal(), random.uniform(), random.integer(0, 10)];
    const restored = new Random(99);
    restored.setState(JSON.parse(JSON.stringify(state)));
    expect([restored.normal(), restored.normal(), restored.uniform(), restored.integer(0, 10)]).toEqual(expected);
  });

  it('should publish the state as unsigned 32-bit words', () => {
    const random = new Random(0);
    for (let i = 0; i < 50; i++) {
      for (const word of random.getState().words) expect(word >>> 0).toBe(word);
      random.nextUint32();
    }
  });

  it('should refuse states that are not from getState', () => {
    const random = new Random(0);
    const bad = [
      null,
      {},
      { algorithm: 'pcg32', words: [1, 2, 3, 4], spareNormal: null },
      { algorithm: 'xoshiro128**', words: [1, 2, 3], spareNormal: null },
      { algorithm: 'xoshiro128**', words: [0, 0, 0, 0], spareNormal: null },
      { algorithm: 'xoshiro128**', words: [1, 2, 3, 2 ** 32], spareNormal: null },
      { algorithm: 'xoshiro128**', words: [1, 2, 3, 1.5], spareNormal: null },
      { algorithm: 'xoshiro128**', words: [1, 2, 3, 4], spareNormal: 'x' },
    ];
    for (const state of bad) {
      expect(() => random.setState(state as never)).toThrow(/^Random\.setState: expected a state from Random\.getState/);
    }
  });
});

describe('Random.split', () => {
  it('should give the same children for the same seed', () => {
    const a = new Random(11).split();
    const b = new Random(11).split();
    expect(Array.from({ length: 20 }, () => a.nextUint32())).toEqual(Array.from({ length: 20 }, () => b.nextUint32()));
  });

  it('should give children whose streams differ from each other and from the parent', () => {
    const parent = new Random(11);
    const first = parent.split();
    const second = parent.split();
    const draw = (r: Random) => Array.from({ length: 8 }, () => r.nextUint32()).join(',');
    const streams = [draw(first), draw(second), draw(parent)];
    expect(new Set(streams).size).toBe(3);
  });

  it('should leave a child unaffected by later draws from the parent', () => {
    const parentA = new Random(5);
    const parentB = new Random(5);
    const childA = parentA.split();
    const childB = parentB.split();
    for (let i = 0; i < 100; i++) parentA.nextUint32(); // only parent A keeps drawing
    expect(Array.from({ length: 20 }, () => childA.normal())).toEqual(Array.from({ length: 20 }, () => childB.normal()));
  });
});

describe('Random distributions', () => {
  it('should spread integers evenly over a range that does not divide 2³² (chi-square)', () => {
    const random = new Random(2024);
    const k = 7;
    const n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) counts[random.integer(10, 10 + k) - 10]!++;
    const expected = n / k;
    const chiSquare = counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
    // χ²(6) has mean 6 and sd √12 ≈ 3.5; 40 is beyond its 1 − 1e-6 quantile (≈ 35.9).
    expect(chiSquare).toBeLessThan(40);
  });

  it('should show no modulo bias for a range of 3·2³⁰', () => {
    // u mod 3·2³⁰ for a 32-bit u would put half of all draws in the lowest third.
    const random = new Random(1);
    const range = 3 * 2 ** 30;
    const n = 30_000;
    const thirds = [0, 0, 0];
    for (let i = 0; i < n; i++) thirds[Math.floor(random.integer(0, range) / 2 ** 30)]!++;
    for (const count of thirds) expect(Math.abs(count / n - 1 / 3)).toBeLessThan(5 * Math.sqrt((1 / 3) * (2 / 3) / n));
  });

  it('should cover a whole small integer range, both ends included', () => {
    const random = new Random(0);
    const seen = new Set(Array.from({ length: 200 }, () => random.integer(-2, 3)));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('should draw normals with the right mean, spread and shape', () => {
    const random = new Random(8);
    const n = 40_000;
    const mean = 1.5;
    const std = 2;
    const xs = Array.from({ length: n }, () => random.normal(mean, std));
    const sampleMean = xs.reduce((a, b) => a + b, 0) / n;
    const sampleStd = Math.sqrt(xs.reduce((a, x) => a + (x - sampleMean) ** 2, 0) / (n - 1));
    // 5 standard errors of each estimator: σ/√n for the mean, ≈ σ/√(2n) for the std.
    expect(Math.abs(sampleMean - mean)).toBeLessThan((5 * std) / Math.sqrt(n));
    expect(Math.abs(sampleStd - std)).toBeLessThan((5 * std) / Math.sqrt(2 * n));
    // P(|z| < 1) = 0.6827 for a normal.
    const within = xs.filter((x) => Math.abs(x - mean) < std).length / n;
    expect(Math.abs(within - 0.6827)).toBeLessThan(5 * Math.sqrt((0.6827 * 0.3173) / n));
  });

  it('should return the mean for a zero standard deviation', () => {
    const random = new Random(0);
    expect([random.normal(3, 0), random.normal(3, 0)]).toEqual([3, 3]);
  });

  it('should give a permutation of 0 … n−1', () => {
    const p = new Random(4).permutation(100);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(p).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('should fill arrays with the same values as repeated single draws', () => {
    const a = new Random(6);
    const b = new Random(6);
    const filled = [...a.fillUniform(new Float64Array(10), -1, 1), ...a.fillNormal(new Float64Array(9), 0, 3)];
    const single = [
      ...Array.from({ length: 10 }, () => b.uniform(-1, 1)),
      ...Array.from({ length: 9 }, () => b.normal(0, 3)),
    ];
    expect(filled).toEqual(single);
  });
});

describe('Random errors', () => {
  it('should refuse a seed that is not a finite number', () => {
    for (const seed of [NaN, Infinity, '1' as never]) {
      expect(() => new Random(seed)).toThrow(RnnkitError);
      expect(() => new Random(seed)).toThrow(/^Random: seed must be a finite number/);
    }
  });

  it('should refuse bad distribution arguments with the method name', () => {
    const random = new Random(0);
    expect(() => random.uniform(2, 1)).toThrow(/^Random\.uniform: expected finite low ≤ high, got low 2, high 1/);
    expect(() => random.uniform(0, Infinity)).toThrow(/^Random\.uniform/);
    expect(() => random.normal(0, -1)).toThrow(/^Random\.normal: expected a finite mean and std ≥ 0/);
    expect(() => random.integer(1.5, 3)).toThrow(/^Random\.integer: expected integers low < high/);
    expect(() => random.integer(3, 3)).toThrow(/^Random\.integer/);
    expect(() => random.permutation(-1)).toThrow(/^Random\.permutation: n must be a non-negative integer/);
  });
});
