// Weight bytes: little-endian float32, in manifest order. Encoding for saving; for loading,
// byte counts checked against the manifest, then each manifest entry matched by name to the
// parameter of the layer it belongs to, with its shape checked against the topology.
import type { TypedArray } from '@rnnkit/tensor';
import { type Context, type Manifest, type ManifestWeight, type WeightSpec, fail } from './format.js';
import type { LayerPlan } from './topology.js';

/** True on little-endian hosts (all common ones), where float32 bytes can be copied as they are. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Concatenates weights as little-endian float32 (float64 values are rounded to float32). */
export function encodeWeights(entries: readonly { readonly name: string; readonly shape: readonly number[]; readonly data: TypedArray }[]): {
  specs: WeightSpec[];
  buffer: ArrayBuffer;
} {
  const total = entries.reduce((n, e) => n + e.data.length, 0);
  const floats = new Float32Array(total);
  let offset = 0;
  for (const e of entries) {
    floats.set(e.data, offset);
    offset += e.data.length;
  }
  if (!LITTLE_ENDIAN) {
    const view = new DataView(floats.buffer);
    for (let i = 0; i < total; i++) view.setFloat32(i * 4, floats[i]!, true);
  }
  return { specs: entries.map((e) => ({ name: e.name, shape: [...e.shape], dtype: 'float32' as const })), buffer: floats.buffer };
}

/** Reads `size` little-endian float32 values at `byteOffset` into a new array. */
export function readFloats(bytes: Uint8Array, byteOffset: number, size: number): Float32Array {
  if (LITTLE_ENDIAN) {
    // Copy the bytes first: the source offset need not be 4-aligned.
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

/** The rnnkit parameter name for a manifest name's last part (`recurrent_kernel` → `recurrentKernel`). */
const FROM_KERAS: ReadonlyMap<string, string> = new Map([
  ['kernel', 'kernel'],
  ['recurrent_kernel', 'recurrentKernel'],
  ['bias', 'bias'],
]);

/**
 * Matches every manifest weight to a layer parameter of the plan and returns each layer's
 * values in its parameter order (Keras-side parameters only; rnnkit-only ones are left out).
 *
 * A manifest name names its layer and its weight: `dense/kernel` (TF.js),
 * `lstm/lstm_cell/kernel` (Keras through the converter: a cell infix), optionally with a
 * model prefix (`sequential/dense/kernel`) or a `:0` suffix, or `dense/0` (Keras 3: the
 * weight's index in the layer). The layer is the first path segment that is a layer name.
 * Weights TF.js marks as optimizer weights are skipped. Every parameter must be found once,
 * with the shape the topology implies.
 */
export function matchWeights(ctx: Context, plans: readonly LayerPlan[], manifest: Manifest, bytes: Uint8Array): Float32Array[][] {
  const byLayer = new Map(plans.map((plan, i) => [plan.name, i]));
  const found: (ManifestWeight | undefined)[][] = plans.map((plan) => plan.params.map(() => undefined));
  for (const group of manifest.groups) {
    for (const w of group.weights) {
      const target = locate(w.name, plans, byLayer);
      if (target === null) {
        if (w.optimizer) continue;
        fail(
          ctx,
          `${w.at}: the weight "${w.name}" belongs to no parameter of the model ` +
            `(layers: ${plans.map((p) => `${p.name} [${p.params.filter((q) => q.keras !== null).map((q) => q.keras).join(', ')}]`).join(', ')})`,
        );
      }
      const [layerIndex, paramIndex] = target;
      const plan = plans[layerIndex]!;
      const param = plan.params[paramIndex]!;
      const previous = found[layerIndex]![paramIndex];
      if (previous !== undefined) {
        fail(ctx, `${w.at}: "${w.name}" and "${previous.name}" are both the ${param.keras} of ${plan.label}`);
      }
      if (w.shape.length !== param.shape.length || w.shape.some((d, k) => d !== param.shape[k])) {
        fail(
          ctx,
          `${w.at}: "${w.name}" has shape [${w.shape.join(', ')}] but ${plan.label} needs ${param.keras} ` +
            `[${param.shape.join(', ')}] (from its config and its input)`,
        );
      }
      found[layerIndex]![paramIndex] = w;
    }
  }
  return plans.map((plan, i) =>
    plan.params.flatMap((param, k) => {
      if (param.keras === null) return [];
      const w = found[i]![k];
      if (w === undefined) {
        fail(ctx, `the weights manifest has no ${param.keras} [${param.shape.join(', ')}] for ${plan.label}`);
      }
      return [readFloats(bytes, w.offset, w.size)];
    }),
  );
}

/** `[layer index, param index]` for a manifest name, or null. */
function locate(name: string, plans: readonly LayerPlan[], byLayer: ReadonlyMap<string, number>): [number, number] | null {
  const parts = name.replace(/:\d+$/, '').split('/');
  if (parts.length < 2) return null;
  const last = parts[parts.length - 1]!;
  for (let s = 0; s < parts.length - 1; s++) {
    const layerIndex = byLayer.get(parts[s]!);
    if (layerIndex === undefined) continue;
    const kerasParams = plans[layerIndex]!.params.filter((p) => p.keras !== null);
    let param;
    if (/^\d+$/.test(last)) {
      param = kerasParams[Number(last)];
    } else {
      const rnnkit = FROM_KERAS.get(last);
      param = rnnkit === undefined ? undefined : kerasParams.find((p) => p.rnnkit === rnnkit);
    }
    return param === undefined ? null : [layerIndex, plans[layerIndex]!.params.indexOf(param)];
  }
  return null;
}
