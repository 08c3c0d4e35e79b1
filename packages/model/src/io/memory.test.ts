import { describe, expect, it } from 'vitest';
import { ActivationLayer, Dense, Dropout, GRU, type Layer, LSTM, Sequential, SimpleRNN } from '@rnnkit/layers';
import { adam, createOptimizer, loadOptimizer, rmspropNesterov, sgd } from '@rnnkit/optimizers';
import { Param, Random, Tensor, glorotNormal, tensor } from '@rnnkit/tensor';
import { fit, loadModel, saveModel } from '../index.js';
import { randomInput } from './test-support.js';

function randomized(model: Sequential, seed: number): Sequential {
  const random = new Random(seed);
  model.setWeights(model.getWeights().map((w) => new Tensor(random.fillNormal(new Float32Array(w.size), 0, 0.5), w.shape)));
  return model;
}

/** One of every layer, with the variants Keras cannot express. */
function everyLayer(seed = 1): Sequential {
  return randomized(
    new Sequential({
      layers: [
        new LSTM({ units: 3, returnSequences: true, cellOutput: 'none' }),
        new GRU({ units: 3, returnSequences: true }),
        new GRU({ units: 2, resetAfter: false, recurrentActivation: 'hardSigmoid', returnSequences: true }),
        new SimpleRNN({ units: 2, learnableInitialState: true }),
        new Dropout({ rate: 0.25, seed: 4 }),
        new Dense({ units: 3, activation: 'relu' }),
        new ActivationLayer({ activation: 'softmax' }),
      ],
      inputShape: [4, 2],
      seed,
    }),
    seed + 100,
  );
}

/** Saved, written as JSON text and read back, as a file would be. */
function throughText(model: Sequential, options?: Parameters<typeof saveModel>[1]) {
  const { modelJson, weights } = saveModel(model, options);
  return { text: JSON.stringify(modelJson), weights: weights.slice(0) };
}

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.data).buffer));
}

describe('saveModel', () => {
  it('should write TF.js layers-model JSON: Keras topology in snake_case, batch_input_shape on the first layer', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2, returnSequences: true }), new Dense({ units: 1 })], inputShape: [null, 3], seed: 1 });
    const json = saveModel(model).modelJson;
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^rnnkit/);
    expect(json.convertedBy).toBeNull();
    const topology = json.modelTopology as { class_name: string; config: { name: string; layers: { class_name: string; config: Record<string, unknown> }[] }; keras_version: string; backend: string };
    expect(topology.class_name).toBe('Sequential');
    expect(topology.keras_version).toMatch(/^tfjs-layers /);
    expect(topology.backend).toBe('tensor_flow.js');
    expect(topology.config.name).toBe('sequential');
    const [lstm, dense] = topology.config.layers;
    expect(lstm!.class_name).toBe('LSTM');
    expect(lstm!.config).toMatchObject({
      name: 'lstm',
      batch_input_shape: [null, null, 3],
      dtype: 'float32',
      units: 2,
      activation: 'tanh',
      recurrent_activation: 'sigmoid',
      use_bias: true,
      unit_forget_bias: true,
      return_sequences: true,
      kernel_initializer: { class_name: 'GlorotUniform', config: { seed: null } },
      recurrent_initializer: { class_name: 'Orthogonal', config: { gain: 1, seed: null } },
    });
    expect(Object.keys(lstm!.config).filter((k) => /[A-Z]/.test(k))).toEqual([]);
    expect(dense!.config.batch_input_shape).toBeUndefined();
    expect(json.weightsManifest).toEqual([
      {
        paths: ['group1-shard1of1.bin'],
        weights: [
          { name: 'lstm/lstm_cell/kernel', shape: [3, 8], dtype: 'float32' },
          { name: 'lstm/lstm_cell/recurrent_kernel', shape: [2, 8], dtype: 'float32' },
          { name: 'lstm/lstm_cell/bias', shape: [8], dtype: 'float32' },
          { name: 'dense/kernel', shape: [2, 1], dtype: 'float32' },
          { name: 'dense/bias', shape: [1], dtype: 'float32' },
        ],
      },
    ]);
    expect(json.rnnkit).toEqual({ version: 1, dtype: 'float32' });
  });

  it('should write the weights as little-endian float32 in manifest order', () => {
    const model = everyLayer(2);
    const { modelJson, weights } = saveModel(model);
    const view = new DataView(weights);
    const manifestParams = model.params().filter((p) => !p.name.endsWith('/initialState'));
    expect(weights.byteLength).toBe(4 * manifestParams.reduce((n, p) => n + p.value.size, 0));
    let offset = 0;
    for (const p of manifestParams) {
      for (let i = 0; i < p.value.size; i++, offset += 4) expect(view.getFloat32(offset, true)).toBe(p.value.data[i]);
    }
    expect(modelJson.weightsManifest[0]!.weights.map((w) => w.name)).toContain('simple_rnn/simple_rnn_cell/recurrent_kernel');
  });

  it('should put what Keras cannot express in rnnkit_* keys and the rnnkit field', () => {
    const json = saveModel(everyLayer()).modelJson;
    const layers = (json.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers;
    expect(layers[0]!.config.rnnkit_cell_output).toBe('none');
    expect(layers[3]!.config.rnnkit_learnable_initial_state).toBe(true);
    expect(layers[1]!.config.reset_after).toBe(true);
    expect(Object.keys(json.rnnkit!.weights!)).toEqual(['simple_rnn/initial_state']);
    // Nothing rnnkit-only where Keras has a spelling.
    expect(Object.keys(layers[5]!.config).filter((k) => k.startsWith('rnnkit_'))).toEqual([]);
  });

  it('should record an initialiser Keras cannot name exactly in rnnkit_initializers', () => {
    const model = new Sequential({ layers: [new Dense({ units: 2, kernelInitializer: glorotNormal({ truncated: false }) })], inputShape: [3], seed: 1 });
    const layer = (saveModel(model).modelJson.modelTopology as { config: { layers: { config: Record<string, unknown> }[] } }).config.layers[0]!;
    expect(layer.config.kernel_initializer).toEqual({ class_name: 'GlorotNormal', config: { seed: null } });
    expect(layer.config.rnnkit_initializers).toEqual({ kernel_initializer: { name: 'glorotNormal', options: { truncated: false } } });
  });

  it('should refuse a model that is not built, a layer it cannot write, a foreign optimizer and unknown options', () => {
    expect(() => saveModel(new Sequential({ layers: [new Dense({ units: 1 })] }))).toThrow('saveModel: model: model "sequential" is not built');
    const custom: Layer = {
      className: 'Doubler',
      name: 'doubler',
      dtype: 'float32',
      built: true,
      build: () => {},
      params: () => [],
      outputShape: (shape) => shape,
      forward: (x) => ({ y: x, cache: null }),
      backward: (dy) => dy,
      getWeights: () => [],
      setWeights: () => {},
      getConfig: () => ({ name: 'doubler' }),
    };
    expect(() => saveModel(new Sequential({ layers: [custom], inputShape: [2] }))).toThrow(
      'saveModel: model: layer 0 "doubler" (Doubler) cannot be saved in the TF.js layers format; savable layers are Dense, SimpleRNN, LSTM, GRU, Activation, Dropout',
    );
    const model = new Sequential({ layers: [new Dense({ units: 1 })], inputShape: [2] });
    const other = createOptimizer(adam, [new Param('w', tensor([1, 2]))]);
    expect(() => saveModel(model, { optimizer: other })).toThrow('saveModel: model: the optimizer is for a parameter "w" the model does not have');
    expect(() => saveModel(model, { overwrite: true } as never)).toThrow('saveModel: unknown option "overwrite"');
    expect(() => saveModel({} as never)).toThrow('saveModel: model: expected a Sequential model');
    expect(() => saveModel(new Sequential({ layers: [new Dense({ units: 1, name: 'head/out' })], inputShape: [1] }))).toThrow(
      'saveModel: model: layer 0 "head/out" (Dense): the name must not contain "/"',
    );
  });
});

describe('loadModel', () => {
  it('should reproduce the predictions of every layer type and variant bit for bit through JSON text', () => {
    const model = everyLayer(3);
    const { text, weights } = throughText(model);
    const { model: copy, warnings } = loadModel({ modelJson: text, weights });
    expect(warnings).toEqual([]);
    const x = randomInput([3, 4, 2], 4);
    expect(bits(copy.forward(x).y)).toEqual(bits(model.forward(x).y));
    expect(copy.layerNames).toEqual(model.layerNames);
    expect(copy.params().map((p) => p.name)).toEqual(model.params().map((p) => p.name));
  });

  it('should accept the model.json object and a typed-array view of the weights', () => {
    const model = everyLayer(5);
    const { modelJson, weights } = saveModel(model);
    const padded = new Uint8Array(weights.byteLength + 3);
    padded.set(new Uint8Array(weights), 3);
    const { model: copy } = loadModel({ modelJson, weights: padded.subarray(3) });
    const x = randomInput([2, 4, 2], 6);
    expect(bits(copy.forward(x).y)).toEqual(bits(model.forward(x).y));
  });

  it('should keep options that only matter for fresh weights: the same seed draws the same initial weights', () => {
    const model = new Sequential({
      layers: [
        new LSTM({ units: 3, unitForgetBias: false, kernelInitializer: 'heUniform', biasInitializer: { name: 'constant', options: { value: 0.1 } }, returnSequences: true }),
        new Dense({ units: 2, kernelInitializer: glorotNormal({ truncated: false }) }),
        new Dropout({ rate: 0.5, seed: 11 }),
      ],
      inputShape: [2, 2],
      seed: 1,
    });
    const { text, weights } = throughText(model);
    const copy = loadModel({ modelJson: text, weights }).model;
    const fresh = (m: Sequential) => Sequential.fromConfig(JSON.parse(JSON.stringify(m.getConfig())), { seed: 9 }).getWeights().map((w) => Array.from(w.data));
    expect(fresh(copy)).toEqual(fresh(model));
    expect(copy.layers[2]!.getConfig()).toEqual({ name: 'dropout', rate: 0.5, seed: 11, dtype: 'float32' });
  });

  it('should load a float64 model as float64, its weights rounded to float32', () => {
    const model = new Sequential({ layers: [new GRU({ units: 2, dtype: 'float64' }), new Dense({ units: 1, dtype: 'float64' })], inputShape: [3, 1], seed: 2 });
    const { text, weights } = throughText(model);
    expect(JSON.parse(text).rnnkit.dtype).toBe('float64');
    const copy = loadModel({ modelJson: text, weights }).model;
    expect(copy.dtype).toBe('float64');
    copy.params().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(Float32Array.from(model.params()[i]!.value.data))));
  });

  it('should keep frozen layers and partly frozen layers frozen', () => {
    const model = new Sequential({ layers: [new SimpleRNN({ units: 2 }), new Dense({ units: 1 })], inputShape: [2, 1], seed: 3 });
    const [k, r, b, dk] = model.params();
    for (const p of [k!, r!, b!]) p.trainable = false;
    dk!.trainable = false;
    const { text, weights } = throughText(model);
    const copy = loadModel({ modelJson: text, weights }).model;
    expect(copy.params().map((p) => p.trainable)).toEqual(model.params().map((p) => p.trainable));
    expect(JSON.parse(text).rnnkit.nonTrainable).toEqual(['dense/kernel']);
  });

  it('should return the saved optimizer state without plugins, and an optimizer with them', () => {
    const model = new Sequential({ layers: [new Dense({ units: 2 })], inputShape: [2], seed: 4 });
    const optimizer = createOptimizer(sgd, model.params(), { momentum: 0.9 });
    const { text, weights } = throughText(model, { optimizer });
    const bare = loadModel({ modelJson: text, weights });
    expect(bare.optimizer).toBeUndefined();
    expect(bare.optimizerState).toEqual(optimizer.getState());
    expect(loadOptimizer(bare.optimizerState!, bare.model.params(), { plugins: [sgd] }).getState()).toEqual(optimizer.getState());
    const withPlugins = loadModel({ modelJson: text, weights }, { optimizerPlugins: [adam, sgd] });
    expect(withPlugins.optimizer!.getState()).toEqual(optimizer.getState());
    expect(() => loadModel({ modelJson: text, weights }, { optimizerPlugins: [adam] })).toThrow(
      'loadModel: model.json: the saved optimizer state cannot be restored: loadOptimizer: saved state is for optimizer "sgd"',
    );
  });

  it('should refuse unknown options and limits', () => {
    const { modelJson, weights } = saveModel(new Sequential({ layers: [new Dense({ units: 1 })], inputShape: [1] }));
    expect(() => loadModel({ modelJson, weights }, { plugins: [] } as never)).toThrow('loadModel: unknown option "plugins"');
    expect(() => loadModel({ modelJson, weights }, { limits: { maxBytes: 1 } as never })).toThrow('loadModel: unknown limit "maxBytes"');
    expect(() => loadModel({ modelJson, weights }, { limits: { maxLayers: 0 } })).toThrow('loadModel: limits.maxLayers must be a positive integer');
    expect(() => loadModel({ modelJson, weights: [1, 2] as never })).toThrow('loadModel: weights must be an ArrayBuffer');
  });
});

describe('resuming training', () => {
  const data = () => {
    const random = new Random(8);
    const x = new Tensor(random.fillUniform(new Float32Array(24 * 5 * 2), -1, 1), [24, 5, 2]);
    const y = new Tensor(random.fillUniform(new Float32Array(24), -1, 1), [24, 1]);
    return { x, y };
  };
  const make = () => new Sequential({ layers: [new LSTM({ units: 4 }), new Dense({ units: 1 })], inputShape: [5, 2], seed: 6 });

  for (const [label, plugin, options] of [
    ['adam', adam, { learningRate: 0.01 }],
    ['rmspropNesterov (a look-ahead optimizer)', rmspropNesterov, { learningRate: 0.01 }],
  ] as const) {
    it(`should continue bit-identically after save → load with the optimizer state (${label})`, async () => {
      const run = (model: Sequential, optimizer: Parameters<typeof fit>[2]['optimizer'], optimizerOptions?: object) =>
        fit(model, data(), { loss: 'mse', optimizer, ...(optimizerOptions ? { optimizerOptions } : {}), epochs: 2, batchSize: 8, seed: 3, yieldEveryMs: Infinity });
      const original = make();
      const first = await run(original, plugin, options);
      const { text, weights } = throughText(original, { optimizer: first.optimizer });
      const restored = loadModel({ modelJson: text, weights }, { optimizerPlugins: [adam, rmspropNesterov] });

      const continued = await run(original, first.optimizer);
      const resumed = await run(restored.model, restored.optimizer!);
      expect(resumed.batches.map((b) => b.loss)).toEqual(continued.batches.map((b) => b.loss));
      expect(restored.model.getWeights().map(bits)).toEqual(original.getWeights().map(bits));
      expect(resumed.optimizer.getState()).toEqual(continued.optimizer.getState());
    });
  }
});

