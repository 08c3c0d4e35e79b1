// The generic RNN layer through rnnCodec: a cell a user writes (with its plugin) and a
// built-in cell, saved as Keras' RNN layer with `cell: { class_name, config }` and loaded back.
import { afterAll, describe, expect, it } from 'vitest';
import {
  type BackwardSteps,
  type CellPlugin,
  type CellVector,
  type ForwardSteps,
  type RecurrentCell,
  Dense,
  RNN,
  Sequential,
  builtinCodecs,
  gruCell,
  gruCellPlugin,
  lstmCell,
  lstmCellPlugin,
  rnnCodec,
} from '@rnnkit/layers';
import { type DType, Param, type Random, RnnkitError, Tensor, allocate } from '@rnnkit/tensor';
import { loadModel, saveModel } from '../index.js';
import { loadModelFromDirectory, saveModelToDirectory } from '../node.js';
import { cleanup, expectClose, loadTf, loadTfModel, randomInput, randomizeTfWeights, saveTfModel, temporaryDirectory, tfPredict } from './test-support.js';

afterAll(cleanup);

// ---------------------------------------------------------------------------------------
// A user's cell, written against the cell contract only:
//   g_t = tanh(x_t·W + h_{t−1}·U),   h_t = (1 − leakRate)·g_t + leakRate·h_{t−1}
// ---------------------------------------------------------------------------------------

interface LeakyCellOptions {
  readonly units: number;
  readonly leakRate?: number;
  readonly dtype?: DType;
}

class LeakyCell implements RecurrentCell {
  readonly kind = 'leaky';
  readonly units: number;
  readonly leakRate: number;
  readonly dtype: DType;
  readonly states: readonly CellVector[];
  readonly kept: readonly CellVector[];
  features = 0;
  #kernel: Param | null = null;
  #recurrentKernel: Param | null = null;

  constructor(options: LeakyCellOptions) {
    if (!Number.isInteger(options.units) || options.units < 1) throw new RnnkitError('LeakyCell', `units must be a positive integer, got ${options.units}`);
    this.units = options.units;
    this.leakRate = options.leakRate ?? 0.5;
    this.dtype = options.dtype ?? 'float32';
    this.states = [{ name: 'h', size: this.units }];
    this.kept = [{ name: 'g', size: this.units }];
  }

  get built(): boolean {
    return this.#kernel !== null;
  }

  build(features: number, random: Random, options: { initialize?: boolean } = {}): void {
    const u = this.units;
    const w = allocate(this.dtype, features * u);
    const r = allocate(this.dtype, u * u);
    if (options.initialize !== false) {
      random.fillUniform(w, -0.8, 0.8);
      random.fillUniform(r, -0.5, 0.5);
    }
    this.#kernel = new Param('kernel', new Tensor(w, [features, u]));
    this.#recurrentKernel = new Param('recurrentKernel', new Tensor(r, [u, u]));
    this.features = features;
  }

  params(): Param[] {
    return [this.#kernel!, this.#recurrentKernel!];
  }

  step(s: ForwardSteps): void {
    const u = this.units, F = s.features, a = this.leakRate;
    const W = this.#kernel!.value.data, U = this.#recurrentKernel!.value.data;
    const h = s.states[0]!, g = s.kept[0]!;
    for (let b = 0; b < s.batch; b++) {
      const prev = (s.t * s.batch + b) * u, next = prev + s.batch * u, xAt = (s.t * s.batch + b) * F;
      for (let k = 0; k < u; k++) {
        let z = 0;
        for (let f = 0; f < F; f++) z += s.x[xAt + f]! * W[f * u + k]!;
        for (let j = 0; j < u; j++) z += h[prev + j]! * U[j * u + k]!;
        g[prev + k] = Math.tanh(z);
        h[next + k] = (1 - a) * g[prev + k]! + a * h[prev + k]!;
      }
    }
  }

  backStep(s: BackwardSteps): void {
    const u = this.units, F = s.features, a = this.leakRate;
    const W = this.#kernel!.value.data, U = this.#recurrentKernel!.value.data;
    const dW = this.#kernel!.grad.data, dU = this.#recurrentKernel!.grad.data;
    const h = s.states[0]!, g = s.kept[0]!, dh = s.dStates[0]!;
    const dz = new Float64Array(u);
    for (let b = 0; b < s.batch; b++) {
      const prev = (s.t * s.batch + b) * u, xAt = (s.t * s.batch + b) * F, at = b * u;
      for (let k = 0; k < u; k++) dz[k] = dh[at + k]! * (1 - a) * (1 - g[prev + k]! ** 2);
      for (let j = 0; j < u; j++) {
        let back = a * dh[at + j]!;
        for (let k = 0; k < u; k++) {
          back += dz[k]! * U[j * u + k]!;
          dU[j * u + k]! += h[prev + j]! * dz[k]!;
        }
        dh[at + j] = back;
      }
      for (let f = 0; f < F; f++) {
        for (let k = 0; k < u; k++) {
          dW[f * u + k]! += s.x[xAt + f]! * dz[k]!;
          s.dx[xAt + f]! += dz[k]! * W[f * u + k]!;
        }
      }
    }
  }

  getConfig() {
    return { units: this.units, leakRate: this.leakRate, dtype: this.dtype };
  }
}

/** Its plugin: the name files know it by. */
const leakyCellPlugin: CellPlugin<LeakyCellOptions> = { name: 'LeakyCell', create: (options) => new LeakyCell(options) };

const codecs = [...builtinCodecs, rnnCodec({ cells: [lstmCellPlugin, leakyCellPlugin] })];

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.data).buffer));
}

describe('the RNN codec', () => {
  it("should save and load an RNN over a user's cell, and one over an LSTM cell with learnable initial states, predicting the same", () => {
    const model = new Sequential({
      layers: [
        new RNN({ cell: new LeakyCell({ units: 3, leakRate: 0.25 }), returnSequences: true, name: 'leaky' }),
        new RNN({ cell: lstmCell({ units: 2, recurrentActivation: 'hardSigmoid' }), learnableInitialState: true }),
        new Dense({ units: 1 }),
      ],
      inputShape: [5, 2],
      seed: 3,
    });
    // Initial states away from zero, so that loading them shows in the outputs.
    for (const p of model.params().filter((q) => q.name.includes('initialState'))) p.value.data.fill(0.3);
    const { modelJson, weights } = saveModel(model, { codecs });
    const layers = (modelJson.modelTopology as { config: { layers: { class_name: string; config: Record<string, unknown> }[] } }).config.layers;
    expect(layers[0]).toMatchObject({
      class_name: 'RNN',
      config: { name: 'leaky', cell: { class_name: 'LeakyCell', config: { units: 3, leak_rate: 0.25, dtype: 'float32' } }, return_sequences: true },
    });
    expect(layers[1]!.config).toMatchObject({ cell: { class_name: 'LSTMCell', config: { units: 2, recurrent_activation: 'hard_sigmoid' } }, rnnkit_learnable_initial_state: true });
    expect(modelJson.weightsManifest[0]!.weights.map((w) => [w.name, w.shape])).toEqual([
      ['leaky/leaky_cell/kernel', [2, 3]],
      ['leaky/leaky_cell/recurrent_kernel', [3, 3]],
      ['rnn/lstm_cell/kernel', [3, 8]],
      ['rnn/lstm_cell/recurrent_kernel', [2, 8]],
      ['rnn/lstm_cell/bias', [8]],
      ['dense/kernel', [2, 1]],
      ['dense/bias', [1]],
    ]);
    expect(Object.keys(modelJson.rnnkit!.weights!)).toEqual(['rnn/initial_state', 'rnn/initial_state_c']);

    const { model: copy, warnings } = loadModel({ modelJson: JSON.stringify(modelJson), weights }, { codecs });
    expect(warnings).toEqual([]);
    expect((copy.layers[0] as RNN).cell).toBeInstanceOf(LeakyCell);
    expect((copy.layers[0] as RNN).cell.getConfig()).toEqual({ units: 3, leakRate: 0.25, dtype: 'float32' });
    const x = randomInput([3, 5, 2], 9);
    expect(bits(copy.forward(x).y)).toEqual(bits(model.forward(x).y));
    // Saving the loaded model writes the same file.
    expect(JSON.stringify(saveModel(copy, { codecs }).modelJson)).toEqual(JSON.stringify(modelJson));
  });

  it('should refuse a cell without a plugin, naming the plugins it has', () => {
    const model = new Sequential({ layers: [new RNN({ cell: new LeakyCell({ units: 2 }) })], inputShape: [3, 1], seed: 1 });
    const lstmOnly = [...builtinCodecs, rnnCodec({ cells: [lstmCellPlugin] })];
    expect(() => saveModel(model, { codecs: lstmOnly })).toThrow(
      'saveModel: model: layer 0 "rnn" (RNN): its cell of kind "leaky" is made by none of the cell plugins of rnnCodec (LSTMCell); pass its plugin in cells',
    );
    const { modelJson, weights } = saveModel(model, { codecs });
    expect(() => loadModel({ modelJson, weights }, { codecs: lstmOnly })).toThrow(
      'loadModel: model.json: layer 0 "rnn" (RNN): cell class "LeakyCell" has no plugin; rnnCodec was given LSTMCell',
    );
    expect(() => loadModel({ modelJson, weights })).toThrow('layer 0 "rnn" (RNN) is not supported; supported layers are InputLayer, Dense');
    const broken = JSON.parse(JSON.stringify(modelJson));
    broken.modelTopology.config.layers[0].config.cell.config.units = 0;
    expect(() => loadModel({ modelJson: broken, weights }, { codecs })).toThrow('loadModel: model.json: layer 0 "rnn" (RNN): LeakyCell: units must be a positive integer, got 0');
    broken.modelTopology.config.layers[0].config.cell.config = { units: 2, rnnkit_peepholes: true };
    expect(() => loadModel({ modelJson: broken, weights }, { codecs })).toThrow('layer 0 "rnn" (RNN): cell.config: unknown rnnkit key "rnnkit_peepholes"');
    expect(() => rnnCodec({ cells: [{ name: 'X' }] as never })).toThrow('rnnCodec: cells must be an array of cell plugins { name, create }');
  });

  it('should refuse a tiny file declaring an enormous RNN over a built-in cell before building it', () => {
    const model = new Sequential({ layers: [new RNN({ cell: lstmCell({ units: 2 }) })], inputShape: [3, 1], seed: 1 });
    const { modelJson, weights } = saveModel(model, { codecs });
    const json = JSON.parse(JSON.stringify(modelJson));
    json.modelTopology.config.layers[0].config.cell.config.units = 50000;
    expect(() => loadModel({ modelJson: json, weights }, { codecs })).toThrow(
      'loadModel: model.json: layer 0 "rnn" (RNN) needs 10000400000 parameter numbers for its config and input [null, 3, 1], but the file holds only 32; it is not built',
    );
  });
});

describe("the RNN codec and TF.js' RNN layer", () => {
  const kerasCells = [...builtinCodecs, rnnCodec({ cells: [lstmCellPlugin, gruCellPlugin] })];

  it('should load TF.js RNN layers over an LSTMCell and a GRUCell and predict the same', async () => {
    const tf = await loadTf();
    const tfModel = tf.sequential({
      layers: [
        tf.layers.rnn({ cell: tf.layers.lstmCell({ units: 3 }), inputShape: [4, 2], returnSequences: true }),
        tf.layers.rnn({ cell: tf.layers.gruCell({ units: 2 }) }),
      ],
    });
    try {
      randomizeTfWeights(tf, tfModel, 3);
      const dir = await temporaryDirectory();
      await saveTfModel(tf, tfModel, dir);
      const { model, warnings } = await loadModelFromDirectory(dir, { codecs: kerasCells });
      expect(warnings).toEqual([]);
      expect(model.layers.map((l) => (l as RNN).cell.kind)).toEqual(['lstm', 'gru']);
      expect((model.layers[1] as RNN).cell.getConfig()).toMatchObject({ resetAfter: false, recurrentActivation: 'hardSigmoid' });
      const x = randomInput([2, 4, 2], 5);
      expectClose(model.forward(x).y.data, tfPredict(tf, tfModel, x), 'rnnkit vs TF.js');
    } finally {
      tfModel.dispose();
    }
  });

  it('should save RNN layers over LSTM and GRU cells that TF.js loads and predicts the same with', async () => {
    const tf = await loadTf();
    const model = new Sequential({
      layers: [new RNN({ cell: lstmCell({ units: 3 }), returnSequences: true }), new RNN({ cell: gruCell({ units: 2, resetAfter: false }), name: 'rnn_1' })],
      inputShape: [4, 2],
      seed: 2,
    });
    const dir = await temporaryDirectory();
    await saveModelToDirectory(model, dir, { codecs: kerasCells });
    const tfModel = await loadTfModel(tf, dir);
    try {
      const x = randomInput([2, 4, 2], 6);
      expectClose(tfPredict(tf, tfModel, x), model.forward(x).y.data, 'TF.js vs rnnkit');
    } finally {
      tfModel.dispose();
    }
  });
});
