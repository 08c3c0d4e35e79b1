// Keras' TimeDistributed wrapper: one layer applied to every time step of
// `[batch, time, …]` with the same weights. The time axis is folded into the batch —
// `[batch·time, …]`, which is the same storage — the wrapped layer runs once over all the
// rows, and its output is unfolded back to `[batch, time, …]`. Backward folds the same way.
import { type DType, type Param, type Random, RnnkitError, Tensor, checkOptionKeys, describeValue, formatShape } from '@rnnkit/tensor';
import { checkOutputGradient, checkSymbolicShape, formatSymbolic, nameOption } from './common.js';
import type { WrappedLayerConfig } from './bidirectional.js';
import type { BuildOptions, ForwardOptions, ForwardResult, Layer, LayerConfig, LayerStepper, SymbolicShape } from './layer.js';

const API = 'TimeDistributed';

/** Options of {@link TimeDistributed}. */
export interface TimeDistributedOptions {
  /**
   * The layer to apply at each step: it sees `[rows, …]` (one row per sample and step), e.g.
   * a Dense on `[rows, features]`. This instance itself is used (its weights are the wrapper's).
   */
  readonly layer: Layer;
  /** Instance name. @defaultValue 'time_distributed' */
  readonly name?: string;
}

/** The configuration of a {@link TimeDistributed} layer. */
export interface TimeDistributedConfig extends LayerConfig {
  readonly name: string;
  readonly layer: WrappedLayerConfig;
}

/** What {@link TimeDistributed.forward} keeps: the wrapped layer's cache and the input's shape. */
export interface TimeDistributedCache {
  readonly inner: unknown;
  readonly inputShape: readonly number[];
  /** The wrapped layer's output shape, `[batch·time, …]`. */
  readonly innerOutputShape: readonly number[];
}

type LayerClass = { fromConfig(config: LayerConfig): Layer };

/** Keras' `TimeDistributed({ layer })`: `layer` applied to each step of `[batch, time, …]`. */
export class TimeDistributed implements Layer<TimeDistributedCache> {
  readonly className = 'TimeDistributed';
  readonly name: string;
  readonly dtype: DType;
  /** The wrapped layer. */
  readonly layer: Layer;
  #built = false;

  constructor(options: TimeDistributedOptions) {
    checkOptionKeys(API, options, ['layer', 'name']);
    const layer = options?.layer as Partial<Layer> | undefined;
    const methods = ['build', 'params', 'outputShape', 'forward', 'backward', 'getWeights', 'setWeights', 'getConfig'] as const;
    if (layer === null || typeof layer !== 'object' || typeof layer.className !== 'string' || methods.some((m) => typeof layer[m] !== 'function')) {
      throw new RnnkitError(API, `layer must be a layer (the Layer interface), got ${describeValue(layer)}`);
    }
    if ((layer as { returnState?: unknown }).returnState === true) {
      throw new RnnkitError(API, `layer "${layer.name}" has returnState: true, but TimeDistributed passes only its output on`);
    }
    this.layer = layer as Layer;
    this.dtype = this.layer.dtype;
    this.name = nameOption(API, options.name, 'time_distributed');
  }

  /** Rebuilds a TimeDistributed from {@link getConfig}'s output, its wrapped layer by class name from `layers`. */
  static fromConfig(config: LayerConfig, layers: Readonly<Record<string, LayerClass>> = {}): TimeDistributed {
    const { name, layer, ...rest } = config as Partial<TimeDistributedConfig> & LayerConfig;
    checkOptionKeys(API, rest, []);
    const w = layer as Partial<WrappedLayerConfig> | undefined;
    const cls = typeof w?.className === 'string' && Object.prototype.hasOwnProperty.call(layers, w.className) ? layers[w.className] : undefined;
    if (cls === undefined || w?.config === undefined) {
      throw new RnnkitError(API, `layer must be { className, config } of a known layer class (${Object.keys(layers).join(', ') || 'none given'}), got ${describeValue(layer)}`);
    }
    return new TimeDistributed({ layer: cls.fromConfig(w.config), name });
  }

  get built(): boolean {
    return this.#built;
  }

  /** Builds the wrapped layer for one step's shape, `[rows, …]`. */
  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    const inner = this.#innerShape(inputShape);
    if (!this.layer.built) this.layer.build(inner, random, options);
    this.layer.outputShape(inner);
    this.#built = true;
  }

  params(): Param[] {
    return this.layer.params();
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const inner = this.#innerShape(inputShape);
    const out = this.layer.outputShape(inner);
    return [inputShape[0]!, inputShape[1]!, ...out.slice(1)];
  }

  /** A mask passes through unchanged (the time axis stays), as in Keras and TF.js. */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return mask;
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<TimeDistributedCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    if (options.initialState !== undefined) throw new RnnkitError(API, 'initialState is not supported; the wrapped layer runs on each step on its own');
    if (!(x instanceof Tensor)) throw new RnnkitError(API, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (x.rank < 3) throw new RnnkitError(API, `expected input [batch, time, …], got ${formatShape(x.shape)}`);
    if (!this.#built) throw new RnnkitError(API, `layer "${this.name}" is not built; call build([batch, time, …], random) first`);
    const [batch, time, ...rest] = x.shape as number[];
    const folded = new Tensor(x.data, [batch! * time!, ...rest]);
    const { y, cache } = this.layer.forward(folded, options.training === undefined ? {} : { training: options.training });
    const unfolded = new Tensor(y.data, [batch!, time!, ...y.shape.slice(1)]);
    return { y: unfolded, cache: { inner: cache, inputShape: x.shape, innerOutputShape: y.shape } };
  }

  /** The wrapped layer's backward pass over the folded rows; its input gradient unfolded. */
  backward(dy: Tensor, cache: TimeDistributedCache): Tensor {
    const expected = [cache.inputShape[0]!, cache.inputShape[1]!, ...cache.innerOutputShape.slice(1)];
    checkOutputGradient(API, dy, expected);
    const dx = this.layer.backward(new Tensor(dy.data, cache.innerOutputShape), cache.inner);
    return new Tensor(dx.data, cache.inputShape);
  }

  /**
   * One time step of `batch` rows is the wrapped layer applied to those rows: its own stepper
   * (for `[batch, time, features]` inputs; the wrapped layer must have one).
   */
  stepper(batch: number, features: number): LayerStepper {
    if (typeof this.layer.stepper !== 'function') {
      throw new RnnkitError(API, `stepper: the wrapped layer "${this.layer.name}" (${this.layer.className}) has no stepper(batch, features) method`);
    }
    if (!this.#built) throw new RnnkitError(API, `layer "${this.name}" is not built; call build([batch, time, features], random) first`);
    return this.layer.stepper(batch, features);
  }

  getWeights(): Tensor[] {
    return this.layer.getWeights();
  }

  setWeights(weights: readonly Tensor[]): void {
    this.layer.setWeights(weights);
  }

  getConfig(): TimeDistributedConfig {
    return { name: this.name, layer: { className: this.layer.className, config: this.layer.getConfig() } };
  }

  /** `[batch, time, …rest]` → the wrapped layer's `[batch·time, …rest]` (null when either is unknown). */
  #innerShape(inputShape: SymbolicShape): SymbolicShape {
    const shape = checkSymbolicShape(API, inputShape);
    if (shape.length < 3) throw new RnnkitError(API, `expected an input shape [batch, time, …], got ${formatSymbolic(shape)}`);
    const [batch, time, ...rest] = shape;
    return [batch === null || time === null ? null : batch! * time!, ...rest];
  }
}

/** Creates a {@link TimeDistributed} layer: `timeDistributed({ layer: new Dense({ units: 1 }) })`. */
export function timeDistributed(options: TimeDistributedOptions): TimeDistributed {
  return new TimeDistributed(options);
}
