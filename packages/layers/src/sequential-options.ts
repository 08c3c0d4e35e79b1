// Checks of what a Sequential model is made from: its option keys, the seed or generator
// its layers draw initial weights from, its input shape, and each layer (the Layer
// interface, used once, not returning its states).
import { Random, RnnkitError, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import type { Layer, SymbolicShape } from './layer.js';
import type { SequentialOptions } from './sequential.js';

const API = 'Sequential';

const OPTION_KEYS = ['layers', 'inputShape', 'seed', 'random', 'initialize', 'dtype', 'name'] as const;

/** Refuses unknown option keys, and `seed` with `random`. */
export function checkOptions(options: SequentialOptions): void {
  checkOptionKeys(API, options, OPTION_KEYS);
  if (options.seed !== undefined && options.random !== undefined) {
    throw new RnnkitError(API, 'pass seed or random, not both');
  }
}

/** The generator of the initial weights: `random` when given, else a new one seeded with `seed` (default 0). */
export function resolveRandom(seed: unknown, random: unknown): Random {
  if (random !== undefined) {
    if (random === null || typeof random !== 'object' || typeof (random as Random).uniform !== 'function') {
      throw new RnnkitError(API, `random must be a Random, got ${describeValue(random)}`);
    }
    return random as Random;
  }
  if (seed !== undefined && (typeof seed !== 'number' || !Number.isFinite(seed))) {
    throw new RnnkitError(API, `seed must be a finite number, got ${describeValue(seed)}`);
  }
  return new Random((seed as number | undefined) ?? 0);
}

/** Checks the `inputShape` option: one sample's lengths (positive, or null), batch axis left out. */
export function checkInputShape(shape: unknown): SymbolicShape {
  if (!Array.isArray(shape) || !shape.every((d) => d === null || (Number.isInteger(d) && d > 0))) {
    throw new RnnkitError(
      API,
      `inputShape must list the lengths of one sample without the batch (e.g. [25, 1]), got ${describeValue(shape)}`,
    );
  }
  return shape as SymbolicShape;
}

/** Checks the `layers` option: a non-empty array of layers, each instance appearing once. */
export function checkLayers(layers: unknown): asserts layers is readonly Layer[] {
  if (!Array.isArray(layers) || layers.length === 0) {
    throw new RnnkitError(API, `layers must be a non-empty array of layers, got ${describeValue(layers)}`);
  }
  layers.forEach((layer, i) => checkLayer(layer, i));
  const seen = new Set<Layer>();
  for (const layer of layers as readonly Layer[]) {
    if (seen.has(layer)) {
      throw new RnnkitError(API, `layer "${layer.name}" appears twice; each layer instance can be used once`);
    }
    seen.add(layer);
  }
}

function checkLayer(layer: unknown, index: number): void {
  const l = layer as Partial<Layer> | null;
  const methods = ['build', 'params', 'outputShape', 'forward', 'backward', 'getWeights', 'setWeights', 'getConfig'] as const;
  if (
    l === null ||
    typeof l !== 'object' ||
    typeof l.name !== 'string' ||
    typeof l.className !== 'string' ||
    methods.some((m) => typeof l[m] !== 'function')
  ) {
    throw new RnnkitError(API, `layers[${index}] is not a layer (expected the Layer interface), got ${describeValue(layer)}`);
  }
  if ((layer as { returnState?: unknown }).returnState === true) {
    throw new RnnkitError(
      API,
      `layer "${l.name}" has returnState: true, but a Sequential model passes only each layer's output on; ` +
        'use the layer on its own to get its states',
    );
  }
}
