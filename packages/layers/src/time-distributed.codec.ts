// TimeDistributed in Keras' config vocabulary, as TF.js writes it: `{ layer: { class_name,
// config } }`, the wrapped layer's config written and read by its own codec (from the list
// this codec is made with). Its weights are the wrapped layer's, named under the wrapper
// alone: `time_distributed/kernel`, `time_distributed/bias` (what TF.js writes).
import { RnnkitError } from '@rnnkit/tensor';
import { type AnyLayerCodec, type LayerCodec, codecOwns, codecWeightNames } from './codec.js';
import { describeValue } from './common.js';
import { isKerasConfig, ownKey } from './keras-config.js';
import type { Layer } from './layer.js';
import { TimeDistributed } from './time-distributed.js';

/** Options of {@link timeDistributedCodec}. */
export interface TimeDistributedCodecOptions {
  /**
   * The codecs of the layers a saved TimeDistributed may wrap, e.g. `[denseCodec]`: the
   * wrapped layer is saved by the first that owns it and read by the one of its class. The
   * built-in `builtinCodecs` holds one over every other built-in layer.
   */
  readonly codecs: readonly AnyLayerCodec[];
}

/**
 * The codec of {@link TimeDistributed}, wrapping the layers of `options.codecs`.
 *
 * @example
 * saveModel(model, { codecs: [...builtinCodecs.filter((c) => c.className !== 'TimeDistributed'), timeDistributedCodec({ codecs: [denseCodec, myCodec] }), myCodec] });
 */
export function timeDistributedCodec(options: TimeDistributedCodecOptions): LayerCodec<TimeDistributed> {
  const codecs = options?.codecs;
  if (!Array.isArray(codecs) || !codecs.every((c) => c !== null && typeof c === 'object' && typeof c.className === 'string' && typeof c.save === 'function' && typeof c.load === 'function')) {
    throw new RnnkitError('timeDistributedCodec', `codecs must be an array of layer codecs { className, save, load }, got ${describeValue(codecs)}`);
  }
  const known = (): string => codecs.map((c) => c.className).join(', ') || 'none';
  const codecOf = (layer: Layer): AnyLayerCodec | undefined => codecs.find((c) => codecOwns(c, layer));

  return {
    className: 'TimeDistributed',
    owns: (layer) => layer instanceof TimeDistributed,
    save(layer, writer) {
      const inner = layer.layer;
      const codec = codecOf(inner);
      if (codec === undefined) return writer.fail(`its layer is a ${inner.className}, which none of the TimeDistributed codec's codecs saves (${known()})`);
      const nested = writer.nested('layer');
      const config: Record<string, unknown> = { name: inner.name, trainable: true, dtype: 'float32', ...codec.save(inner, nested) };
      if (Object.keys(nested.inexactInitializers).length > 0) config.rnnkit_initializers = nested.inexactInitializers;
      return { layer: { class_name: codec.className, config } };
    },
    load(reader, { name, dtype }) {
      const wrapped = reader.get('layer');
      const className = isKerasConfig(wrapped) ? ownKey(wrapped, 'class_name') : undefined;
      const config = isKerasConfig(wrapped) ? ownKey(wrapped, 'config') : undefined;
      if (typeof className !== 'string' || !isKerasConfig(config)) return reader.fail(`layer must be { class_name, config }, got ${reader.describe(wrapped)}`);
      const codec = codecs.find((c) => c.className === className);
      if (codec === undefined) return reader.fail(`layer class ${reader.describe(className)} is not supported; the TimeDistributed codec wraps ${known()}`);
      const nested = reader.nested('layer.config', config);
      const innerName = nested.get('name');
      if (typeof innerName !== 'string' || innerName === '' || innerName.includes('/')) nested.fail(`name must be a non-empty string without "/", got ${nested.describe(innerName)}`);
      // The wrapper's dtype and trainable flag are the model's; an input shape is the wrapper's.
      nested.ignore('trainable', 'dtype', 'batch_input_shape', 'batch_shape');
      const inner = codec.load(nested, { name: innerName, dtype }) as Layer;
      nested.finish();
      try {
        return new TimeDistributed({ layer: inner, name });
      } catch (error) {
        return reader.fail(error instanceof RnnkitError ? error.message.replace(/^TimeDistributed: /, '') : String(error));
      }
    },
    weightNames(layer) {
      const codec = codecOf(layer.layer);
      return codec === undefined ? layer.params().map((p) => p.name) : codecWeightNames(codec, layer.layer).map((w) => (w.rnnkitOnly ? { name: w.name, rnnkitOnly: true as const } : w.name));
    },
    paramCount(layer, inputShape) {
      if (inputShape.length < 3) return undefined;
      const [batch, time, ...rest] = inputShape;
      return codecOf(layer.layer)?.paramCount?.(layer.layer, [batch === null || time === null ? null : batch! * time!, ...rest]);
    },
  };
}
