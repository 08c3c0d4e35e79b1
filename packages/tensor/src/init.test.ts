import { describe, expect, it } from 'vitest';
import { RnnkitError } from './errors.js';
import {
  computeFans,
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
import type { Tensor } from './tensor.js';

function stats(t: Tensor): { mean: number; std: number; maxAbs: number } {
  const n = t.size;
  let sum = 0;
  for (const v of t.data) sum += v;
  const mean = sum / n;
  let squares = 0;
  let maxAbs = 0;
  for (const v of t.data) {
    squares += (v - mean) ** 2;
    maxAbs = Math.max(maxAbs, Math.abs(v));
  }
  return { mean, std: Math.sqrt(squares / (n - 1)), maxAbs };
}

/** Standard deviation of N(0, 1) truncated to [−2, 2], by Simpson's rule (independent of init.ts). */
function truncatedUnitStd(): number {
  const steps = 20_000;
  const h = 4 / steps;
  let mass = 0;
  let second = 0;
  for (let i = 0; i <= steps; i++) {
    const z = -2 + i * h;
    const w = i === 0 || i === steps ? 1 : i % 2 === 1 ? 4 : 2;
    const density = Math.exp(-(z * z) / 2);
    mass += w * density;
    second += w * z * z * density;
  }
  return Math.sqrt(second / mass);
}

/** The orthonormal factor by modified Gram–Schmidt: columns of A [m, n] (m ≥ n), R's diagonal > 0. */
function gramSchmidt(a: Float64Array, m: number, n: number): Float64Array {
  const q = Float64Array.from(a);
  for (let j = 0; j < n; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < m; r++) dot += q[r * n + i]! * q[r * n + j]!;
      for (let r = 0; r < m; r++) q[r * n + j]! -= dot * q[r * n + i]!;
    }
    let norm = 0;
    for (let r = 0; r < m; r++) norm += q[r * n + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < m; r++) q[r * n + j]! /= norm;
  }
  return q;
}

describe('computeFans', () => {
  it('should count fans as Keras does for every rank', () => {
    expect(computeFans([])).toEqual({ fanIn: 1, fanOut: 1 });
    expect(computeFans([5])).toEqual({ fanIn: 5, fanOut: 5 });
    expect(computeFans([3, 4])).toEqual({ fanIn: 3, fanOut: 4 });
    // receptive field 2·3 = 6 multiplies both
    expect(computeFans([2, 3, 4, 5])).toEqual({ fanIn: 24, fanOut: 30 });
  });
});

describe('constant initialisers', () => {
  it('should fill zeros, ones and a constant without drawing from the generator', () => {
    const random = new Random(1);
    const before = random.getState();
    expect(Array.from(initializers.zeros()([2, 2], random).data)).toEqual([0, 0, 0, 0]);
    expect(Array.from(initializers.ones()([3], random).data)).toEqual([1, 1, 1]);
    expect(Array.from(initializers.constant({ value: -0.5 })([2], random, 'float64').data)).toEqual([-0.5, -0.5]);
    expect(Array.from(initializers.constant()([1], random).data)).toEqual([0]);
    expect(random.getState()).toEqual(before);
  });
});

describe('dtype and shape', () => {
  it('should return float32 by default and float64 on request, with the requested shape', () => {
    const a = glorotUniform()([3, 4, 2], new Random(0));
    const b = glorotUniform()([3, 4, 2], new Random(0), 'float64');
    expect(a.dtype).toBe('float32');
    expect(b.dtype).toBe('float64');
    expect(a.shape).toEqual([3, 4, 2]);
    // the same draws, rounded to float32
    expect(Array.from(a.data)).toEqual(Array.from(b.data, Math.fround));
  });
});

describe('randomUniform', () => {
  it('should default to Keras’ range ±0.05', () => {
    const t = randomUniform()([1000], new Random(3), 'float64');
    expect(Math.min(...t.data)).toBeGreaterThanOrEqual(-0.05);
    expect(Math.max(...t.data)).toBeLessThan(0.05);
    expect(Math.max(...t.data)).toBeGreaterThan(0.049);
  });

  it('should have the mean and spread of U[low, high)', () => {
    const low = -1;
    const high = 3;
    const t = randomUniform({ low, high })([100, 100], new Random(4), 'float64');
    const { mean, std } = stats(t);
    const sigma = (high - low) / Math.sqrt(12);
    expect(Math.abs(mean - 1)).toBeLessThan((5 * sigma) / Math.sqrt(t.size));
    expect(Math.abs(std - sigma)).toBeLessThan(0.02 * sigma);
  });
});

describe('randomNormal', () => {
  it('should have the requested mean and std', () => {
    const t = randomNormal({ mean: 2, std: 0.5 })([200, 100], new Random(5), 'float64');
    const { mean, std } = stats(t);
    expect(Math.abs(mean - 2)).toBeLessThan((5 * 0.5) / Math.sqrt(t.size));
    expect(Math.abs(std - 0.5)).toBeLessThan((5 * 0.5) / Math.sqrt(2 * t.size));
  });
});

describe('truncatedNormal', () => {
  it('should stay within two standard deviations and have the truncated spread', () => {
    const t = truncatedNormal({ mean: 1, std: 0.1 })([200, 100], new Random(6), 'float64');
    const { mean, std } = stats(t);
    for (const v of t.data) expect(Math.abs(v - 1)).toBeLessThanOrEqual(0.2);
    const expectedStd = 0.1 * truncatedUnitStd();
    expect(Math.abs(mean - 1)).toBeLessThan((5 * expectedStd) / Math.sqrt(t.size));
    expect(Math.abs(std - expectedStd)).toBeLessThan((5 * expectedStd) / Math.sqrt(2 * t.size));
  });
});

describe('Glorot and He initialisers', () => {
  const shape = [120, 80]; // fanIn 120, fanOut 80
  const random = (): Random => new Random(7);

  it('should keep glorotUniform within ±√(6/(fanIn+fanOut)) and reach near the limit', () => {
    const limit = Math.sqrt(6 / (120 + 80));
    const { maxAbs, std } = stats(glorotUniform()(shape, random(), 'float64'));
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.99 * limit);
    expect(Math.abs(std - limit / Math.sqrt(3))).toBeLessThan(0.03 * limit);
  });

  it('should give glorotNormal (Keras, truncated) the variance 2/(fanIn+fanOut) within 2 truncated stds', () => {
    const target = Math.sqrt(2 / (120 + 80));
    const t = glorotNormal()(shape, random(), 'float64');
    const { std, maxAbs } = stats(t);
    expect(Math.abs(std - target)).toBeLessThan((5 * target) / Math.sqrt(2 * t.size));
    expect(maxAbs).toBeLessThanOrEqual((2 * target) / truncatedUnitStd() + 1e-12);
  });

  it('should give glorotNormal({ truncated: false }) a plain normal with σ = √(2/(fanIn+fanOut))', () => {
    const sigma = Math.sqrt(2 / (120 + 80));
    const t = glorotNormal({ truncated: false })(shape, random(), 'float64');
    const { std } = stats(t);
    expect(Math.abs(std - sigma)).toBeLessThan((5 * sigma) / Math.sqrt(2 * t.size));
    // An untruncated normal puts 4.55 % of its mass beyond 2σ.
    const tail = Array.from(t.data).filter((v) => Math.abs(v) > 2 * sigma).length / t.size;
    expect(Math.abs(tail - 0.0455)).toBeLessThan(5 * Math.sqrt((0.0455 * 0.9545) / t.size));
  });

  it('should give heNormal the variance 2/fanIn', () => {
    const target = Math.sqrt(2 / 120);
    const t = heNormal()(shape, random(), 'float64');
    expect(Math.abs(stats(t).std - target)).toBeLessThan((5 * target) / Math.sqrt(2 * t.size));
    const plain = heNormal({ truncated: false })(shape, random(), 'float64');
    expect(Math.abs(stats(plain).std - target)).toBeLessThan((5 * target) / Math.sqrt(2 * t.size));
  });

  it('should keep heUniform within ±√(6/fanIn)', () => {
    const limit = Math.sqrt(6 / 120);
    const { maxAbs } = stats(heUniform()(shape, random(), 'float64'));
    expect(maxAbs).toBeLessThanOrEqual(limit);
    expect(maxAbs).toBeGreaterThan(0.99 * limit);
  });

  it('should let varianceScaling express each preset', () => {
    const pairs: [Initializer, Initializer][] = [
      [glorotUniform(), varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'uniform' })],
      [glorotNormal(), varianceScaling({ scale: 1, mode: 'fanAvg', distribution: 'truncatedNormal' })],
      [heNormal({ truncated: false }), varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'untruncatedNormal' })],
      [heUniform(), varianceScaling({ scale: 2, mode: 'fanIn', distribution: 'uniform' })],
    ];
    for (const [preset, general] of pairs) {
      expect(preset([4, 6], new Random(1)).data).toEqual(general([4, 6], new Random(1)).data);
    }
  });

  it('should use fan-out when asked', () => {
    const limit = Math.sqrt(3 / 5);
    const t = varianceScaling({ mode: 'fanOut', distribution: 'uniform' })([400, 5], new Random(2), 'float64');
    expect(stats(t).maxAbs).toBeLessThanOrEqual(limit);
    expect(stats(t).maxAbs).toBeGreaterThan(0.99 * limit);
  });
});

describe('orthogonal', () => {
  it('should equal the Gram–Schmidt orthonormalisation of the same normal draws (tall)', () => {
    const [rows, cols] = [7, 4];
    const expected = gramSchmidt(new Random(9).fillNormal(new Float64Array(rows * cols)), rows, cols);
    const q = orthogonal()([rows, cols], new Random(9), 'float64');
    q.data.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 10));
  });

  it('should equal the transpose of the Gram–Schmidt factor for a wide shape', () => {
    const [rows, cols] = [3, 5];
    const expected = gramSchmidt(new Random(9).fillNormal(new Float64Array(cols * rows)), cols, rows); // [5, 3]
    const q = orthogonal()([rows, cols], new Random(9), 'float64');
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) expect(q.get(i, j)).toBeCloseTo(expected[j * rows + i]!, 10);
    }
  });

  it('should flatten leading axes into rows and scale by the gain', () => {
    const q = orthogonal({ gain: 2 })([2, 3, 4], new Random(1), 'float64'); // a 6×4 matrix
    for (let a = 0; a < 4; a++) {
      for (let b = 0; b < 4; b++) {
        let dot = 0;
        for (let r = 0; r < 6; r++) dot += q.data[r * 4 + a]! * q.data[r * 4 + b]!;
        expect(dot).toBeCloseTo(a === b ? 4 : 0, 10);
      }
    }
  });

  it('should refuse shapes of rank below 2', () => {
    expect(() => orthogonal()([4], new Random(0))).toThrow(/^orthogonal: expected a shape of rank ≥ 2, got \[4\]/);
  });

  it('should accept an empty shape', () => {
    expect(orthogonal()([0, 3], new Random(0)).size).toBe(0);
  });
});

describe('getInitializer', () => {
  it('should resolve Keras snake_case, camelCase and class names to the same initialiser', () => {
    const pairs: [string, string, string][] = [
      ['zeros', 'zeros', 'Zeros'],
      ['ones', 'ones', 'Ones'],
      ['constant', 'constant', 'Constant'],
      ['random_uniform', 'randomUniform', 'RandomUniform'],
      ['random_normal', 'randomNormal', 'RandomNormal'],
      ['truncated_normal', 'truncatedNormal', 'TruncatedNormal'],
      ['variance_scaling', 'varianceScaling', 'VarianceScaling'],
      ['glorot_uniform', 'glorotUniform', 'GlorotUniform'],
      ['glorot_normal', 'glorotNormal', 'GlorotNormal'],
      ['he_normal', 'heNormal', 'HeNormal'],
      ['he_uniform', 'heUniform', 'HeUniform'],
      ['orthogonal', 'orthogonal', 'Orthogonal'],
    ];
    for (const names of pairs) {
      const values = names.map((n) => Array.from(getInitializer(n)([3, 3], new Random(2)).data));
      expect(values[1]).toEqual(values[0]);
      expect(values[2]).toEqual(values[0]);
      expect(initializerConfig(getInitializer(names[0])).name).toBe(names[1]);
    }
  });

  it('should resolve the short names uniform and normal', () => {
    expect(initializerConfig(getInitializer('uniform')).name).toBe('randomUniform');
    expect(initializerConfig(getInitializer('normal')).name).toBe('randomNormal');
  });

  it('should return a function unchanged', () => {
    const mine: Initializer = (shape, random) => randomUniform()(shape, random);
    expect(getInitializer(mine)).toBe(mine);
  });

  it('should build from a { name, options } config', () => {
    const init = getInitializer({ name: 'randomUniform', options: { low: 2, high: 3 } });
    for (const v of init([50], new Random(0)).data) expect(v >= 2 && v < 3).toBe(true);
    // A config read from a file may use Keras' spelling.
    const snake = getInitializer({ name: 'random_uniform', options: { low: 2, high: 3 } } as never);
    expect(snake([50], new Random(0)).data).toEqual(init([50], new Random(0)).data);
  });

  it('should list the known names for an unknown one', () => {
    expect(() => getInitializer('xavier')).toThrow(RnnkitError);
    expect(() => getInitializer('xavier')).toThrow(
      /^getInitializer: unknown initializer "xavier"; known names are zeros, ones, constant, random_uniform, .*glorot_uniform.*orthogonal/,
    );
  });

  it('should refuse specs that are neither a name, a config nor a function', () => {
    expect(() => getInitializer(3 as never)).toThrow(/^getInitializer: expected an initializer name/);
    expect(() => getInitializer({ name: 'zeros', value: 1 } as never)).toThrow(/unknown config key "value"/);
    expect(() => getInitializer({ name: 'ones', options: { value: 1 } } as never)).toThrow(/^ones: unknown option "value"/);
  });
});

describe('initializerConfig', () => {
  it('should give plain data that rebuilds an initialiser drawing the same values', () => {
    const made = [
      initializers.constant({ value: 0.25 }),
      randomUniform({ low: -1, high: 2 }),
      truncatedNormal({ std: 3 }),
      glorotNormal({ truncated: false }),
      orthogonal({ gain: 1.5 }),
      varianceScaling({ scale: 3, mode: 'fanOut' }),
    ];
    for (const init of made) {
      const config = JSON.parse(JSON.stringify(initializerConfig(init)));
      const rebuilt = getInitializer(config);
      expect(rebuilt([4, 3], new Random(1)).data).toEqual(init([4, 3], new Random(1)).data);
    }
  });

  it('should fill in defaults in the config', () => {
    expect(initializerConfig(randomNormal())).toEqual({ name: 'randomNormal', options: { mean: 0, std: 0.05 } });
    expect(initializerConfig(glorotUniform())).toEqual({ name: 'glorotUniform' });
  });

  it('should refuse a user’s own function', () => {
    expect(() => initializerConfig(() => initializers.zeros()([1], new Random(0)))).toThrow(
      /^initializerConfig: this initializer was not made by an rnnkit factory/,
    );
  });
});

describe('initialiser errors', () => {
  it('should refuse bad options with the factory name', () => {
    expect(() => randomUniform({ low: 1, high: 0 })).toThrow(/^randomUniform: expected low ≤ high, got low 1, high 0/);
    expect(() => randomUniform({ minval: 0 } as never)).toThrow(/^randomUniform: unknown option "minval"; valid options are low, high/);
    expect(() => randomNormal({ std: -1 })).toThrow(/^randomNormal: std must be ≥ 0, got -1/);
    expect(() => truncatedNormal({ mean: NaN })).toThrow(/^truncatedNormal: mean must be a finite number/);
    expect(() => orthogonal({ gain: Infinity })).toThrow(/^orthogonal: gain must be a finite number/);
    expect(() => glorotNormal({ truncated: 'yes' as never })).toThrow(/^glorotNormal: truncated must be a boolean/);
    expect(() => glorotUniform({ scale: 2 } as never)).toThrow(/^glorotUniform: unknown option "scale"; it takes no options/);
    expect(() => varianceScaling({ mode: 'fan_in' as never })).toThrow(/^varianceScaling: mode must be "fanIn"/);
    expect(() => varianceScaling({ distribution: 'normal' as never })).toThrow(/^varianceScaling: distribution must be/);
    expect(() => varianceScaling({ scale: 0 })).toThrow(/^varianceScaling: scale must be > 0/);
    expect(() => initializers.constant(5 as never)).toThrow(/^constant: expected an options object, got number 5/);
  });

  it('should refuse a bad shape, dtype or generator when called', () => {
    const init = glorotUniform();
    expect(() => init([2, -1], new Random(0))).toThrow(/^glorotUniform: shape lengths must be non-negative integers/);
    expect(() => init([2, 2], new Random(0), 'int32' as never)).toThrow(/^glorotUniform: dtype must be "float32" or "float64"/);
    expect(() => init([2, 2], 42 as never)).toThrow(/^glorotUniform: expected a Random as the second argument, got number 42/);
  });
});
