// What model.json holds is untrusted: every value quoted in an error is escaped and cut, and
// the text is read as editors write it (a byte-order mark first).
import { describe, expect, it } from 'vitest';
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { Tensor, describeValue } from '@rnnkit/tensor';
import { loadModel, predict, saveModel } from '../index.js';
import { show } from './format.js';

function saved() {
  const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], inputShape: [3, 2], seed: 1 });
  const { modelJson, weights } = saveModel(model);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return { json: JSON.parse(JSON.stringify(modelJson)) as any, weights, model };
}

function message(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected an error');
}

describe('describe and show', () => {
  it('should escape controls and bidi overrides in strings from a file', () => {
    expect(describeValue('elu\x1b]2;owned\x07\u202e')).toBe('"elu\\x1b]2;owned\\x07\\u202e"');
    expect(describeValue(['a\x9b', 1, null])).toBe('["a\\x9b", 1, null]');
    expect(show({ class_name: 'L2\x1b[2J' })).toBe('L2\\x1b[2J');
  });

  it('should cut long strings with a count', () => {
    expect(describeValue('n'.repeat(10_000_000))).toBe(`"${'n'.repeat(100)}"… (9,999,900 more characters)`);
    expect(show({ class_name: 'C'.repeat(100) })).toBe(`${'C'.repeat(60)}… (40 more characters)`);
  });
});

describe('loadModel on model.json text', () => {
  it('should read model.json text that starts with a byte-order mark', () => {
    const { json, weights, model } = saved();
    const loaded = loadModel({ modelJson: `\ufeff${JSON.stringify(json)}` as never, weights });
    const x = new Tensor(Float32Array.from({ length: 6 }, (_, i) => i / 6), [1, 3, 2]);
    expect(Array.from(predict(loaded.model, x).data)).toEqual(Array.from(predict(model, x).data));
  });

  it('should escape what the JSON parser quotes from invalid text', () => {
    const { weights } = saved();
    const text = message(() => loadModel({ modelJson: '\x1b]2;owned\x07' as never, weights }));
    expect(text).toMatch(/^loadModel: model\.json: is not valid JSON: Unexpected token '\\x1b', "\\x1b]2;owned\\x07" is not valid JSON$/);
  });

  it('should escape and cut a crafted layer class name', () => {
    const { json, weights } = saved();
    json.modelTopology.config.layers[0].class_name = `\x1b[2J\u202eLSTM${'x'.repeat(1_000_000)}`;
    const text = message(() => loadModel({ modelJson: JSON.stringify(json) as never, weights }));
    expect(text).toContain('\\x1b[2J\\u202eLSTM');
    expect(text).not.toContain('\x1b');
    expect(text).not.toContain('\u202e');
    expect(text.length).toBeLessThan(5000);
  });

  it('should escape a crafted weight name in the manifest', () => {
    const { json, weights } = saved();
    json.weightsManifest[0].weights[0].dtype = 'int8';
    json.weightsManifest[0].weights[0].name = 'kernel\x1b]0;x\x07';
    const text = message(() => loadModel({ modelJson: JSON.stringify(json) as never, weights }));
    expect(text).toBe('loadModel: model.json: weightsManifest[0].weights[0] ("kernel\\x1b]0;x\\x07") has dtype "int8"; only "float32" weights are supported');
  });
});
