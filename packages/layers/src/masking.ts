// Keras' Masking layer: marks the padding of variable-length sequences. A step of
// `[batch, time, features]` whose features all equal `maskValue` is padding: its mask is 0
// and its output zeros; every other step passes through unchanged (mask 1). The layers after
// it receive the mask (see `computeMask`): recurrent layers skip the masked steps.
import { type DType, RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import { checkOptionKeys, checkSymbolicShape, describeValue, dtypeOption, formatSymbolic, nameOption } from './common.js';
import type { ForwardOptions, ForwardResult, Layer, LayerConfig, SymbolicShape } from './layer.js';
import { WeightlessLayer } from './weightless-layer.js';

const API = 'Masking';

/** Options of {@link Masking}. */
export interface MaskingOptions {
  /** The padding value: a step whose features all equal it is masked. @defaultValue 0 */
  readonly maskValue?: number;
  /** Element type of outputs. @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'masking' */
  readonly name?: string;
}

/** The configuration of a {@link Masking} layer. */
export interface MaskingConfig extends LayerConfig {
  readonly name: string;
  readonly maskValue: number;
  readonly dtype: DType;
}

/** What {@link Masking.forward} keeps for `backward`: the mask it made. */
export interface MaskingCache {
  readonly mask: Tensor;
}

const OPTION_KEYS = ['maskValue', 'dtype', 'name'] as const;

/** Keras' `Masking({ maskValue })` over `[batch, time, features]` inputs; no parameters. */
export class Masking extends WeightlessLayer implements Layer<MaskingCache> {
  readonly className = 'Masking';
  readonly name: string;
  readonly dtype: DType;
  readonly maskValue: number;

  constructor(options: MaskingOptions = {}) {
    super(API);
    checkOptionKeys(API, options, OPTION_KEYS);
    const value = options.maskValue ?? 0;
    if (typeof value !== 'number' || Number.isNaN(value)) throw new RnnkitError(API, `maskValue must be a number (not NaN), got ${describeValue(value)}`);
    this.maskValue = value;
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'masking');
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length !== 3) throw new RnnkitError(API, `expected an input shape [batch, time, features], got ${formatSymbolic(shape)}`);
    return [...shape];
  }

  /** The mask of `x`: `[batch, time]`, 0 where every feature equals maskValue (ANDed with a mask given). */
  computeMask(x: Tensor, mask: Tensor | null): Tensor {
    const [batch, time, features] = this.#check(x, 'input');
    const out = allocate(this.dtype, batch * time);
    for (let s = 0; s < batch * time; s++) {
      let padding = true;
      for (let k = s * features; k < (s + 1) * features; k++) {
        if (x.data[k] !== this.maskValue) {
          padding = false;
          break;
        }
      }
      out[s] = padding || (mask !== null && mask.data[s] === 0) ? 0 : 1;
    }
    return new Tensor(out, [batch, time]);
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<MaskingCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    const [batch, time, features] = this.#check(x, 'input');
    const mask = this.computeMask(x, options.mask ?? null);
    const out = allocate(this.dtype, x.size);
    for (let s = 0; s < batch * time; s++) {
      if (mask.data[s] === 1) for (let k = s * features; k < (s + 1) * features; k++) out[k] = x.data[k]!;
    }
    return { y: new Tensor(out, [batch, time, features]), cache: { mask } };
  }

  /** The output gradient where the step counts, zero at masked steps. */
  backward(dy: Tensor, cache: MaskingCache): Tensor {
    const [batch, time, features] = this.#check(dy, 'output gradient');
    if (cache.mask.shape[0] !== batch || cache.mask.shape[1] !== time) {
      throw new RnnkitError(API, `expected an output gradient of shape [${cache.mask.shape.join(', ')}, ${features}], got ${formatShape(dy.shape)}`);
    }
    const dx = allocate(this.dtype, dy.size);
    for (let s = 0; s < batch * time; s++) {
      if (cache.mask.data[s] === 1) for (let k = s * features; k < (s + 1) * features; k++) dx[k] = dy.data[k]!;
    }
    return new Tensor(dx, dy.shape);
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): Masking {
    return new Masking(config as unknown as MaskingOptions);
  }

  getConfig(): MaskingConfig {
    return { name: this.name, maskValue: this.maskValue, dtype: this.dtype };
  }

  #check(t: Tensor, what: string): [number, number, number] {
    if (!(t instanceof Tensor)) throw new RnnkitError(API, `expected the ${what} to be a Tensor, got ${describeValue(t)}`);
    if (t.rank !== 3) throw new RnnkitError(API, `expected ${what} [batch, time, features], got ${formatShape(t.shape)}`);
    if (t.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} ${what} (the layer's dtype), got ${t.dtype}`);
    return t.shape as [number, number, number];
  }
}

/** Creates a {@link Masking} layer: `masking({ maskValue: 0 })`. */
export function masking(options?: MaskingOptions): Masking {
  return new Masking(options);
}
