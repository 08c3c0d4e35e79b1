// Save → load is the identity: random models of every layer and variant, written as JSON
// text and bytes and read back, compute bit-for-bit the same outputs with the same options.
import fc from 'fast-check';
import { describe, it } from 'vitest';
import type { Sequential } from '@rnnkit/layers';
import { loadModel, saveModel } from '../index.js';
import { inputFromSpec, modelFromSpec, modelSpecArb } from './model-arbitraries.js';

const RUNS = { numRuns: 40 };

/** Each layer's config without its initialisers (which may come back in an equivalent spelling). */
function configs(model: Sequential): unknown[] {
  const strip = ({ className, config }: { className: string; config: object }): unknown => {
    const rest: Record<string, unknown> = { ...config };
    for (const key of ['kernelInitializer', 'recurrentInitializer', 'biasInitializer']) delete rest[key];
    // Bidirectional's wrapped layers, likewise.
    for (const key of ['layer', 'backwardLayer']) if (rest[key] !== undefined) rest[key] = strip(rest[key] as { className: string; config: object });
    return { className, config: rest };
  };
  return model.getConfig().layers.map(strip);
}

describe('save → load round trip', () => {
  it('should give identical outputs (bit for bit), parameters and configs', () => {
    fc.assert(
      fc.property(modelSpecArb(), (spec) => {
        const model = modelFromSpec(spec);
        const { modelJson, weights } = saveModel(model);
        const { model: copy } = loadModel({ modelJson: JSON.stringify(modelJson), weights: weights.slice(0) });
        const x = inputFromSpec(spec);
        const expected = new Uint32Array(Float32Array.from(model.forward(x).y.data).buffer);
        const actual = new Uint32Array(Float32Array.from(copy.forward(x).y.data).buffer);
        if (expected.length !== actual.length || expected.some((b, i) => b !== actual[i])) {
          throw new Error(`outputs differ: ${Array.from(model.forward(x).y.data)} vs ${Array.from(copy.forward(x).y.data)}`);
        }
        const same = JSON.stringify(configs(copy)) === JSON.stringify(configs(model));
        if (!same) throw new Error(`configs differ:\n${JSON.stringify(configs(model))}\n${JSON.stringify(configs(copy))}`);
        if (copy.summary() !== model.summary()) throw new Error(`summaries differ:\n${model.summary()}\n${copy.summary()}`);
      }),
      RUNS,
    );
  });

  it('should be idempotent: saving a loaded model writes the same files', () => {
    fc.assert(
      fc.property(modelSpecArb(), (spec) => {
        const first = saveModel(modelFromSpec(spec));
        const second = saveModel(loadModel(first).model);
        if (JSON.stringify(second.modelJson) !== JSON.stringify(first.modelJson)) throw new Error('model.json differs after a round trip');
        const a = new Uint8Array(first.weights);
        const b = new Uint8Array(second.weights);
        if (a.length !== b.length || a.some((v, i) => v !== b[i])) throw new Error('weights differ after a round trip');
      }),
      RUNS,
    );
  });
});
