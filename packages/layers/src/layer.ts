import type { DType, Param, Random, Tensor, TypedArray } from '@rnnkit/tensor';

/**
 * A symbolic shape as layers see it: `null` stands for the batch length (or any length not
 * known until data arrives), e.g. `[null, 25, 1]` for batches of 25-step sequences.
 */
export type SymbolicShape = readonly (number | null)[];

/** Options every layer's `forward` accepts. */
export interface ForwardOptions {
  /** True while training (layers such as Dropout behave differently). @defaultValue false */
  readonly training?: boolean;
  /** Recurrent layers: the state to start from (`[h]`, or `[h, c]` for LSTM), each `[batch, units]`. */
  readonly initialState?: readonly Tensor[];
  /**
   * Which steps of a `[batch, time, …]` input count: `[batch, time]`, 1 for a step, 0 for
   * padding (Keras' mask). Layers that take one (recurrent layers, Masking, Dense, …) say so
   * with `computeMask`; a Sequential model passes each layer the mask of the one before.
   */
  readonly mask?: Tensor;
}

/** What `forward` returns: the output, the final states of recurrent layers, and the cache for `backward`. */
export interface ForwardResult<Cache> {
  readonly y: Tensor;
  /**
   * Recurrent layers built with `returnState: true`: the final state(s), `[h]` or `[h, c]`,
   * each `[batch, units]` (absent otherwise).
   */
  readonly states?: readonly Tensor[];
  readonly cache: Cache;
}

/** Options every layer's `backward` accepts. */
export interface BackwardOptions {
  /**
   * Recurrent layers built with `returnState: true`: the gradient of the loss with respect
   * to each returned final state (`[h]` or `[h, c]`, each `[batch, units]`). Omitted
   * states, or an omitted list, count as zero gradients.
   */
  readonly stateGrads?: readonly (Tensor | undefined)[];
}

/** What a recurrent layer's `backwardWithStates` returns. */
export interface BackwardResult {
  /** Gradient with respect to the input, shaped like the input. */
  readonly dx: Tensor;
  /**
   * Gradient with respect to each initial state (`[h]` or `[h, c]`, each `[batch, units]`),
   * whether it came from `initialState` or was the default zero state. This is what lets a
   * long sequence be processed in chunks, or an encoder hand its state to a decoder.
   */
  readonly initialStateGrads: readonly Tensor[];
}

/** A layer's configuration as plain JSON data (Keras' `config`, camelCase here). */
export type LayerConfig = { readonly name: string } & Readonly<Record<string, unknown>>;

/** Options of {@link Layer.build}. */
export interface BuildOptions {
  /**
   * Run the initialisers. False leaves every parameter at zero, for weights that are set
   * right after (loading a saved model): initialisers such as the orthogonal one take
   * seconds on large layers.
   * @defaultValue true
   */
  readonly initialize?: boolean;
}

/**
 * One layer run one time step at a time over a fixed batch (streaming inference), made by
 * {@link Layer.stepper}. It owns every buffer it needs from the start, so a step allocates
 * nothing: it reads `batch` rows of `inputSize` values from `input` at `inputOffset` and
 * writes `batch` rows of `outputSize` values into `output` at `outputOffset` (row-major,
 * the rows of one step). Recurrent layers carry their states from step to step.
 */
export interface LayerStepper {
  readonly inputSize: number;
  readonly outputSize: number;
  step(input: TypedArray, inputOffset: number, output: TypedArray, outputOffset: number): void;
  /** Back to the initial states (a layer without states does nothing). */
  reset(): void;
}

/**
 * The contract every layer — built in or a user's own — fulfils.
 *
 * A layer is built once for an input shape (creating its parameters from a seeded
 * {@link Random}), then runs `forward` to produce an output and a cache, and `backward` to
 * turn the gradient of the loss with respect to its output into the gradient with respect
 * to its input, *adding* the gradients of its parameters into each `Param.grad` on the way.
 * Nothing is stored on the layer between the two calls: all of it travels in the cache.
 */
export interface Layer<Cache = unknown> {
  /** Keras class name, e.g. `"LSTM"`; used in summaries, errors and saved files. */
  readonly className: string;
  /** Instance name unique within a model, e.g. `"lstm"` or `"dense_1"`. */
  readonly name: string;
  /** Element type of parameters and outputs. */
  readonly dtype: DType;
  /** True once `build` has created the parameters. */
  readonly built: boolean;
  /**
   * Creates the parameters for inputs of this shape, drawing initial values from `random`
   * (or leaving them at zero with `initialize: false`, when weights are set next).
   * Once built, a call with a compatible shape does nothing and an incompatible one throws.
   */
  build(inputShape: SymbolicShape, random: Random, options?: BuildOptions): void;
  /** Trainable and non-trainable parameters, in Keras' weight order. */
  params(): Param[];
  /** The output shape for an input shape (no computation). */
  outputShape(inputShape: SymbolicShape): SymbolicShape;
  forward(x: Tensor, options?: ForwardOptions): ForwardResult<Cache>;
  /**
   * Accumulates parameter gradients and returns the gradient with respect to the input.
   * `dy` is shaped like `forward`'s `y`; a cache may be used for any number of backward calls.
   */
  backward(dy: Tensor, cache: Cache, options?: BackwardOptions): Tensor;
  /** Copies of the weights in Keras' order (e.g. LSTM: kernel, recurrent kernel, bias). */
  getWeights(): Tensor[];
  /** Replaces the weights (Keras' order, shapes checked), copying their values: the tensors stay the caller's. */
  setWeights(weights: readonly Tensor[]): void;
  /** Plain-data configuration; `fromConfig` of the same class rebuilds an equal layer. */
  getConfig(): LayerConfig;
  /**
   * Optional: the mask of this layer's output, given its input and the input's mask (Keras'
   * `compute_mask`). A layer without it takes no mask: a Sequential model refuses to pass
   * it one. Recurrent layers consume the mask (`null` out) unless they return sequences.
   */
  computeMask?(x: Tensor, mask: Tensor | null): Tensor | null;
  /**
   * Optional: a {@link LayerStepper} for `batch` sequences of `features` inputs per step,
   * whose step t gives what `forward` gives at time t of the whole sequence (inference).
   * Streaming (`createStream` of @rnnkit/model) needs it of every layer of a model.
   */
  stepper?(batch: number, features: number): LayerStepper;
}

/**
 * A layer that runs over the time axis of `[batch, time, features]` inputs and carries a
 * state (`[h]`, or `[h, c]` for LSTM) from step to step.
 */
export interface RecurrentLayer<Cache = unknown> extends Layer<Cache> {
  /** Length of each state vector. */
  readonly units: number;
  /** Number of state tensors: 1 (`[h]`) or 2 for LSTM (`[h, c]`). */
  readonly stateCount: number;
  /** `backward`, also returning the gradients with respect to the initial states. */
  backwardWithStates(dy: Tensor, cache: Cache, options?: BackwardOptions): BackwardResult;
}
