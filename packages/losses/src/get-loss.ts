import { RnnkitError, describeValue } from '@rnnkit/tensor';
import { binaryCrossentropy, halfSumOfSquares, meanAbsoluteError, meanSquaredError } from './elementwise.js';
import type { Loss, LossConfig } from './loss.js';
import { selectFeatures } from './select-features.js';
import { softmaxCrossEntropy } from './softmax-cross-entropy.js';

const API = 'getLoss';

type Factory = (options: Record<string, unknown>) => Loss;

interface Entry {
  readonly name: string;
  readonly aliases: readonly string[];
  readonly make: Factory;
}

/**
 * Keras' categorical cross-entropies take probabilities unless `from_logits=True`; rnnkit's
 * softmax cross-entropy always takes logits. Resolving the Keras names silently would change
 * the maths, so they resolve only when the config says the predictions are logits.
 */
function kerasCategorical(name: string): Factory {
  return (options) => {
    const { fromLogits, ...rest } = options;
    if (fromLogits !== true) {
      throw new RnnkitError(
        API,
        `"${name}" on probabilities is not provided: rnnkit's softmax cross-entropy takes logits. ` +
          `Use "softmax_cross_entropy" (or { name: "${name}", fromLogits: true }) with a linear last layer`,
      );
    }
    return softmaxCrossEntropy(rest);
  };
}

const ENTRIES: readonly Entry[] = [
  {
    name: 'mean_squared_error',
    aliases: ['mse', 'MSE', 'MeanSquaredError', 'meanSquaredError'],
    make: (o) => meanSquaredError(o),
  },
  {
    name: 'half_sum_of_squares',
    aliases: ['HalfSumOfSquares', 'halfSumOfSquares'],
    make: (o) => halfSumOfSquares(o),
  },
  {
    name: 'mean_absolute_error',
    aliases: ['mae', 'MAE', 'MeanAbsoluteError', 'meanAbsoluteError'],
    make: (o) => meanAbsoluteError(o),
  },
  {
    name: 'binary_crossentropy',
    aliases: ['bce', 'BCE', 'BinaryCrossentropy', 'binaryCrossentropy'],
    make: (o) => binaryCrossentropy(o),
  },
  {
    name: 'softmax_cross_entropy',
    aliases: ['SoftmaxCrossEntropy', 'softmaxCrossEntropy'],
    make: (o) => softmaxCrossEntropy(o),
  },
  {
    name: 'categorical_crossentropy',
    aliases: ['CategoricalCrossentropy'],
    make: kerasCategorical('categorical_crossentropy'),
  },
  {
    name: 'sparse_categorical_crossentropy',
    aliases: ['SparseCategoricalCrossentropy'],
    make: kerasCategorical('sparse_categorical_crossentropy'),
  },
  {
    name: 'select_features',
    aliases: ['selectFeatures'],
    make: (o) => {
      const { loss, ...rest } = o;
      if (loss === null || typeof loss !== 'object' || typeof (loss as { name?: unknown }).name !== 'string') {
        throw new RnnkitError(API, `"select_features" needs the config of its base loss as "loss", got ${describeValue(loss)}`);
      }
      return selectFeatures(getLoss(loss as LossConfig), rest as never);
    },
  },
];

const BY_NAME = new Map<string, Entry>();
for (const entry of ENTRIES) {
  BY_NAME.set(entry.name, entry);
  for (const alias of entry.aliases) BY_NAME.set(alias, entry);
}

/** Every name {@link getLoss} resolves, canonical names first, e.g. for a CLI's help. */
export function lossNames(): string[] {
  return ENTRIES.flatMap((e) => [e.name, ...e.aliases]);
}

/**
 * Resolves a loss by Keras name (`'mse'`, `'mean_squared_error'`, `'binary_crossentropy'`,
 * …, defaults for every option), by a config from {@link Loss.getConfig}
 * (`{ name: 'mean_squared_error', reduction: 'sum' }`), or returns a loss object as is.
 *
 * @example
 * getLoss('mse').value(predictions, targets);
 * getLoss({ name: 'binary_crossentropy', fromLogits: true });
 */
export function getLoss(identifier: string | LossConfig | Loss): Loss {
  if (typeof identifier === 'string') return lookup(identifier).make({});
  if (identifier === null || typeof identifier !== 'object') {
    throw new RnnkitError(API, `expected a loss name, a loss config or a loss, got ${describeValue(identifier)}`);
  }
  if (typeof (identifier as Partial<Loss>).compute === 'function') return identifier as Loss;
  const { name, ...options } = identifier as LossConfig;
  if (typeof name !== 'string') {
    throw new RnnkitError(API, `a loss config needs a string "name", got ${describeValue(name)}`);
  }
  return lookup(name).make(options);
}

function lookup(name: string): Entry {
  const entry = BY_NAME.get(name);
  if (entry === undefined) {
    const known = ENTRIES.map((e) => (e.aliases.length > 0 ? `${e.name} (${e.aliases.join(', ')})` : e.name));
    throw new RnnkitError(API, `unknown loss "${name}"; known losses are ${known.join('; ')}`);
  }
  return entry;
}
