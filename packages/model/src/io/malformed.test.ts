// Model files are untrusted input: each kind of damage or attack is refused with an error
// that names the file and the field, before anything is built or returned.
import { describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { adam, createOptimizer } from '@rnnkit/optimizers';
import { loadModel, saveModel } from '../index.js';

/** A valid saved model as a mutable plain object, and its weights. */
function saved(options: { learnable?: boolean } = {}) {
  const model = new Sequential({
    layers: [new LSTM({ units: 2, returnSequences: true }), new SimpleRNN({ units: 2, learnableInitialState: options.learnable === true }), new Dense({ units: 1 })],
    inputShape: [3, 2],
    seed: 1,
  });
  const { modelJson, weights } = saveModel(model);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const json = JSON.parse(JSON.stringify(modelJson)) as any;
  return { json, weights, model };
}

function load(json: unknown, weights: ArrayBuffer, options?: Parameters<typeof loadModel>[1]) {
  return () => loadModel({ modelJson: typeof json === 'string' ? json : JSON.stringify(json), weights }, options);
}

describe('loadModel on damaged files', () => {
  it('should refuse invalid JSON, naming model.json', () => {
    const { weights } = saved();
    expect(load('{"format": "layers-model", ', weights)).toThrow(/^loadModel: model\.json: is not valid JSON: /);
    expect(load('[1, 2]', weights)).toThrow('loadModel: model.json: expected a JSON object at the top level, got [1, 2]');
  });

  it('should refuse truncated weights and surplus bytes', () => {
    const { json, weights } = saved();
    expect(load(json, weights.slice(0, weights.byteLength - 5))).toThrow(
      `loadModel: model.json: the weights are ${weights.byteLength - 5} bytes but the weights manifest needs ${weights.byteLength} (4 per float32; group 0 (group1-shard1of1.bin): ${weights.byteLength}): the weights are truncated`,
    );
    const longer = new Uint8Array(weights.byteLength + 4);
    expect(load(json, longer.buffer)).toThrow(`the weights are ${weights.byteLength + 4} bytes but the weights manifest needs ${weights.byteLength}`);
  });

  it('should refuse a manifest shape that disagrees with the topology', () => {
    const { json, weights } = saved();
    json.weightsManifest[0].weights[1].shape = [8, 2]; // as many bytes, another shape
    expect(load(json, weights)).toThrow(
      'loadModel: model.json: weightsManifest[0].weights[1]: "lstm/lstm_cell/recurrent_kernel" has shape [8, 2] but layer 0 "lstm" (LSTM) needs recurrent_kernel [2, 8] (from its config and its input)',
    );
  });

  it('should refuse a topology whose units disagree with the weights', () => {
    const { json, weights } = saved();
    json.modelTopology.config.layers[2].config.units = 3;
    expect(load(json, weights)).toThrow('"dense/kernel" has shape [2, 1] but layer 2 "dense" (Dense) needs kernel [2, 3]');
  });

  it('should refuse a missing weight, a weight of no layer and two weights for one parameter', () => {
    const { json, weights } = saved();
    const last = json.weightsManifest[0].weights.length - 1; // dense/bias
    const missing = structuredClone(json);
    missing.weightsManifest[0].weights[last].name = 'dense/bias_2';
    expect(load(missing, weights)).toThrow(`weightsManifest[0].weights[${last}]: the weight "dense/bias_2" belongs to no parameter of the model`);
    const stray = structuredClone(json);
    stray.weightsManifest[0].weights[last].name = 'decoder/bias';
    expect(load(stray, weights)).toThrow('the weight "decoder/bias" belongs to no parameter of the model (layers: lstm [kernel, recurrent_kernel, bias]');
    const twice = structuredClone(json);
    twice.weightsManifest[0].weights[last].name = 'dense/0';
    expect(load(twice, weights)).toThrow(`weightsManifest[0].weights[${last}]: "dense/0" and "dense/kernel" are both the kernel of layer 2 "dense" (Dense)`);
    const duplicate = structuredClone(json);
    duplicate.weightsManifest[0].weights[last].name = 'dense/kernel';
    expect(load(duplicate, weights)).toThrow(`weightsManifest[0].weights[${last}]: the weight name "dense/kernel" appears twice in the manifest`);
    const none = structuredClone(json);
    none.weightsManifest[0].weights.pop();
    expect(load(none, weights.slice(0, weights.byteLength - 4))).toThrow(
      'loadModel: model.json: the weights manifest has no bias [1] for layer 2 "dense" (Dense)',
    );
  });

  it('should refuse weight paths that leave the model directory', () => {
    const { json, weights } = saved();
    const cases: [string, string][] = [
      ['../secret.bin', 'leaves the directory (..)'],
      ['weights/../../secret.bin', 'leaves the directory (..)'],
      ['/etc/passwd', 'is absolute'],
      ['\\\\server\\share\\w.bin', 'is absolute'],
      ['https://example.com/w.bin', 'is a URL or a drive path'],
      ['file:///etc/passwd', 'is a URL or a drive path'],
      ['C:\\weights.bin', 'is a URL or a drive path'],
      ['sub\\..\\..\\w.bin', 'contains a backslash'],
      ['%2e%2e/w.bin', 'has a segment with characters other than letters, digits and . _ - + @ ( ) space'],
      ['a//b.bin', 'has an empty or "." segment'],
      ['', 'is empty'],
    ];
    for (const [path, why] of cases) {
      json.weightsManifest[0].paths = [path];
      expect(load(json, weights), path).toThrow(
        `loadModel: model.json: weightsManifest[0].paths[0] ${JSON.stringify(path)} ${why}; weight paths must stay inside the model's directory`,
      );
    }
    json.weightsManifest[0].paths = ['./weights/group1-shard1of1.bin'];
    expect(load(json, weights)).not.toThrow();
  });

  it('should refuse an unknown layer, naming it and listing the supported ones', () => {
    const { json, weights } = saved();
    json.modelTopology.config.layers[1] = { class_name: 'Conv1D', config: { name: 'conv1d', filters: 2 } };
    expect(load(json, weights)).toThrow(
      'loadModel: model.json: layer 1 "conv1d" (Conv1D) is not supported; supported layers are InputLayer, Dense, SimpleRNN, LSTM, GRU, Activation, Dropout, Masking, Bidirectional, Embedding, GlobalAveragePooling1D, GlobalMaxPooling1D, RepeatVector, Flatten, TimeDistributed',
    );
  });

  it('should refuse a functional model and a graph model', () => {
    const { json, weights } = saved();
    expect(load({ ...json, modelTopology: { ...json.modelTopology, class_name: 'Functional' } }, weights)).toThrow(
      'loadModel: model.json: modelTopology.class_name is "Functional"; only Sequential models can be loaded',
    );
    expect(load({ ...json, format: 'graph-model' }, weights)).toThrow('loadModel: model.json: format is "graph-model"; only "layers-model" files');
  });

  it('should refuse __proto__, constructor and prototype keys anywhere, leaving Object.prototype alone', () => {
    const { json, weights } = saved();
    const text = JSON.stringify(json);
    const attacks: [string, string][] = [
      [text.replace('{"format"', '{"__proto__":{"polluted":true},"format"'), 'the key "__proto__" (at __proto__)'],
      [text.replace('"units":2', '"units":2,"__proto__":{"polluted":true}'), 'the key "__proto__" (at modelTopology.config.layers[0].config.__proto__)'],
      [text.replace('"paths"', '"constructor":{"prototype":{"polluted":true}},"paths"'), 'the key "constructor" (at weightsManifest[0].constructor)'],
      [text.replace('"rnnkit":{', '"rnnkit":{"prototype":1,'), 'the key "prototype" (at rnnkit.prototype)'],
    ];
    for (const [attack, where] of attacks) {
      expect(load(attack, weights)).toThrow(`loadModel: model.json: ${where} is not allowed in a model file`);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('should refuse files over the size limits before reading the weights', () => {
    const { json, weights } = saved();
    expect(load(json, weights, { limits: { maxJsonBytes: 1000 } })).toThrow('loadModel: model.json: is larger than the limit of 1000 bytes (limits.maxJsonBytes)');
    expect(load(json, weights, { limits: { maxWeightBytes: 64 } })).toThrow(
      'loadModel: model.json: the weights need more than 64 bytes (limits.maxWeightBytes), reached at weightsManifest[0].weights[1]',
    );
    const huge = structuredClone(json);
    huge.weightsManifest[0].weights[0].shape = [2 ** 31 - 1, 2 ** 31 - 1];
    expect(load(huge, weights)).toThrow('the weights need more than 1073741824 bytes (limits.maxWeightBytes), reached at weightsManifest[0].weights[0] ("lstm/lstm_cell/kernel")');
    expect(load(json, weights, { limits: { maxLayers: 2 } })).toThrow('the model has 3 layers, more than the limit of 2 (limits.maxLayers)');
    const deep = structuredClone(json);
    let node = deep.modelTopology.config.layers[0].config;
    for (let i = 0; i < 100; i++) node = node.deeper = {};
    expect(load(deep, weights)).toThrow(/nesting deeper than 64 levels \(limits\.maxJsonDepth\) at modelTopology\.config\.layers\[0\]\.config(\.deeper)+/);
    // A raised limit stays bounded, so the recursive checks cannot overflow the stack.
    expect(load(deep, weights, { limits: { maxJsonDepth: 1e6 } })).toThrow('loadModel: limits.maxJsonDepth must be at most 1000 (deeper files are not models), got 1000000');
    const deeper = structuredClone(json);
    node = deeper.modelTopology.config.layers[0].config;
    for (let i = 0; i < 1500; i++) node = node.deeper = {};
    expect(load(deeper, weights, { limits: { maxJsonDepth: 1000 } })).toThrow(/nesting deeper than 1000 levels \(limits\.maxJsonDepth\) at modelTopology\.config\.layers\[0\]\.config\.deeper.*… \([\d,]+ more characters\)$/);
    const shards = structuredClone(json);
    shards.weightsManifest[0].paths = ['a.bin', 'b.bin', 'c.bin'];
    expect(load(shards, weights, { limits: { maxWeightFiles: 2 } })).toThrow('the manifest lists more than 2 weight files (limits.maxWeightFiles)');
  });

  it('should refuse unsupported dtypes and quantized weights', () => {
    const { json, weights } = saved();
    const half = structuredClone(json);
    half.weightsManifest[0].weights[0].dtype = 'float16';
    expect(load(half, weights)).toThrow('weightsManifest[0].weights[0] ("lstm/lstm_cell/kernel") has dtype "float16"; only "float32" weights are supported');
    const quantized = structuredClone(json);
    quantized.weightsManifest[0].weights[0].quantization = { dtype: 'uint8', scale: 0.1, min: -1 };
    expect(load(quantized, weights)).toThrow('("lstm/lstm_cell/kernel") is quantized; quantized weights are not supported');
    const mixed = structuredClone(json);
    mixed.modelTopology.config.layers[1].config.dtype = { class_name: 'Policy', config: { name: 'mixed_float16' } };
    expect(load(mixed, weights)).toThrow('layer 1 "simple_rnn" (SimpleRNN): dtype "mixed_float16" is not supported; rnnkit computes in float32 or float64');
  });

  it('should refuse settings rnnkit cannot honour and activations it lacks', () => {
    const { json, weights } = saved();
    const cases: [(j: typeof json) => void, string][] = [
      [(j) => (j.modelTopology.config.layers[0].config.time_major = true), 'layer 0 "lstm" (LSTM): time_major true is not supported'],
      [(j) => (j.modelTopology.config.layers[1].config.stateful = 'yes'), 'layer 1 "simple_rnn" (SimpleRNN): stateful'],
      [(j) => (j.modelTopology.config.layers[1].config.return_state = true), 'return_state true is not supported'],
      [(j) => (j.modelTopology.config.layers[2].config.activation = 'elu'), 'layer 2 "dense" (Dense): activation "elu" is not supported; supported activations are linear, sigmoid, hard_sigmoid, tanh, relu, softmax'],
      [(j) => (j.modelTopology.config.layers[0].config.units = -1), 'layer 0 "lstm" (LSTM): units must be a positive integer, got number -1'],
      [(j) => delete j.modelTopology.config.layers[0].config.batch_input_shape, 'the model declares no input shape'],
      [(j) => (j.modelTopology.config.layers[1].config.name = 'lstm'), 'the name "lstm" is used by two layers'],
      [(j) => (j.modelTopology.config.layers[2].config.name = 'head/out'), 'layer 2 "head/out" (Dense): the name must not contain "/"'],
      [(j) => (j.modelTopology.config.layers[0].config.rnnkit_peepholes = true), 'unknown rnnkit key "rnnkit_peepholes"'],
      [(j) => (j.modelTopology.config.layers[0].config.rnnkit_cell_output = 'sigmoid'), 'rnnkit_cell_output must be "none" or "activation"'],
      [(j) => (j.rnnkit.version = 2), 'rnnkit.version is number 2; this version of rnnkit reads 1'],
      [(j) => (j.rnnkit.extra = 1), 'rnnkit has an unknown key "extra"'],
    ];
    for (const [mutate, message] of cases) {
      const copy = structuredClone(json);
      mutate(copy);
      expect(load(copy, weights), message).toThrow(message);
    }
  });

  it("should refuse Keras 3's hard_sigmoid, which is another function", () => {
    const { json, weights } = saved();
    json.modelTopology.keras_version = '3.3.3';
    json.modelTopology.config.layers[0].config.recurrent_activation = 'hard_sigmoid';
    expect(load(json, weights)).toThrow('recurrent_activation "hard_sigmoid" of Keras 3 is relu6(x + 3)/6');
  });

  it('should refuse a missing or misshapen learnable initial state and a foreign optimizer state', () => {
    const { json, weights } = saved({ learnable: true });
    const missing = structuredClone(json);
    delete missing.rnnkit.weights;
    expect(load(missing, weights)).toThrow('loadModel: model.json: rnnkit.weights has no "simple_rnn/initial_state"');
    const short = structuredClone(json);
    short.rnnkit.weights['simple_rnn/initial_state'].values = [0];
    expect(load(short, weights)).toThrow('rnnkit.weights.simple_rnn/initial_state must hold 2 numbers');
    const foreign = structuredClone(json);
    foreign.rnnkit.optimizer = createOptimizer(adam, new Sequential({ layers: [new GRU({ units: 1 })], inputShape: [1, 1] }).params()).getState();
    expect(load(foreign, weights)).toThrow('loadModel: model.json: rnnkit.optimizer is for a parameter "gru/kernel" the model does not have');
  });
});
