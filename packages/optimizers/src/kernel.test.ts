import { Param, type DType, tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { type OptimizerKernelLayout, type OptimizerKernels, optimizerKernelsOf } from './kernel.js';
import { loadOptimizer } from './load-optimizer.js';
import { createOptimizer } from './optimizer.js';
import { defineOptimizer } from './plugin.js';
import { NonFiniteStepError } from './rollback.js';
import { rmsprop } from './rmsprop.js';
import { rmspropNesterov } from './rmsprop-nesterov.js';
import { sgd } from './sgd.js';

/**
 * A set of kernels written in JavaScript over one ArrayBuffer (what a WebAssembly module's
 * memory is): SGD's update, as `sgd`'s JS `update` computes it. Counts its calls.
 */
function jsKernels(): OptimizerKernels & { runs: number; layouts: OptimizerKernelLayout[]; slots: Float32Array[] } {
  const kernels = {
    family: 'optimizer' as const,
    name: 'js test kernels',
    runs: 0,
    layouts: [] as OptimizerKernelLayout[],
    slots: [] as Float32Array[],
    supports: (kernel: string, dtype: DType, slots: number, scalars: number) =>
      kernel === 'rnnkit.sgd' && dtype === 'float32' && slots === 1 && scalars === 3,
    allocate(layout: OptimizerKernelLayout) {
      kernels.layouts.push(layout);
      const total = layout.params.reduce((sum, p) => sum + 3 * p.size + p.slots[0]!, 0);
      const memory = new Float32Array(total);
      let at = 0;
      const take = (n: number): Float32Array => memory.subarray(at, (at += n));
      const params = layout.params.map((p) => ({ value: take(p.size), grad: take(p.size), slots: [take(p.slots[0]!)] }));
      kernels.slots.push(...params.map((p) => p.slots[0]!));
      const saved = params.map((p) => new Float32Array(p.slots[0]!.length));
      return {
        params,
        save: () => params.forEach((p, k) => saved[k]!.set(p.slots[0]!)),
        restore: () => params.forEach((p, k) => p.slots[0]!.set(saved[k]!)),
        run(k: number, s: Float64Array) {
          kernels.runs++;
          const { value, grad, slots } = params[k]!;
          const velocity = slots[0]!;
          let finite = true;
          for (let i = 0; i < value.length; i++) {
            const step = s[1]! * grad[i]!;
            const v = s[0]! * velocity[i]! - step;
            velocity[i] = v;
            value[i] = value[i]! + (s[2] === 1 ? s[0]! * velocity[i]! - step : v);
            finite &&= Number.isFinite(value[i]!);
          }
          return finite;
        },
      };
    },
  };
  return kernels;
}

/** RMSprop's own update under another identity, counting its calls: what a copy with a replaced update runs. */
let twinCalls = 0;
const rmspropUpdateTwin: typeof rmsprop.update = function (this: unknown, context) {
  twinCalls++;
  return rmsprop.update.call(this, context);
};

function params(): Param[] {
  return [new Param('w', tensor([[0.5, -1.5, 2], [1, 0, -3]])), new Param('b', tensor([0.25, -0.75]))];
}

function setGradients(ps: readonly Param[], scale: number): void {
  ps.forEach((p, k) => p.grad.data.forEach((_, i) => (p.grad.data[i] = scale * (i + 1) * (k === 0 ? 1 : -2))));
}

describe('optimizer kernels', () => {
  it("should run the plugin's kernel from the kernels passed, keep the state in its memory, and match update bit for bit", () => {
    const kernels = jsKernels();
    const fast = params();
    const slow = params();
    const a = createOptimizer(sgd, fast, { learningRate: 0.1, momentum: 0.9, nesterov: true, kernels: [kernels] });
    const b = createOptimizer(sgd, slow, { learningRate: 0.1, momentum: 0.9, nesterov: true });
    expect(a.kernel).toBe('js test kernels: rnnkit.sgd');
    expect(b.kernel).toBeNull();
    expect(kernels.layouts).toEqual([{ kernel: 'rnnkit.sgd', dtype: 'float32', params: [{ size: 6, slots: [6] }, { size: 2, slots: [2] }] }]);
    for (let s = 0; s < 3; s++) {
      setGradients(fast, s + 1);
      setGradients(slow, s + 1);
      a.step();
      b.step();
    }
    expect(kernels.runs).toBe(6);
    expect(fast.map((p) => Array.from(p.value.data))).toEqual(slow.map((p) => Array.from(p.value.data)));
    expect(a.getState()).toEqual(b.getState());
    // The state is the kernel's memory, not a copy.
    expect(a.paramState('w')!.velocity).toBe(kernels.slots[0]);
    expect(a.paramState('b')!.velocity).toBe(kernels.slots[1]);
  });

  it('should undo a step whose values would not be finite, values and state, as the JS path does', () => {
    const ps = params();
    const optimizer = createOptimizer(sgd, ps, { learningRate: 0.1, momentum: 0.5, kernels: [jsKernels()] });
    setGradients(ps, 1);
    optimizer.step();
    const values = ps.map((p) => Array.from(p.value.data));
    const state = JSON.stringify(optimizer.getState());
    ps[1]!.grad.data[1] = Infinity;
    let error: unknown;
    try {
      optimizer.step();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(NonFiniteStepError);
    expect((error as NonFiniteStepError).parameter).toBe('b');
    expect((error as NonFiniteStepError).index).toEqual([1]);
    expect(ps.map((p) => Array.from(p.value.data))).toEqual(values);
    expect(JSON.stringify(optimizer.getState())).toBe(state);
    expect(optimizer.iterations).toBe(1);
  });

  it('should load a saved state into the kernel memory and go on as the JS path', () => {
    const kernels = jsKernels();
    const ps = params();
    const source = createOptimizer(sgd, ps, { learningRate: 0.1, momentum: 0.9 });
    setGradients(ps, 1);
    source.step();
    const copies = params().map((p, k) => new Param(p.name, ps[k]!.value.clone()));
    const loaded = createOptimizer(sgd, copies, { learningRate: 0.1, momentum: 0.9, kernels: [kernels] });
    loaded.loadState(JSON.parse(JSON.stringify(source.getState())));
    setGradients(ps, 2);
    setGradients(copies, 2);
    source.step();
    loaded.step();
    expect(copies.map((p) => Array.from(p.value.data))).toEqual(ps.map((p) => Array.from(p.value.data)));
    expect(kernels.runs).toBe(2);
  });

  it('should run the JS update when no kernel fits: none passed, float64 values, a look-ahead plugin, shared memory', () => {
    const kernels = [jsKernels()];
    expect(createOptimizer(sgd, params()).kernel).toBeNull();
    expect(createOptimizer(sgd, [new Param('w', tensor([1, 2], 'float64'))], { kernels }).kernel).toBeNull();
    expect(createOptimizer(rmspropNesterov, params(), { kernels }).kernel).toBeNull();
    const [w] = params();
    const alias = new Param('alias', w!.value);
    expect(createOptimizer(sgd, [w!, alias], { kernels }).kernel).toBeNull();
  });

  it("should not run a copied plugin's old shortcuts once its update is replaced (kernel, updateInPlace)", () => {
    const halve: typeof sgd.update = ({ grad, state, out }) => {
      for (let i = 0; i < grad.length; i++) out[i] = -grad[i]! / 2;
      return { update: out, state };
    };
    const kernels = jsKernels();
    const ps = params();
    const copied = createOptimizer({ ...sgd, update: halve }, ps, { learningRate: 0.1, momentum: 0.9, kernels: [kernels] });
    expect(copied.kernel).toBeNull();
    setGradients(ps, 1);
    copied.step();
    expect(kernels.runs).toBe(0);
    expect(Array.from(ps[1]!.value.data)).toEqual([0.25 + 1, -0.75 + 2]); // gradients −2, −4, halved
    // A copy that keeps its update keeps its kernel; defining a copy with a replaced update and the old shortcuts is refused.
    expect(createOptimizer({ ...sgd, name: 'sgdCopy' }, params(), { kernels: [kernels] }).kernel).toBe('js test kernels: rnnkit.sgd');
    expect(defineOptimizer({ ...sgd, name: 'sgdCopy' }).kernel).toEqual(sgd.kernel);
    expect(() => defineOptimizer({ ...sgd, name: 'halving', update: halve })).toThrow(
      'defineOptimizer: halving: kernel was defined for another update (copied from a plugin whose update was replaced?): define it with the update it computes, or leave it out',
    );
    expect(() => defineOptimizer({ ...rmsprop, name: 'mine', kernel: undefined, update: rmsprop.update })).not.toThrow();
    expect(() => defineOptimizer({ ...rmsprop, name: 'mine', kernel: undefined, update: halve as never })).toThrow('mine: updateInPlace was defined for another update');
    const inPlaceCopy = params();
    const plain = params();
    const viaCopy = createOptimizer({ ...rmsprop, update: rmspropUpdateTwin }, inPlaceCopy, { learningRate: 0.01 });
    const viaPlain = createOptimizer(rmsprop, plain, { learningRate: 0.01 });
    setGradients(inPlaceCopy, 1);
    setGradients(plain, 1);
    viaCopy.step();
    viaPlain.step();
    expect(twinCalls).toBe(2);
    expect(inPlaceCopy.map((p) => Array.from(p.value.data))).toEqual(plain.map((p) => Array.from(p.value.data)));
  });

  it('should refuse kernels that are no optimizer kernels, and a malformed kernel declaration', () => {
    expect(() => createOptimizer(sgd, params(), { kernels: [{ family: 'recurrent' }] as never })).toThrow(
      'sgd: kernels must be an array of optimizer kernels (family "optimizer", such as optimizerKernelsOf(backend.fused)), got [object]',
    );
    expect(() =>
      defineOptimizer({
        name: 'odd',
        defaults: {},
        init: () => ({}),
        update: ({ out, state }) => ({ update: out, state }),
        kernel: { name: 'odd', slots: [], scalarCount: -1, scalars: () => undefined },
      }),
    ).toThrow('defineOptimizer: odd: kernel: scalarCount must be an integer ≥ 0, got -1');
  });

  it('should pick the optimizer kernels out of a list of fused kernels', () => {
    const kernels = jsKernels();
    expect(optimizerKernelsOf([{ family: 'recurrent' }, kernels])).toEqual([kernels]);
    expect(optimizerKernelsOf(undefined)).toEqual([]);
  });
});

describe('loadOptimizer with kernels', () => {
  it('should pass the kernels on to the optimizer it recreates', () => {
    const ps = params();
    const saved = createOptimizer(sgd, ps, { momentum: 0.9 });
    setGradients(ps, 1);
    saved.step();
    const loaded = loadOptimizer(JSON.parse(JSON.stringify(saved.getState())), ps, { kernels: [jsKernels()] });
    expect(loaded.kernel).toBe('js test kernels: rnnkit.sgd');
    expect(loaded.paramState('w')).toEqual(saved.paramState('w'));
  });
});
