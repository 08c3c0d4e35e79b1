// The built-in codecs on their own: save → read back is the identity on every config, the
// weight names follow the params, paramCount is what building allocates; and the Keras
// config vocabulary (reader and writer) they are written in.
import { Random, RnnkitError, getInitializer, glorotNormal, initializerConfig } from '@rnnkit/tensor';
import { describe, expect, it } from 'vitest';
import { ActivationLayer } from './activation-layer.js';
import { builtinCodecs } from './builtin-codecs.js';
import { type AnyLayerCodec, codecOwns, codecWeightNames } from './codec.js';
import { Dense } from './dense.js';
import { Dropout } from './dropout.js';
import { Embedding } from './embedding.js';
import { GlobalAveragePooling1D, GlobalMaxPooling1D } from './global-pooling.js';
import { Flatten } from './flatten.js';
import { GRU } from './gru.js';
import { type KerasConfig, type KerasDialect, KerasConfigReader, KerasConfigWriter, snakeCase } from './keras-config.js';
import type { Layer, SymbolicShape } from './layer.js';
import { LSTM } from './lstm.js';
import { Masking } from './masking.js';
import { gruCell, gruCellPlugin } from './cells/cell-plugins.js';
import { lstmCell, lstmCellPlugin } from './cells/cell-plugins.js';
import { simpleRNNCell, simpleRNNCellPlugin } from './cells/cell-plugins.js';
import { RepeatVector } from './repeat-vector.js';
import { RNN } from './rnn.js';
import { rnnCodec } from './rnn.codec.js';
import { SimpleRNN } from './simple-rnn.js';
import { TimeDistributed } from './time-distributed.js';
import { timeDistributedCodec } from './time-distributed.codec.js';
import { denseCodec } from './dense.codec.js';
import { ToyCell } from './toy-cell.test-util.js';

function codecOf(layer: Layer): AnyLayerCodec {
  const codec = builtinCodecs.find((c) => codecOwns(c, layer));
  if (codec === undefined) throw new Error(`no codec owns ${layer.className}`);
  return codec;
}

const writer = () => new KerasConfigWriter();

/** A reader whose errors are RnnkitErrors of `api` and whose warnings go into `warnings`. */
function kerasConfigReader(api: string, config: KerasConfig, dialect: KerasDialect = 'tfjs', warnings: string[] = []): KerasConfigReader {
  return new KerasConfigReader(config, {
    dialect,
    fail: (message) => {
      throw new RnnkitError(api, message);
    },
    warn: (message) => warnings.push(message),
  });
}

/** A layer through its codec's save and load, as JSON text in between. */
function throughCodec(layer: Layer, warnings: string[] = []): Layer {
  const codec = codecOf(layer);
  const w = writer();
  const config = JSON.parse(JSON.stringify({ ...codec.save(layer, w), rnnkit_initializers: w.inexactInitializers }));
  const reader = kerasConfigReader('test', config, 'tfjs', warnings);
  const copy = codec.load(reader, { name: layer.name, dtype: layer.dtype });
  reader.finish();
  return copy;
}

/** A config with its initialisers in one canonical spelling (`'orthogonal'` is `{ name: 'orthogonal', options: { gain: 1 } }`). */
function canonical(layer: Layer): Record<string, unknown> {
  const config: Record<string, unknown> = { ...layer.getConfig() };
  for (const key of Object.keys(config)) {
    if (key.endsWith('Initializer')) config[key] = initializerConfig(getInitializer(config[key] as Parameters<typeof getInitializer>[0]));
  }
  return config;
}

/** Each layer, and the input shape to count its weights for (default [null, 4, 5]). */
const LAYERS: [string, () => Layer, SymbolicShape?][] = [
  ['Dense', () => new Dense({ units: 3, activation: 'softmax', useBias: false, kernelInitializer: glorotNormal({ truncated: false }), name: 'head' })],
  ['SimpleRNN', () => new SimpleRNN({ units: 2, activation: 'relu', learnableInitialState: true, returnSequences: true })],
  ['LSTM', () => new LSTM({ units: 3, recurrentActivation: 'hardSigmoid', unitForgetBias: false, cellOutput: 'none', biasInitializer: 'ones' })],
  ['GRU (resetAfter)', () => new GRU({ units: 2, dtype: 'float64' })],
  ['GRU (resetAfter false)', () => new GRU({ units: 4, resetAfter: false, useBias: false })],
  ['SimpleRNN with dropout', () => new SimpleRNN({ units: 2, dropout: 0.2 })],
  ['LSTM with dropout and recurrent dropout', () => new LSTM({ units: 3, dropout: 0.25, recurrentDropout: 0.1 })],
  ['GRU with recurrent dropout', () => new GRU({ units: 2, recurrentDropout: 0.5 })],
  ['Activation', () => new ActivationLayer({ activation: 'tanh' })],
  ['Dropout', () => new Dropout({ rate: 0.3, seed: 5 })],
  ['Masking', () => new Masking({ maskValue: -1, name: 'pad' })],
  ['Embedding', () => new Embedding({ inputDim: 11, outputDim: 3, maskZero: true, embeddingsInitializer: 'glorotNormal' }), [null, 4]],
  ['Embedding (default initialiser)', () => new Embedding({ inputDim: 2, outputDim: 5 }), [null, null]],
  ['GlobalAveragePooling1D', () => new GlobalAveragePooling1D({ name: 'mean' })],
  ['GlobalMaxPooling1D', () => new GlobalMaxPooling1D({ dtype: 'float64' })],
  ['RepeatVector', () => new RepeatVector({ n: 3 }), [null, 4]],
  ['Flatten', () => new Flatten({ name: 'flat' })],
  ['TimeDistributed(Dense)', () => new TimeDistributed({ layer: new Dense({ units: 2, activation: 'relu', name: 'head' }), name: 'steps' })],
  ['TimeDistributed(Embedding)', () => new TimeDistributed({ layer: new Embedding({ inputDim: 6, outputDim: 2 }) }), [null, 4, 3]],
];

describe('the built-in codecs', () => {
  for (const [label, make, shape] of LAYERS) {
    it(`should give back an equal ${label} layer, and count what building it allocates`, () => {
      const layer = make();
      const warnings: string[] = [];
      const copy = throughCodec(layer, warnings);
      expect(canonical(copy)).toEqual(canonical(layer));
      expect(copy.className).toBe(layer.className);
      expect(warnings).toEqual([]);
      const input = shape ?? (layer instanceof Dense ? [null, 5] : [null, 4, 5]);
      const codec = codecOf(layer);
      const counted = codec.paramCount!(copy, input);
      copy.build(input, new Random(1), { initialize: false });
      expect(counted).toBe(copy.params().reduce((n, p) => n + p.value.size, 0));
      expect(codecWeightNames(codec, copy)).toHaveLength(copy.params().length);
    });
  }

  it('should name recurrent weights after the cell, and put the learnable initial state outside the manifest', () => {
    const rnn = new SimpleRNN({ units: 2, learnableInitialState: true });
    rnn.build([null, 3, 1], new Random(1));
    expect(codecWeightNames(codecOf(rnn), rnn)).toEqual([
      { name: 'simple_rnn_cell/kernel', rnnkitOnly: false },
      { name: 'simple_rnn_cell/recurrent_kernel', rnnkitOnly: false },
      { name: 'simple_rnn_cell/bias', rnnkitOnly: false },
      { name: 'initial_state', rnnkitOnly: true },
    ]);
  });

  it("should write the dropout rates in Keras' spelling and read them back, Keras 3's seed too, refusing rates outside [0, 1)", () => {
    const lstm = builtinCodecs.find((c) => c.className === 'LSTM')!;
    const saved = lstm.save(new LSTM({ units: 2, dropout: 0.2, recurrentDropout: 0.1, seed: 3 }), writer());
    expect(saved).toMatchObject({ dropout: 0.2, recurrent_dropout: 0.1 });
    expect(saved).not.toHaveProperty('seed'); // Keras 2 refuses an LSTM argument it does not know
    const context = { name: 'r', dtype: 'float32' as const };
    const warnings: string[] = [];
    const loaded = lstm.load(kerasConfigReader('t', { units: 2, dropout: 0.2, recurrent_dropout: 0.1, seed: 42 }, 'keras3', warnings), context);
    expect(loaded.getConfig()).toMatchObject({ dropout: 0.2, recurrentDropout: 0.1, seed: 42 });
    expect(warnings).toEqual([]);
    expect(lstm.load(kerasConfigReader('t', { units: 2, dropout: null, recurrent_dropout: 0 }), context).getConfig()).toMatchObject({ dropout: 0, recurrentDropout: 0 });
    expect(() => lstm.load(kerasConfigReader('t', { units: 2, dropout: 1 }), context)).toThrow('t: dropout must be a number in [0, 1), got number 1');
    expect(() => lstm.load(kerasConfigReader('t', { units: 2, recurrent_dropout: '0.1' }), context)).toThrow('t: recurrent_dropout must be a number in [0, 1)');
  });

  it('should own instances of their class only', () => {
    const impostor = { ...new Dense({ units: 1 }), className: 'Dense' } as unknown as Layer;
    expect(builtinCodecs.filter((c) => codecOwns(c, impostor))).toEqual([]);
    expect(builtinCodecs.map((c) => c.className)).toEqual(['Dense', 'SimpleRNN', 'LSTM', 'GRU', 'Activation', 'Dropout', 'Masking', 'Bidirectional', 'Embedding', 'GlobalAveragePooling1D', 'GlobalMaxPooling1D', 'RepeatVector', 'Flatten', 'TimeDistributed']);
  });

  it('should read the dialects: TF.js defaults the gates to hard sigmoid, Keras 3 refuses its hard_sigmoid, Keras needs reset_after', () => {
    const lstm = builtinCodecs.find((c) => c.className === 'LSTM')!;
    const gru = builtinCodecs.find((c) => c.className === 'GRU')!;
    const context = { name: 'r', dtype: 'float32' as const };
    expect(lstm.load(kerasConfigReader('t', { units: 2 }, 'tfjs'), context).getConfig().recurrentActivation).toBe('hardSigmoid');
    expect(lstm.load(kerasConfigReader('t', { units: 2 }, 'keras2'), context).getConfig().recurrentActivation).toBe('sigmoid');
    expect(() => lstm.load(kerasConfigReader('t', { units: 2, recurrent_activation: 'hard_sigmoid' }, 'keras3'), context)).toThrow(
      't: recurrent_activation "hard_sigmoid" of Keras 3 is relu6(x + 3)/6',
    );
    expect(() => gru.load(kerasConfigReader('t', { units: 2 }, 'keras2'), context)).toThrow('t: reset_after is missing');
    expect(gru.load(kerasConfigReader('t', { units: 2 }, 'tfjs'), context).getConfig().resetAfter).toBe(false);
  });
});

describe('the RNN codec', () => {
  const codec = rnnCodec({ cells: [lstmCellPlugin, gruCellPlugin, simpleRNNCellPlugin] });
  const cells: [string, () => RNN][] = [
    ['LSTMCell, learnable initial states', () => new RNN({ cell: lstmCell({ units: 3, cellOutput: 'none' }), learnableInitialState: true })],
    ['GRUCell (resetAfter)', () => new RNN({ cell: gruCell({ units: 2 }), returnSequences: true })],
    ['SimpleRNNCell without bias', () => new RNN({ cell: simpleRNNCell({ units: 2, useBias: false, activation: 'relu' }) })],
    ['LSTMCell with dropout and recurrent dropout', () => new RNN({ cell: lstmCell({ units: 2, dropout: 0.3, recurrentDropout: 0.2 }) })],
  ];
  for (const [label, make] of cells) {
    it(`should give back an equal RNN over a ${label}, and count what building it allocates`, () => {
      const layer = make();
      const w = writer();
      const config = JSON.parse(JSON.stringify(codec.save(layer, w)));
      const reader = kerasConfigReader('test', config);
      const copy = codec.load(reader, { name: layer.name, dtype: layer.dtype });
      reader.finish();
      const cellConfig = (l: RNN) => JSON.stringify(canonical({ getConfig: () => l.cell.getConfig() } as unknown as Layer));
      expect(cellConfig(copy)).toEqual(cellConfig(layer));
      expect(copy.getConfig()).toMatchObject({ returnSequences: layer.returnSequences, learnableInitialState: layer.learnableInitialState });
      const counted = codec.paramCount!(copy, [null, 4, 5]);
      copy.build([null, 4, 5], new Random(1), { initialize: false });
      expect(counted).toBe(copy.params().reduce((n, p) => n + p.value.size, 0));
    });
  }

  it('should not know the size of a cell it does not know', () => {
    expect(rnnCodec({ cells: [] }).paramCount!(new RNN({ cell: new ToyCell(2) }), [null, 3, 1])).toBeUndefined();
  });
});

describe('the Keras config reader and writer', () => {
  it('should track used keys: unread rnnkit_* keys and rnnkit_initializers entries are refused', () => {
    const reader = kerasConfigReader('t', { units: 1, rnnkit_new: true, other: 1 });
    reader.positiveInteger('units');
    expect(() => reader.finish()).toThrow('t: unknown rnnkit key "rnnkit_new"');
    const exact = kerasConfigReader('t', { kernel_initializer: 'zeros', rnnkit_initializers: { kernel_initializer: 'ones', bias_initializer: 'ones' } });
    expect(exact.initializer('kernel_initializer', 'glorotUniform')).toBe('ones');
    expect(() => exact.finish()).toThrow('t: rnnkit_initializers has an unknown key "bias_initializer"');
  });

  it('should warn about dropped training settings and unknown initialisers, naming the key', () => {
    const warnings: string[] = [];
    const reader = kerasConfigReader('t', { kernel_regularizer: { class_name: 'L2' }, bias_initializer: { class_name: 'Identity' } }, 'keras2', warnings);
    reader.trainingOnly(['kernel_regularizer', 'bias_regularizer'], (v) => v === undefined || v === null, 'training only');
    expect(reader.initializer('bias_initializer', 'zeros')).toBe('zeros');
    expect(warnings).toEqual([
      'kernel_regularizer L2 dropped (training only)',
      'bias_initializer "Identity" has no rnnkit equivalent; zeros is used if the layer is ever re-initialised',
    ]);
  });

  it('should write Keras names, recording what Keras can only approximate', () => {
    const w = writer();
    expect(w.activation('recurrent_activation', 'hardSigmoid')).toBe('hard_sigmoid');
    expect(() => w.activation('activation', 'gelu')).toThrow('KerasConfigWriter: activation "gelu" has no Keras name; savable activations are linear, sigmoid');
    expect(w.initializer('kernel_initializer', { name: 'glorotNormal', options: { truncated: false } })).toEqual({ class_name: 'GlorotNormal', config: { seed: null } });
    expect(w.inexactInitializers).toEqual({ kernel_initializer: { name: 'glorotNormal', options: { truncated: false } } });
    expect(['recurrentKernel', 'initialState', 'kernel', 'peepholeWeightsIO'].map(snakeCase)).toEqual(['recurrent_kernel', 'initial_state', 'kernel', 'peephole_weights_io']);
  });
});

describe('the TimeDistributed codec', () => {
  const codec = timeDistributedCodec({ codecs: [denseCodec] });
  const failing = (): KerasConfigWriter =>
    new KerasConfigWriter({
      fail: (message) => {
        throw new RnnkitError('test', message);
      },
    });

  it("should name the weights as TF.js does, under the wrapper alone, and refuse what its codecs do not wrap", () => {
    const layer = new TimeDistributed({ layer: new Dense({ units: 2 }) });
    layer.build([null, 3, 4], new Random(0));
    expect(codecWeightNames(codec, layer).map((w) => w.name)).toEqual(['kernel', 'bias']);
    expect(codec.paramCount!(layer, [null, 3, 4])).toBe(10);
    expect(() => codec.save(new TimeDistributed({ layer: new Dropout({ rate: 0.1 }) }), failing())).toThrow(
      "test: its layer is a Dropout, which none of the TimeDistributed codec's codecs saves (Dense)",
    );
    const config = { layer: { class_name: 'Dropout', config: { name: 'dropout', rate: 0.1 } } };
    expect(() => codec.load(kerasConfigReader('t', config), { name: 'td', dtype: 'float32' })).toThrow(
      't: layer class "Dropout" is not supported; the TimeDistributed codec wraps Dense',
    );
    expect(() => codec.load(kerasConfigReader('t', { layer: 'dense' }), { name: 'td', dtype: 'float32' })).toThrow('t: layer must be { class_name, config }, got "dense"');
    expect(() => timeDistributedCodec({ codecs: 'dense' as never })).toThrow('timeDistributedCodec: codecs must be an array of layer codecs { className, save, load }');
  });
});
