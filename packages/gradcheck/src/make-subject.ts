import { RnnkitError, type Param, type Tensor } from '@rnnkit/tensor';
import type { GradientSubject } from './subject.js';

/** What {@link gradientSubject} builds a {@link GradientSubject} from. */
export interface GradientSubjectDefinition<Cache> {
  /** Parameters to check; their gradients are zeroed before each backward pass. */
  readonly params: readonly Param[];
  /** An input to check as well; `forward` must read it afresh on every call. */
  readonly input?: Tensor;
  /** Computes the scalar loss from the current parameter and input values. */
  forward(): { readonly loss: number; readonly cache: Cache };
  /**
   * Adds the loss gradient into each `Param.grad` (they start at zero) and returns the
   * gradient with respect to `input` when there is one.
   */
  backward(cache: Cache): Tensor | undefined;
}

/**
 * Builds a {@link GradientSubject} from a forward and a backward pass, the usual shape of
 * a layer plus a loss:
 *
 * @example
 * const subject = gradientSubject({
 *   params: layer.params(),
 *   input: x,
 *   forward: () => { const f = layer.forward(x); return { loss: loss.value(f.y, t), cache: f }; },
 *   backward: (f) => layer.backward(loss.gradient(f.cache.y, t), f.cache),
 * });
 */
export function gradientSubject<Cache>(definition: GradientSubjectDefinition<Cache>): GradientSubject {
  if (
    definition === null ||
    typeof definition !== 'object' ||
    !Array.isArray(definition.params) ||
    typeof definition.forward !== 'function' ||
    typeof definition.backward !== 'function'
  ) {
    throw new RnnkitError('gradientSubject', 'expected { params: Param[], input?, forward(), backward(cache) }');
  }
  const { params, input, forward, backward } = definition;
  const run = (): { readonly loss: number; readonly cache: Cache } => {
    const result = forward();
    if (result === null || typeof result !== 'object' || typeof result.loss !== 'number') {
      throw new RnnkitError('gradientSubject', 'forward() must return { loss: number, cache }');
    }
    return result;
  };
  return {
    params,
    ...(input === undefined ? {} : { input }),
    loss: () => run().loss,
    gradients: () => {
      for (const p of params) p.zeroGrad();
      const { loss, cache } = run();
      const inputGrad = backward(cache);
      return inputGrad === undefined ? { loss } : { loss, inputGrad };
    },
  };
}
