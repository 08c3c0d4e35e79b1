// The layer codec contract: how a layer class is written to and read from a TF.js
// layers-model file (Keras' layer config in snake_case, plus the names of its weights). A
// codec is a plain object per layer class, built in or a user's own; the model IO of
// @rnnkit/model composes the codecs it is given and knows no layer class itself.
import type { DType } from '@rnnkit/tensor';
import type { KerasConfig, KerasConfigReader, KerasConfigWriter } from './keras-config.js';
import { snakeCase } from './keras-config.js';
import type { Layer, SymbolicShape } from './layer.js';

/**
 * Where one parameter of a layer goes in a saved file, relative to the layer: a weight of
 * the manifest (`'kernel'`, `'lstm_cell/recurrent_kernel'`; saved as `<layer>/<name>`), or,
 * for a parameter TF.js has no place for, `{ name, rnnkitOnly: true }` (saved in the
 * file's `rnnkit.weights` field, which TF.js and Keras ignore).
 */
export type CodecWeightName = string | { readonly name: string; readonly rnnkitOnly: true };

/** What a codec's `load` is given besides the config. */
export interface CodecLoadContext {
  /** The layer's name in the file (checked: non-empty, unique, no `/`). Give it to the layer. */
  readonly name: string;
  /** The model's element type. Give it to the layer. */
  readonly dtype: DType;
}

/**
 * How one layer class is saved and loaded: a plain, typed plugin object. Pass the codecs a
 * model may use to `saveModel`/`loadModel` of @rnnkit/model (`[...builtinCodecs, myCodec]`);
 * nothing is registered globally.
 *
 * Ownership: a file's `class_name` is read by the codec of that {@link className} (class
 * names are unique in a codec list); a layer is saved by the first codec that {@link owns}
 * it. Weight names and order come from the layer's `params()`; weight shapes come from
 * building the loaded layer for its input shape, never from the codec.
 *
 * @example
 * const scaleCodec: LayerCodec<Scale> = {
 *   className: 'Scale',
 *   owns: (layer): layer is Scale => layer instanceof Scale,
 *   save: (layer) => ({ units: layer.units }),
 *   load: (reader, { name, dtype }) => new Scale({ units: reader.positiveInteger('units'), name, dtype }),
 * };
 */
export interface LayerCodec<L extends Layer = Layer> {
  /** The Keras class name written to and read from files, e.g. `'LSTM'`. */
  readonly className: string;
  /**
   * Whether this codec saves `layer`. The built-in codecs own instances of their class.
   * @defaultValue `layer.className === className`
   */
  owns?(layer: Layer): boolean;
  /**
   * Keys the model IO otherwise writes and reads itself that this class gives its own
   * meaning: Embedding's `input_dim` is its vocabulary size, not the number of input
   * features. The model IO then leaves them to `save` and `load` (only `'input_dim'` and
   * `'input_length'` may be claimed).
   * @defaultValue none
   */
  readonly ownKeys?: readonly ('input_dim' | 'input_length')[];
  /**
   * The layer's own Keras config keys, snake_case (`{ units: 4, use_bias: true }`). The model
   * IO adds `name`, `trainable`, `dtype` and the first layer's `batch_input_shape`. Convert
   * activations and initialisers with `writer`; fail with `writer.fail`.
   */
  save(layer: L, writer: KerasConfigWriter): KerasConfig;
  /**
   * The unbuilt layer a Keras config describes. Read every key through `reader` (which
   * checks values and refuses `rnnkit_*` keys no codec read); refuse what the layer cannot
   * honour with `reader.fail`, drop training-only settings with `reader.trainingOnly`.
   */
  load(reader: KerasConfigReader, context: CodecLoadContext): L;
  /**
   * One name per parameter of the built layer, in `params()` order.
   * @defaultValue each parameter's name in snake case (`recurrentKernel` → `recurrent_kernel`)
   */
  weightNames?(layer: L): readonly CodecWeightName[];
  /**
   * How many numbers the layer's parameters will hold once built for `inputShape`, computed
   * without allocating (an upper bound will do). Loading refuses a file whose layers would
   * need more numbers than its weights hold *before* building them, so a file declaring an
   * enormous layer fails with an error instead of allocating it. Without it (or when it
   * returns undefined: unknown) the layer is built first and checked after.
   */
  paramCount?(layer: L, inputShape: SymbolicShape): number | undefined;
}

/** A layer codec of any layer type (what codec lists hold). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyLayerCodec = LayerCodec<any>;

/** Whether `codec` saves `layer` (its `owns`, or an equal class name). */
export function codecOwns(codec: AnyLayerCodec, layer: Layer): boolean {
  return codec.owns === undefined ? layer.className === codec.className : codec.owns(layer) === true;
}

/** The weight names of a built layer by its codec (see {@link LayerCodec.weightNames}). */
export function codecWeightNames(codec: AnyLayerCodec, layer: Layer): { readonly name: string; readonly rnnkitOnly: boolean }[] {
  const names = codec.weightNames === undefined ? layer.params().map((p) => snakeCase(p.name)) : codec.weightNames(layer);
  return names.map((n: CodecWeightName) => (typeof n === 'string' ? { name: n, rnnkitOnly: false } : { name: n.name, rnnkitOnly: true }));
}
