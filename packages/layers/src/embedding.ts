// Keras' Embedding layer: a lookup table from token ids to vectors. `[batch, time]` ids
// (integers held in the float tensor every layer takes) become `[batch, time, outputDim]`,
// row `id` of the `[inputDim, outputDim]` table at each step. Its backward pass adds each
// step's output gradient into the row it read; the ids themselves get a zero gradient.
import { type DType, type InitializerSpec, type Param, type Random, RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import {
  type InitializerConfigValue,
  type ResolvedInitializer,
  booleanOption,
  checkOptionKeys,
  checkOutputGradient,
  checkSymbolicShape,
  describeValue,
  dtypeOption,
  formatSymbolic,
  initParam,
  initializerConfigOf,
  initializerOption,
  nameOption,
  positiveInteger,
  setParamValues,
} from './common.js';
import type { BuildOptions, ForwardOptions, ForwardResult, Layer, LayerConfig, SymbolicShape } from './layer.js';

const API = 'Embedding';

/** Keras' default initialiser of the table: uniform in [-0.05, 0.05). */
const DEFAULT_INITIALIZER = { name: 'randomUniform', options: { low: -0.05, high: 0.05 } } as const;

/** Options of {@link Embedding}. */
export interface EmbeddingOptions {
  /** Number of distinct token ids (the vocabulary size): ids run from 0 to inputDim − 1. */
  readonly inputDim: number;
  /** Length of each token's vector. */
  readonly outputDim: number;
  /**
   * Treat id 0 as padding: the layer's mask (`computeMask`) is 0 where the id is 0, so the
   * layers after it skip those steps. Id 0 still reads row 0 of the table, as in Keras.
   * @defaultValue false
   */
  readonly maskZero?: boolean;
  /** Initialiser of the table (anything `getInitializer` of `@rnnkit/tensor` resolves). @defaultValue randomUniform in [-0.05, 0.05) */
  readonly embeddingsInitializer?: InitializerSpec;
  /** Element type of the table and outputs (the ids come in this type too). @defaultValue 'float32' */
  readonly dtype?: DType;
  /** Instance name. @defaultValue 'embedding' */
  readonly name?: string;
}

/** The configuration of an {@link Embedding} layer: its options with every default filled in. */
export interface EmbeddingConfig extends LayerConfig {
  readonly name: string;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  readonly embeddingsInitializer: InitializerConfigValue;
  readonly dtype: DType;
}

/** What {@link Embedding.forward} keeps for `backward`: the ids, as checked integers. */
export interface EmbeddingCache {
  readonly ids: Int32Array;
  /** The input's shape, `[batch, time]` (the shape of the zero input gradient). */
  readonly inputShape: readonly number[];
}

const OPTION_KEYS = ['inputDim', 'outputDim', 'maskZero', 'embeddingsInitializer', 'dtype', 'name'] as const;

/**
 * Keras' `Embedding({ inputDim, outputDim })`: `[batch, time]` token ids to
 * `[batch, time, outputDim]` vectors. One weight, `embeddings` `[inputDim, outputDim]`.
 */
export class Embedding implements Layer<EmbeddingCache> {
  readonly className = 'Embedding';
  readonly name: string;
  readonly dtype: DType;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly maskZero: boolean;
  #init: ResolvedInitializer;
  #embeddings: Param | null = null;

  constructor(options: EmbeddingOptions) {
    checkOptionKeys(API, options, OPTION_KEYS);
    this.inputDim = positiveInteger(API, 'inputDim', options.inputDim);
    this.outputDim = positiveInteger(API, 'outputDim', options.outputDim);
    this.maskZero = booleanOption(API, 'maskZero', options.maskZero, false);
    this.#init = initializerOption(API, 'embeddingsInitializer', options.embeddingsInitializer ?? DEFAULT_INITIALIZER, 'randomUniform');
    this.dtype = dtypeOption(API, options.dtype);
    this.name = nameOption(API, options.name, 'embedding');
  }

  /** Rebuilds a layer from {@link getConfig}'s output. */
  static fromConfig(config: LayerConfig): Embedding {
    return new Embedding(config as unknown as EmbeddingOptions);
  }

  get built(): boolean {
    return this.#embeddings !== null;
  }

  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    this.outputShape(inputShape);
    if (this.#embeddings !== null) return;
    this.#embeddings = initParam(API, 'embeddings', this.#init.fn, [this.inputDim, this.outputDim], random, this.dtype, options.initialize !== false);
  }

  params(): Param[] {
    return this.#embeddings === null ? [] : [this.#embeddings];
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length !== 2) throw new RnnkitError(API, `expected an input shape [batch, time] of token ids, got ${formatSymbolic(shape)}`);
    return [...shape, this.outputDim];
  }

  /** With `maskZero`, 1 where the id is not 0 (`[batch, time]`); otherwise no mask. A mask given is not used (as Keras). */
  computeMask(x: Tensor, _mask: Tensor | null): Tensor | null {
    if (!this.maskZero) return null;
    this.#checkInput(x);
    const out = allocate(this.dtype, x.size);
    for (let s = 0; s < x.size; s++) out[s] = x.data[s] === 0 ? 0 : 1;
    return new Tensor(out, x.shape);
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<EmbeddingCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    const table = this.#requireBuilt().value.data;
    const [, time] = this.#checkInput(x);
    const units = this.outputDim;
    const ids = new Int32Array(x.size);
    for (let s = 0; s < x.size; s++) {
      const id = x.data[s]!;
      if (!Number.isInteger(id) || id < 0 || id >= this.inputDim) {
        throw new RnnkitError(API, `token ${id} at sample ${Math.floor(s / time)}, step ${s % time} is out of range [0, ${this.inputDim})`);
      }
      ids[s] = id;
    }
    const out = allocate(this.dtype, x.size * units);
    for (let s = 0; s < ids.length; s++) out.set(table.subarray(ids[s]! * units, (ids[s]! + 1) * units), s * units);
    return { y: new Tensor(out, [...x.shape, units]), cache: { ids, inputShape: x.shape } };
  }

  /** Adds dy of each step into the table row its id read (∂E[id] += dy); the ids' gradient is zero. */
  backward(dy: Tensor, cache: EmbeddingCache): Tensor {
    const grad = this.#requireBuilt().grad.data;
    const expected = [...cache.inputShape, this.outputDim];
    checkOutputGradient(API, dy, expected);
    if (dy.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} output gradient (the layer's dtype), got ${dy.dtype}`);
    const units = this.outputDim;
    cache.ids.forEach((id, s) => {
      for (let k = 0; k < units; k++) grad[id * units + k]! += dy.data[s * units + k]!;
    });
    return new Tensor(allocate(this.dtype, cache.ids.length), cache.inputShape);
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.#requireBuilt();
    setParamValues(API, this.params(), weights);
  }

  getConfig(): EmbeddingConfig {
    return {
      name: this.name,
      inputDim: this.inputDim,
      outputDim: this.outputDim,
      maskZero: this.maskZero,
      embeddingsInitializer: initializerConfigOf(API, 'embeddingsInitializer', this.#init),
      dtype: this.dtype,
    };
  }

  #requireBuilt(): Param {
    if (this.#embeddings === null) throw new RnnkitError(API, `layer "${this.name}" is not built; call build([batch, time], random) first`);
    return this.#embeddings;
  }

  #checkInput(x: Tensor): [number, number] {
    if (!(x instanceof Tensor)) throw new RnnkitError(API, `expected the input to be a Tensor of token ids, got ${describeValue(x)}`);
    if (x.rank !== 2) throw new RnnkitError(API, `expected input [batch, time] of token ids, got ${formatShape(x.shape)}`);
    if (x.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} input (the layer's dtype), got ${x.dtype}`);
    return x.shape as [number, number];
  }
}

/** Creates an {@link Embedding} layer: `embedding({ inputDim: 1000, outputDim: 16 })`. */
export function embedding(options: EmbeddingOptions): Embedding {
  return new Embedding(options);
}
