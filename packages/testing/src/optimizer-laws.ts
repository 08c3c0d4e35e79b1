import fc from 'fast-check';
import { type DType, Param, Tensor, allocate } from '@rnnkit/tensor';
import { type Law, show } from './law-runner.js';

/**
 * The part of an optimizer the laws drive — structurally the `Optimizer` that
 * `createOptimizer` of `@rnnkit/optimizers` returns, so this package need not import it.
 */
export interface OptimizerUnderTest<Snapshot = unknown> {
  /** Moves to the look-ahead point, if the optimizer has one (a no-op otherwise). */
  beforeGradient(): void;
  /** Applies one update from the current gradients. */
  step(): void;
  zeroGrad(): void;
  /** The state as JSON-safe data. */
  getState(): Snapshot;
  /** Restores a state from `getState()` (after a JSON round-trip). */
  loadState(snapshot: Snapshot): void;
}

/** The plugin, structurally: anything with a name (the laws only pass it on). */
export interface OptimizerPluginLike {
  readonly name: string;
  /** The optional fast path of `update`; when present, a law compares the two paths. */
  readonly updateInPlace?: unknown;
}

/** How {@link optimizerLaws} creates and configures optimizers. */
export interface OptimizerLawsOptions<Plugin, Options> {
  /** `createOptimizer` of `@rnnkit/optimizers` (or anything with its signature). */
  readonly createOptimizer: (
    plugin: Plugin,
    params: readonly Param[],
    options: Options & { readonly learningRate?: number },
  ) => OptimizerUnderTest;
  /** The plugin options every law uses (on top of the plugin's defaults). @defaultValue {} */
  readonly options?: Options;
  /** The small learning rate of the descent law. @defaultValue 1e-3 */
  readonly learningRate?: number;
  /**
   * Options under which the plugin must be plain gradient descent, `p ← p − lr·g`
   * (e.g. `{ momentum: 0 }` for SGD); when given, that law is included. Compared with a
   * relative tolerance of 1e-12 in float64.
   */
  readonly plainSgdOptions?: Options;
  /** Element type of the parameters. @defaultValue 'float64' */
  readonly dtype?: DType;
}

/** One coordinate of the convex quadratic `½·a·(p − c)²`, started at `p = c ± offset`. */
interface Coordinate {
  readonly center: number;
  readonly offset: number;
  readonly curvature: number;
}

/** Parameters (1–3 of 1–5 coordinates each) of a random convex quadratic problem. */
type Problem = readonly (readonly Coordinate[])[];

const coordinateArb: fc.Arbitrary<Coordinate> = fc.record({
  center: fc.double({ min: -1, max: 1, noNaN: true }),
  // Starting at least 0.1 away from the minimum, so that a sign-based step of a small
  // learning rate cannot overshoot it.
  offset: fc
    .tuple(fc.double({ min: 0.1, max: 2, noNaN: true }), fc.boolean())
    .map(([size, negative]) => (negative ? -size : size)),
  curvature: fc.double({ min: 0.5, max: 2, noNaN: true }),
});

const problemArb: fc.Arbitrary<Problem> = fc.array(fc.array(coordinateArb, { minLength: 1, maxLength: 5 }), {
  minLength: 1,
  maxLength: 3,
});

function makeParams(problem: Problem, dtype: DType): Param[] {
  return problem.map((coordinates, k) => {
    const data = allocate(dtype, coordinates.length);
    coordinates.forEach((c, i) => (data[i] = c.center + c.offset));
    return new Param(`p${k}`, new Tensor(data, [coordinates.length]));
  });
}

function cloneParams(params: readonly Param[]): Param[] {
  return params.map((p) => new Param(p.name, p.value.clone(), { trainable: p.trainable }));
}

/** Writes the gradient `a·(p − c)` of the quadratic into each `grad`. */
function computeGradients(problem: Problem, params: readonly Param[]): void {
  problem.forEach((coordinates, k) => {
    const { value, grad } = params[k]!;
    coordinates.forEach((c, i) => (grad.data[i] = c.curvature * (value.data[i]! - c.center)));
  });
}

/** `Σ ½·a·(p − c)²`. */
function quadraticLoss(problem: Problem, params: readonly Param[]): number {
  let loss = 0;
  problem.forEach((coordinates, k) => {
    const value = params[k]!.value.data;
    coordinates.forEach((c, i) => (loss += 0.5 * c.curvature * (value[i]! - c.center) ** 2));
  });
  return loss;
}

/** One training step as a loop does it: zero, look ahead, gradients, update. */
function trainStep(optimizer: OptimizerUnderTest, problem: Problem, params: readonly Param[]): void {
  optimizer.zeroGrad();
  optimizer.beforeGradient();
  computeGradients(problem, params);
  optimizer.step();
}

function values(params: readonly Param[]): number[][] {
  return params.map((p) => Array.from(p.value.data));
}

/** The first coordinate where two sets of values differ (bitwise), or undefined. */
function firstDifference(a: readonly Param[], b: readonly Param[]): string | undefined {
  for (let k = 0; k < a.length; k++) {
    const x = a[k]!.value.data;
    const y = b[k]!.value.data;
    for (let i = 0; i < x.length; i++) {
      if (!Object.is(x[i], y[i])) return `${a[k]!.name}[${i}]: ${x[i]} vs ${y[i]}`;
    }
  }
  return undefined;
}

/**
 * Reusable laws every optimizer plugin should obey, as fast-check properties over random
 * convex quadratics `Σ ½·a·(p − c)²` (1–3 parameters of 1–5 coordinates, float64):
 *
 * - a learning rate of 0 leaves every value unchanged;
 * - one step with a small learning rate lowers the loss;
 * - the same start gives the same trajectory, bit for bit, even with two optimizers
 *   stepping interleaved (no hidden shared state);
 * - `getState()` → JSON → `loadState()` into a fresh optimizer, mid-training (also between
 *   `beforeGradient()` and `step()`), continues bit-identically to never having stopped;
 * - the gradients are left as they were;
 * - with `plainSgdOptions`: the plugin is plain gradient descent `p ← p − lr·g`;
 * - when the plugin has `updateInPlace`: it gives the values and state of `update`
 *   followed by the runner's addition, bit for bit, in float32 and float64.
 *
 * Each training step is `zeroGrad()`, `beforeGradient()`, gradients, `step()`.
 *
 * @example
 * import { createOptimizer, sgd } from '@rnnkit/optimizers';
 * runLaws(optimizerLaws(sgd, { createOptimizer, options: { momentum: 0.9 }, plainSgdOptions: { momentum: 0 } }));
 */
export function optimizerLaws<Plugin extends OptimizerPluginLike, Options extends object = object>(
  plugin: Plugin,
  settings: OptimizerLawsOptions<Plugin, Options>,
): Law[] {
  const { createOptimizer, plainSgdOptions } = settings;
  const options = settings.options ?? ({} as Options);
  const smallLearningRate = settings.learningRate ?? 1e-3;
  const dtype = settings.dtype ?? 'float64';
  const name = plugin.name;
  const create = (params: readonly Param[], learningRate: number, extra: Options = options): OptimizerUnderTest =>
    createOptimizer(plugin, params, { ...extra, learningRate });
  const where = (problem: Problem): string => `${name} with options ${show(options)} on problem ${show(problem)}`;

  const laws: Law[] = [
    {
      name: 'should leave every value unchanged with learning rate 0',
      property: fc.property(problemArb, fc.integer({ min: 1, max: 3 }), (problem, steps) => {
        const params = makeParams(problem, dtype);
        const before = values(params);
        const optimizer = create(params, 0);
        for (let s = 0; s < steps; s++) trainStep(optimizer, problem, params);
        params.forEach((p, k) =>
          p.value.data.forEach((x, i) => {
            if (x !== before[k]![i]) {
              throw new Error(`${where(problem)}: ${p.name}[${i}] changed from ${before[k]![i]} to ${x} after ${steps} steps`);
            }
          }),
        );
      }),
    },
    {
      name: `should lower a convex quadratic loss in one step with learning rate ${smallLearningRate}`,
      property: fc.property(problemArb, (problem) => {
        const params = makeParams(problem, dtype);
        const before = quadraticLoss(problem, params);
        trainStep(create(params, smallLearningRate), problem, params);
        const after = quadraticLoss(problem, params);
        if (!(after < before)) throw new Error(`${where(problem)}: loss went from ${before} to ${after}`);
      }),
    },
    {
      name: 'should follow the same trajectory from the same start, bit for bit, even interleaved',
      property: fc.property(problemArb, fc.integer({ min: 1, max: 4 }), (problem, steps) => {
        const first = makeParams(problem, dtype);
        const second = makeParams(problem, dtype);
        const a = create(first, smallLearningRate * 10);
        const b = create(second, smallLearningRate * 10);
        for (let s = 0; s < steps; s++) {
          trainStep(a, problem, first);
          trainStep(b, problem, second);
          const difference = firstDifference(first, second);
          if (difference) throw new Error(`${where(problem)}: step ${s + 1} differs at ${difference}`);
        }
      }),
    },
    {
      name: 'should continue bit-identically after getState, JSON and loadState into a fresh optimizer',
      property: fc.property(
        problemArb,
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (problem, before, after, saveAfterLookahead) => {
          const params = makeParams(problem, dtype);
          const original = create(params, smallLearningRate * 10);
          for (let s = 0; s < before; s++) trainStep(original, problem, params);
          if (saveAfterLookahead) {
            original.zeroGrad();
            original.beforeGradient();
          }
          const saved: unknown = JSON.parse(JSON.stringify(original.getState()));
          const copies = cloneParams(params);
          const restored = create(copies, smallLearningRate * 10);
          restored.loadState(saved);
          for (let s = 0; s < after; s++) {
            if (s === 0 && saveAfterLookahead) {
              // Finish the interrupted step: beforeGradient() again must not move twice.
              for (const [optimizer, ps] of [
                [original, params],
                [restored, copies],
              ] as const) {
                optimizer.beforeGradient();
                computeGradients(problem, ps);
                optimizer.step();
              }
            } else {
              trainStep(original, problem, params);
              trainStep(restored, problem, copies);
            }
            const difference = firstDifference(params, copies);
            if (difference) {
              throw new Error(`${where(problem)}: step ${s + 1} after loading differs at ${difference}`);
            }
          }
        },
      ),
    },
    {
      name: 'should leave the gradients unchanged',
      property: fc.property(problemArb, (problem) => {
        const params = makeParams(problem, dtype);
        const optimizer = create(params, smallLearningRate);
        optimizer.zeroGrad();
        optimizer.beforeGradient();
        computeGradients(problem, params);
        const grads = params.map((p) => Array.from(p.grad.data));
        optimizer.step();
        params.forEach((p, k) =>
          p.grad.data.forEach((g, i) => {
            if (!Object.is(g, grads[k]![i])) {
              throw new Error(`${where(problem)}: step() changed ${p.name}.grad[${i}] from ${grads[k]![i]} to ${g}`);
            }
          }),
        );
      }),
    },
  ];

  if (plugin.updateInPlace !== undefined) {
    // The same plugin without its fast path: the runner then calls `update` and adds.
    const generic = { ...plugin, updateInPlace: undefined } as Plugin;
    laws.push({
      name: 'should give the same values and state through updateInPlace as through update, bit for bit',
      property: fc.property(
        problemArb,
        fc.integer({ min: 1, max: 4 }),
        fc.constantFrom<DType>('float32', 'float64'),
        (problem, steps, lawDtype) => {
          const fast = makeParams(problem, lawDtype);
          const slow = makeParams(problem, lawDtype);
          const lr = smallLearningRate * 10;
          const a = create(fast, lr);
          const b = createOptimizer(generic, slow, { ...options, learningRate: lr });
          for (let s = 0; s < steps; s++) {
            trainStep(a, problem, fast);
            trainStep(b, problem, slow);
            const difference = firstDifference(fast, slow);
            if (difference) {
              throw new Error(`${where(problem)} (${lawDtype}): step ${s + 1} differs from update's at ${difference}`);
            }
            const stateA = JSON.stringify(a.getState());
            const stateB = JSON.stringify(b.getState());
            if (stateA !== stateB) {
              throw new Error(`${where(problem)} (${lawDtype}): the state after step ${s + 1} differs from update's`);
            }
          }
        },
      ),
    });
  }

  if (plainSgdOptions !== undefined) {
    laws.push({
      name: `should be plain gradient descent p ← p − lr·g with ${show(plainSgdOptions)}`,
      property: fc.property(problemArb, fc.integer({ min: 1, max: 4 }), (problem, steps) => {
        const params = makeParams(problem, 'float64');
        const reference = makeParams(problem, 'float64');
        const lr = smallLearningRate * 10;
        const optimizer = create(params, lr, { ...options, ...plainSgdOptions });
        for (let s = 0; s < steps; s++) {
          trainStep(optimizer, problem, params);
          computeGradients(problem, reference);
          for (const p of reference) {
            for (let i = 0; i < p.value.size; i++) p.value.data[i] = p.value.data[i]! - lr * p.grad.data[i]!;
          }
          for (let k = 0; k < params.length; k++) {
            const x = params[k]!.value.data;
            const y = reference[k]!.value.data;
            for (let i = 0; i < x.length; i++) {
              if (!(Math.abs(x[i]! - y[i]!) <= 1e-12 * Math.max(1, Math.abs(y[i]!)))) {
                throw new Error(
                  `${where(problem)}: step ${s + 1} gives p${k}[${i}] = ${x[i]}, plain gradient descent ${y[i]}`,
                );
              }
            }
          }
        }
      }),
    });
  }
  return laws;
}
