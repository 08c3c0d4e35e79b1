// Helpers for this package's tests (not exported from index.ts, not part of the API).
import fc from 'fast-check';
import type { GradientSubject } from '@rnnkit/gradcheck';
import { type DType, type Random, type Shape, Tensor, allocate, shapeSize } from '@rnnkit/tensor';
import type { Layer, RecurrentLayer } from './layer.js';

/** A tensor of uniform values in [low, high). */
export function uniform(shape: Shape, random: Random, dtype: DType = 'float64', low = -1, high = 1): Tensor {
  const data = allocate(dtype, shapeSize(shape));
  random.fillUniform(data, low, high);
  return new Tensor(data, shape);
}

/**
 * Replaces every parameter with normal values (std 0.5), so biases are not zero and the
 * forget bias not one: every term of the backward pass then matters to the check.
 */
export function randomizeParams(layer: Layer, random: Random, std = 0.5): void {
  for (const p of layer.params()) random.fillNormal(p.value.data, 0, std);
}

/** Small `[batch, time, features]` shapes with `units`, and a seed. */
export const recurrentCaseArb = fc.record({
  batch: fc.integer({ min: 1, max: 3 }),
  time: fc.integer({ min: 1, max: 4 }),
  features: fc.integer({ min: 1, max: 3 }),
  units: fc.integer({ min: 1, max: 4 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

export type RecurrentCase = typeof recurrentCaseArb extends fc.Arbitrary<infer T> ? T : never;

function isRecurrent(layer: Layer): layer is RecurrentLayer {
  return typeof (layer as Partial<RecurrentLayer>).backwardWithStates === 'function';
}

/**
 * A gradient-check subject for a layer with the loss `L = Σ y ⊙ w + Σ_s state_s ⊙ v_s`
 * (fixed random w, v), so `∂L/∂y = w` and `∂L/∂state_s = v_s` reach backward as given.
 * `input` chooses what else is checked: the input `x` (default) or initial state `k`
 * (then `initialState` must be given and that tensor is perturbed).
 */
export function layerSubject(
  layer: Layer,
  x: Tensor,
  random: Random,
  options: { readonly initialState?: readonly Tensor[]; readonly input?: 'x' | number; readonly mask?: Tensor } = {},
): GradientSubject {
  const { initialState, mask } = options;
  const forwardOptions = { ...(initialState === undefined ? {} : { initialState }), ...(mask === undefined ? {} : { mask }) };
  const probe = layer.forward(x, forwardOptions);
  const dy = uniform(probe.y.shape, random, layer.dtype);
  const stateGrads = (probe.states ?? []).map((s) => uniform(s.shape, random, layer.dtype));
  const lossOf = (y: Tensor, states: readonly Tensor[] | undefined): number => {
    let sum = 0;
    for (let i = 0; i < y.size; i++) sum += y.data[i]! * dy.data[i]!;
    (states ?? []).forEach((s, k) => {
      for (let i = 0; i < s.size; i++) sum += s.data[i]! * stateGrads[k]!.data[i]!;
    });
    return sum;
  };
  const which = options.input ?? 'x';
  const input = which === 'x' ? x : initialState?.[which];
  if (input === undefined) throw new Error(`layerSubject: no initial state ${String(which)}`);
  const params = layer.params();
  return {
    params,
    input,
    loss: () => {
      const { y, states } = layer.forward(x, forwardOptions);
      return lossOf(y, states);
    },
    gradients: () => {
      for (const p of params) p.zeroGrad();
      const { y, states, cache } = layer.forward(x, forwardOptions);
      if (!isRecurrent(layer)) return { loss: lossOf(y, states), inputGrad: layer.backward(dy, cache) };
      const result = layer.backwardWithStates(dy, cache, stateGrads.length > 0 ? { stateGrads } : {});
      const inputGrad = which === 'x' ? result.dx : result.initialStateGrads[which];
      return inputGrad === undefined ? { loss: lossOf(y, states) } : { loss: lossOf(y, states), inputGrad };
    },
  };
}

/** Largest |a − b| over two tensors of equal size (Infinity when the sizes differ). */
export function maxAbsDiff(a: Tensor | ArrayLike<number>, b: Tensor | ArrayLike<number>): number {
  const x = a instanceof Tensor ? a.data : a;
  const y = b instanceof Tensor ? b.data : b;
  if (x.length !== y.length) return Infinity;
  let worst = 0;
  for (let i = 0; i < x.length; i++) {
    const d = Math.abs(x[i]! - y[i]!);
    if (!(d <= worst)) worst = d; // keeps NaN
  }
  return worst;
}
