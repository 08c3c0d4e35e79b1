import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { loadModel, predict } from '@rnnkit/model';
import { loadOnnx } from '@rnnkit/onnx';
import { Tensor } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { onnxFile, tfjsFiles } from './model-files.js';

function model(): Sequential {
  return new Sequential({ layers: [new LSTM({ units: 3 }), new Dense({ units: 1 })], inputShape: [4, 2], seed: 9 });
}

const x = new Tensor(Float32Array.from({ length: 16 }, (_, k) => Math.sin(k)), [2, 4, 2]);

describe('tfjsFiles', () => {
  it('should give a model.json that parses, naming the weight file given beside it', () => {
    const [json, weights] = tfjsFiles(model());
    expect(json!.name).toBe('model.json');
    const parsed = JSON.parse(new TextDecoder().decode(json!.bytes)) as { format: string; weightsManifest: { paths: string[] }[] };
    expect(parsed.format).toBe('layers-model');
    expect(parsed.weightsManifest[0]!.paths).toEqual([weights!.name]);
  });

  it('should load back to a model that predicts the same numbers', () => {
    const original = model();
    const [json, weights] = tfjsFiles(original);
    const { model: loaded } = loadModel({ modelJson: new TextDecoder().decode(json!.bytes), weights: weights!.bytes });
    expect(Array.from(predict(loaded, x).data)).toEqual(Array.from(predict(original, x).data));
  });
});

describe('onnxFile', () => {
  it('should give a non-empty model.onnx that reads back to the model’s predictions', () => {
    const original = model();
    const file = onnxFile(original);
    expect(file.name).toBe('model.onnx');
    expect(file.bytes.length).toBeGreaterThan(100);
    const y = predict(loadOnnx(file.bytes), x);
    const expected = predict(original, x).data;
    expect(y.data.length).toBe(expected.length);
    y.data.forEach((v, k) => expect(v).toBeCloseTo(expected[k]!, 5));
  });
});
