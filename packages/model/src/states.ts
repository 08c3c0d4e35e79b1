// Keras' `model.reset_states()`: every stateful layer of a model forgets its carried states.
import type { Layer } from '@rnnkit/layers';
import { RnnkitError } from '@rnnkit/tensor';

/** A layer that may carry states between calls (`stateful` recurrent layers of @rnnkit/layers). */
interface MaybeStateful {
  readonly stateful?: unknown;
  resetStates?(): void;
}

/**
 * Resets the carried states of every stateful layer of `model` (nested models included), so
 * the next call starts new sequences. `fit` never does this by itself, as in Keras: call it
 * between epochs from `callbacks.onEpochBegin` when each epoch replays the same sequences.
 */
export function resetStates(model: { readonly layers: readonly Layer[] }): void {
  if (model === null || typeof model !== 'object' || !Array.isArray(model.layers)) {
    throw new RnnkitError('resetStates', 'expected a model with layers (a Sequential)');
  }
  for (const layer of model.layers) {
    const l = layer as Layer & MaybeStateful & { readonly layers?: readonly Layer[] };
    if (l.stateful === true && typeof l.resetStates === 'function') l.resetStates();
    if (Array.isArray(l.layers)) resetStates({ layers: l.layers });
  }
}
