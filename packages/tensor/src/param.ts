import { RnnkitError } from './errors.js';
import { Tensor, allocate } from './tensor.js';

/**
 * A trainable value and the gradient accumulated for it.
 *
 * Layers own their `Param`s and add into `grad` during `backward`; optimizers read `grad`
 * and write `value` in place; `zeroGrad()` clears the gradient between steps. `value` and
 * `grad` always share shape and dtype.
 */
const PARAM_BRAND = Symbol.for('@rnnkit/tensor:Param');

export class Param {
  /** `instanceof Param` holds across loaded copies of this package (ESM and CJS builds). */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[PARAM_BRAND] === true;
  }

  /** Brand read by `instanceof`. */
  get [PARAM_BRAND](): true {
    return true;
  }

  /** A name unique within its layer, e.g. `"kernel"`; the model prefixes the layer name. */
  readonly name: string;
  /** The current value (updated in place by optimizers). */
  readonly value: Tensor;
  /** The accumulated gradient of the loss with respect to `value`. */
  readonly grad: Tensor;
  /** When false, optimizers leave this parameter alone. */
  trainable: boolean;

  constructor(name: string, value: Tensor, options: { trainable?: boolean } = {}) {
    if (typeof name !== 'string' || name === '') {
      throw new RnnkitError('Param', `name must be a non-empty string, got ${JSON.stringify(name)}`);
    }
    if (!(value instanceof Tensor)) {
      throw new RnnkitError('Param', `value of "${name}" must be a Tensor`);
    }
    this.name = name;
    this.value = value;
    this.grad = new Tensor(allocate(value.dtype, value.size), value.shape);
    this.trainable = options.trainable ?? true;
  }

  /** Clears the accumulated gradient. */
  zeroGrad(): void {
    this.grad.data.fill(0);
  }
}
