// Keras' Bidirectional wrapper: one recurrent layer reads the sequence forwards, a copy of it
// reads it backwards (goBackwards), and their outputs are merged. Everything here is the
// wrapper's own: the copies, the time flip of the backward outputs, the merge and its
// gradient, the split of initial states and state gradients between the directions.
import { type DType, type Param, type Random, RnnkitError, Tensor, allocate, formatShape, sameShape } from '@rnnkit/tensor';
import { checkOptionKeys, describeValue, nameOption, prefixedParam, setParamValues } from './common.js';
import type {
  BackwardOptions,
  BackwardResult,
  BuildOptions,
  ForwardOptions,
  ForwardResult,
  Layer,
  LayerConfig,
  RecurrentLayer,
  SymbolicShape,
} from './layer.js';
import { reverseTimeAxis } from './rnn-buffers.js';

const API = 'Bidirectional';

/** How the two directions' outputs are combined: concatenated on the last axis (forward first), added, multiplied or averaged. */
export type MergeMode = 'concat' | 'sum' | 'mul' | 'ave';

const MERGE_MODES: readonly MergeMode[] = ['concat', 'sum', 'mul', 'ave'];

/**
 * A recurrent layer Bidirectional can wrap: SimpleRNN, LSTM, GRU, or a user's own layer with
 * these flags whose class has a static `fromConfig` (the directions are rebuilt from its config).
 */
export interface DirectionalLayer<Cache = unknown> extends RecurrentLayer<Cache> {
  readonly returnSequences: boolean;
  readonly returnState: boolean;
  readonly goBackwards: boolean;
}

/** Options of {@link Bidirectional}. */
export interface BidirectionalOptions {
  /**
   * The recurrent layer to run both ways. Only its configuration is used, as in Keras: the
   * forward direction is a copy named `forward_<name>`, the backward one a copy with
   * goBackwards flipped named `backward_<name>`. Its class must have a static `fromConfig`.
   */
  readonly layer: DirectionalLayer;
  /**
   * How the outputs are merged. Keras' `null` (the two outputs as a list) is refused: an
   * rnnkit layer has one output; use `'concat'` and split the last axis in half.
   * @defaultValue 'concat'
   */
  readonly mergeMode?: MergeMode;
  /**
   * The backward direction, when it is not simply `layer` reversed (Keras' `backward_layer`):
   * its goBackwards must be the opposite of `layer`'s, and returnSequences and returnState
   * the same. A copy named `backward_<its name>` is used.
   * @defaultValue a copy of `layer` with goBackwards flipped
   */
  readonly backwardLayer?: DirectionalLayer;
  /** Instance name. @defaultValue 'bidirectional' */
  readonly name?: string;
}

/** A wrapped layer's class name and configuration. */
export interface WrappedLayerConfig {
  readonly className: string;
  readonly config: LayerConfig;
}

/** The configuration of a {@link Bidirectional}. */
export interface BidirectionalConfig extends LayerConfig {
  readonly name: string;
  /** The wrapped layer as given (its own name, not the `forward_` one). */
  readonly layer: WrappedLayerConfig;
  readonly mergeMode: MergeMode;
  /** Only when a backward layer was given (its own name, not the `backward_` one). */
  readonly backwardLayer?: WrappedLayerConfig;
}

/** What {@link Bidirectional.forward} keeps for `backward`. */
export interface BidirectionalCache {
  readonly forward: unknown;
  readonly backward: unknown;
  /** The two outputs, the backward one flipped back in time (kept for mergeMode 'mul'). */
  readonly yForward: Tensor;
  readonly yBackward: Tensor;
}

type LayerClass = { fromConfig(config: LayerConfig): Layer };

/** A copy of `layer` from its config, with `changes` and without the `omit` keys; refused for classes without `fromConfig`. */
function copyOf(layer: DirectionalLayer, what: string, changes: Record<string, unknown>, omit: readonly string[] = []): DirectionalLayer {
  const cls = (layer as object).constructor as Partial<LayerClass> | undefined;
  if (typeof cls?.fromConfig !== 'function') {
    throw new RnnkitError(API, `${what} "${layer.name}" (${layer.className}) cannot be copied: its class has no static fromConfig`);
  }
  const config = Object.fromEntries(Object.entries({ ...layer.getConfig(), ...changes }).filter(([key]) => !omit.includes(key)));
  return checkDirectional(cls.fromConfig(config as LayerConfig), what);
}

function checkDirectional(layer: unknown, what: string): DirectionalLayer {
  const l = layer as Partial<DirectionalLayer> | null;
  const ok =
    l !== null &&
    typeof l === 'object' &&
    typeof l.backwardWithStates === 'function' &&
    typeof l.forward === 'function' &&
    typeof l.stateCount === 'number' &&
    typeof l.returnSequences === 'boolean' &&
    typeof l.returnState === 'boolean' &&
    typeof l.goBackwards === 'boolean';
  if (!ok) {
    throw new RnnkitError(API, `${what} must be a recurrent layer (SimpleRNN, LSTM, GRU or one with returnSequences, returnState, goBackwards and backwardWithStates), got ${describeValue(layer)}`);
  }
  return layer as DirectionalLayer;
}

/**
 * Keras' `Bidirectional`: `bidirectional({ layer: lstm({ units: 16, returnSequences: true }) })`
 * reads each sequence forwards and backwards and merges the two outputs. With
 * returnSequences the backward outputs are flipped back in time first, so step t of the
 * output sees the whole sequence. With returnState it returns the forward states then the
 * backward ones; an `initialState` is read the same way (first half forward). Parameters:
 * the forward layer's, then the backward layer's (Keras' order).
 */
export class Bidirectional implements RecurrentLayer<BidirectionalCache> {
  readonly className: string = 'Bidirectional';
  readonly name: string;
  readonly mergeMode: MergeMode;
  readonly forwardLayer: DirectionalLayer;
  readonly backwardLayer: DirectionalLayer;
  /** The wrapped layer's own name, and the given backward layer's (undefined: none given). */
  readonly #layerName: string;
  readonly #backwardName: string | undefined;
  /** The directions' parameters under their names (`forward_lstm/kernel`), made once built. */
  #params: Param[] = [];

  constructor(options: BidirectionalOptions) {
    checkOptionKeys(API, options, ['layer', 'mergeMode', 'backwardLayer', 'name']);
    const layer = checkDirectional(options.layer, 'layer');
    if (options.mergeMode === null) {
      throw new RnnkitError(API, "mergeMode null (the two outputs as a list) is not supported: an rnnkit layer has one output; use 'concat' and split the last axis in half");
    }
    this.mergeMode = options.mergeMode ?? 'concat';
    if (!MERGE_MODES.includes(this.mergeMode)) {
      throw new RnnkitError(API, `mergeMode must be one of ${MERGE_MODES.map((m) => `"${m}"`).join(', ')}, got ${describeValue(options.mergeMode)}`);
    }
    this.name = nameOption(API, options.name, 'bidirectional');
    this.#layerName = layer.name;
    this.forwardLayer = copyOf(layer, 'layer', { name: `forward_${layer.name}` });
    if (options.backwardLayer === undefined) {
      // Without the dropout seed: the backward direction draws its own masks (its seed comes from the model's generator at build).
      this.backwardLayer = copyOf(layer, 'layer', { name: `backward_${layer.name}`, goBackwards: !layer.goBackwards }, ['seed']);
    } else {
      const given = checkDirectional(options.backwardLayer, 'backwardLayer');
      const clash =
        given.goBackwards === layer.goBackwards ? 'goBackwards must be the opposite of layer\'s' :
        given.returnSequences !== layer.returnSequences ? 'returnSequences must equal layer\'s' :
        given.returnState !== layer.returnState ? 'returnState must equal layer\'s' : undefined;
      if (clash !== undefined) throw new RnnkitError(API, `backwardLayer "${given.name}": ${clash}`);
      this.#backwardName = given.name;
      this.backwardLayer = copyOf(given, 'backwardLayer', { name: `backward_${given.name}` });
    }
    if (this.backwardLayer.dtype !== this.forwardLayer.dtype) {
      throw new RnnkitError(API, `backwardLayer is ${this.backwardLayer.dtype} but layer is ${this.forwardLayer.dtype}`);
    }
  }

  /** Rebuilds a Bidirectional from {@link getConfig}'s output, its wrapped layers by class name from `layers`. */
  static fromConfig(config: LayerConfig, layers: Readonly<Record<string, LayerClass>> = {}): Bidirectional {
    const make = (what: string, wrapped: unknown): DirectionalLayer => {
      const w = wrapped as Partial<WrappedLayerConfig> | undefined;
      const cls = typeof w?.className === 'string' && Object.prototype.hasOwnProperty.call(layers, w.className) ? layers[w.className] : undefined;
      if (cls === undefined || w?.config === undefined) {
        throw new RnnkitError(API, `${what} must be { className, config } of a known layer class (${Object.keys(layers).join(', ') || 'none given'}), got ${describeValue(wrapped)}`);
      }
      return checkDirectional(cls.fromConfig(w.config), what);
    };
    const { name, layer, mergeMode, backwardLayer, ...rest } = config;
    checkOptionKeys(API, rest, []);
    return new Bidirectional({
      layer: make('layer', layer),
      ...(backwardLayer === undefined ? {} : { backwardLayer: make('backwardLayer', backwardLayer) }),
      mergeMode: mergeMode as MergeMode,
      name,
    });
  }

  /** Length of each state vector (of either direction). */
  get units(): number {
    return this.forwardLayer.units;
  }

  get dtype(): DType {
    return this.forwardLayer.dtype;
  }

  /** The forward direction's states, then the backward direction's. */
  get stateCount(): number {
    return this.forwardLayer.stateCount + this.backwardLayer.stateCount;
  }

  get returnSequences(): boolean {
    return this.forwardLayer.returnSequences;
  }

  get returnState(): boolean {
    return this.forwardLayer.returnState;
  }

  get built(): boolean {
    return this.forwardLayer.built && this.backwardLayer.built;
  }

  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    this.forwardLayer.build(inputShape, random, options);
    this.backwardLayer.build(inputShape, random, options);
    if (this.#params.length === 0) {
      // Both directions name theirs alike (kernel, …): prefixed views keep names unique.
      this.#params = [this.forwardLayer, this.backwardLayer].flatMap((l) => l.params().map((p) => prefixedParam(l.name, p)));
    }
  }

  /** The forward direction's parameters then the backward one's, named `forward_lstm/kernel`, `backward_lstm/kernel`, … */
  params(): Param[] {
    return [...this.#params];
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    const forward = this.forwardLayer.outputShape(inputShape);
    const backward = this.backwardLayer.outputShape(inputShape);
    if (this.mergeMode !== 'concat') return forward;
    const last = forward.length - 1;
    return [...forward.slice(0, last), (forward[last] as number) + (backward[last] as number)];
  }

  /** As the wrapped layers: the mask goes on with sequences, else it is used up. */
  computeMask(_x: Tensor, mask: Tensor | null): Tensor | null {
    return this.returnSequences ? mask : null;
  }

  forward(x: Tensor, options: ForwardOptions = {}): ForwardResult<BidirectionalCache> {
    this.requireBuilt();
    checkOptionKeys(API, options, ['training', 'initialState', 'mask']);
    const { training, initialState, mask } = options;
    const split = this.splitStates(initialState, 'initialState');
    // Both directions read the same mask (the backward layer reverses it with its input).
    const shared = { ...(training === undefined ? {} : { training }), ...(mask === undefined ? {} : { mask }) };
    const f = this.forwardLayer.forward(x, { ...shared, ...(split === undefined ? {} : { initialState: split[0] }) });
    const b = this.backwardLayer.forward(x, { ...shared, ...(split === undefined ? {} : { initialState: split[1] }) });
    const yForward = f.y;
    const yBackward = this.returnSequences ? flipTime(b.y) : b.y;
    if (!sameShape(yForward.shape.slice(0, -1), yBackward.shape.slice(0, -1)) || (this.mergeMode !== 'concat' && !sameShape(yForward.shape, yBackward.shape))) {
      throw new RnnkitError(API, `the directions' outputs ${formatShape(yForward.shape)} and ${formatShape(yBackward.shape)} cannot be merged by "${this.mergeMode}"`);
    }
    const y = merge(this.mergeMode, yForward, yBackward);
    const cache: BidirectionalCache = { forward: f.cache, backward: b.cache, yForward, yBackward };
    if (!this.returnState) return { y, cache };
    return { y, states: [...(f.states ?? []), ...(b.states ?? [])], cache };
  }

  backward(dy: Tensor, cache: BidirectionalCache, options?: BackwardOptions): Tensor {
    return this.backwardWithStates(dy, cache, options ?? {}).dx;
  }

  backwardWithStates(dy: Tensor, cache: BidirectionalCache, options: BackwardOptions = {}): BackwardResult {
    this.requireBuilt();
    checkOptionKeys(API, options, ['stateGrads']);
    const yShape = this.mergeMode === 'concat' ? [...cache.yForward.shape.slice(0, -1), cache.yForward.shape.at(-1)! + cache.yBackward.shape.at(-1)!] : cache.yForward.shape;
    if (!(dy instanceof Tensor) || !sameShape(dy.shape, yShape) || dy.dtype !== this.dtype) {
      throw new RnnkitError(API, `expected a ${this.dtype} output gradient of shape ${formatShape(yShape)}, got ${dy instanceof Tensor ? `${dy.dtype} ${formatShape(dy.shape)}` : describeValue(dy)}`);
    }
    const given = options.stateGrads;
    if (given !== undefined && (!Array.isArray(given) || given.length > this.stateCount || !this.returnState)) {
      throw new RnnkitError(
        API,
        this.returnState ? `stateGrads must list at most ${this.stateCount} tensors, got ${describeValue(given)}` : 'stateGrads needs a layer built with returnState: true',
      );
    }
    const forwardCount = this.forwardLayer.stateCount;
    const [dForward, dBackwardFlipped] = mergeGradients(this.mergeMode, dy, cache.yForward, cache.yBackward);
    const dBackward = this.returnSequences ? flipTime(dBackwardFlipped) : dBackwardFlipped;
    const stateOptions = (from: number, to: number): BackwardOptions => (given === undefined || given.length <= from ? {} : { stateGrads: given.slice(from, to) });
    const f = this.forwardLayer.backwardWithStates(dForward, cache.forward, stateOptions(0, forwardCount));
    const b = this.backwardLayer.backwardWithStates(dBackward, cache.backward, stateOptions(forwardCount, this.stateCount));
    const dx = f.dx.data.slice();
    const dxBackward = b.dx.data;
    for (let i = 0; i < dx.length; i++) dx[i]! += dxBackward[i]!;
    return { dx: new Tensor(dx, f.dx.shape), initialStateGrads: [...f.initialStateGrads, ...b.initialStateGrads] };
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.requireBuilt();
    setParamValues(API, this.params(), weights);
  }

  getConfig(): BidirectionalConfig {
    // The directions' configs under the wrapped layers' own names (as Keras records them).
    const wrapped = (l: DirectionalLayer, name: string): WrappedLayerConfig => ({ className: l.className, config: { ...l.getConfig(), name } });
    return {
      name: this.name,
      layer: wrapped(this.forwardLayer, this.#layerName),
      mergeMode: this.mergeMode,
      ...(this.#backwardName === undefined ? {} : { backwardLayer: wrapped(this.backwardLayer, this.#backwardName) }),
    };
  }

  private requireBuilt(): void {
    if (!this.built) throw new RnnkitError(API, `layer "${this.name}" is not built; call build([batch, time, features], random) first`);
  }

  /** Keras' split of a state list: the forward layer's states first, then the backward layer's. */
  private splitStates(states: readonly Tensor[] | undefined, what: string): [readonly Tensor[], readonly Tensor[]] | undefined {
    if (states === undefined) return undefined;
    if (!Array.isArray(states) || states.length !== this.stateCount) {
      throw new RnnkitError(
        API,
        `${what} must list ${this.stateCount} tensors, the forward layer's ${this.forwardLayer.stateCount} then the backward layer's ${this.backwardLayer.stateCount}, got ${describeValue(states)}`,
      );
    }
    const forwardCount = this.forwardLayer.stateCount;
    return [states.slice(0, forwardCount), states.slice(forwardCount)];
  }
}

/** A `[batch, time, width]` tensor with its time axis reversed. */
function flipTime(t: Tensor): Tensor {
  const [batch, time, width] = t.shape as [number, number, number];
  const out = allocate(t.dtype, t.size);
  reverseTimeAxis(t.data, batch, time, width, out);
  return new Tensor(out, t.shape);
}

/** The merged output: rows of the last axis side by side (concat) or combined elementwise. */
function merge(mode: MergeMode, a: Tensor, b: Tensor): Tensor {
  const widthA = a.shape.at(-1)!;
  if (mode === 'concat') {
    const widthB = b.shape.at(-1)!;
    const rows = a.size / widthA;
    const out = allocate(a.dtype, a.size + b.size);
    for (let r = 0; r < rows; r++) {
      const at = r * (widthA + widthB);
      out.set(a.data.subarray(r * widthA, (r + 1) * widthA), at);
      out.set(b.data.subarray(r * widthB, (r + 1) * widthB), at + widthA);
    }
    return new Tensor(out, [...a.shape.slice(0, -1), widthA + widthB]);
  }
  const out = allocate(a.dtype, a.size);
  const x = a.data;
  const y = b.data;
  for (let i = 0; i < out.length; i++) {
    out[i] = mode === 'sum' ? x[i]! + y[i]! : mode === 'mul' ? x[i]! * y[i]! : (x[i]! + y[i]!) / 2;
  }
  return new Tensor(out, a.shape);
}

/**
 * The gradients of the two outputs from the merged one: the halves of each row (concat), dy
 * for both (sum), dy ⊙ the other output (mul), dy / 2 for both (ave).
 */
function mergeGradients(mode: MergeMode, dy: Tensor, a: Tensor, b: Tensor): [Tensor, Tensor] {
  if (mode === 'sum') return [dy, dy];
  if (mode === 'concat') {
    const widthA = a.shape.at(-1)!;
    const widthB = b.shape.at(-1)!;
    const rows = a.size / widthA;
    const da = allocate(dy.dtype, a.size);
    const db = allocate(dy.dtype, b.size);
    for (let r = 0; r < rows; r++) {
      const at = r * (widthA + widthB);
      da.set(dy.data.subarray(at, at + widthA), r * widthA);
      db.set(dy.data.subarray(at + widthA, at + widthA + widthB), r * widthB);
    }
    return [new Tensor(da, a.shape), new Tensor(db, b.shape)];
  }
  const da = allocate(dy.dtype, dy.size);
  const db = allocate(dy.dtype, dy.size);
  for (let i = 0; i < da.length; i++) {
    const g = dy.data[i]!;
    da[i] = mode === 'mul' ? g * b.data[i]! : g / 2;
    db[i] = mode === 'mul' ? g * a.data[i]! : g / 2;
  }
  return [new Tensor(da, dy.shape), new Tensor(db, dy.shape)];
}

/** Creates a {@link Bidirectional} layer: `bidirectional({ layer: lstm({ units: 16 }), mergeMode: 'sum' })`. */
export function bidirectional(options: BidirectionalOptions): Bidirectional {
  return new Bidirectional(options);
}
