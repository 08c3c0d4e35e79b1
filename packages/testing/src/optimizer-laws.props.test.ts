import { describe, expect, it } from 'vitest';
import type { Param } from '@rnnkit/tensor';
import { type Law, runLaws } from './law-runner.js';
import { fails, lawNamed } from './law-tests.test-util.js';
import { optimizerLaws } from './optimizer-laws.js';

// A tiny momentum-SGD runner written here (this package must not import @rnnkit/optimizers),
// correct or with one deliberate bug, to show that each law can fail.
type Bug =
  | 'none'
  | 'movesAtZeroRate'
  | 'climbs'
  | 'sharedVelocity'
  | 'forgetsVelocity'
  | 'writesGrad'
  | 'notPlainSgd'
  | 'fastPathRounds';

interface ToyOptions {
  readonly momentum?: number;
  readonly bug?: Bug;
  /** Stands for a plugin's `updateInPlace` being used (the runner's fast path). */
  readonly fastPath?: boolean;
}

let sharedVelocity = 0;

class ToyMomentum {
  readonly #params: readonly Param[];
  readonly #lr: number;
  readonly #momentum: number;
  readonly #bug: Bug;
  readonly #fastPath: boolean;
  #velocity: number[][];
  #steps = 0;

  constructor(params: readonly Param[], options: ToyOptions & { readonly learningRate?: number }) {
    this.#params = params;
    this.#lr = options.learningRate ?? 0.01;
    this.#momentum = options.momentum ?? 0;
    this.#bug = options.bug ?? 'none';
    this.#fastPath = options.fastPath ?? false;
    this.#velocity = params.map((p) => new Array<number>(p.value.size).fill(0));
  }

  beforeGradient(): void {}

  step(): void {
    this.#steps++;
    this.#params.forEach((p, k) => {
      const v = this.#velocity[k]!;
      for (let i = 0; i < p.value.size; i++) {
        const g = p.grad.data[i]!;
        v[i] = this.#momentum * v[i]! - this.#lr * g;
        let update = v[i]!;
        if (this.#bug === 'movesAtZeroRate') update -= 1e-3;
        if (this.#bug === 'climbs') update = -update;
        if (this.#bug === 'sharedVelocity') update += (sharedVelocity += 1e-3);
        if (this.#bug === 'notPlainSgd') update *= 1.01;
        if (this.#bug === 'writesGrad') p.grad.data[i] = 0;
        // A fast path that rounds the update to float32, which its `update` does not.
        if (this.#bug === 'fastPathRounds' && this.#fastPath) update = Math.fround(update);
        p.value.data[i] = p.value.data[i]! + update;
      }
    });
  }

  zeroGrad(): void {
    for (const p of this.#params) p.grad.data.fill(0);
  }

  getState(): { steps: number; velocity: number[][] } {
    return { steps: this.#steps, velocity: this.#velocity.map((v) => [...v]) };
  }

  loadState(state: unknown): void {
    const saved = state as { steps: number; velocity: number[][] };
    this.#steps = saved.steps;
    if (this.#bug !== 'forgetsVelocity') this.#velocity = saved.velocity.map((v) => [...v]);
  }
}

const toyPlugin = { name: 'toyMomentum' };
const toyPluginWithFastPath = { name: 'toyMomentum', updateInPlace: () => {} };

function toyFastPathLaws(bug: Bug): Law[] {
  return optimizerLaws(toyPluginWithFastPath, {
    createOptimizer: (plugin, params, options: ToyOptions & { learningRate?: number }) =>
      new ToyMomentum(params, { ...options, fastPath: plugin.updateInPlace !== undefined }),
    options: { momentum: 0.9, bug },
  });
}

function toyLaws(bug: Bug): Law[] {
  return optimizerLaws(toyPlugin, {
    createOptimizer: (_plugin, params, options: ToyOptions & { learningRate?: number }) =>
      new ToyMomentum(params, options),
    options: { momentum: 0.9, bug },
    plainSgdOptions: { momentum: 0, bug },
  });
}

/** Whether fast-check finds a counterexample to `law` in 30 cases. */
const caught = (law: Law): boolean => fails(law, 30);

describe('optimizerLaws', () => {
  it('should pass every law for a correct optimizer', () => {
    expect(() => runLaws(toyLaws('none'), { numRuns: 20 })).not.toThrow();
  });

  it('should fail the learning-rate-0 law for an optimizer that moves anyway', () => {
    expect(caught(lawNamed(toyLaws('movesAtZeroRate'), 'learning rate 0'))).toBe(true);
  });

  it('should fail the descent law for an optimizer that climbs', () => {
    expect(caught(lawNamed(toyLaws('climbs'), 'lower a convex quadratic'))).toBe(true);
  });

  it('should fail the trajectory law for optimizers that share hidden state', () => {
    expect(caught(lawNamed(toyLaws('sharedVelocity'), 'same trajectory'))).toBe(true);
  });

  it('should fail the round-trip law for an optimizer that loses its velocity on load', () => {
    expect(caught(lawNamed(toyLaws('forgetsVelocity'), 'getState'))).toBe(true);
  });

  it('should fail the gradient law for an optimizer that writes into the gradients', () => {
    expect(caught(lawNamed(toyLaws('writesGrad'), 'gradients unchanged'))).toBe(true);
  });

  it('should fail the plain-SGD law for an optimizer whose momentum 0 is not plain SGD', () => {
    expect(caught(lawNamed(toyLaws('notPlainSgd'), 'plain gradient descent'))).toBe(true);
  });

  it('should pass every law, the fast-path one included, for a correct fast path', () => {
    const laws = toyFastPathLaws('none');
    expect(laws.some((l) => l.name.includes('updateInPlace'))).toBe(true);
    expect(() => runLaws(laws, { numRuns: 20 })).not.toThrow();
  });

  it('should fail the fast-path law for an updateInPlace that rounds differently from update', () => {
    expect(caught(lawNamed(toyFastPathLaws('fastPathRounds'), 'updateInPlace'))).toBe(true);
  });

  it('should leave out the plain-SGD law when no plainSgdOptions are given', () => {
    const laws = optimizerLaws(toyPlugin, { createOptimizer: (_plugin, params) => new ToyMomentum(params, {}) });
    expect(laws.some((l) => l.name.includes('plain gradient descent'))).toBe(false);
    expect(laws.length).toBe(5);
  });
});
