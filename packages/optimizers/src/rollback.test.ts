import { describe, expect, it } from 'vitest';
import { Param, Tensor } from '@rnnkit/tensor';
import { adam } from './adam.js';
import { getOptimizer } from './built-in.js';
import { createOptimizer } from './optimizer.js';
import { defineOptimizer } from './plugin.js';
import { rmspropNesterov } from './rmsprop-nesterov.js';
import { NonFiniteStepError, copyState } from './rollback.js';
import { sgd } from './sgd.js';
import { param } from './test-support.js';

function float32Param(name: string, values: readonly number[], shape: number[]): Param {
  return new Param(name, new Tensor(Float32Array.from(values), shape));
}

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

describe('a step that would leave a non-finite value', () => {
  it('should be undone and name the parameter, the index and the step (float32 overflow)', () => {
    const bias = float32Param('bias', [1, 2], [2]);
    const kernel = float32Param('kernel', [0.5, -0.25, 1, 2], [2, 2]);
    const optimizer = createOptimizer(sgd, [bias, kernel], { learningRate: 1e30 });
    bias.grad.data.set([1e-30, 1e-30]);
    kernel.grad.data.set([0, 0, 0, -1e10]); // 1e40 overflows float32 at [1, 1]
    const error = caught(() => optimizer.step());
    expect(error).toBeInstanceOf(NonFiniteStepError);
    expect((error as Error).message).toBe(
      'sgd: step 1 would write Infinity into kernel at [1, 1]; the step was undone (values and optimizer state are as before it). ' +
        'Lower the learning rate or clip gradients',
    );
    expect((error as NonFiniteStepError).parameter).toBe('kernel');
    expect((error as NonFiniteStepError).index).toEqual([1, 1]);
    // bias was updated before kernel failed; it is put back too.
    expect(Array.from(bias.value.data)).toEqual([1, 2]);
    expect(Array.from(kernel.value.data)).toEqual([0.5, -0.25, 1, 2]);
    expect(optimizer.iterations).toBe(0);
    optimizer.setLearningRate(0.1);
    optimizer.step();
    expect(optimizer.iterations).toBe(1);
    expect(kernel.value.data[3]).toBeCloseTo(2 + 1e9, -3);
  });

  it('should catch a non-finite value at every offset, odd sizes included, in float32 and float64', () => {
    // The runner checks the values while adding the update (two lanes and a tail): each
    // offset of each size must still be found, and float32 must be checked after rounding.
    for (const dtype of ['float32', 'float64'] as const) {
      for (let size = 1; size <= 5; size++) {
        for (let at = 0; at < size; at++) {
          const values = Array.from({ length: size }, (_, i) => i + 1);
          const p = new Param('w', new Tensor(dtype === 'float32' ? Float32Array.from(values) : Float64Array.from(values), [size]));
          const optimizer = createOptimizer(sgd, [p], { learningRate: 1 });
          // float32: 3e38 + 3e38 is finite in float64 and overflows once rounded; float64: NaN.
          p.value.data[at] = 3e38;
          p.grad.data[at] = dtype === 'float32' ? -3e38 : Number.NaN;
          const error = caught(() => optimizer.step());
          expect(error, `${dtype} size ${size} at ${at}`).toBeInstanceOf(NonFiniteStepError);
          expect((error as NonFiniteStepError).index).toEqual([at]);
          expect(p.value.data[at]).toBe(dtype === 'float32' ? Math.fround(3e38) : 3e38);
        }
      }
    }
  });

  it('should scan the values a plugin changed in place and undo its step', () => {
    const spoil = defineOptimizer({
      name: 'spoil',
      defaults: {},
      init: () => ({}),
      update: () => {
        throw new Error('update must not run when updateInPlace is given');
      },
      updateInPlace: ({ value, state }) => {
        value[2] = Number.NEGATIVE_INFINITY;
        return state;
      },
    });
    const p = float32Param('w', [1, 2, 3], [3]);
    const optimizer = createOptimizer(spoil, [p], { learningRate: 1 });
    const error = caught(() => optimizer.step());
    expect((error as Error).message).toBe(
      'spoil: step 1 would write -Infinity into w at [2]; the step was undone (values and optimizer state are as before it). ' +
        'Lower the learning rate or clip gradients',
    );
    expect(Array.from(p.value.data)).toEqual([1, 2, 3]);
  });

  it('should put back the plugin state updated in place (adam, a NaN gradient)', () => {
    const w = param('w', [1, 2, 3]);
    const optimizer = createOptimizer(adam, [w], { learningRate: 0.1 });
    w.grad.data.set([0.5, -0.5, 1]);
    optimizer.step();
    const { m, v } = optimizer.paramState('w')!;
    const before = { values: Array.from(w.value.data), m: Array.from(m), v: Array.from(v), state: optimizer.getState() };
    w.grad.data.set([0.5, NaN, 1]);
    expect(() => optimizer.step()).toThrow(/^adam: step 2 would write NaN into w at \[1\]; the step was undone/);
    expect(Array.from(w.value.data)).toEqual(before.values);
    expect(Array.from(optimizer.paramState('w')!.m)).toEqual(before.m);
    expect(Array.from(optimizer.paramState('w')!.v)).toEqual(before.v);
    expect(optimizer.getState()).toEqual(before.state);
  });

  it('should undo the look-ahead too, to the values before beforeGradient()', () => {
    const w = param('w', [1, 2]);
    const optimizer = createOptimizer(rmspropNesterov, [w], { learningRate: 0.01 });
    for (let s = 0; s < 2; s++) {
      optimizer.beforeGradient();
      w.grad.data.set([0.3, -0.2]);
      optimizer.step();
    }
    const values = Array.from(w.value.data);
    const state = optimizer.getState();
    optimizer.beforeGradient();
    expect(Array.from(w.value.data)).not.toEqual(values); // the look-ahead moved them
    w.grad.data.set([Infinity, 0]);
    expect(() => optimizer.step()).toThrow(NonFiniteStepError);
    expect(Array.from(w.value.data)).toEqual(values);
    expect(optimizer.getState()).toEqual(state);
    expect(optimizer.getState().lookaheadApplied).toBe(false);
    // Training goes on as if the failed step had never been tried.
    optimizer.beforeGradient();
    w.grad.data.set([0.3, -0.2]);
    optimizer.step();
    expect(optimizer.iterations).toBe(3);
  });

  it('should undo the step when the plugin throws half-way', () => {
    let calls = 0;
    const flaky = defineOptimizer({
      name: 'flaky',
      defaults: {},
      init: () => ({ count: 0 }),
      update: ({ grad, out, state, param: p }) => {
        if (p.name === 'b' && ++calls === 1) throw new Error('boom');
        for (let i = 0; i < grad.length; i++) out[i] = -grad[i]!;
        return { update: out, state: { count: state.count + 1 } };
      },
    });
    const a = param('a', [1]);
    const b = param('b', [2]);
    const optimizer = createOptimizer(flaky, [a, b]);
    a.grad.data.set([1]);
    b.grad.data.set([1]);
    expect(() => optimizer.step()).toThrow('boom');
    expect([a.value.data[0], b.value.data[0], optimizer.paramState('a')!.count, optimizer.iterations]).toEqual([1, 2, 0, 0]);
    optimizer.step();
    expect([a.value.data[0], b.value.data[0], optimizer.paramState('a')!.count, optimizer.iterations]).toEqual([0, 1, 1, 1]);
  });
});

describe('copyState', () => {
  it('should copy deeply and reuse the arrays of a target of the same structure', () => {
    const source = { m: Float32Array.from([1, 2]), list: [Float64Array.from([3]), 4], flag: true };
    const first = copyState(source, undefined) as typeof source;
    expect(first).toEqual(source);
    expect(first.m).not.toBe(source.m);
    source.m[0] = 9;
    const second = copyState(source, first) as typeof source;
    expect(second).toBe(first);
    expect(second.m).toBe(first.m);
    expect(Array.from(second.m)).toEqual([9, 2]);
  });
});

describe('getOptimizer', () => {
  it('should give the built-in plugin of a name and list the names for an unknown one', () => {
    expect(getOptimizer('adam')).toBe(adam);
    expect(getOptimizer('sgd')).toBe(sgd);
    expect(() => getOptimizer('adma')).toThrow(
      'getOptimizer: unknown optimizer "adma"; built-in optimizers are sgd, rmsprop, rmspropNesterov, adam, adamw, adamax, adagrad, adadelta, or pass a plugin (such as lion from @rnnkit/optimizer-lion)',
    );
    expect(() => getOptimizer('toString')).toThrow(/unknown optimizer "toString"/);
  });
});
