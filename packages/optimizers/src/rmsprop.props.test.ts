import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DType, Param, Tensor, allocate } from '@rnnkit/tensor';
import { createOptimizer } from './optimizer.js';
import type { OptimizerPlugin } from './plugin.js';
import { NonFiniteStepError } from './rollback.js';
import { type RmspropOptions, type RmspropState, rmsprop, rmspropFloat32, rmspropFloat64 } from './rmsprop.js';

// rmsprop's `updateInPlace` (the runner's fast path) against its generic `update` followed
// by the runner's `value += update`: the same values and state, bit for bit, in every
// setting that changes the maths and in both dtypes.

/** rmsprop without its fast path: the runner then calls `update` and adds the result. */
const generic = { ...rmsprop, updateInPlace: undefined } as OptimizerPlugin<RmspropOptions, RmspropState>;

const optionsArb = fc.record({
  rho: fc.double({ min: 0, max: 0.999, noNaN: true }),
  momentum: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 0.99, noNaN: true })),
  epsilon: fc.oneof(fc.constant(0), fc.double({ min: 1e-10, max: 1e-3, noNaN: true })),
  centered: fc.boolean(),
});

const valueArb = fc.double({ min: -10, max: 10, noNaN: true });

/** 1–3 parameters of 1–6 values, and the gradients of 1–4 steps for each. */
const problemArb = fc
  .array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 3 })
  .chain((sizes) =>
    fc.record({
      values: fc.tuple(...sizes.map((n) => fc.array(valueArb, { minLength: n, maxLength: n }))),
      steps: fc.array(fc.tuple(...sizes.map((n) => fc.array(valueArb, { minLength: n, maxLength: n }))), {
        minLength: 1,
        maxLength: 4,
      }),
    }),
  );

function makeParams(values: readonly (readonly number[])[], dtype: DType): Param[] {
  return values.map((v, k) => {
    const data = allocate(dtype, v.length);
    data.set(v);
    return new Param(`p${k}`, new Tensor(data, [v.length]));
  });
}

function sameBits(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

describe('rmsprop updateInPlace (properties)', () => {
  it('should give the values and state of update followed by value += update, bit for bit', () => {
    fc.assert(
      fc.property(
        problemArb,
        optionsArb,
        fc.double({ min: 1e-4, max: 1, noNaN: true }),
        fc.constantFrom<DType>('float32', 'float64'),
        fc.boolean(),
        ({ values, steps }, options, learningRate, dtype, clip) => {
          const fast = makeParams(values, dtype);
          const slow = makeParams(values, dtype);
          // Clipping hands the plugin a buffer of the runner's instead of param.grad.
          const runner = clip ? { learningRate, clipNorm: 1 } : { learningRate };
          const a = createOptimizer(rmsprop, fast, { ...options, ...runner });
          const b = createOptimizer(generic, slow, { ...options, ...runner });
          steps.forEach((grads, s) => {
            // epsilon 0 with a zero gradient divides 0 by 0: both paths must refuse that
            // step alike (the runner undoes it) and agree on everything after.
            const refusals: string[] = [];
            for (const [params, optimizer] of [
              [fast, a],
              [slow, b],
            ] as const) {
              optimizer.zeroGrad();
              params.forEach((p, k) => p.grad.data.set(grads[k]!));
              try {
                optimizer.step();
                refusals.push('none');
              } catch (error) {
                if (!(error instanceof NonFiniteStepError)) throw error;
                refusals.push(`${error.parameter} ${error.index.join(',')} ${error.value}`);
              }
            }
            if (refusals[0] !== refusals[1]) throw new Error(`step ${s + 1}: fast path ${refusals[0]}, generic path ${refusals[1]}`);
            fast.forEach((p, k) => {
              if (!sameBits(p.value.data, slow[k]!.value.data)) {
                throw new Error(`step ${s + 1}: ${p.name} is ${p.value.data}, the generic path gives ${slow[k]!.value.data}`);
              }
              const x = a.paramState(p.name)!;
              const y = b.paramState(p.name)!;
              for (const key of ['meanSquare', 'meanGradient', 'momentum'] as const) {
                if (!sameBits(x[key], y[key])) throw new Error(`step ${s + 1}: ${p.name} state ${key} differs`);
              }
            });
          });
        },
      ),
      { numRuns: 200 },
    );
  });

  it('should run the same code in its float32 and float64 kernels', () => {
    // Float32 rounding hides most differences in the float64 maths from the property above,
    // so this guards the float32 kernel: once types are stripped, only the name differs.
    const body = (f: (...args: never[]) => void, name: string): string => f.toString().replace(name, 'kernel');
    expect(body(rmspropFloat32, 'rmspropFloat32')).toBe(body(rmspropFloat64, 'rmspropFloat64'));
  });

  it('should fall back to the generic maths for mixed dtypes', () => {
    // A float32 parameter with float64 state: no dtype-specialised kernel applies.
    fc.assert(
      fc.property(
        fc.array(valueArb, { minLength: 1, maxLength: 6 }).chain((v) =>
          fc.tuple(fc.constant(v), fc.array(valueArb, { minLength: v.length, maxLength: v.length })),
        ),
        optionsArb,
        ([values, grads], options) => {
          const n = values.length;
          const context = (value: Float32Array) => ({
            value,
            grad: Float32Array.from(grads),
            state: { meanSquare: new Float64Array(n), meanGradient: new Float64Array(n), momentum: new Float64Array(n) },
            step: 1,
            lr: 0.01,
            options,
            out: new Float64Array(n),
            param: new Param('w', new Tensor(value, [n])),
          });
          const fast = context(Float32Array.from(values));
          const slow = context(Float32Array.from(values));
          const state = rmsprop.updateInPlace!(fast);
          const { update } = rmsprop.update(slow);
          for (let i = 0; i < n; i++) slow.value[i] = slow.value[i]! + update[i]!;
          if (state !== fast.state) throw new Error('updateInPlace must return the state it updated');
          if (!sameBits(fast.value, slow.value)) throw new Error(`values ${fast.value} vs ${slow.value}`);
          if (!sameBits(fast.state.meanSquare, slow.state.meanSquare)) throw new Error('meanSquare differs');
        },
      ),
    );
  });
});
