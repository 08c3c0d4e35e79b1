// Dense in Keras' config vocabulary: the only place its Keras keys are written and read.
import type { LayerCodec } from './codec.js';
import { Dense } from './dense.js';

/** Saves and loads {@link Dense} as Keras' `Dense` (weights `kernel`, `bias`). */
export const denseCodec: LayerCodec<Dense> = {
  className: 'Dense',
  owns: (layer) => layer instanceof Dense,
  save(layer, writer) {
    const config = layer.getConfig();
    return {
      units: config.units,
      activation: writer.activation('activation', config.activation),
      use_bias: config.useBias,
      kernel_initializer: writer.initializer('kernel_initializer', config.kernelInitializer),
      bias_initializer: writer.initializer('bias_initializer', config.biasInitializer),
      kernel_regularizer: null,
      bias_regularizer: null,
      activity_regularizer: null,
      kernel_constraint: null,
      bias_constraint: null,
    };
  },
  load(reader, { name, dtype }) {
    const options = {
      units: reader.positiveInteger('units'),
      activation: reader.activation('activation', 'linear'),
      useBias: reader.boolean('use_bias', true),
      kernelInitializer: reader.initializer('kernel_initializer', 'glorotUniform'),
      biasInitializer: reader.initializer('bias_initializer', 'zeros'),
    };
    reader.trainingOnly(
      ['kernel_regularizer', 'bias_regularizer', 'activity_regularizer', 'kernel_constraint', 'bias_constraint'],
      (v) => v === undefined || v === null,
      'training only',
    );
    return new Dense({ ...options, name, dtype });
  },
  paramCount(layer, inputShape) {
    const features = inputShape[inputShape.length - 1];
    return typeof features === 'number' ? (features + (layer.useBias ? 1 : 0)) * layer.units : 0;
  },
};
