// Weight bytes: little-endian float32, in manifest order. Encoding for saving; for loading,
// byte counts checked against the manifest, then each manifest entry matched by name to the
// weight of the layer it belongs to, with its shape checked against the built layer.
import { type TypedArray, RnnkitError, formatShape } from '@rnnkit/tensor';
import { unravel } from '../data.js';
import { type Context, type Manifest, type ManifestWeight, type WeightSpec, fail } from './format.js';

/** True on little-endian hosts (all common ones), where float32 bytes can be copied as they are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Concatenates weights as little-endian float32 (float64 values are rounded to float32).
 * A value that is NaN or infinite (or a float64 value too large for float32) is refused: a
 * file holding it would load into a model that predicts NaN.
 */
export function encodeWeights(
  entries: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: TypedArray }[],
  api = 'saveModel',
): {
  specs: WeightSpec[];
  buffer: ArrayBuffer;
} {
  const total = entries.reduce((n, e) => n + e.data.length, 0);
  const floats = new Float32Array(total);
  let offset = 0;
  for (const e of entries) {
    floats.set(e.data, offset);
    for (let i = offset; i < offset + e.data.length; i++) {
      if (Number.isFinite(floats[i]!)) continue;
      const original = e.data[i - offset]!;
      const why = Number.isFinite(original) ? ` (${original} overflows float32)` : '';
      throw new RnnkitError(api, `the weight "${e.name}" holds ${floats[i]} at ${formatShape(unravel(i - offset, e.shape))}${why}: weights must be finite`);
    }
    offset += e.data.length;
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(floats.buffer);
    for (let i = 0; i < total; i++) view.setFloat32(i * 4, floats[i]!, true);
  }
  return { specs: entries.map((e) => ({ name: e.name, shape: [...e.shape], dtype: 'float32' as const })), buffer: floats.buffer };
}

/**
 * The `size` little-endian float32 values at `byteOffset`: a view into `bytes` where they are
 * 4-aligned (the usual case: no copy, so loading holds the weights once, not twice), else a
 * copy. Read the result only; the loader copies it into the parameters.
 */
export function readFloats(bytes: Uint8Array, byteOffset: number, size: number): Float32Array {
  if (LITTLE_ENDIAN) {
    const start = bytes.byteOffset + byteOffset;
    if (start % 4 === 0) return new Float32Array(bytes.buffer, start, size);
    // Copy the bytes first: a Float32Array view must start 4-aligned.
    return new Float32Array(bytes.slice(byteOffset, byteOffset + size * 4).buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, size * 4);
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/**
 * Checks that the weight bytes (`total`, all files concatenated) are exactly what the
 * manifest describes; the error lists each group's files and needs. (The Node loader checks
 * each group's files on its own first, to name them.)
 */
export function checkByteLength(ctx: Context, manifest: Manifest, total: number, what: string): void {
  if (total !== manifest.byteLength) {
    const groups = manifest.groups.map((g, i) => `group ${i} (${g.paths.join(', ') || 'no files'}): ${g.byteLength}`).join('; ');
    fail(
      ctx,
      `${what} ${total === 1 ? 'is 1 byte' : `are ${total} bytes`} but the weights manifest needs ${manifest.byteLength} ` +
        `(4 per float32; ${groups})${total < manifest.byteLength ? ': the weights are truncated' : ''}`,
    );
  }
}

/** A built layer's weights that the manifest must hold, as its codec names them. */
export interface LayerWeights {
  /** The layer's name, the first part of its weight names. */
  readonly name: string;
  /** `layer 2 "lstm" (LSTM)`, for errors. */
  readonly label: string;
  /** Names relative to the layer (`lstm_cell/kernel`) and shapes of the built parameters, in order. */
  readonly weights: readonly { readonly name: string; readonly shape: readonly number[] }[];
}

/** The last part of a weight name (`lstm_cell/recurrent_kernel` → `recurrent_kernel`), as messages name weights. */
function shortName(name: string): string {
  return name.slice(name.lastIndexOf('/') + 1);
}

/**
 * Matches every manifest weight to a weight of a layer and returns each layer's values in
 * its order.
 *
 * A manifest name names its layer and its weight: `dense/kernel` (TF.js),
 * `lstm/lstm_cell/kernel` (Keras through the converter: a cell infix), optionally with a
 * model prefix (`sequential/dense/kernel`) or a `:0` suffix, or `dense/0` (Keras 3: the
 * weight's index in the layer). The layer is the first path segment that is a layer name;
 * the weight is the one whose name is the rest, else the only one whose last part is the
 * last part (`lstm/kernel` is `lstm_cell/kernel`) and, when several are, whose first part is
 * the rest's first part (`bidi/forward_lstm/kernel` is `forward_lstm/lstm_cell/kernel`). Weights TF.js marks as optimizer
 * weights are skipped. Every weight must be found once, with the shape of the built layer.
 */
export function matchWeights(ctx: Context, layers: readonly LayerWeights[], manifest: Manifest, bytes: Uint8Array): Float32Array[][] {
  const byLayer = new Map(layers.map((layer, i) => [layer.name, i]));
  const found: (ManifestWeight | undefined)[][] = layers.map((layer) => layer.weights.map(() => undefined));
  for (const group of manifest.groups) {
    for (const w of group.weights) {
      const target = locate(w.name, layers, byLayer);
      if (target === null) {
        if (w.optimizer) continue;
        fail(
          ctx,
          `${w.at}: the weight "${w.name}" belongs to no parameter of the model ` +
            `(layers: ${layers.map((l) => `${l.name} [${l.weights.map((q) => shortName(q.name)).join(', ')}]`).join(', ')})`,
        );
      }
      const [layerIndex, weightIndex] = target;
      const layer = layers[layerIndex]!;
      const weight = layer.weights[weightIndex]!;
      const previous = found[layerIndex]![weightIndex];
      if (previous !== undefined) {
        fail(ctx, `${w.at}: "${w.name}" and "${previous.name}" are both the ${shortName(weight.name)} of ${layer.label}`);
      }
      if (w.shape.length !== weight.shape.length || w.shape.some((d, k) => d !== weight.shape[k])) {
        fail(
          ctx,
          `${w.at}: "${w.name}" has shape [${w.shape.join(', ')}] but ${layer.label} needs ${shortName(weight.name)} ` +
            `[${weight.shape.join(', ')}] (from its config and its input)`,
        );
      }
      found[layerIndex]![weightIndex] = w;
    }
  }
  return layers.map((layer, i) =>
    layer.weights.map((weight, k) => {
      const w = found[i]![k];
      if (w === undefined) {
        fail(ctx, `the weights manifest has no ${shortName(weight.name)} [${weight.shape.join(', ')}] for ${layer.label}`);
      }
      const values = readFloats(bytes, w.offset, w.size);
      checkFiniteWeight(ctx, w, values);
      return values;
    }),
  );
}

/** Refuses a weight holding NaN or an infinity: it would make every prediction NaN, silently. */
function checkFiniteWeight(ctx: Context, w: ManifestWeight, values: Float32Array): void {
  for (let i = 0; i < values.length; i++) {
    if (Number.isFinite(values[i]!)) continue;
    fail(ctx, `${w.at}: the weight "${w.name}" holds ${values[i]} at ${formatShape(unravel(i, w.shape))} (value ${i} of ${values.length}): weights must be finite`);
  }
}

/** `[layer index, weight index]` for a manifest name, or null. */
function locate(name: string, layers: readonly LayerWeights[], byLayer: ReadonlyMap<string, number>): [number, number] | null {
  const parts = name.replace(/:\d+$/, '').split('/');
  if (parts.length < 2) return null;
  const last = parts[parts.length - 1]!;
  for (let s = 0; s < parts.length - 1; s++) {
    const layerIndex = byLayer.get(parts[s]!);
    if (layerIndex === undefined) continue;
    const weights = layers[layerIndex]!.weights;
    const rest = parts.slice(s + 1).join('/');
    let index = weights.findIndex((w) => w.name === rest);
    if (index < 0 && /^\d+$/.test(last)) {
      index = Number(last) < weights.length ? Number(last) : -1;
    } else if (index < 0) {
      let candidates = weights.flatMap((w, k) => (shortName(w.name) === last ? [k] : []));
      // A wrapper's directions name their weights alike (Bidirectional: forward_lstm/lstm_cell/kernel,
      // backward_lstm/lstm_cell/kernel; TF.js writes forward_lstm/kernel): the first part tells them apart.
      const first = parts[s + 1]!;
      if (candidates.length > 1 && parts.length - s > 2) candidates = candidates.filter((k) => weights[k]!.name.split('/')[0] === first);
      index = candidates.length === 1 ? candidates[0]! : -1;
    }
    return index < 0 ? null : [layerIndex, index];
  }
  return null;
}
