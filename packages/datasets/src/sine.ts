// Noisy sine series of experiments 3 and 5 (docs/experiments.md). Both take the period in steps, so a
// window that spans one period is easy to set up; both draw their noise from a Random.
import { type DType, RnnkitError, Tensor, allocate } from '@rnnkit/tensor';
import { type SeedOptions, checkOptions, dtypeOption, integerOption, numberOption, randomOption } from './options.js';

/** Options of {@link sineWithPhaseNoise}. */
export interface SineWithPhaseNoiseOptions extends SeedOptions {
  /**
   * Time steps per period.
   * @defaultValue 80
   */
  stepsPerCycle?: number;
  /**
   * Number of periods; the series has `stepsPerCycle · cycles + 1` points (t = 0 … end).
   * @defaultValue 50
   */
  cycles?: number;
  /**
   * Amplitude of the phase noise: the phase of step t is shifted by `u_t · noise`.
   * @defaultValue 0.05
   */
  noise?: number;
  /**
   * Element type of the series.
   * @defaultValue 'float32'
   */
  dtype?: DType;
}

/**
 * Experiment 3's series: `x_t = sin(2π·t/stepsPerCycle + u_t·noise)` for
 * t = 0 … stepsPerCycle·cycles, with `u_t` uniform in [−1, 1) drawn in order of t.
 * The defaults (80 steps a cycle, 50 cycles, noise 0.05) give 4,001 points.
 *
 * @returns a tensor of shape `[stepsPerCycle · cycles + 1]`
 */
export function sineWithPhaseNoise(options?: SineWithPhaseNoiseOptions): Tensor {
  const api = 'sineWithPhaseNoise';
  const o = checkOptions(api, options, ['stepsPerCycle', 'cycles', 'noise', 'seed', 'random', 'dtype']);
  const stepsPerCycle = integerOption(api, 'stepsPerCycle', o.stepsPerCycle, 80, 1);
  const cycles = integerOption(api, 'cycles', o.cycles, 50, 0);
  const noise = numberOption(api, 'noise', o.noise, 0.05, true);
  const dtype = dtypeOption(api, o.dtype);
  const random = randomOption(api, o);
  const points = stepsPerCycle * cycles + 1;
  const data = allocate(dtype, points, [points], api);
  const omega = (2 * Math.PI) / stepsPerCycle;
  for (let t = 0; t < points; t++) data[t] = Math.sin(omega * t + random.uniform(-1, 1) * noise);
  return new Tensor(data, [points]);
}

/** Options of {@link noisySine}. */
export interface NoisySineOptions extends SeedOptions {
  /**
   * Number of points.
   * @defaultValue 100
   */
  points?: number;
  /**
   * Time steps per period (any positive number): with the defaults the 100 points hold 4 periods and a window
   * of 25 (experiment 5) spans exactly one.
   * @defaultValue 25
   */
  stepsPerCycle?: number;
  /**
   * Standard deviation of the additive Gaussian noise.
   * @defaultValue 0.05
   */
  noise?: number;
  /**
   * Element type of the series.
   * @defaultValue 'float32'
   */
  dtype?: DType;
}

/**
 * Experiment 5's series: `x_i = sin(2π·i/stepsPerCycle) + noise·z_i` for i = 0 … points − 1,
 * with `z_i` standard normal (`Random.normal`), drawn in order of i. (The write-up states
 * only "100 points, noise 0.05"; this is the exact formula rnnkit uses.)
 *
 * @returns a tensor of shape `[points]`
 */
export function noisySine(options?: NoisySineOptions): Tensor {
  const api = 'noisySine';
  const o = checkOptions(api, options, ['points', 'stepsPerCycle', 'noise', 'seed', 'random', 'dtype']);
  const points = integerOption(api, 'points', o.points, 100, 0);
  const stepsPerCycle = numberOption(api, 'stepsPerCycle', o.stepsPerCycle, 25);
  if (stepsPerCycle <= 0) {
    throw new RnnkitError(api, `option "stepsPerCycle" must be greater than 0, got ${stepsPerCycle}`);
  }
  const noise = numberOption(api, 'noise', o.noise, 0.05, true);
  const dtype = dtypeOption(api, o.dtype);
  const random = randomOption(api, o);
  const data = allocate(dtype, points, [points], api);
  const omega = (2 * Math.PI) / stepsPerCycle;
  for (let i = 0; i < points; i++) data[i] = Math.sin(omega * i) + noise * random.normal();
  return new Tensor(data, [points]);
}
