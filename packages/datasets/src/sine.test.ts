import { Random, RnnkitError } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { noisySine, sineWithPhaseNoise } from './sine.js';

describe('sineWithPhaseNoise', () => {
  it('should give experiment 3 its 4,001 points (80 steps a cycle, 50 cycles, t = 0 … 4000)', () => {
    expect(sineWithPhaseNoise().shape).toEqual([4001]);
    expect(sineWithPhaseNoise({ stepsPerCycle: 10, cycles: 3 }).shape).toEqual([31]);
  });

  it('should follow sin(2π·t/stepsPerCycle + u_t·noise) with u_t uniform in [−1, 1) drawn in order', () => {
    const series = sineWithPhaseNoise({ stepsPerCycle: 16, cycles: 4, noise: 0.3, seed: 7, dtype: 'float64' });
    const random = new Random(7);
    for (let t = 0; t < series.size; t++) {
      expect(series.data[t]).toBeCloseTo(Math.sin((2 * Math.PI * t) / 16 + random.uniform(-1, 1) * 0.3), 12);
    }
  });

  it('should keep every phase shift within ±noise', () => {
    const noise = 0.05;
    const series = sineWithPhaseNoise({ noise, dtype: 'float64' });
    for (let t = 0; t < series.size; t++) {
      const clean = (2 * Math.PI * t) / 80;
      // |sin(x + δ) − sin(x)| ≤ |δ| ≤ noise
      expect(Math.abs(series.data[t]! - Math.sin(clean))).toBeLessThanOrEqual(noise + 1e-12);
    }
  });

  it('should be a clean sine without noise, and reproducible with a seed', () => {
    const clean = sineWithPhaseNoise({ noise: 0, stepsPerCycle: 8, cycles: 1 });
    expect(clean.data[2]).toBeCloseTo(1, 6);
    expect(clean.data[6]).toBeCloseTo(-1, 6);
    expect(Array.from(sineWithPhaseNoise({ seed: 3 }).data)).toEqual(Array.from(sineWithPhaseNoise({ seed: 3 }).data));
    expect(sineWithPhaseNoise({ seed: 3 }).data[1]).not.toBe(sineWithPhaseNoise({ seed: 4 }).data[1]);
  });

  it('should refuse bad options with the API name', () => {
    expect(() => sineWithPhaseNoise({ stepsPerCycle: 0 })).toThrow(/sineWithPhaseNoise: option "stepsPerCycle"/);
    expect(() => sineWithPhaseNoise({ noise: -1 })).toThrow(RnnkitError);
    expect(() => sineWithPhaseNoise({ period: 3 } as never)).toThrow(/unknown option "period"/);
  });
});

describe('noisySine', () => {
  it('should give experiment 5 its 100 points by default', () => {
    expect(noisySine().shape).toEqual([100]);
  });

  it('should follow sin(2π·i/stepsPerCycle) + noise·z_i with z_i standard normal drawn in order', () => {
    const series = noisySine({ points: 50, stepsPerCycle: 12.5, noise: 0.2, seed: 2, dtype: 'float64' });
    const random = new Random(2);
    for (let i = 0; i < 50; i++) {
      expect(series.data[i]).toBeCloseTo(Math.sin((2 * Math.PI * i) / 12.5) + 0.2 * random.normal(), 12);
    }
  });

  it('should add noise whose standard deviation is close to the option', () => {
    const points = 20_000;
    const series = noisySine({ points, noise: 0.05, dtype: 'float64' });
    let squares = 0;
    for (let i = 0; i < points; i++) squares += (series.data[i]! - Math.sin((2 * Math.PI * i) / 25)) ** 2;
    expect(Math.sqrt(squares / points)).toBeGreaterThan(0.047);
    expect(Math.sqrt(squares / points)).toBeLessThan(0.053);
  });

  it('should refuse a non-positive period', () => {
    expect(() => noisySine({ stepsPerCycle: 0 })).toThrow(/noisySine: option "stepsPerCycle" must be greater than 0/);
  });
});

describe('generators beyond memory', () => {
  it('should refuse a length beyond the allocation limit with an error naming the API and shape', () => {
    expect(() => noisySine({ points: 2e9 })).toThrow(/^noisySine: shape \[2000000000\] \(float32\) needs 8,000,000,000 bytes/);
    expect(() => sineWithPhaseNoise({ stepsPerCycle: 1e6, cycles: 1e6 })).toThrow(/^sineWithPhaseNoise: shape \[1000000000001\]/);
  });
});
