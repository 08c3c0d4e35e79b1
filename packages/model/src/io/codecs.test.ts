// Layer codecs: a user's own layer, saved and loaded through the codec its author writes,
// the way the built-in layers are; and the checks on codecs and on what a file may make
// rnnkit allocate.
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BuildOptions,
  type ForwardResult,
  type Layer,
  type LayerCodec,
  type SymbolicShape,
  Dense,
  LSTM,
  Sequential,
  builtinCodecs,
} from '@rnnkit/layers';
import { type DType, Param, type Random, RnnkitError, Tensor, allocate } from '@rnnkit/tensor';
import { loadModel, saveModel } from '../index.js';
import { loadModelFromDirectory, saveModelToDirectory } from '../node.js';
import { cleanup, randomInput, temporaryDirectory } from './test-support.js';

afterAll(cleanup);

// ---------------------------------------------------------------------------------------
// A user's layer, written as a user would: y = x ⊙ gain (+ shift), per feature.
// ---------------------------------------------------------------------------------------

interface ScaleOptions {
  readonly shift?: boolean;
  readonly name?: string;
  readonly dtype?: DType;
}

class Scale implements Layer<{ x: Tensor }> {
  readonly className = 'Scale';
  readonly name: string;
  readonly dtype: DType;
  readonly shift: boolean;
  #gain: Param | null = null;
  #offset: Param | null = null;

  constructor(options: ScaleOptions = {}) {
    this.name = options.name ?? 'scale';
    this.dtype = options.dtype ?? 'float32';
    this.shift = options.shift ?? false;
  }

  get built(): boolean {
    return this.#gain !== null;
  }

  build(inputShape: SymbolicShape, random: Random, options: BuildOptions = {}): void {
    if (this.#gain !== null) return;
    const features = inputShape[inputShape.length - 1];
    if (typeof features !== 'number') throw new RnnkitError('Scale', `needs known features, got [${inputShape.join(', ')}]`);
    const gain = allocate(this.dtype, features);
    if (options.initialize !== false) random.fillUniform(gain, 0.5, 1.5);
    this.#gain = new Param('gain', new Tensor(gain, [features]));
    if (this.shift) this.#offset = new Param('offsetValues', new Tensor(allocate(this.dtype, features), [features]));
  }

  params(): Param[] {
    return [this.#gain, this.#offset].filter((p): p is Param => p !== null);
  }

  outputShape(inputShape: SymbolicShape): SymbolicShape {
    return inputShape;
  }

  forward(x: Tensor): ForwardResult<{ x: Tensor }> {
    const gain = this.#gain!.value.data;
    const offset = this.#offset?.value.data;
    const y = allocate(this.dtype, x.size);
    for (let i = 0; i < x.size; i++) y[i] = x.data[i]! * gain[i % gain.length]! + (offset === undefined ? 0 : offset[i % offset.length]!);
    return { y: new Tensor(y, x.shape), cache: { x } };
  }

  backward(dy: Tensor, { x }: { x: Tensor }): Tensor {
    const gain = this.#gain!;
    const dx = allocate(this.dtype, x.size);
    for (let i = 0; i < x.size; i++) {
      const f = i % gain.value.size;
      gain.grad.data[f]! += dy.data[i]! * x.data[i]!;
      if (this.#offset !== null) this.#offset.grad.data[f]! += dy.data[i]!;
      dx[i] = dy.data[i]! * gain.value.data[f]!;
    }
    return new Tensor(dx, x.shape);
  }

  getWeights(): Tensor[] {
    return this.params().map((p) => p.value.clone());
  }

  setWeights(weights: readonly Tensor[]): void {
    this.params().forEach((p, i) => p.value.data.set(weights[i]!.data));
  }

  getConfig() {
    return { name: this.name, shift: this.shift, dtype: this.dtype };
  }
}

/** Its codec: Keras class "Scale", one config key, weights named after the params. */
const scaleCodec: LayerCodec<Scale> = {
  className: 'Scale',
  owns: (layer) => layer instanceof Scale,
  save: (layer) => ({ shift: layer.shift }),
  load: (reader, { name, dtype }) => new Scale({ shift: reader.boolean('shift', false), name, dtype }),
  paramCount: (layer, inputShape) => (layer.shift ? 2 : 1) * (inputShape[inputShape.length - 1] ?? 0),
};

function withScale(seed = 1): Sequential {
  const model = new Sequential({
    layers: [new LSTM({ units: 3, returnSequences: true }), new Scale({ shift: true }), new Dense({ units: 2 })],
    inputShape: [4, 2],
    seed,
  });
  // Offsets away from zero, so that loading them is seen in the outputs.
  (model.layers[1] as Scale).params()[1]!.value.data.set([0.25, -0.5, 1]);
  return model;
}

const codecs = [...builtinCodecs, scaleCodec];

describe("a user's own layer with its codec", () => {
  it('should save and load through the codec, predicting exactly the same', () => {
    const model = withScale();
    const { modelJson, weights } = saveModel(model, { codecs });
    const topology = modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } };
    expect(topology.config.layers[1]).toEqual({ class_name: 'Scale', config: { name: 'scale', trainable: true, dtype: 'float32', shift: true } });
    expect(modelJson.weightsManifest[0]!.weights.map((w) => [w.name, w.shape])).toEqual([
      ['lstm/lstm_cell/kernel', [2, 12]],
      ['lstm/lstm_cell/recurrent_kernel', [3, 12]],
      ['lstm/lstm_cell/bias', [12]],
      ['scale/gain', [3]],
      ['scale/offset_values', [3]],
      ['dense/kernel', [3, 2]],
      ['dense/bias', [2]],
    ]);
    const { model: copy } = loadModel({ modelJson: JSON.stringify(modelJson), weights }, { codecs });
    expect(copy.layers[1]).toBeInstanceOf(Scale);
    const x = randomInput([3, 4, 2], 7);
    expect(Array.from(copy.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
    expect(copy.params().map((p) => p.name)).toEqual(model.params().map((p) => p.name));
  });

  it('should save and load through directories with the codecs option too', async () => {
    const model = withScale(2);
    const dir = await temporaryDirectory();
    await saveModelToDirectory(model, dir, { codecs });
    const { model: copy } = await loadModelFromDirectory(dir, { codecs });
    const x = randomInput([2, 4, 2], 8);
    expect(Array.from(copy.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
  });

  it('should refuse the layer without its codec, on saving and on loading', () => {
    const model = withScale();
    expect(() => saveModel(model)).toThrow(
      'saveModel: model: layer 1 "scale" (Scale) cannot be saved in the TF.js layers format; savable layers are Dense, SimpleRNN, LSTM, GRU, Activation, Dropout, Masking, Bidirectional, Embedding, GlobalAveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten, TimeDistributed (pass a codec',
    );
    const { modelJson, weights } = saveModel(model, { codecs });
    expect(() => loadModel({ modelJson, weights })).toThrow(
      'loadModel: model.json: layer 1 "scale" (Scale) is not supported; supported layers are InputLayer, Dense, SimpleRNN, LSTM, GRU, Activation, Dropout',
    );
  });

  it("should check the codec's work: config keys, weight counts and the layer it makes", () => {
    const model = withScale();
    const { modelJson, weights } = saveModel(model, { codecs });
    const load = (codec: LayerCodec<Scale>) => () => loadModel({ modelJson, weights }, { codecs: [...builtinCodecs, codec] });
    const renamed = { ...scaleCodec, load: (_: unknown, { dtype }: { dtype: DType }) => new Scale({ name: 'other', dtype }) } as LayerCodec<Scale>;
    expect(load(renamed)).toThrow(
      'loadModel: model.json: layer 1 "scale" (Scale): the Scale codec made a layer "other" of float32; it must pass on the name "scale" and dtype float32 it is given',
    );
    expect(load({ ...scaleCodec, weightNames: () => ['gain'] })).toThrow('layer 1 "scale" (Scale): the Scale codec names 1 weights, but the layer has 2 parameters');
    expect(() => saveModel(model, { codecs: [...builtinCodecs, { ...scaleCodec, save: () => ({ name: 'x' }) }] })).toThrow(
      'saveModel: model: layer 1 "scale" (Scale): the Scale codec wrote "name", which the model IO writes itself',
    );
    // An rnnkit_* key is refused unless the codec reads it.
    const extended = structuredClone(modelJson) as unknown as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } };
    extended.modelTopology.config.layers[1]!.config.rnnkit_gain_clip = 2;
    expect(() => loadModel({ modelJson: extended, weights }, { codecs })).toThrow('layer 1 "scale" (Scale): unknown rnnkit key "rnnkit_gain_clip"');
    const reading: LayerCodec<Scale> = { ...scaleCodec, load: (reader, context) => (reader.get('rnnkit_gain_clip'), scaleCodec.load(reader, context)) };
    expect(() => loadModel({ modelJson: extended, weights }, { codecs: [...builtinCodecs, reading] })).not.toThrow();
  });

  it('should refuse codec lists that are not codecs or name a class twice', () => {
    const model = withScale();
    expect(() => saveModel(model, { codecs: 'all' as never })).toThrow('saveModel: model: codecs must be an array of layer codecs');
    expect(() => saveModel(model, { codecs: [...builtinCodecs, { className: 'Scale' } as never] })).toThrow(
      'saveModel: model: codecs[14] must be a layer codec { className, save, load }',
    );
    expect(() => saveModel(model, { codecs: [...codecs, scaleCodec] })).toThrow('codecs has two codecs for the class "Scale"; class names must be unique');
    // Only input_dim and input_length may be claimed (Embedding's); other model IO keys stay the IO's.
    expect(() => saveModel(model, { codecs: [...builtinCodecs, { ...scaleCodec, ownKeys: ['batch_input_shape'] as never }] })).toThrow(
      'saveModel: model: codecs[14] must be a layer codec { className, save, load }',
    );
    expect(() => saveModel(model, { codecs: [{ ...scaleCodec, className: 'InputLayer' }] })).toThrow('codecs[0]: InputLayer is read by saveModel itself');
  });
});

describe('what a file may make rnnkit allocate', () => {
  it('should refuse a tiny file declaring an enormous layer before building it', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], inputShape: [3, 2], seed: 1 });
    const { modelJson, weights } = saveModel(model);
    const json = structuredClone(modelJson) as unknown as { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } };
    // 4·100000·(2 + 100000 + 1) numbers: 160 GB of float32 with the gradients, were it built.
    json.modelTopology.config.layers[0]!.config.units = 100000;
    expect(() => loadModel({ modelJson: json, weights })).toThrow(
      'loadModel: model.json: layer 0 "lstm" (LSTM) needs 40001200000 parameter numbers for its config and input [null, 3, 2], but the file holds only 43; it is not built',
    );
    // A user's codec is held to the same budget.
    const scaled = saveModel(withScale(), { codecs });
    const wide = structuredClone(scaled.modelJson) as unknown as typeof json;
    wide.modelTopology.config.layers[0]!.config.batch_input_shape = [null, 4, 2 ** 30];
    expect(() => loadModel({ modelJson: wide, weights: scaled.weights }, { codecs })).toThrow('layer 0 "lstm" (LSTM) needs');
  });
});
