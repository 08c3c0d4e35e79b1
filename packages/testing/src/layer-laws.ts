import fc from 'fast-check';
import { type CheckGradientsOptions, checkGradients } from '@rnnkit/gradcheck';
import { type DType, type Param, Random, type Shape, type Tensor } from '@rnnkit/tensor';
import { type Law, identicalTensors, sameData, show, uniformTensor } from './law-runner.js';

/** A shape whose `null` lengths (the batch) are known only when data arrives. */
export type SymbolicShapeLike = readonly (number | null)[];

/**
 * The part of the layer contract the laws exercise — structurally the `Layer` of
 * `@rnnkit/layers`, so built-in layers and a user's own fit without importing that package.
 */
export interface LayerUnderTest {
  readonly name: string;
  readonly dtype: DType;
  readonly built: boolean;
  build(inputShape: SymbolicShapeLike, random: Random): void;
  params(): readonly Param[];
  outputShape(inputShape: SymbolicShapeLike): SymbolicShapeLike;
  forward(x: Tensor): { readonly y: Tensor; readonly cache: unknown };
  /** Adds parameter gradients into each `Param.grad`, returns the input gradient. */
  backward(dy: Tensor, cache: unknown): Tensor;
  getWeights?(): Tensor[];
  setWeights?(weights: readonly Tensor[]): void;
  getConfig?(): { readonly name: string };
}

/** What {@link layerLaws} needs to know about a layer. */
export interface LayerLawsOptions<Config> {
  /** Names the layer in failure messages. */
  readonly name: string;
  /**
   * Makes a layer of a configuration. It may come back built or unbuilt; an unbuilt one is
   * built by the law for `[null, ...inputShape.slice(1)]` with the same `random`. The
   * gradient law needs float64 parameters, so configurations should ask for float64.
   */
  make(config: Config, random: Random): LayerUnderTest;
  /** Configurations to try (each option that changes the maths should vary). */
  readonly configArb: fc.Arbitrary<Config>;
  /** Concrete input shapes `[batch, …]` for a configuration (or for every configuration). */
  readonly inputShapeArb: fc.Arbitrary<Shape> | ((config: Config) => fc.Arbitrary<Shape>);
  /**
   * Rebuilds a layer from `getConfig()`; when given (and the layer has `getConfig`), the
   * config round-trip law is included.
   */
  fromConfig?(config: { readonly name: string }): LayerUnderTest;
  /** Options of the gradient check. @defaultValue checkGradients' defaults (eps 1e-6, rtol 1e-5, atol 1e-8) */
  readonly gradcheck?: CheckGradientsOptions;
  /** Range of the uniform random inputs. @defaultValue [-1, 1] */
  readonly inputRange?: readonly [number, number];
}

interface LayerCase<Config> {
  readonly config: Config;
  readonly inputShape: Shape;
  readonly seed: number;
}

/**
 * Reusable laws every layer should obey, as fast-check properties over random
 * configurations, input shapes and seeds:
 *
 * - the gradient check: backward matches central differences in float64, for every
 *   parameter and the input;
 * - gradient accumulation: a second backward with the same cache adds the same parameter
 *   gradients again and returns the same input gradient;
 * - determinism: the same seed gives identical weights and outputs;
 * - the shape contract: `y` has `outputShape(inputShape)` and the layer's dtype, `dx` has
 *   the input's shape and dtype;
 * - purity: forward and backward leave `x` and `dy` unchanged;
 * - the config round-trip (with `fromConfig`): equal config, identical outputs.
 *
 * @example
 * const laws = layerLaws({
 *   name: 'Dense',
 *   make: (config) => new Dense({ ...config, dtype: 'float64' }),
 *   configArb: fc.record({ units: fc.integer({ min: 1, max: 4 }) }),
 *   inputShapeArb: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 4 })),
 *   fromConfig: (config) => Dense.fromConfig(config),
 * });
 * runLaws(laws, { numRuns: 20 });
 */
export function layerLaws<Config>(options: LayerLawsOptions<Config>): Law[] {
  const { name, make, configArb, inputShapeArb, fromConfig, gradcheck = {} } = options;
  const [low, high] = options.inputRange ?? [-1, 1];
  const shapes = typeof inputShapeArb === 'function' ? inputShapeArb : () => inputShapeArb;
  const cases: fc.Arbitrary<LayerCase<Config>> = configArb.chain((config) =>
    fc
      .tuple(shapes(config), fc.integer({ min: 0, max: 2 ** 31 - 1 }))
      .map(([inputShape, seed]) => ({ config, inputShape, seed })),
  );

  /** A built layer of a case, and an input drawn from the case's seed. */
  const setUp = (c: LayerCase<Config>): { layer: LayerUnderTest; x: Tensor; random: Random } => {
    const random = new Random(c.seed);
    const layer = make(c.config, random);
    if (!layer.built) layer.build(symbolic(c.inputShape), random);
    const x = uniformTensor(c.inputShape, random, layer.dtype, low, high);
    return { layer, x, random };
  };
  const where = (c: LayerCase<Config>): string =>
    `${name} with config ${show(c.config)}, input ${show(c.inputShape)}, seed ${c.seed}`;

  const laws: Law[] = [
    {
      name: 'should match central differences in float64 (parameters and input)',
      property: fc.property(cases, (c) => {
        const { layer, x, random } = setUp(c);
        const params = layer.params();
        // Loss L = Σ y ⊙ w with fixed random w, so every output element gets its own weight
        // and dL/dy = w reaches backward unchanged.
        const projection = uniformTensor(layer.forward(x).y.shape, random, layer.dtype);
        const lossOf = (y: Tensor): number => {
          let sum = 0;
          for (let i = 0; i < y.size; i++) sum += y.data[i]! * projection.data[i]!;
          return sum;
        };
        const report = checkGradients(
          {
            params,
            input: x,
            loss: () => lossOf(layer.forward(x).y),
            gradients: () => {
              for (const p of params) p.zeroGrad();
              const { y, cache } = layer.forward(x);
              const inputGrad = layer.backward(projection, cache);
              return { loss: lossOf(y), inputGrad };
            },
          },
          gradcheck,
        );
        if (!report.passed) throw new Error(`${where(c)}:\n${report.format()}`);
      }),
    },
    {
      name: 'should add parameter gradients on every backward call with the same cache',
      property: fc.property(cases, (c) => {
        const { layer, x, random } = setUp(c);
        const params = layer.params();
        for (const p of params) p.zeroGrad();
        const { y, cache } = layer.forward(x);
        const dy = uniformTensor(y.shape, random, layer.dtype);
        const dx1 = layer.backward(dy, cache);
        const once = params.map((p) => Float64Array.from(p.grad.data));
        const dx2 = layer.backward(dy, cache);
        if (!identicalTensors(dx1, dx2)) throw new Error(`${where(c)}: a second backward returned another dx`);
        params.forEach((p, k) => {
          for (let i = 0; i < p.grad.size; i++) {
            const expected = 2 * once[k]![i]!;
            const got = p.grad.data[i]!;
            if (!(Math.abs(got - expected) <= 1e-9 * Math.max(1, Math.abs(expected)))) {
              throw new Error(
                `${where(c)}: after two backward calls ${p.name}.grad[${i}] is ${got}, expected twice ${once[k]![i]}`,
              );
            }
          }
        });
      }),
    },
    {
      name: 'should give identical weights and outputs from the same seed',
      property: fc.property(cases, (c) => {
        const first = setUp(c);
        const second = setUp(c);
        const a = first.layer.params();
        const b = second.layer.params();
        if (a.length !== b.length) throw new Error(`${where(c)}: ${a.length} vs ${b.length} parameters`);
        a.forEach((p, k) => {
          if (!identicalTensors(p.value, b[k]!.value)) throw new Error(`${where(c)}: parameter ${p.name} differs`);
        });
        if (!identicalTensors(first.layer.forward(first.x).y, second.layer.forward(second.x).y)) {
          throw new Error(`${where(c)}: outputs differ`);
        }
      }),
    },
    {
      name: 'should return y of outputShape(inputShape) and dx of the input shape',
      property: fc.property(cases, (c) => {
        const { layer, x, random } = setUp(c);
        const expected = layer.outputShape(symbolic(c.inputShape));
        const { y, cache } = layer.forward(x);
        const fits =
          y.shape.length === expected.length && expected.every((d, i) => d === null || d === y.shape[i]);
        if (!fits) throw new Error(`${where(c)}: y has shape ${show(y.shape)}, outputShape says ${show(expected)}`);
        if (y.dtype !== layer.dtype) throw new Error(`${where(c)}: y is ${y.dtype}, the layer ${layer.dtype}`);
        const dx = layer.backward(uniformTensor(y.shape, random, layer.dtype), cache);
        if (dx.shape.length !== x.shape.length || dx.shape.some((d, i) => d !== x.shape[i]) || dx.dtype !== x.dtype) {
          throw new Error(`${where(c)}: dx is ${show(dx)}, the input ${show(x)}`);
        }
      }),
    },
    {
      name: 'should leave x and dy unchanged',
      property: fc.property(cases, (c) => {
        const { layer, x, random } = setUp(c);
        const xBefore = x.clone();
        const { y, cache } = layer.forward(x);
        const dy = uniformTensor(y.shape, random, layer.dtype);
        const dyBefore = dy.clone();
        layer.backward(dy, cache);
        if (!identicalTensors(x, xBefore)) throw new Error(`${where(c)}: x was modified`);
        if (!identicalTensors(dy, dyBefore)) throw new Error(`${where(c)}: dy was modified`);
      }),
    },
  ];

  if (fromConfig !== undefined) {
    laws.push({
      name: 'should rebuild an equal layer from its config',
      property: fc.property(cases, (c) => {
        const { layer, x } = setUp(c);
        if (layer.getConfig === undefined) throw new Error(`${where(c)}: fromConfig was given but the layer has no getConfig`);
        const config = layer.getConfig();
        const copy = fromConfig(JSON.parse(JSON.stringify(config)) as typeof config);
        if (!copy.built) copy.build(symbolic(c.inputShape), new Random(c.seed));
        const copyConfig = copy.getConfig?.();
        if (!sameData(copyConfig, config)) {
          throw new Error(`${where(c)}: config ${show(config)} came back as ${show(copyConfig)}`);
        }
        // Same weights (copied when the layer can, else the same seed) must give the same output.
        if (layer.getWeights !== undefined && copy.setWeights !== undefined) copy.setWeights(layer.getWeights());
        if (!identicalTensors(layer.forward(x).y, copy.forward(x).y)) {
          throw new Error(`${where(c)}: the rebuilt layer computes another output`);
        }
      }),
    });
  }
  return laws;
}

/** `[batch, …]` → `[null, …]`: layers are built for any batch length. */
function symbolic(shape: Shape): SymbolicShapeLike {
  return [null, ...shape.slice(1)];
}
