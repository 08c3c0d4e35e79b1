import { RnnkitError, describeValue } from '@rnnkit/tensor';
import { adam, adamax, adamw } from './adam.js';
import { adadelta } from './adadelta.js';
import { adagrad } from './adagrad.js';
import { rmsprop } from './rmsprop.js';
import { rmspropNesterov } from './rmsprop-nesterov.js';
import { sgd } from './sgd.js';
import type { AnyOptimizerPlugin } from './plugin.js';

/** The optimizer plugins of this package by their `name`, for choosing one by name. */
export const BUILT_IN_OPTIMIZERS = Object.freeze({ sgd, rmsprop, rmspropNesterov, adam, adamw, adamax, adagrad, adadelta });

/** The name of a built-in optimizer: `'sgd'`, `'rmsprop'`, `'rmspropNesterov'`, `'adam'`, `'adamw'`, `'adamax'`, `'adagrad'` or `'adadelta'`. */
export type BuiltInOptimizerName = keyof typeof BUILT_IN_OPTIMIZERS;

/** The plugin of a built-in optimizer name. */
export type BuiltInOptimizer<Name extends BuiltInOptimizerName> = (typeof BUILT_IN_OPTIMIZERS)[Name];

/**
 * The built-in plugin of a name (`getOptimizer('adam')` is `adam`). Plugins of other
 * packages (`lion`) have no name here: pass the plugin itself.
 */
export function getOptimizer<Name extends BuiltInOptimizerName>(name: Name): BuiltInOptimizer<Name>;
export function getOptimizer(name: string): AnyOptimizerPlugin;
export function getOptimizer(name: string): AnyOptimizerPlugin {
  if (typeof name === 'string' && Object.hasOwn(BUILT_IN_OPTIMIZERS, name)) {
    return BUILT_IN_OPTIMIZERS[name as BuiltInOptimizerName];
  }
  throw new RnnkitError(
    'getOptimizer',
    `unknown optimizer ${typeof name === 'string' ? `"${name}"` : describeValue(name)}; built-in optimizers are ${Object.keys(BUILT_IN_OPTIMIZERS).join(', ')}, or pass a plugin (such as lion from @rnnkit/optimizer-lion)`,
  );
}
