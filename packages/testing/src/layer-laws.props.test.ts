import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Param, type Random, Tensor, allocate } from '@rnnkit/tensor';
import { layerLaws, type LayerLawsOptions, type LayerUnderTest, type SymbolicShapeLike } from './layer-laws.js';
import { type Law, runLaws } from './law-runner.js';
import { fails, lawNamed } from './law-tests.test-util.js';

// A tiny dense layer y = x·W + b over the last axis, written independently of
// @rnnkit/layers, with switchable bugs so that every law can be shown to fail.
type Bug =
  | 'none'
  | 'wrongKernelGrad' // forgets to use the input in dW
  | 'overwritesGrads' // assigns parameter gradients instead of adding
  | 'unseeded' // draws its weights from Math.random
  | 'wrongOutputShape' // outputShape claims one unit more
  | 'mutatesInput' // scales x in place during forward
  | 'forgetsUnits'; // getConfig drops a field

interface ToyConfig {
  readonly units: number;
  readonly bug: Bug;
}

interface ToyCache {
  readonly x: Tensor;
}

class ToyDense implements LayerUnderTest {
  readonly name = 'toy_dense';
  readonly dtype = 'float64' as const;
  readonly units: number;
  readonly bug: Bug;
  #kernel: Param | null = null;
  #bias: Param | null = null;

  constructor(config: ToyConfig) {
    this.units = config.units;
    this.bug = config.bug;
  }

  get built(): boolean {
    return this.#kernel !== null;
  }

  build(inputShape: SymbolicShapeLike, random: Random): void {
    const features = inputShape[inputShape.length - 1] as number;
    const kernel = allocate('float64', features * this.units);
    for (let i = 0; i < kernel.length; i++) {
      kernel[i] = this.bug === 'unseeded' ? Math.random() - 0.5 : random.uniform(-0.5, 0.5);
    }
    const bias = allocate('float64', this.units);
    random.fillUniform(bias, -0.1, 0.1);
    this.#kernel = new Param('kernel', new Tensor(kernel, [features, this.units]));
    this.#bias = new Param('bias', new Tensor(bias, [this.units]));
  }

  params(): Param[] {
    return [this.#kernel!, this.#bias!];
  }

  outputShape(inputShape: SymbolicShapeLike): SymbolicShapeLike {
    return [...inputShape.slice(0, -1), this.units + (this.bug === 'wrongOutputShape' ? 1 : 0)];
  }

  forward(x: Tensor): { y: Tensor; cache: ToyCache } {
    const W = this.#kernel!.value.data;
    const b = this.#bias!.value.data;
    const features = x.shape[x.rank - 1]!;
    const rows = x.size / features;
    const y = allocate('float64', rows * this.units);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < this.units; u++) {
        let sum = b[u]!;
        for (let f = 0; f < features; f++) sum += x.data[r * features + f]! * W[f * this.units + u]!;
        y[r * this.units + u] = sum;
      }
    }
    if (this.bug === 'mutatesInput') x.data[0]! *= 1.5;
    return { y: new Tensor(y, [...x.shape.slice(0, -1), this.units]), cache: { x } };
  }

  backward(dy: Tensor, cache: ToyCache): Tensor {
    const { x } = cache;
    const W = this.#kernel!.value.data;
    const dW = this.#kernel!.grad.data;
    const db = this.#bias!.grad.data;
    if (this.bug === 'overwritesGrads') {
      dW.fill(0);
      db.fill(0);
    }
    const features = x.shape[x.rank - 1]!;
    const rows = x.size / features;
    const dx = allocate('float64', x.size);
    for (let r = 0; r < rows; r++) {
      for (let u = 0; u < this.units; u++) {
        const g = dy.data[r * this.units + u]!;
        db[u]! += g;
        for (let f = 0; f < features; f++) {
          dW[f * this.units + u]! += this.bug === 'wrongKernelGrad' ? g : x.data[r * features + f]! * g;
          dx[r * features + f]! += W[f * this.units + u]! * g;
        }
      }
    }
    return new Tensor(dx, x.shape);
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.params().forEach((p, i) => p.value.assign(weights[i]!));
  }

  getConfig(): { name: string; units?: number; bug: Bug } {
    return this.bug === 'forgetsUnits' ? { name: this.name, bug: this.bug } : { name: this.name, units: this.units, bug: this.bug };
  }
}

function toyLaws(bug: Bug): Law[] {
  const options: LayerLawsOptions<ToyConfig> = {
    name: `ToyDense(${bug})`,
    make: (config) => new ToyDense(config),
    configArb: fc.record({ units: fc.integer({ min: 1, max: 3 }), bug: fc.constant(bug) }),
    inputShapeArb: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 })),
    fromConfig: (config) => new ToyDense({ units: 1, ...(config as Partial<ToyConfig>) } as ToyConfig),
  };
  return layerLaws(options);
}

/** Whether fast-check finds a counterexample to `law` in 30 cases. */
const caught = (law: Law): boolean => fails(law, 30);

describe('layerLaws', () => {
  it('should pass every law for a correct layer', () => {
    expect(() => runLaws(toyLaws('none'), { numRuns: 15 })).not.toThrow();
  });

  it('should fail the gradient law for a layer with a wrong backward', () => {
    expect(caught(lawNamed(toyLaws('wrongKernelGrad'), 'central differences'))).toBe(true);
  });

  it('should fail the accumulation law for a layer that overwrites gradients', () => {
    expect(caught(lawNamed(toyLaws('overwritesGrads'), 'backward call'))).toBe(true);
  });

  it('should fail the determinism law for a layer that ignores the seed', () => {
    expect(caught(lawNamed(toyLaws('unseeded'), 'same seed'))).toBe(true);
  });

  it('should fail the shape law for a layer whose outputShape is wrong', () => {
    expect(caught(lawNamed(toyLaws('wrongOutputShape'), 'outputShape'))).toBe(true);
  });

  it('should fail the purity law for a layer that modifies its input', () => {
    expect(caught(lawNamed(toyLaws('mutatesInput'), 'unchanged'))).toBe(true);
  });

  it('should fail the config law for a layer whose config loses a field', () => {
    expect(caught(lawNamed(toyLaws('forgetsUnits'), 'config'))).toBe(true);
  });

  it('should leave out the config law when no fromConfig is given', () => {
    const laws = layerLaws<ToyConfig>({
      name: 'ToyDense',
      make: (config) => new ToyDense(config),
      configArb: fc.constant({ units: 2, bug: 'none' }),
      inputShapeArb: fc.constant([2, 3]),
    });
    expect(laws.some((l) => l.name.includes('config'))).toBe(false);
    expect(laws.length).toBeGreaterThanOrEqual(5);
  });

  it('should name the failing law and keep the seed in the error of runLaws', () => {
    let message = '';
    try {
      runLaws([lawNamed(toyLaws('wrongKernelGrad'), 'central differences')], { numRuns: 10, seed: 7 });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^should match central differences/);
    expect(message).toMatch(/seed/i);
    expect(message).toMatch(/FAIL/);
  });
});
