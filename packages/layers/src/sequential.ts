// The Sequential model: a stack of layers run in order, itself a Layer. Its option checks
// are in sequential-options.ts, the layer naming in naming.ts and summary() in
// sequential-summary.ts.
import { type DType, type Param, type Random, RnnkitError, type Tensor, checkOptionKeys, describeValue, formatShape, sameShape } from '@rnnkit/tensor';
import { builtinLayers } from './from-config.js';
import { prefixedParam } from './common.js';
import { uniqueNames } from './naming.js';
import { checkInputShape, checkLayers, checkOptions, resolveRandom } from './sequential-options.js';
import { formatSymbolic, summaryTable } from './sequential-summary.js';
import { chainSteppers } from './stepper.js';
import type {
  BackwardOptions,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerConfig,
  LayerStepper,
  SymbolicShape,
} from './layer.js';

const API = 'Sequential';

/** Options of {@link Sequential}. */
export interface SequentialOptions {
  /** The layers, applied in this order. Each instance may appear once. */
  readonly layers: readonly Layer[];
  /**
   * Shape of one sample without the batch axis, e.g. `[time, features]` for recurrent
   * models or `[features]`; `null` for a length known only from the data (the time axis
   * of variable-length sequences). When given the model is built at once; otherwise it is
   * built by the first `forward` (or by `build`).
   * @defaultValue undefined (built on first use)
   */
  readonly inputShape?: SymbolicShape;
  /**
   * Seed of the generator every layer draws its initial weights from, in layer order.
   * The default makes unseeded models reproducible too; pass your own to vary them.
   * @defaultValue 0
   */
  readonly seed?: number;
  /** A generator to draw the initial weights from instead of `seed` (not with `seed`). */
  readonly random?: Random;
  /**
   * Run the layers' initialisers when building. False leaves every weight at zero, for a
   * model whose weights are set right after with `setWeights` (`loadModel` does this).
   * @defaultValue true
   */
  readonly initialize?: boolean;
  /** Element type; every layer must have been made with it. @defaultValue the first layer's dtype */
  readonly dtype?: DType;
  /** Model name, shown by `summary()`. @defaultValue 'sequential' */
  readonly name?: string;
}

/** What {@link Sequential.forward} keeps for `backward`: each layer's cache, in order. */
export interface SequentialCache {
  readonly caches: readonly unknown[];
  /** The mask of the model's output (`[batch, time]`), when a layer made or passed one; losses skip its 0 steps. */
  readonly mask?: Tensor | null;
}

/** The configuration of a {@link Sequential} model: plain JSON data. */
export interface SequentialConfig extends LayerConfig {
  readonly name: string;
  readonly dtype: DType;
  /** The input shape without the batch axis, or null when the model was not built. */
  readonly inputShape: SymbolicShape | null;
  /** Each layer's class name and config, the config's `name` being the name in this model. */
  readonly layers: readonly { readonly className: string; readonly config: LayerConfig }[];
}

/** Options of {@link Sequential.fromConfig}. */
export interface SequentialFromConfigOptions {
  /**
   * Layer classes by class name, beyond the built-in ones (`builtinLayers`): a user's own
   * layers must be passed to be rebuilt. @defaultValue the built-in layers only
   */
  readonly layers?: Readonly<Record<string, { fromConfig(config: LayerConfig): Layer }>>;
  /** As {@link SequentialOptions.seed}. @defaultValue 0 */
  readonly seed?: number;
  /** As {@link SequentialOptions.random}. */
  readonly random?: Random;
}

/**
 * A stack of layers, each feeding the next: `forward` runs them in order and keeps every
 * layer's cache, `backward` runs their backward passes in reverse (the chain rule) and
 * returns the gradient with respect to the model's input. A `Sequential` is itself a
 * {@link Layer}, so it can be gradient-checked, nested or run through the layer laws.
 *
 * Layers are named within the model as Keras does: a layer keeping its default name gets
 * `_1`, `_2`, … when the name is taken (`lstm`, `lstm_1`, `dense`); parameters are named
 * `layer/param` (`lstm/kernel`).
 *
 * @example
 * const model = new Sequential({
 *   layers: [new LSTM({ units: 32 }), new Dense({ units: 1 })],
 *   inputShape: [25, 1],
 *   seed: 42,
 * });
 * console.log(model.summary()); // lstm 4,352 + dense 33 = 4,385 parameters
 */
export class Sequential implements Layer<SequentialCache> {
  readonly className = 'Sequential';
  readonly name: string;
  readonly dtype: DType;
  /** The layers, in order. */
  readonly layers: readonly Layer[];
  /** The name of each layer within this model (unique; see the class description). */
  readonly layerNames: readonly string[];
  #random: Random;
  #inputShape: SymbolicShape | null = null;
  /** Output shape of each layer, from build. */
  #shapes: SymbolicShape[] = [];
  /** Parameters with names prefixed by the layer name, made once at build. */
  #params: Param[] = [];
  /** Whether building runs the layers' initialisers (see {@link SequentialOptions.initialize}). */
  readonly #initialize: boolean;

  constructor(options: SequentialOptions) {
    checkOptions(options);
    const { layers } = options;
    checkLayers(layers);
    this.layers = Object.freeze([...layers]);
    this.layerNames = Object.freeze(uniqueNames(API, layers));
    this.name = options.name ?? 'sequential';
    if (typeof this.name !== 'string' || this.name === '') {
      throw new RnnkitError(API, `name must be a non-empty string, got ${describeValue(options.name)}`);
    }
    this.dtype = options.dtype ?? layers[0]!.dtype;
    if (this.dtype !== 'float32' && this.dtype !== 'float64') {
      throw new RnnkitError(API, `dtype must be "float32" or "float64", got ${describeValue(this.dtype)}`);
    }
    layers.forEach((layer, i) => {
      if (layer.dtype !== this.dtype) {
        throw new RnnkitError(
          API,
          `layer "${this.layerNames[i]}" is ${layer.dtype} but the model is ${this.dtype}; ` +
            `make every layer with dtype: "${this.dtype}"`,
        );
      }
    });
    this.#random = resolveRandom(options.seed, options.random);
    if (options.initialize !== undefined && typeof options.initialize !== 'boolean') {
      throw new RnnkitError(API, `initialize must be true or false, got ${describeValue(options.initialize)}`);
    }
    this.#initialize = options.initialize ?? true;
    if (options.inputShape !== undefined) this.build([null, ...checkInputShape(options.inputShape)]);
  }

  /**
   * Rebuilds a model from {@link getConfig}'s output, built (with fresh weights from the
   * seed) when the config has an input shape; copy weights over with `setWeights`.
   */
  static fromConfig(config: LayerConfig, options: SequentialFromConfigOptions = {}): Sequential {
    const api = 'Sequential.fromConfig';
    checkOptionKeys(api, options, ['layers', 'seed', 'random']);
    const { layers, inputShape, dtype, name } = config as Partial<SequentialConfig>;
    if (!Array.isArray(layers)) throw new RnnkitError(api, `expected a config with a "layers" array, got ${describeValue(layers)}`);
    const classes: Readonly<Record<string, { fromConfig(config: LayerConfig): Layer }>> = {
      ...builtinLayers,
      // Nested models rebuild with the same extra classes.
      Sequential: { fromConfig: (inner: LayerConfig) => Sequential.fromConfig(inner, { layers: options.layers ?? {} }) },
      ...options.layers,
    };
    const built = layers.map((entry, i) => {
      const className = entry?.className;
      const cls = typeof className === 'string' && Object.prototype.hasOwnProperty.call(classes, className) ? classes[className] : undefined;
      if (cls === undefined) {
        throw new RnnkitError(
          api,
          `layer ${i} has unknown class ${describeValue(className)}; known: ${Object.keys(classes).join(', ')} ` +
            '(pass your own layer classes as options.layers)',
        );
      }
      return cls.fromConfig(entry.config);
    });
    return new Sequential({
      layers: built,
      ...(inputShape === null || inputShape === undefined ? {} : { inputShape }),
      ...(options.random === undefined ? { seed: options.seed ?? 0 } : { random: options.random }),
      ...(dtype === undefined ? {} : { dtype }),
      ...(name === undefined ? {} : { name }),
    });
  }

  get built(): boolean {
    return this.#inputShape !== null;
  }

  /** The model's input shape with the batch as `null` (`[null, 25, 1]`), once built. */
  get inputShape(): SymbolicShape | null {
    return this.#inputShape;
  }

  /**
   * Builds every layer in order for inputs of this shape (batch first, usually `null`),
   * drawing initial weights from `random` or, by default, the model's own generator.
   */
  build(inputShape: SymbolicShape, random: Random = this.#random): void {
    if (!Array.isArray(inputShape) || inputShape.length < 2) {
      throw new RnnkitError(API, `expected an input shape [batch, …, features], got ${describeValue(inputShape)}`);
    }
    if (this.#inputShape !== null) {
      if (!fits(inputShape, this.#inputShape)) {
        throw new RnnkitError(
          API,
          `already built for input ${formatSymbolic(this.#inputShape)}, got ${formatSymbolic(inputShape)}`,
        );
      }
      return;
    }
    const shapes: SymbolicShape[] = [];
    let shape: SymbolicShape = [...inputShape];
    this.layers.forEach((layer, i) => {
      const input = shape;
      shape = this.#inLayer(i, `input ${formatSymbolic(input)}`, () => {
        if (!layer.built) layer.build(input, random, { initialize: this.#initialize });
        return layer.outputShape(input);
      });
      shapes.push(shape);
    });
    // Prefixed views of the layers' parameters: same value, gradient and trainable flag.
    const params = this.layers.flatMap((layer, i) => layer.params().map((p) => prefixedParam(this.layerNames[i]!, p)));
    const names = new Set<string>();
    for (const p of params) {
      if (names.has(p.name)) throw new RnnkitError(API, `two parameters are named "${p.name}"`);
      names.add(p.name);
    }
    this.#shapes = shapes;
    this.#params = params;
    this.#inputShape = Object.freeze([...inputShape]);
  }

  /** Every parameter, in layer order, named `layer/param` (`lstm/kernel`, `dense/bias`). */
  params(): Param[] {
    return [...this.#params];
  }

  /**
   * The model's output shape: for the built input shape when called without an argument,
   * else for `inputShape` (batch first).
   */
  outputShape(inputShape?: SymbolicShape): SymbolicShape {
    if (inputShape === undefined) {
      const last = this.#shapes[this.#shapes.length - 1];
      if (last === undefined) throw this.#notBuilt();
      return last;
    }
    let shape = inputShape;
    this.layers.forEach((layer, i) => {
      const input = shape;
      shape = this.#inLayer(i, `input ${formatSymbolic(input)}`, () => layer.outputShape(input));
    });
    return shape;
  }

  /**
   * Runs the layers in order. Builds the model for `x`'s shape on the first call when it
   * was made without `inputShape`.
   */
  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<SequentialCache> {
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    if (options.initialState !== undefined) {
      throw new RnnkitError(API, 'initialState is not supported by a model; pass it to the recurrent layer itself');
    }
    if (!isTensor(x)) throw new RnnkitError(API, `expected the input to be a Tensor, got ${describeValue(x)}`);
    if (this.#inputShape === null) this.build([null, ...x.shape.slice(1)]);
    const expected = this.#inputShape!;
    if (!fits(x.shape, expected)) {
      throw new RnnkitError(API, `expected input ${formatSymbolic(expected)}, got ${formatShape(x.shape)}`);
    }
    if (x.dtype !== this.dtype) throw new RnnkitError(API, `expected a ${this.dtype} input (the model's dtype), got ${x.dtype}`);
    const layerOptions: ForwardOptions = options.training === undefined ? {} : { training: options.training };
    const caches: unknown[] = new Array(this.layers.length);
    let y = x;
    // The mask given, then each layer's: Masking makes one, recurrent layers use it up.
    let mask = options.mask ?? null;
    // A plain loop with the message built only on failure: this runs every training step.
    for (let i = 0; i < this.layers.length; i++) {
      const layer = this.layers[i]!;
      if (mask !== null && layer.computeMask === undefined) {
        throw this.#refused(i, `input ${formatShape(y.shape)}`, new RnnkitError(layer.className, 'this layer cannot take a mask (it has no computeMask)'));
      }
      let result: ForwardResult<unknown>;
      try {
        result = layer.forward(y, mask === null ? layerOptions : { ...layerOptions, mask });
        if (layer.computeMask !== undefined) mask = layer.computeMask(y, mask);
      } catch (error) {
        throw this.#refused(i, `input ${formatShape(y.shape)}`, error);
      }
      caches[i] = result.cache;
      y = result.y;
    }
    return { y, cache: { caches, mask } };
  }

  /**
   * Backpropagates `dy` (shaped like `forward`'s `y`) through the layers in reverse,
   * adding every parameter's gradient, and returns the gradient with respect to the input.
   */
  backward(dy: Tensor, cache: SequentialCache, options: BackwardOptions = {}): Tensor {
    checkOptionKeys(API, options, ['stateGrads']);
    if (options.stateGrads !== undefined) throw new RnnkitError(API, 'stateGrads is not supported by a model');
    if (!isTensor(dy)) throw new RnnkitError(API, `expected the output gradient to be a Tensor, got ${describeValue(dy)}`);
    const caches = cache?.caches;
    if (!Array.isArray(caches) || caches.length !== this.layers.length) {
      throw new RnnkitError(API, 'expected the cache returned by this model\'s forward');
    }
    let grad = dy;
    for (let i = this.layers.length - 1; i >= 0; i--) {
      try {
        grad = this.layers[i]!.backward(grad, caches[i]);
      } catch (error) {
        throw this.#refused(i, `output gradient ${formatShape(grad.shape)}`, error);
      }
    }
    return grad;
  }

  /** Every layer's stepper, chained (each layer must have one): the model one time step at a time. */
  stepper(batch: number, features: number): LayerStepper {
    this.#requireBuilt();
    return chainSteppers(API, this.layers, this.layerNames, this.dtype, batch, features);
  }

  /** Copies of every layer's weights, in layer order and each layer's Keras order. */
  getWeights(): Tensor[] {
    this.#requireBuilt();
    return this.layers.flatMap((layer) => layer.getWeights());
  }

  /** Replaces every weight (the order of {@link getWeights}); nothing changes on a mistake. */
  setWeights(weights: readonly Tensor[]): void {
    this.#requireBuilt();
    const counts = this.layers.map((layer) => layer.params().length);
    const total = counts.reduce((a, b) => a + b, 0);
    if (!Array.isArray(weights) || weights.length !== total) {
      const parts = this.layerNames.map((name, i) => `${name}: ${counts[i]}`).join(', ');
      throw new RnnkitError(
        API,
        `setWeights expected ${total} tensors (${parts}), got ${Array.isArray(weights) ? weights.length : describeValue(weights)}`,
      );
    }
    // Check every shape before writing anything.
    this.#params.forEach((p, k) => {
      const w = weights[k];
      if (!isTensor(w) || !sameShape(w.shape, p.value.shape)) {
        const got = isTensor(w) ? formatShape(w.shape) : describeValue(w);
        throw new RnnkitError(API, `setWeights: ${p.name} must have shape ${formatShape(p.value.shape)}, got ${got}`);
      }
    });
    let offset = 0;
    this.layers.forEach((layer, i) => {
      layer.setWeights(weights.slice(offset, offset + counts[i]!));
      offset += counts[i]!;
    });
  }

  getConfig(): SequentialConfig {
    return {
      name: this.name,
      dtype: this.dtype,
      inputShape: this.#inputShape === null ? null : this.#inputShape.slice(1),
      layers: this.layers.map((layer, i) => ({
        className: layer.className,
        config: { ...layer.getConfig(), name: this.layerNames[i]! },
      })),
    };
  }

  /** A Keras-like table of the layers and parameter counts (see {@link summaryTable}). */
  summary(): string {
    this.#requireBuilt();
    const { name, layers, layerNames } = this;
    return summaryTable({ name, layers, layerNames, shapes: this.#shapes, params: this.#params });
  }

  /** Runs `fn` for layer `i`, naming the layer in any error it throws. */
  #inLayer<T>(i: number, what: string, fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw this.#refused(i, what, error);
    }
  }

  /** What to throw when layer `i` threw `error`: an RnnkitError naming the layer, else `error` itself. */
  #refused(i: number, what: string, error: unknown): unknown {
    if (!(error instanceof Error) || error.name !== 'RnnkitError') return error;
    const layer = this.layers[i]!;
    return new RnnkitError(
      API,
      `layer ${i} "${this.layerNames[i]}" (${layer.className}) refused ${what}: ${error.message}`,
      { cause: error },
    );
  }

  #requireBuilt(): void {
    if (this.#inputShape === null) throw this.#notBuilt();
  }

  #notBuilt(): RnnkitError {
    return new RnnkitError(
      API,
      `model "${this.name}" is not built; pass inputShape (e.g. [25, 1]) or run forward once`,
    );
  }
}

/** Creates a {@link Sequential} model: `sequential({ layers: [...], inputShape: [25, 1] })`. */
export function sequential(options: SequentialOptions): Sequential {
  return new Sequential(options);
}

// ---------------------------------------------------------------------------------------

/** Whether a (concrete or symbolic) shape fits a symbolic one, `null` matching any length. */
function fits(shape: SymbolicShape, expected: SymbolicShape): boolean {
  return shape.length === expected.length && expected.every((d, i) => d === null || shape[i] === null || d === shape[i]);
}

function isTensor(value: unknown): value is Tensor {
  if (value === null || typeof value !== 'object') return false;
  const { shape, data } = value as Partial<Tensor>;
  return Array.isArray(shape) && (data instanceof Float32Array || data instanceof Float64Array);
}
