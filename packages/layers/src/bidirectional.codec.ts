// Bidirectional in Keras' config vocabulary, as TF.js writes it and as tensorflowjs_converter
// writes Keras models: `{ layer: { class_name, config }, merge_mode, backward_layer? }`, the
// wrapped layer's config written and read by its own codec (from the list this codec is made
// with), and weights named `<bidirectional>/forward_<layer>/<its weight names>` then
// `…/backward_<layer>/…` (`bidirectional/forward_lstm/lstm_cell/kernel`; TF.js itself leaves
// the cell part out, which the model IO also accepts).
import { RnnkitError } from '@rnnkit/tensor';
import { Bidirectional, type DirectionalLayer, type MergeMode } from './bidirectional.js';
import { type AnyLayerCodec, type CodecWeightName, type LayerCodec, codecOwns, codecWeightNames } from './codec.js';
import { describeValue } from './common.js';
import { type KerasConfig, type KerasConfigReader, type KerasConfigWriter, isKerasConfig, ownKey } from './keras-config.js';
import type { DType } from '@rnnkit/tensor';

/** Options of {@link bidirectionalCodec}. */
export interface BidirectionalCodecOptions {
  /**
   * The codecs of the layers a saved Bidirectional may wrap, e.g. `[lstmCodec, gruCodec]`:
   * the wrapped layer is saved by the first that owns it and read by the one of its class.
   * The built-in `builtinCodecs` holds a Bidirectional codec over SimpleRNN, LSTM and GRU.
   */
  readonly codecs: readonly AnyLayerCodec[];
}

const MERGE_MODES: readonly string[] = ['concat', 'sum', 'mul', 'ave'];

/**
 * The codec of {@link Bidirectional}, wrapping the layers of `options.codecs`.
 *
 * @example
 * saveModel(model, { codecs: [...builtinCodecs.filter((c) => c.className !== 'Bidirectional'), bidirectionalCodec({ codecs: [lstmCodec, myRecurrentCodec] }), myRecurrentCodec] });
 */
export function bidirectionalCodec(options: BidirectionalCodecOptions): LayerCodec<Bidirectional> {
  const codecs = options?.codecs;
  if (!Array.isArray(codecs) || !codecs.every((c) => c !== null && typeof c === 'object' && typeof c.className === 'string' && typeof c.save === 'function' && typeof c.load === 'function')) {
    throw new RnnkitError('bidirectionalCodec', `codecs must be an array of layer codecs { className, save, load }, got ${describeValue(codecs)}`);
  }
  const known = (): string => codecs.map((c) => c.className).join(', ') || 'none';
  const codecOf = (layer: DirectionalLayer): AnyLayerCodec | undefined => codecs.find((c) => codecOwns(c, layer));

  /** The wrapped layer's `{ class_name, config }`, named as it was given (not `forward_…`). */
  const saveWrapped = (layer: DirectionalLayer, name: string, key: string, writer: KerasConfigWriter): KerasConfig => {
    const codec = codecOf(layer);
    if (codec === undefined) return writer.fail(`its ${key} is a ${layer.className}, which none of the Bidirectional codec's codecs saves (${known()})`);
    const nested = writer.nested(key);
    const config: Record<string, unknown> = { name, trainable: true, dtype: 'float32', ...codec.save(layer, nested) };
    if (Object.keys(nested.inexactInitializers).length > 0) config.rnnkit_initializers = nested.inexactInitializers;
    return { class_name: codec.className, config };
  };

  const loadWrapped = (reader: KerasConfigReader, key: string, dtype: DType): DirectionalLayer => {
    const wrapped = reader.get(key);
    const className = isKerasConfig(wrapped) ? ownKey(wrapped, 'class_name') : undefined;
    const config = isKerasConfig(wrapped) ? ownKey(wrapped, 'config') : undefined;
    if (typeof className !== 'string' || !isKerasConfig(config)) reader.fail(`${key} must be { class_name, config }, got ${reader.describe(wrapped)}`);
    const codec = codecs.find((c) => c.className === className);
    if (codec === undefined) return reader.fail(`${key} class ${reader.describe(className)} is not supported; the Bidirectional codec wraps ${known()}`);
    const nested = reader.nested(`${key}.config`, config as KerasConfig);
    const name = nested.get('name');
    if (typeof name !== 'string' || name === '' || name.includes('/')) nested.fail(`name must be a non-empty string without "/", got ${nested.describe(name)}`);
    // The wrapper's dtype and trainable flag are the model's; an input shape is the wrapper's.
    nested.ignore('trainable', 'dtype', 'batch_input_shape', 'batch_shape');
    const layer = codec.load(nested, { name, dtype }) as DirectionalLayer;
    nested.finish();
    return layer;
  };

  return {
    className: 'Bidirectional',
    owns: (layer) => layer instanceof Bidirectional,
    save(layer, writer) {
      const config = layer.getConfig();
      return {
        layer: saveWrapped(layer.forwardLayer, config.layer.config.name, 'layer', writer),
        merge_mode: config.mergeMode,
        ...(config.backwardLayer === undefined ? {} : { backward_layer: saveWrapped(layer.backwardLayer, config.backwardLayer.config.name, 'backward_layer', writer) }),
      };
    },
    load(reader, { name, dtype }) {
      const mergeMode = reader.get('merge_mode');
      if (mergeMode === null) reader.fail("merge_mode null (the two outputs as a list) is not supported: an rnnkit layer has one output");
      if (mergeMode !== undefined && !MERGE_MODES.includes(mergeMode as string)) {
        reader.fail(`merge_mode must be one of ${MERGE_MODES.map((m) => `"${m}"`).join(', ')}, got ${reader.describe(mergeMode)}`);
      }
      const layer = loadWrapped(reader, 'layer', dtype);
      const backwardLayer = reader.get('backward_layer') === undefined ? undefined : loadWrapped(reader, 'backward_layer', dtype);
      reader.mustBe('num_constants', 0, 'Bidirectional takes no constants in rnnkit');
      try {
        return new Bidirectional({ layer, ...(backwardLayer === undefined ? {} : { backwardLayer }), mergeMode: (mergeMode ?? 'concat') as MergeMode, name });
      } catch (error) {
        return reader.fail(error instanceof RnnkitError ? error.message.replace(/^Bidirectional: /, '') : String(error));
      }
    },
    weightNames(layer) {
      return [layer.forwardLayer, layer.backwardLayer].flatMap((direction): CodecWeightName[] => {
        const codec = codecOf(direction);
        const names = codec === undefined ? direction.params().map((p) => ({ name: p.name, rnnkitOnly: false })) : codecWeightNames(codec, direction);
        return names.map((w) => (w.rnnkitOnly ? { name: `${direction.name}/${w.name}`, rnnkitOnly: true as const } : `${direction.name}/${w.name}`));
      });
    },
    paramCount(layer, inputShape) {
      let total = 0;
      for (const direction of [layer.forwardLayer, layer.backwardLayer]) {
        const count = codecOf(direction)?.paramCount?.(direction, inputShape);
        if (count === undefined) return undefined;
        total += count;
      }
      return total;
    },
  };
}
