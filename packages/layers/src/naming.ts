// How a Sequential model names its layers: Keras' auto-naming, where a layer keeping its
// class's default name takes `_1`, `_2`, … when the name is already taken.
import { RnnkitError } from '@rnnkit/tensor';
import type { Layer } from './layer.js';

/** Keras' `to_snake_case` of a class name: `SimpleRNN` → `simple_rnn`, `LSTM` → `lstm`. */
export function snakeCase(className: string): string {
  return className
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/**
 * Names of the layers within a model. A layer whose name is its class's default takes the
 * next free `name_k` when the name is taken (Keras' auto-naming); two layers given the same
 * explicit name are an error (thrown as `api`), since nothing could tell their weights apart.
 */
export function uniqueNames(api: string, layers: readonly Layer[]): string[] {
  const taken = new Set<string>();
  const explicit = layers.filter((l) => l.name !== snakeCase(l.className)).map((l) => l.name);
  for (const name of explicit) {
    if (taken.has(name)) throw new RnnkitError(api, `two layers are named "${name}"; layer names must be unique`);
    taken.add(name);
  }
  return layers.map((layer) => {
    const base = layer.name;
    if (base !== snakeCase(layer.className)) return base;
    let name = base;
    for (let k = 1; taken.has(name); k++) name = `${base}_${k}`;
    taken.add(name);
    return name;
  });
}
