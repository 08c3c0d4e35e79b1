// What every layer without parameters (Activation, Dropout, Flatten, Masking, RepeatVector,
// the global poolings) has in common: building only checks the input shape, and there are
// no parameters or weights — `setWeights` accepts an empty list and nothing else.
import type { Param, Random, Tensor } from '@rnnkit/tensor';
import { checkNoWeights } from './common.js';
import type { SymbolicShape } from './layer.js';

/** The base of the built-in layers without parameters; `api` names the layer in errors. */
export abstract class WeightlessLayer {
  readonly #api: string;
  #built = false;

  protected constructor(api: string) {
    this.#api = api;
  }

  /** The output shape for `inputShape`; throws (naming the layer) for a shape it cannot take. */
  abstract outputShape(inputShape: SymbolicShape): SymbolicShape;

  get built(): boolean {
    return this.#built;
  }

  /** Checks the input shape; there is nothing to create. */
  build(inputShape: SymbolicShape, _random: Random): void {
    this.outputShape(inputShape);
    this.#built = true;
  }

  params(): Param[] {
    return [];
  }

  getWeights(): Tensor[] {
    return [];
  }

  setWeights(weights: readonly Tensor[]): void {
    checkNoWeights(this.#api, weights);
  }
}
