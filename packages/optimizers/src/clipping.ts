// Gradient clipping as Keras does it (`clipvalue`, `clipnorm`, `global_clipnorm`), applied by
// the runner before the update. It writes into a buffer per parameter, never into Param.grad,
// so the gradient a user reads after a step is still the true one.
import type { Param, TypedArray } from '@rnnkit/tensor';

/** The part of the runner's per-parameter record that clipping reads and writes. */
export interface ClipSlot {
  readonly included: boolean;
  readonly param: Param;
  /** Where the clipped gradient goes (allocated for every included slot when clipping is on). */
  readonly clipped: TypedArray | null;
}

/** The bounds in effect, null for those not set. */
export interface ClipBounds {
  readonly clipValue: number | null;
  readonly clipNorm: number | null;
  readonly globalClipNorm: number | null;
}

/**
 * Clips the gradient of every trainable, included slot into its `clipped` buffer: by value,
 * then per-parameter norm, then global norm, so all set bounds hold at once.
 */
export function clipGradients(slots: readonly ClipSlot[], bounds: ClipBounds): void {
  const { clipValue, clipNorm, globalClipNorm } = bounds;
  let globalSquares = 0;
  for (const slot of slots) {
    if (!slot.included || !slot.param.trainable) continue;
    const grad = slot.param.grad.data;
    const out = slot.clipped!;
    let squares = 0;
    for (let i = 0; i < grad.length; i++) {
      let g = grad[i]!;
      if (clipValue !== null) g = g > clipValue ? clipValue : g < -clipValue ? -clipValue : g;
      out[i] = g;
      squares += g * g;
    }
    if (clipNorm !== null) {
      const norm = Math.sqrt(squares);
      if (norm > clipNorm) {
        // tf.clip_by_norm: g · clipNorm / max(‖g‖, clipNorm).
        const scale = clipNorm / norm;
        squares = 0;
        for (let i = 0; i < out.length; i++) {
          out[i] = out[i]! * scale;
          squares += out[i]! * out[i]!;
        }
      }
    }
    globalSquares += squares;
  }
  if (globalClipNorm === null) return;
  const globalNorm = Math.sqrt(globalSquares);
  if (!(globalNorm > globalClipNorm)) return;
  // tf.clip_by_global_norm: every gradient times clipNorm / max(global norm, clipNorm).
  const scale = globalClipNorm / globalNorm;
  for (const slot of slots) {
    if (!slot.included || !slot.param.trainable) continue;
    const out = slot.clipped!;
    for (let i = 0; i < out.length; i++) out[i] = out[i]! * scale;
  }
}
