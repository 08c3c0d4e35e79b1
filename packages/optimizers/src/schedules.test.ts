import { describe, expect, it } from 'vitest';
import { createOptimizer } from './optimizer.js';
import { defineOptimizer } from './plugin.js';
import type { RunnerOptions } from './runner-options.js';
import {
  type LearningRateSchedule,
  constantLearningRate,
  cosineDecay,
  exponentialDecay,
  inverseTimeDecay,
  stepDecay,
} from './schedules.js';
import { param } from './test-support.js';

const at = (schedule: LearningRateSchedule, iterations: readonly number[]): number[] =>
  iterations.map((t) => schedule.valueAt(t));

/** The learning rate `update()` is given at each of `steps` steps of a runner with `options`. */
function ratesSeen(options: RunnerOptions, steps: number): number[] {
  const seen: number[] = [];
  const spy = defineOptimizer({
    name: 'spy',
    defaults: {},
    init: () => ({}),
    update: ({ lr, out, state }) => {
      seen.push(lr);
      out.fill(0);
      return { update: out, state };
    },
  });
  const optimizer = createOptimizer(spy, [param('w', [1])], options);
  for (let s = 0; s < steps; s++) optimizer.step();
  return seen;
}

describe('learning rate schedules', () => {
  it('should keep a constant rate', () => {
    expect(at(constantLearningRate(0.3), [0, 1, 1000])).toEqual([0.3, 0.3, 0.3]);
  });

  it("should divide by 1 + rate·t/steps for inverse time decay (Keras' decay)", () => {
    const schedule = inverseTimeDecay({ initialLearningRate: 0.1, decayRate: 0.5 });
    expect(at(schedule, [0, 2, 6])).toEqual([0.1, 0.1 / 2, 0.1 / 4]);
    const stairs = inverseTimeDecay({ initialLearningRate: 0.1, decaySteps: 2, decayRate: 1, staircase: true });
    expect(at(stairs, [0, 1, 2, 3, 4])).toEqual([0.1, 0.1, 0.05, 0.05, 0.1 / 3]);
  });

  it('should multiply by rate^(t/steps) for exponential decay', () => {
    const schedule = exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5 });
    expect(schedule.valueAt(0)).toBe(1);
    expect(schedule.valueAt(10)).toBe(0.5);
    expect(schedule.valueAt(5)).toBeCloseTo(Math.SQRT1_2, 15);
    const stairs = exponentialDecay({ initialLearningRate: 1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expect(at(stairs, [9, 10, 19, 20])).toEqual([1, 0.5, 0.5, 0.25]);
  });

  it('should drop by the factor every stepSize steps for step decay', () => {
    const schedule = stepDecay({ initialLearningRate: 1, stepSize: 3, factor: 0.5 });
    expect(at(schedule, [0, 2, 3, 5, 6])).toEqual([1, 1, 0.5, 0.5, 0.25]);
  });

  it('should follow half a cosine to alpha·lr and stay there for cosine decay', () => {
    const schedule = cosineDecay({ initialLearningRate: 2, decaySteps: 10 });
    expect(schedule.valueAt(0)).toBe(2);
    expect(schedule.valueAt(5)).toBeCloseTo(1, 15);
    expect(schedule.valueAt(10)).toBeCloseTo(0, 15);
    expect(schedule.valueAt(25)).toBeCloseTo(0, 15);
    const floor = cosineDecay({ initialLearningRate: 2, decaySteps: 10, alpha: 0.1 });
    expect(floor.valueAt(10)).toBeCloseTo(0.2, 15);
    expect(floor.valueAt(5)).toBeCloseTo(2 * (0.9 * 0.5 + 0.1), 15);
  });

  it('should give update() the scheduled rate of the iterations taken before each step', () => {
    const seen = ratesSeen({ learningRate: stepDecay({ initialLearningRate: 1, stepSize: 2, factor: 0.1 }) }, 5);
    expect(seen.map((x) => +x.toPrecision(12))).toEqual([1, 1, 0.1, 0.1, 0.01]);
  });

  it('should give the legacy decay lr/(1 + decay·t)', () => {
    expect(ratesSeen({ learningRate: 0.6, decay: 0.5 }, 3)).toEqual([0.6, 0.6 / 1.5, 0.6 / 2]);
  });

  it('should refuse unknown and invalid schedule options', () => {
    expect(() => cosineDecay({ initialLearningRate: 1, decaySteps: 10, warmup: 3 } as never)).toThrow(
      'cosineDecay: unknown option "warmup"; valid options are initialLearningRate, decaySteps, alpha',
    );
    expect(() => exponentialDecay({ initialLearningRate: 1, decaySteps: 0, decayRate: 0.5 })).toThrow(
      'exponentialDecay: decaySteps must be a finite number > 0, got 0',
    );
    expect(() => stepDecay({ initialLearningRate: 1, stepSize: 2.5 })).toThrow('stepDecay: stepSize must be an integer, got 2.5');
    expect(() => constantLearningRate(-1)).toThrow('constantLearningRate: learningRate must be a finite number ≥ 0, got -1');
  });
});
