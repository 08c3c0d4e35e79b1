// NaN and infinities never leave fit, evaluate or predict silently: when an output is not
// finite, these helpers say where it holds the bad value and where it came from (a weight
// that already held it, or the first layer whose output holds it).
import { type Param, RnnkitError, type Tensor, firstNonFinite, formatShape } from '@rnnkit/tensor';
import { unravel } from './data.js';

/** `[2, 0] (sample 2, feature 0)`: an index, with the meaning of its axes for 2-D and 3-D data. */
export function describePosition(shape: readonly number[], offset: number): string {
  return describeIndex(unravel(offset, shape));
}

function describeIndex(index: readonly number[]): string {
  const at = formatShape(index);
  if (index.length === 3) return `${at} (sample ${index[0]}, time step ${index[1]}, feature ${index[2]})`;
  if (index.length === 2) return `${at} (sample ${index[0]}, feature ${index[1]})`;
  return at;
}

/** `the weights of dense/bias hold Infinity at [0]`, for the first parameter with a non-finite value, or undefined. */
export function describeNonFiniteWeight(params: readonly Param[]): string | undefined {
  for (const param of params) {
    const bad = firstNonFinite(param.value.data);
    if (bad >= 0) return `the weights of ${param.name} hold ${param.value.data[bad]} at ${formatShape(unravel(bad, param.value.shape))}`;
  }
  return undefined;
}

/** What `forward` of a `Sequential` offers for running its layers one by one. */
interface LayeredModel {
  readonly layers: readonly { forward(x: Tensor): { readonly y: Tensor } }[];
  readonly layerNames?: readonly string[];
}

function isLayered(model: unknown): model is LayeredModel {
  const layers = (model as Partial<LayeredModel>)?.layers;
  return Array.isArray(layers) && layers.every((layer) => typeof layer?.forward === 'function');
}

/**
 * Where the first non-finite value of a model's output came from: a weight that holds one,
 * or (for a model with `layers`, as `Sequential`) the first layer whose output holds one —
 * found by running the layers one by one again, so this costs nothing until something is wrong.
 */
function originOf(model: { params(): Param[] }, x: Tensor): string {
  const weight = describeNonFiniteWeight(model.params());
  if (weight !== undefined) return weight;
  if (!isLayered(model)) return 'every weight is finite';
  let y = x;
  for (let i = 0; i < model.layers.length; i++) {
    y = model.layers[i]!.forward(y).y;
    const bad = firstNonFinite(y.data);
    if (bad >= 0) {
      const name = model.layerNames?.[i] ?? `#${i}`;
      return `every weight is finite; it first appears in the output of layer ${i + 1} of ${model.layers.length}, "${name}", at ${describePosition(y.shape, bad)}`;
    }
  }
  return 'every weight is finite';
}

/**
 * Throws when the model's output `y` for the input `x` holds NaN or an infinity, naming
 * the position (counting samples from `sampleOffset`) and the origin.
 */
export function checkOutputFinite(
  api: string,
  model: { params(): Param[] },
  x: Tensor,
  y: Tensor,
  sampleOffset = 0,
): void {
  const bad = firstNonFinite(y.data);
  if (bad < 0) return;
  const index = unravel(bad, y.shape);
  index[0] = index[0]! + sampleOffset;
  throw new RnnkitError(api, `the model's output holds ${y.data[bad]} at ${describeIndex(index)}; ${originOf(model, x)}`);
}
