// Initialisers by name and as plain data: the table of every built-in factory, resolving a
// name (Keras' snake_case, camelCase, aliases) or a `{ name, options }` config back to an
// initialiser, and the config of an initialiser made by one of the factories.
import { RnnkitError } from './errors.js';
import {
  constantFactory,
  glorotNormal,
  glorotUniform,
  heNormal,
  heUniform,
  onesFactory,
  randomNormal,
  randomUniform,
  truncatedNormal,
  varianceScaling,
  zerosFactory,
} from './init.js';
import { type Initializer, type InitializerConfig, type InitializerName, recordedConfig } from './init-define.js';
import { describeValue } from './options.js';
import { orthogonal } from './orthogonal.js';

/**
 * Anything {@link getInitializer} resolves: a name, a config, or an initialiser itself.
 * (At run time a config's name may be spelled in any way a name may, e.g. `'random_uniform'`.)
 */
export type InitializerSpec = string | InitializerConfig | Initializer;

/**
 * Every built-in initialiser factory by its canonical name, as `tf.initializers` does:
 * `initializers.glorotUniform()`, `initializers.constant({ value: 0.1 })`. (`zeros`,
 * `ones` and `constant` live only here, since the top-level `zeros`/`ones` create tensors.)
 */
export const initializers = Object.freeze({
  zeros: zerosFactory,
  ones: onesFactory,
  constant: constantFactory,
  randomUniform,
  randomNormal,
  truncatedNormal,
  varianceScaling,
  glorotUniform,
  glorotNormal,
  heNormal,
  heUniform,
  orthogonal,
}) satisfies Record<InitializerName, (options?: never) => Initializer>;

/** Extra spellings accepted by name: Keras' short forms `uniform` and `normal`. */
const ALIASES: Readonly<Record<string, InitializerName>> = { uniform: 'randomUniform', normal: 'randomNormal' };

/** Folds `glorot_uniform`, `glorotUniform` and `GlorotUniform` to one key. */
function nameKey(name: string): string {
  return name.replace(/_/g, '').toLowerCase();
}

const BY_KEY = new Map<string, InitializerName>([
  ...(Object.keys(initializers) as InitializerName[]).map((n) => [nameKey(n), n] as const),
  ...Object.entries(ALIASES).map(([alias, n]) => [nameKey(alias), n] as const),
]);

function snakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function resolveName(api: string, name: string): InitializerName {
  const found = BY_KEY.get(nameKey(name));
  if (found === undefined) {
    const known = (Object.keys(initializers) as InitializerName[]).map(snakeCase).join(', ');
    throw new RnnkitError(
      api,
      `unknown initializer "${name}"; known names are ${known} (camelCase such as "glorotUniform" works too)`,
    );
  }
  return found;
}

/**
 * Resolves what a layer option may hold into an {@link Initializer}: a function (returned
 * as is), a name in Keras' snake_case or camelCase (`'glorot_uniform'`, `'glorotUniform'`,
 * also `'uniform'`/`'normal'`), made with default options, or a config
 * `{ name, options }` such as {@link initializerConfig} returns.
 */
export function getInitializer(spec: InitializerSpec): Initializer {
  const api = 'getInitializer';
  if (typeof spec === 'function') return spec;
  if (typeof spec === 'string') return initializers[resolveName(api, spec)]();
  if (spec !== null && typeof spec === 'object' && typeof spec.name === 'string') {
    const extra = Object.keys(spec).filter((k) => k !== 'name' && k !== 'options');
    if (extra.length > 0) {
      throw new RnnkitError(api, `unknown config key "${extra[0]}"; a config is { name, options? }`);
    }
    const factory = initializers[resolveName(api, spec.name)] as (options?: unknown) => Initializer;
    return factory(spec.options);
  }
  throw new RnnkitError(api, `expected an initializer name, a { name, options } config or a function, got ${describeValue(spec)}`);
}

/**
 * The config of a built-in initialiser, `{ name, options? }` (plain JSON data), so that
 * `getInitializer(initializerConfig(init))` makes one that draws the same values.
 * A user's own function has no config: that is an error.
 */
export function initializerConfig(initializer: Initializer): InitializerConfig {
  const config = recordedConfig(initializer);
  if (config === undefined) {
    throw new RnnkitError(
      'initializerConfig',
      'this initializer was not made by an rnnkit factory, so it has no config; save its name and options yourself',
    );
  }
  return config.options === undefined ? { name: config.name } : { name: config.name, options: { ...config.options } };
}
