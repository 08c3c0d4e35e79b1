import fc from 'fast-check';
import { type DType, Param, Tensor, allocate } from '@rnnkit/tensor';
import type { Law } from './law-runner.js';
import { show } from './law-runner.js';
import type { OptimizerPluginLike, OptimizerUnderTest } from './optimizer-laws.js';

/** An optimizer that may run a compiled kernel: structurally the `Optimizer` of `@rnnkit/optimizers`. */
export interface KernelOptimizerUnderTest<Snapshot = unknown> extends OptimizerUnderTest<Snapshot> {
  /** The kernel in use, or null when the plugin's JS update runs. */
  readonly kernel: string | null;
  /** The plugin state of one parameter. */
  paramState(key: string): unknown;
}

/** How {@link optimizerKernelLaws} creates optimizers. */
export interface OptimizerKernelLawsOptions<Plugin, Options, Kernels> {
  /** `createOptimizer` of `@rnnkit/optimizers` (or anything with its signature). */
  readonly createOptimizer: (
    plugin: Plugin,
    params: readonly Param[],
    options: Options & { readonly learningRate?: number; readonly kernels?: readonly Kernels[] },
  ) => KernelOptimizerUnderTest;
  /** The set of kernels under test (e.g. one of a backend's fused kernels of family `'optimizer'`). */
  readonly kernels: Kernels;
  /** The plugin options every law uses (on top of the plugin's defaults). @defaultValue {} */
  readonly options?: Options;
  /** Element type of the parameters: one the kernels compute in. @defaultValue 'float32' */
  readonly dtype?: DType;
}

/** Values of every kind a step meets: ordinary ones, zeros of both signs, float32 subnormals, huge ones. */
const numberArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -3, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -0, 1e-40, -3e-42, 1e-20) },
  { weight: 1, arbitrary: fc.constantFrom(3e38, -1e30, 1e19) },
);

/** A gradient coordinate: mostly ordinary, rarely infinite or NaN (the step must then be undone). */
const gradientArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 40, arbitrary: numberArb },
  { weight: 1, arbitrary: fc.constantFrom(Infinity, -Infinity, NaN) },
);

interface KernelCase {
  /** Per parameter: where its values start in a larger array, and the values. */
  readonly params: readonly { readonly offset: number; readonly values: readonly number[] }[];
  /** Per step, per parameter: the gradient. */
  readonly gradients: readonly (readonly (readonly number[])[])[];
  readonly learningRate: number;
}

// 1–4 parameters of 0–37 values (every tail of a 4-lane loop, and none), each at an offset
// of 0–5 elements into a larger array, with 1–4 steps of gradients.
const caseArb: fc.Arbitrary<KernelCase> = fc
  .tuple(
    fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 37 })), { minLength: 1, maxLength: 4 }),
    fc.integer({ min: 1, max: 4 }),
    fc.oneof(fc.constantFrom(0, 1e-3, 0.01), fc.double({ min: 0, max: 0.5, noNaN: true })),
  )
  .chain(([shapes, steps, learningRate]) =>
    fc.record({
      params: fc.tuple(
        ...shapes.map(([offset, size]) =>
          fc.record({ offset: fc.constant(offset), values: fc.array(numberArb, { minLength: size, maxLength: size }) }),
        ),
      ),
      gradients: fc.array(
        fc.tuple(...shapes.map(([, size]) => fc.array(gradientArb, { minLength: size, maxLength: size }))),
        { minLength: steps, maxLength: steps },
      ),
      learningRate: fc.constant(learningRate),
    }),
  );

/** Parameters `p0, p1, …` whose values sit at their offsets inside larger arrays. */
function makeParams(c: KernelCase, dtype: DType): Param[] {
  return c.params.map(({ offset, values }, k) => {
    const storage = allocate(dtype, offset + values.length + 3);
    const data = storage.subarray(offset, offset + values.length);
    values.forEach((x, i) => (data[i] = x));
    return new Param(`p${k}`, new Tensor(data, [values.length]));
  });
}

/** Equal bits, except that any NaN equals any NaN (engines need not keep NaN payloads). */
function same(x: number, y: number): boolean {
  return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y));
}

/** The first difference between two values or plugin states, as a path, or undefined. */
function difference(a: unknown, b: unknown, path: string): string | undefined {
  if (ArrayBuffer.isView(a) && ArrayBuffer.isView(b)) {
    const x = a as unknown as ArrayLike<number>;
    const y = b as unknown as ArrayLike<number>;
    if (x.length !== y.length) return `${path}: length ${x.length} vs ${y.length}`;
    for (let i = 0; i < x.length; i++) if (!same(x[i]!, y[i]!)) return `${path}[${i}]: ${x[i]} vs ${y[i]}`;
    return undefined;
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const key of keys) {
      const found = difference((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key], `${path}.${key}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  return typeof a === 'number' && typeof b === 'number' ? (same(a, b) ? undefined : `${path}: ${a} vs ${b}`) : Object.is(a, b) ? undefined : `${path}: ${show(a)} vs ${show(b)}`;
}

/** The outcome of one step: undefined when it succeeded, else the error's message. */
function tryStep(optimizer: KernelOptimizerUnderTest, params: readonly Param[], gradients: readonly (readonly number[])[]): string | undefined {
  optimizer.zeroGrad();
  optimizer.beforeGradient();
  params.forEach((p, k) => gradients[k]!.forEach((g, i) => (p.grad.data[i] = g)));
  try {
    optimizer.step();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Laws for a plugin's compiled kernel (its `kernel` declaration) in a given set of kernels:
 *
 * - the optimizer created with the kernels runs the kernel (so the other laws test it);
 * - over 1–4 steps on 1–4 parameters of 0–37 values (every SIMD tail), placed at offsets
 *   inside larger arrays, with random learning rates and values that include ±0, float32
 *   subnormals and huge numbers, it leaves the values and the plugin state of the plugin's
 *   JS `update` (its `updateInPlace` and kernel left out), bit for bit (any NaN equals any NaN);
 * - a step that would write a non-finite value (an infinite or NaN gradient, an overflow)
 *   throws the same error and leaves the values and state as they were, as the JS path does;
 * - `getState()` → JSON → `loadState()` into a fresh optimizer with the kernels continues
 *   bit-identically.
 *
 * @example
 * import { createOptimizer, optimizerKernelsOf, rmsprop } from '@rnnkit/optimizers';
 * const [kernels] = optimizerKernelsOf((await createWasmBackend()).fused);
 * runLaws(optimizerKernelLaws(rmsprop, { createOptimizer, kernels, options: { centered: true } }));
 */
export function optimizerKernelLaws<Plugin extends OptimizerPluginLike, Kernels, Options extends object = object>(
  plugin: Plugin,
  settings: OptimizerKernelLawsOptions<Plugin, Options, Kernels>,
): Law[] {
  const { createOptimizer, kernels } = settings;
  const options = settings.options ?? ({} as Options);
  const dtype = settings.dtype ?? 'float32';
  // The plugin without its fast paths: the runner calls `update` and adds.
  const reference = { ...plugin, updateInPlace: undefined, kernel: undefined } as Plugin;
  const withKernels = (params: readonly Param[], learningRate: number): KernelOptimizerUnderTest =>
    createOptimizer(plugin, params, { ...options, learningRate, kernels: [kernels] });
  const where = (c: KernelCase): string => `${plugin.name} with options ${show(options)} on ${show(c)}`;

  const compare = (c: KernelCase, step: string, a: readonly Param[], b: readonly Param[], x: KernelOptimizerUnderTest, y: KernelOptimizerUnderTest): void => {
    for (let k = 0; k < a.length; k++) {
      const found =
        difference(a[k]!.value.data, b[k]!.value.data, `${a[k]!.name}`) ??
        difference(x.paramState(a[k]!.name), y.paramState(b[k]!.name), `state of ${a[k]!.name}`);
      if (found !== undefined) throw new Error(`${where(c)}: ${step}, the kernel differs from update at ${found}`);
    }
  };

  return [
    {
      name: 'should run the kernel when created with these kernels',
      property: fc.property(caseArb, (c) => {
        const optimizer = withKernels(makeParams(c, dtype), c.learningRate);
        if (optimizer.kernel === null) throw new Error(`${where(c)}: the optimizer does not use the kernels (kernel is null)`);
      }),
    },
    {
      name: "should leave the values and state of the plugin's JS update, bit for bit, and undo failed steps alike",
      property: fc.property(caseArb, (c) => {
        const fast = makeParams(c, dtype);
        const slow = makeParams(c, dtype);
        const a = withKernels(fast, c.learningRate);
        const b = createOptimizer(reference, slow, { ...options, learningRate: c.learningRate });
        c.gradients.forEach((gradients, s) => {
          const errorA = tryStep(a, fast, gradients);
          const errorB = tryStep(b, slow, gradients);
          if (errorA !== errorB) {
            throw new Error(`${where(c)}: step ${s + 1} gave ${show(errorA ?? 'no error')} with the kernel, ${show(errorB ?? 'no error')} with update`);
          }
          compare(c, `after step ${s + 1}${errorA === undefined ? '' : ' (undone)'}`, fast, slow, a, b);
        });
      }),
    },
    {
      name: 'should continue bit-identically after getState, JSON and loadState into a fresh optimizer with the kernels',
      property: fc.property(caseArb, fc.integer({ min: 0, max: 3 }), (c, cut) => {
        const params = makeParams(c, dtype);
        const original = withKernels(params, c.learningRate);
        const before = Math.min(cut, c.gradients.length);
        for (let s = 0; s < before; s++) tryStep(original, params, c.gradients[s]!);
        const copies = params.map((p) => new Param(p.name, p.value.clone()));
        const restored = withKernels(copies, c.learningRate);
        restored.loadState(JSON.parse(JSON.stringify(original.getState())));
        for (let s = before; s < c.gradients.length; s++) {
          tryStep(original, params, c.gradients[s]!);
          tryStep(restored, copies, c.gradients[s]!);
          compare(c, `step ${s + 1} after loading at ${before}`, copies, params, restored, original);
        }
      }),
    },
  ];
}
