import { RnnkitError } from './errors.js';

/** The complete state of a {@link Random}: four 32-bit words and a cached normal deviate. */
export interface RandomState {
  readonly algorithm: 'xoshiro128**';
  readonly words: readonly [number, number, number, number];
  /** Second Box–Muller deviate waiting to be returned, or null. */
  readonly spareNormal: number | null;
}

/**
 * A seeded pseudo-random number generator: xoshiro128** (Blackman & Vigna, 2018).
 *
 * Every random choice in rnnkit (initial weights, shuffling, generated data sets) draws
 * from a `Random`, so one seed reproduces a whole experiment bit for bit. The generator uses
 * only 32-bit integer arithmetic (`Math.imul`, shifts), so the stream is the same on every
 * platform and engine. The 128-bit state is filled from the seed with SplitMix32, so that
 * nearby seeds (0, 1, 2, …) give unrelated streams.
 */
export class Random {
  #s0 = 0;
  #s1 = 0;
  #s2 = 0;
  #s3 = 0;
  #spareNormal: number | null = null;

  /** @param seed any finite number; its integer bits seed the generator. */
  constructor(seed: number) {
    if (typeof seed !== 'number' || !Number.isFinite(seed)) {
      throw new RnnkitError('Random', `seed must be a finite number, got ${String(seed)}`);
    }
    // Use both 32-bit halves of the seed so 1 and 2**32 + 1 differ.
    let x = (Math.trunc(seed) >>> 0) ^ Math.imul(Math.floor(Math.trunc(seed) / 2 ** 32) >>> 0, 0x9e3779b9);
    const next = (): number => {
      // SplitMix32 (a 32-bit variant of Steele, Lea & Flood's SplitMix).
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.#s0 = next();
    this.#s1 = next();
    this.#s2 = next();
    this.#s3 = next();
    if ((this.#s0 | this.#s1 | this.#s2 | this.#s3) === 0) this.#s0 = 1; // never all zero
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const s0 = this.#s0;
    const s1 = this.#s1;
    const s2 = this.#s2;
    const s3 = this.#s3;
    const product = Math.imul(s1, 5);
    const result = Math.imul((product << 7) | (product >>> 25), 9) >>> 0;
    const t = s1 << 9;
    const n2 = s2 ^ s0;
    const n3 = s3 ^ s1;
    this.#s1 = s1 ^ n2;
    this.#s0 = s0 ^ n3;
    this.#s2 = n2 ^ t;
    this.#s3 = (n3 << 11) | (n3 >>> 21);
    return result;
  }

  /** A float in [0, 1) with 53 random bits. */
  next(): number {
    const high = this.nextUint32() >>> 5; // 27 bits
    const low = this.nextUint32() >>> 6; // 26 bits
    return (high * 67108864 + low) / 9007199254740992;
  }

  /** A float uniform in [low, high). */
  uniform(low = 0, high = 1): number {
    if (!(low <= high) || !Number.isFinite(low) || !Number.isFinite(high)) {
      throw new RnnkitError('Random.uniform', `expected finite low ≤ high, got low ${low}, high ${high}`);
    }
    const value = low + (high - low) * this.next();
    // Rounding can land exactly on `high` for wide ranges; keep the interval half-open.
    return value < high ? value : low;
  }

  /** A normal (Gaussian) deviate, by the Box–Muller transform. */
  normal(mean = 0, std = 1): number {
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std < 0) {
      throw new RnnkitError('Random.normal', `expected a finite mean and std ≥ 0, got mean ${mean}, std ${std}`);
    }
    let z: number;
    if (this.#spareNormal !== null) {
      z = this.#spareNormal;
      this.#spareNormal = null;
    } else {
      // 1 - next() lies in (0, 1], so the logarithm is finite.
      const radius = Math.sqrt(-2 * Math.log(1 - this.next()));
      const angle = 2 * Math.PI * this.next();
      z = radius * Math.cos(angle);
      this.#spareNormal = radius * Math.sin(angle);
    }
    return mean + std * z;
  }

  /** An integer uniform in [low, high) without modulo bias. */
  integer(low: number, high: number): number {
    if (!Number.isSafeInteger(low) || !Number.isSafeInteger(high) || high <= low) {
      throw new RnnkitError('Random.integer', `expected integers low < high, got low ${low}, high ${high}`);
    }
    const range = high - low;
    if (range <= 2 ** 32) {
      // Rejection sampling on 32 bits: reject the last partial block of the range.
      const limit = 2 ** 32 - (2 ** 32 % range);
      let u = this.nextUint32();
      while (u >= limit) u = this.nextUint32();
      return low + (u % range);
    }
    return low + Math.floor(this.next() * range);
  }

  /** Shuffles an array in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.integer(0, i + 1);
      const tmp = items[i]!;
      items[i] = items[j]!;
      items[j] = tmp;
    }
    return items;
  }

  /** A random ordering of `0 … n−1`. */
  permutation(n: number): number[] {
    if (!Number.isInteger(n) || n < 0) {
      throw new RnnkitError('Random.permutation', `n must be a non-negative integer, got ${n}`);
    }
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** Fills an array with uniform values in [low, high) and returns it. */
  fillUniform<A extends Float32Array | Float64Array>(out: A, low = 0, high = 1): A {
    for (let i = 0; i < out.length; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** Fills an array with normal deviates and returns it. */
  fillNormal<A extends Float32Array | Float64Array>(out: A, mean = 0, std = 1): A {
    for (let i = 0; i < out.length; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /**
   * A new generator seeded from this one's stream: an independent child, so that (say)
   * data generation and weight initialisation can each take their own stream from one seed.
   */
  split(): Random {
    const child = new Random(0);
    child.setState({
      algorithm: 'xoshiro128**',
      // `| 1` yields a signed int; `>>> 0` brings it back to an unsigned 32-bit word.
      words: [this.nextUint32(), this.nextUint32(), this.nextUint32(), (this.nextUint32() | 1) >>> 0],
      spareNormal: null,
    });
    return child;
  }

  /** The state as plain data (JSON-safe): save it to continue the stream later. */
  getState(): RandomState {
    return {
      algorithm: 'xoshiro128**',
      // The words are kept as signed 32-bit ints internally; publish them unsigned.
      words: [this.#s0 >>> 0, this.#s1 >>> 0, this.#s2 >>> 0, this.#s3 >>> 0],
      spareNormal: this.#spareNormal,
    };
  }

  /** Restores a state from {@link getState}. */
  setState(state: RandomState): void {
    const words = state?.words;
    if (
      state?.algorithm !== 'xoshiro128**' ||
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w < 2 ** 32) ||
      words.every((w) => w === 0) ||
      !(state.spareNormal === null || state.spareNormal === undefined || Number.isFinite(state.spareNormal))
    ) {
      throw new RnnkitError(
        'Random.setState',
        'expected a state from Random.getState() (four 32-bit words, not all zero, and a finite or null spareNormal)',
      );
    }
    this.#s0 = words[0] | 0;
    this.#s1 = words[1] | 0;
    this.#s2 = words[2] | 0;
    this.#s3 = words[3] | 0;
    this.#spareNormal = state.spareNormal ?? null;
  }
}
