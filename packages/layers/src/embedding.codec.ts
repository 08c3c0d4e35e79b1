// Embedding in Keras' config vocabulary. Its `input_dim` is the vocabulary size, not the
// number of input features the model IO otherwise reads from that key: the codec claims
// `input_dim` and `input_length` (see `LayerCodec.ownKeys`).
import type { LayerCodec } from './codec.js';
import { Embedding } from './embedding.js';

/** Saves and loads {@link Embedding} as Keras' `Embedding` (weight `embeddings`). */
export const embeddingCodec: LayerCodec<Embedding> = {
  className: 'Embedding',
  owns: (layer) => layer instanceof Embedding,
  ownKeys: ['input_dim', 'input_length'],
  save(layer, writer) {
    const config = layer.getConfig();
    return {
      input_dim: config.inputDim,
      output_dim: config.outputDim,
      embeddings_initializer: writer.initializer('embeddings_initializer', config.embeddingsInitializer),
      embeddings_regularizer: null,
      activity_regularizer: null,
      embeddings_constraint: null,
      mask_zero: config.maskZero,
      input_length: null,
    };
  },
  load(reader, { name, dtype }) {
    const initializer = reader.initializer('embeddings_initializer', null);
    const options = {
      inputDim: reader.positiveInteger('input_dim'),
      outputDim: reader.positiveInteger('output_dim'),
      maskZero: reader.boolean('mask_zero', false),
      ...(initializer === null ? {} : { embeddingsInitializer: initializer }),
    };
    // The sequence length, when given, is also in the model's input shape.
    reader.ignore('input_length');
    reader.mustBe('sparse', false, 'rnnkit has no sparse gradients');
    reader.mustBe('lora_rank', null, 'rnnkit has no LoRA embeddings');
    reader.trainingOnly(['embeddings_regularizer', 'activity_regularizer', 'embeddings_constraint'], (v) => v === undefined || v === null, 'training only');
    return new Embedding({ ...options, name, dtype });
  },
  paramCount: (layer) => layer.inputDim * layer.outputDim,
};
