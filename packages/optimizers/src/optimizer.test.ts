import { describe, expect, it } from 'vitest';
import { Param, RnnkitError, Tensor, zeros } from '@rnnkit/tensor';
import { adam } from './adam.js';
import { loadOptimizer } from './load-optimizer.js';
import { createOptimizer } from './optimizer.js';
import { defineOptimizer } from './plugin.js';
import { rmspropNesterov } from './rmsprop-nesterov.js';
import { cosineDecay } from './schedules.js';
import { sgd } from './sgd.js';
import { param } from './test-support.js';

/** Two float32 params of a tiny model, with some gradient. */
function model(): { kernel: Param; bias: Param } {
  const kernel = new Param('kernel', new Tensor(Float32Array.from([0.5, -0.25, 1, 2]), [2, 2]));
  const bias = new Param('bias', new Tensor(Float32Array.from([0.1, -0.1]), [2]));
  return { kernel, bias };
}

/** Sets a deterministic, step-dependent gradient ∝ the values (so trajectories differ by state). */
function fakeBackward(params: readonly Param[], step: number): void {
  for (const p of params) {
    for (let i = 0; i < p.value.size; i++) p.grad.data[i] = p.value.data[i]! * 0.3 + Math.sin(step + i) * 0.1;
  }
}

function run(optimizer: { zeroGrad(): void; beforeGradient(): void; step(): void }, params: Param[], from: number, to: number): void {
  for (let s = from; s < to; s++) {
    optimizer.zeroGrad();
    optimizer.beforeGradient();
    fakeBackward(params, s);
    optimizer.step();
  }
}

function thrown(f: () => unknown): RnnkitError {
  try {
    f();
  } catch (error) {
    if (error instanceof RnnkitError) return error;
    throw error;
  }
  throw new Error('expected an RnnkitError');
}

describe('createOptimizer', () => {
  it('should leave a non-trainable parameter and its state alone', () => {
    const { kernel, bias } = model();
    bias.trainable = false;
    const before = Array.from(bias.value.data);
    const optimizer = createOptimizer(adam, [kernel, bias], { learningRate: 0.1 });
    run(optimizer, [kernel, bias], 0, 3);
    expect(Array.from(bias.value.data)).toEqual(before);
    expect(Array.from(optimizer.paramState('bias')!.m)).toEqual([0, 0]);
    expect(Array.from(kernel.value.data)).not.toEqual([0.5, -0.25, 1, 2]);
  });

  it("should update only the included parameters (experiment 1's Adam: weight matrices only)", () => {
    const { kernel, bias } = model();
    const before = Array.from(bias.value.data);
    const optimizer = createOptimizer(adam, [kernel, bias], { include: (p) => p.value.rank === 2 });
    run(optimizer, [kernel, bias], 0, 2);
    expect(Array.from(bias.value.data)).toEqual(before);
    expect(optimizer.paramState('bias')).toBeUndefined();
    expect(Object.keys(optimizer.getState().params)).toEqual(['kernel']);
  });

  it('should zero the gradients of every parameter, included or not', () => {
    const { kernel, bias } = model();
    bias.trainable = false;
    const optimizer = createOptimizer(sgd, [kernel, bias], { include: (p) => p.name === 'kernel' });
    fakeBackward([kernel, bias], 1);
    optimizer.zeroGrad();
    expect([...kernel.grad.data, ...bias.grad.data]).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('should key parameters by the record keys when names repeat', () => {
    const a = param('kernel', [1]);
    const b = param('kernel', [2]);
    expect(() => createOptimizer(sgd, [a, b])).toThrow(/parameter name "kernel" appears twice/);
    const optimizer = createOptimizer(sgd, { 'dense/kernel': a, 'dense_1/kernel': b });
    expect(optimizer.keys).toEqual(['dense/kernel', 'dense_1/kernel']);
  });

  it('should update state arrays in place instead of allocating new ones each step', () => {
    const { kernel, bias } = model();
    const optimizer = createOptimizer(adam, [kernel, bias]);
    const { m, v } = optimizer.paramState('kernel')!;
    run(optimizer, [kernel, bias], 0, 3);
    expect(optimizer.paramState('kernel')!.m).toBe(m);
    expect(optimizer.paramState('kernel')!.v).toBe(v);
    expect(m.some((x) => x !== 0)).toBe(true);
  });

  it('should count iterations and apply a schedule with decay on top', () => {
    const p = param('w', [1]);
    const optimizer = createOptimizer(sgd, [p], {
      learningRate: cosineDecay({ initialLearningRate: 0.2, decaySteps: 2 }),
      decay: 1,
    });
    // t = 0: 0.2·1/(1+0); t = 1: 0.2·0.5/(1+1) = 0.05.
    expect(optimizer.learningRate).toBeCloseTo(0.2, 15);
    run(optimizer, [p], 0, 1);
    expect(optimizer.iterations).toBe(1);
    expect(optimizer.learningRate).toBeCloseTo(0.05, 15);
    optimizer.setLearningRate(0.5);
    expect(optimizer.learningRate).toBeCloseTo(0.25, 15);
  });

  it('should name the optimizer and list the valid keys for an unknown option', () => {
    const error = thrown(() => createOptimizer(adam, [param('w', [1])], { beta3: 1 } as never));
    expect(error.api).toBe('adam');
    expect(error.message).toBe(
      'adam: unknown option "beta3"; valid options are beta1, beta2, epsilon, amsgrad, learningRate, decay, clipValue, clipNorm, globalClipNorm, include, kernels',
    );
  });

  it.each([
    [{ learningRate: -0.1 }, /^sgd: learningRate must be a finite number ≥ 0 or a schedule, got number -0.1/],
    [{ learningRate: NaN }, /^sgd: learningRate must be a finite number ≥ 0/],
    [{ decay: -1 }, /^sgd: decay must be a finite number ≥ 0/],
    [{ clipNorm: 0 }, /^sgd: clipNorm must be a finite number > 0, got number 0/],
    [{ clipValue: -1 }, /^sgd: clipValue must be a finite number > 0/],
    [{ globalClipNorm: Infinity }, /^sgd: globalClipNorm must be a finite number > 0/],
    [{ momentum: 'high' }, /^sgd: option "momentum" must be a finite number, got "high"/],
    [{ nesterov: 1 }, /^sgd: option "nesterov" must be a boolean/],
    [{ momentum: -0.5 }, /^sgd: momentum must be in \[0, 1\), got -0.5/],
    [{ include: true }, /^sgd: include must be a function/],
  ])('should refuse the invalid options %o', (options, message) => {
    expect(() => createOptimizer(sgd, [param('w', [1])], options as never)).toThrow(message);
  });

  it('should refuse something that is not a plugin or not a Param', () => {
    expect(() => createOptimizer({ name: 'adam' } as never, [])).toThrow(
      /^createOptimizer: expected an optimizer plugin made with defineOptimizer/,
    );
    expect(() => createOptimizer(sgd, [zeros([2])] as never)).toThrow(/^sgd: parameter "#0" is not a Param/);
    expect(() => createOptimizer(sgd, 'w' as never)).toThrow(/^sgd: expected an array of Params or a record of Params/);
  });

  it('should call updateInPlace instead of update when the plugin has it, for trainable included parameters', () => {
    const calls: string[] = [];
    const halve = defineOptimizer({
      name: 'halve',
      defaults: {},
      init: () => ({ steps: [0] }),
      update: () => {
        throw new Error('update must not run when updateInPlace is given');
      },
      updateInPlace: ({ value, state, param: p }) => {
        calls.push(p.name);
        for (let i = 0; i < value.length; i++) value[i] = value[i]! / 2;
        return { steps: [state.steps[0]! + 1] };
      },
    });
    const { kernel, bias } = model();
    const frozen = new Param('frozen', new Tensor(Float32Array.from([8]), [1]), { trainable: false });
    const optimizer = createOptimizer(halve, [kernel, bias, frozen]);
    optimizer.step();
    optimizer.step();
    expect(calls).toEqual(['kernel', 'bias', 'kernel', 'bias']);
    expect(Array.from(kernel.value.data)).toEqual([0.125, -0.0625, 0.25, 0.5]);
    expect(Array.from(frozen.value.data)).toEqual([8]);
    // The returned state replaces the old one, as update's does.
    expect(optimizer.paramState('kernel')).toEqual({ steps: [2] });
    expect(optimizer.iterations).toBe(2);
  });

  it('should refuse an updateInPlace that returns no state object', () => {
    const broken = defineOptimizer({
      name: 'noState',
      defaults: {},
      init: () => ({}),
      update: ({ state, out }) => ({ update: out, state }),
      updateInPlace: () => undefined as never,
    });
    expect(() => createOptimizer(broken, [param('w', [1])]).step()).toThrow(
      'noState: updateInPlace must return the state object for "w", got undefined',
    );
  });

  it('should refuse an update of the wrong length from a plugin', () => {
    const broken = defineOptimizer({
      name: 'broken',
      defaults: {},
      init: () => ({}),
      update: ({ state }) => ({ update: new Float64Array(1), state }),
    });
    expect(() => createOptimizer(broken, [param('w', [1, 2])]).step()).toThrow(
      'broken: update must return { update, state } with 2 update values for "w", got 1',
    );
  });

  it('should refuse a schedule value that is not a finite number ≥ 0', () => {
    const optimizer = createOptimizer(sgd, [param('w', [1])], {
      learningRate: { name: 'bad', config: {}, valueAt: () => NaN },
    });
    expect(() => optimizer.step()).toThrow(/^sgd: learning rate at iteration 0 is NaN/);
  });
});

describe('getState and loadState', () => {
  it('should continue bit-identically after a JSON round-trip into a fresh optimizer (float32, look-ahead)', () => {
    for (const [plugin, options] of [
      [adam, { amsgrad: true, clipNorm: 0.5 }],
      [rmspropNesterov, { epsilonAfterDivision: true }],
      [sgd, { momentum: 0.9, nesterov: true, globalClipNorm: 0.1 }],
    ] as const) {
      const original = model();
      const originalParams = [original.kernel, original.bias];
      const a = createOptimizer(plugin as typeof adam, originalParams, options as never);
      run(a, originalParams, 0, 4);
      const saved = JSON.parse(JSON.stringify(a.getState()));

      const copy = model();
      copy.kernel.value.assign(original.kernel.value);
      copy.bias.value.assign(original.bias.value);
      const copyParams = [copy.kernel, copy.bias];
      const b = createOptimizer(plugin as typeof adam, copyParams, options as never);
      b.loadState(saved);
      expect(b.iterations).toBe(4);
      run(a, originalParams, 4, 8);
      run(b, copyParams, 4, 8);
      expect(Array.from(copy.kernel.value.data)).toEqual(Array.from(original.kernel.value.data));
      expect(Array.from(copy.bias.value.data)).toEqual(Array.from(original.bias.value.data));
    }
  });

  it('should save plain JSON data naming the plugin, the step and each parameter', () => {
    const { kernel, bias } = model();
    const optimizer = createOptimizer(sgd, [kernel, bias], { momentum: 0.5 });
    run(optimizer, [kernel, bias], 0, 2);
    const state = optimizer.getState();
    expect(JSON.parse(JSON.stringify(state))).toEqual(state);
    expect(state).toMatchObject({
      format: 'rnnkit.optimizer',
      version: 1,
      optimizer: 'sgd',
      iterations: 2,
      options: { momentum: 0.5, nesterov: false },
      learningRate: 0.01,
    });
    expect(state.params.bias).toEqual({
      shape: [2],
      state: { velocity: { $typedArray: 'float32', values: Array.from(optimizer.paramState('bias')!.velocity) } },
    });
  });

  it('should recreate an optimizer with loadOptimizer from the plugins passed', () => {
    const original = model();
    const a = createOptimizer(adam, [original.kernel, original.bias], {
      beta1: 0.8,
      learningRate: cosineDecay({ initialLearningRate: 0.1, decaySteps: 10 }),
      clipValue: 0.05,
      include: (p) => p.name === 'kernel',
    });
    run(a, [original.kernel, original.bias], 0, 3);
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const copy = model();
    copy.kernel.value.assign(original.kernel.value);
    copy.bias.value.assign(original.bias.value);
    const b = loadOptimizer(saved, [copy.kernel, copy.bias], { plugins: [sgd, adam] });
    expect(b.name).toBe('adam');
    expect(b.options).toMatchObject({ beta1: 0.8 });
    expect(b.learningRate).toBe(a.learningRate);
    run(a, [original.kernel, original.bias], 3, 6);
    run(b, [copy.kernel, copy.bias], 3, 6);
    expect(Array.from(copy.kernel.value.data)).toEqual(Array.from(original.kernel.value.data));
    expect(Array.from(copy.bias.value.data)).toEqual(Array.from(original.bias.value.data));
  });

  it('should search the built-in plugins when none are passed, and refuse unknown options', () => {
    const { kernel, bias } = model();
    const a = createOptimizer(adam, [kernel, bias], { learningRate: 0.1 });
    run(a, [kernel, bias], 0, 2);
    const b = loadOptimizer(a.getState(), [kernel, bias]);
    expect(b.plugin).toBe(adam);
    expect(b.getState()).toEqual(a.getState());
    expect(b.params).toEqual([kernel, bias]);
    expect(() => loadOptimizer(a.getState(), [kernel, bias], { learningrate: 0.1 } as never)).toThrow(
      'loadOptimizer: unknown option "learningrate"; valid options are plugins, learningRate, decay, clipValue, clipNorm, globalClipNorm, include, kernels',
    );
  });

  it('should name the saved optimizer and list the plugins passed when it is not among them', () => {
    const saved = createOptimizer(adam, [param('w', [1])]).getState();
    expect(() => loadOptimizer(saved, [param('w', [1])], { plugins: [sgd, rmspropNesterov] })).toThrow(
      'loadOptimizer: saved state is for optimizer "adam", which is not among the plugins passed ("sgd", "rmspropNesterov"); pass its plugin in options.plugins',
    );
  });

  it('should ask for a custom schedule again', () => {
    const optimizer = createOptimizer(sgd, [param('w', [1])], {
      learningRate: { name: 'warmup', config: {}, valueAt: (t) => Math.min(1, t / 10) },
    });
    const saved = optimizer.getState();
    expect(() => loadOptimizer(saved, [param('w', [1])], { plugins: [sgd] })).toThrow(
      /^loadOptimizer: saved learning rate schedule "warmup" is not built in; pass it again as options.learningRate/,
    );
    expect(loadOptimizer(saved, [param('w', [1])], { plugins: [sgd], learningRate: 0.5 }).learningRate).toBe(0.5);
  });

  it('should refuse a state saved by another optimizer', () => {
    const saved = createOptimizer(adam, [param('w', [1])]).getState();
    expect(() => createOptimizer(sgd, [param('w', [1])]).loadState(saved)).toThrow(
      'sgd.loadState: saved state is for optimizer "adam", this optimizer is "sgd"',
    );
  });

  it('should list missing and unexpected parameters', () => {
    const saved = createOptimizer(sgd, [param('a', [1]), param('b', [1])]).getState();
    expect(() => createOptimizer(sgd, [param('a', [1]), param('c', [1])]).loadState(saved)).toThrow(
      'sgd.loadState: saved state has parameters [a, b] but this optimizer updates [a, c]; missing: c; not in this optimizer: b',
    );
  });

  it('should refuse a state saved for another shape or other options', () => {
    const saved = createOptimizer(adam, [param('w', [1, 2])]).getState();
    expect(() => createOptimizer(adam, [param('w', [1, 2, 3])]).loadState(saved)).toThrow(
      'adam.loadState: parameter "w" has shape [3], the saved state is for [2]',
    );
    expect(() => createOptimizer(adam, [param('w', [1, 2])], { amsgrad: true }).loadState(saved)).toThrow(
      'adam.loadState: saved state does not fit at params["w"].state.vMax: expected float64[2], got float64[0]',
    );
  });

  it('should leave the optimizer untouched when a state is refused', () => {
    const optimizer = createOptimizer(sgd, [param('a', [1]), param('b', [1])], { momentum: 0.5 });
    const before = optimizer.getState();
    const saved = JSON.parse(JSON.stringify(before));
    saved.iterations = 7;
    saved.params.b.state.velocity.values = [1, 2];
    expect(() => optimizer.loadState(saved)).toThrow(/params\["b"\]\.state\.velocity/);
    expect(optimizer.getState()).toEqual(before);
  });

  it('should refuse something that is not a saved state', () => {
    const optimizer = createOptimizer(sgd, [param('w', [1])]);
    expect(() => optimizer.loadState({} as never)).toThrow(/^sgd.loadState: expected a saved optimizer state/);
    expect(() => optimizer.loadState({ ...optimizer.getState(), version: 2 } as never)).toThrow(
      /version 2; this version reads 1/,
    );
  });
});

describe('defineOptimizer', () => {
  it('should refuse a definition that reuses a runner option name', () => {
    expect(() =>
      defineOptimizer({ name: 'x', defaults: { learningRate: 1 }, init: () => ({}), update: (c) => ({ update: c.out, state: c.state }) }),
    ).toThrow('defineOptimizer: x: option "learningRate" is reserved for the optimizer runner');
  });

  it('should refuse an unknown definition key, listing the valid ones', () => {
    const definition = { name: 'typo', defaults: {}, init: () => ({}), update: () => ({ update: [], state: {} }), defaultLearningrate: 0.1 };
    expect(() => defineOptimizer(definition as never)).toThrow(
      'defineOptimizer: typo: unknown definition key "defaultLearningrate"; valid keys are name, defaults, defaultLearningRate, validate, init, beforeGradient, update, updateInPlace, kernel, kind',
    );
  });

  it('should refuse a definition without a name or an update', () => {
    expect(() => defineOptimizer({ name: '', defaults: {}, init: () => ({}) } as never)).toThrow(
      /^defineOptimizer: name must be a non-empty identifier-like string/,
    );
    expect(() => defineOptimizer({ name: 'x', defaults: {}, init: () => ({}) } as never)).toThrow(
      'defineOptimizer: x: update must be a function',
    );
  });

  it('should refuse an updateInPlace that is not a function', () => {
    expect(() =>
      defineOptimizer({
        name: 'x',
        defaults: {},
        init: () => ({}),
        update: (c) => ({ update: c.out, state: c.state }),
        updateInPlace: 1 as never,
      }),
    ).toThrow('defineOptimizer: x: updateInPlace must be a function when given');
  });

  it('should refuse state that is not plain data when the optimizer is created', () => {
    const plugin = defineOptimizer({
      name: 'mapState',
      defaults: {},
      init: () => ({ cache: new Map() }) as never,
      update: (c) => ({ update: c.out, state: c.state }),
    });
    expect(() => createOptimizer(plugin, [param('w', [1])])).toThrow(
      /^mapState: state must be plain data .* got a Map at state of "w".cache/,
    );
  });
});
