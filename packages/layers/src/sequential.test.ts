import { describe, expect, it } from 'vitest';
import { type Initializer, Random, RnnkitError, Tensor, type Param, glorotUniform, zeros } from '@rnnkit/tensor';
import { Dense, dense } from './dense.js';
import { GRU } from './gru.js';
import { LSTM, lstm } from './lstm.js';
import { snakeCase } from './naming.js';
import { Sequential, sequential } from './sequential.js';
import { withSeparators } from './sequential-summary.js';
import { SimpleRNN } from './simple-rnn.js';

function uniform(shape: number[], seed: number, dtype: 'float32' | 'float64' = 'float64'): Tensor {
  const x = zeros(shape, dtype);
  new Random(seed).fillUniform(x.data, -1, 1);
  return x;
}

/** Experiment 5's model: LSTM(1→32) returning the last state, then Dense(32→1). */
function experiment5(seed = 0): Sequential {
  return new Sequential({ layers: [new LSTM({ units: 32 }), new Dense({ units: 1 })], inputShape: [25, 1], seed });
}

describe('Sequential summary', () => {
  it('should show 4,352 + 33 = 4,385 parameters for LSTM(1→32) + Dense(32→1) (experiment 5)', () => {
    const lines = experiment5().summary().split('\n');
    expect(lines[0]).toBe('Model: "sequential"');
    expect(lines).toContainEqual(expect.stringMatching(/^ lstm \(LSTM\) +\(None, 32\) +4,352$/));
    expect(lines).toContainEqual(expect.stringMatching(/^ dense \(Dense\) +\(None, 1\) +33$/));
    expect(lines).toContain('Total params: 4,385');
    expect(lines).toContain('Trainable params: 4,385');
    expect(lines).toContain('Non-trainable params: 0');
  });

  it('should line up the columns of the header and every row', () => {
    const lines = experiment5().summary().split('\n');
    const header = lines.find((l) => l.includes('Layer (type)'))!;
    const row = lines.find((l) => l.includes('lstm (LSTM)'))!;
    expect(row.indexOf('(None')).toBe(header.indexOf('Output Shape'));
    expect(row.length).toBe(header.length); // Param # is right-aligned under its header
    const rules = lines.filter((l) => /^[_=]+$/.test(l));
    expect(new Set(rules.map((l) => l.length)).size).toBe(1);
    expect(rules[0]!.length).toBeGreaterThanOrEqual(header.length);
  });

  it('should count frozen parameters as non-trainable, through the model and the layer alike', () => {
    const model = experiment5();
    const kernel = model.params().find((p) => p.name === 'dense/kernel')!;
    kernel.trainable = false;
    expect(model.layers[1]!.params()[0]!.trainable).toBe(false);
    const summary = model.summary();
    expect(summary).toContain('Trainable params: 4,353');
    expect(summary).toContain('Non-trainable params: 32');
  });

  it('should show sequence outputs with the time axis', () => {
    const model = new Sequential({
      layers: [new GRU({ units: 3, returnSequences: true }), new Dense({ units: 2 })],
      inputShape: [null, 4],
    });
    // GRU defaults to Keras' resetAfter: true: 3u(in + u + 2) = 9·9 = 81.
    expect(model.summary()).toMatch(/gru \(GRU\) +\(None, None, 3\) +81/);
    expect(model.summary()).toMatch(/dense \(Dense\) +\(None, None, 2\) +8/);
  });

  it('should format thousands the same everywhere', () => {
    expect(withSeparators(0)).toBe('0');
    expect(withSeparators(999)).toBe('999');
    expect(withSeparators(1000)).toBe('1,000');
    expect(withSeparators(1234567)).toBe('1,234,567');
  });
});

describe('Sequential naming', () => {
  it('should number repeated default names as Keras does', () => {
    const model = sequential({
      layers: [
        new LSTM({ units: 2, returnSequences: true }),
        new LSTM({ units: 2 }),
        new Dense({ units: 2 }),
        new Dense({ units: 1 }),
      ],
      inputShape: [3, 1],
    });
    expect(model.layerNames).toEqual(['lstm', 'lstm_1', 'dense', 'dense_1']);
    expect(model.params().map((p) => p.name)).toEqual([
      'lstm/kernel',
      'lstm/recurrentKernel',
      'lstm/bias',
      'lstm_1/kernel',
      'lstm_1/recurrentKernel',
      'lstm_1/bias',
      'dense/kernel',
      'dense/bias',
      'dense_1/kernel',
      'dense_1/bias',
    ]);
  });

  it('should keep explicit names and number defaults around them', () => {
    const model = new Sequential({
      layers: [new Dense({ units: 2 }), new Dense({ units: 2, name: 'dense_1' }), new Dense({ units: 1 })],
    });
    expect(model.layerNames).toEqual(['dense', 'dense_1', 'dense_2']);
  });

  it('should snake-case class names like Keras', () => {
    expect(snakeCase('SimpleRNN')).toBe('simple_rnn');
    expect(snakeCase('LSTM')).toBe('lstm');
    expect(snakeCase('GRU')).toBe('gru');
    expect(snakeCase('Dense')).toBe('dense');
    expect(snakeCase('MyCustomLayer')).toBe('my_custom_layer');
  });

  it('should share value and gradient tensors between model and layer parameters', () => {
    const model = experiment5();
    const own: Param[] = model.layers.flatMap((l) => l.params());
    model.params().forEach((p, i) => {
      expect(p.value).toBe(own[i]!.value);
      expect(p.grad).toBe(own[i]!.grad);
    });
    model.params()[0]!.grad.data[0] = 3;
    model.params()[0]!.zeroGrad();
    expect(own[0]!.grad.data[0]).toBe(0);
    expect(model.params()[2]).toBe(model.params()[2]); // stable identities for optimizer state
  });
});

describe('Sequential forward and backward', () => {
  it('should equal running the layers one after another', () => {
    const model = new Sequential({
      layers: [
        new SimpleRNN({ units: 3, returnSequences: true, dtype: 'float64' }),
        new LSTM({ units: 2, dtype: 'float64' }),
        new Dense({ units: 2, activation: 'tanh', dtype: 'float64' }),
      ],
      inputShape: [4, 2],
      seed: 3,
    });
    const x = uniform([2, 4, 2], 1);
    const dy = uniform([2, 2], 2);
    const { y, cache } = model.forward(x);
    for (const p of model.params()) p.zeroGrad();
    const dx = model.backward(dy, cache);
    const modelGrads = model.params().map((p) => Array.from(p.grad.data));

    const [a, b, c] = model.layers as [SimpleRNN, LSTM, Dense];
    for (const p of model.params()) p.zeroGrad();
    const ra = a.forward(x);
    const rb = b.forward(ra.y);
    const rc = c.forward(rb.y);
    const dxManual = a.backward(b.backward(c.backward(dy, rc.cache), rb.cache), ra.cache);
    expect(Array.from(y.data)).toEqual(Array.from(rc.y.data));
    expect(Array.from(dx.data)).toEqual(Array.from(dxManual.data));
    expect(model.params().map((p) => Array.from(p.grad.data))).toEqual(modelGrads);
  });

  it('should build on the first forward when no inputShape was given', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], seed: 5 });
    expect(model.built).toBe(false);
    const { y } = model.forward(uniform([3, 4, 2], 0, 'float32'));
    expect(model.built).toBe(true);
    expect(model.inputShape).toEqual([null, 4, 2]);
    expect(model.outputShape()).toEqual([null, 1]);
    expect(y.shape).toEqual([3, 1]);
    // Same seed, built up front: the same weights.
    const eager = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], seed: 5, inputShape: [4, 2] });
    expect(eager.getWeights().map((w) => Array.from(w.data))).toEqual(model.getWeights().map((w) => Array.from(w.data)));
  });

  it('should draw different weights from different seeds and equal ones from equal seeds', () => {
    const a = experiment5(1).getWeights()[0]!;
    const b = experiment5(1).getWeights()[0]!;
    const c = experiment5(2).getWeights()[0]!;
    expect(Array.from(a.data)).toEqual(Array.from(b.data));
    expect(Array.from(a.data)).not.toEqual(Array.from(c.data));
  });

  it('should accept a Random instead of a seed and draw from it', () => {
    const fromSeed = experiment5(9).getWeights();
    const random = new Random(9);
    const fromRandom = new Sequential({
      layers: [new LSTM({ units: 32 }), new Dense({ units: 1 })],
      inputShape: [25, 1],
      random,
    }).getWeights();
    expect(fromRandom.map((w) => Array.from(w.data))).toEqual(fromSeed.map((w) => Array.from(w.data)));
    expect(random.getState()).not.toEqual(new Random(9).getState());
  });

  it('should nest: a Sequential is a layer', () => {
    const inner = new Sequential({ layers: [new Dense({ units: 3, dtype: 'float64' })] });
    const outer = new Sequential({ layers: [inner, new Dense({ units: 1, dtype: 'float64' })], inputShape: [2] });
    expect(outer.params().map((p) => p.name)).toEqual([
      'sequential/dense/kernel',
      'sequential/dense/bias',
      'dense/kernel',
      'dense/bias',
    ]);
    expect(outer.forward(uniform([4, 2], 0)).y.shape).toEqual([4, 1]);
  });
});

describe('Sequential weights and config', () => {
  it('should copy weights from one model to another, giving identical outputs', () => {
    const source = experiment5(1);
    const target = experiment5(2);
    target.setWeights(source.getWeights());
    const x = uniform([2, 25, 1], 4, 'float32');
    expect(Array.from(target.forward(x).y.data)).toEqual(Array.from(source.forward(x).y.data));
  });

  it('should refuse a wrong number or shape of weights and change nothing', () => {
    const model = experiment5();
    const before = model.getWeights();
    expect(() => model.setWeights(before.slice(1))).toThrow(
      'Sequential: setWeights expected 5 tensors (lstm: 3, dense: 2), got 4',
    );
    const wrong = [...before.slice(0, 4).map((w) => w.clone()), zeros([2], 'float32')];
    wrong[0]!.data.fill(7);
    expect(() => model.setWeights(wrong)).toThrow('Sequential: setWeights: dense/bias must have shape [1], got [2]');
    expect(model.getWeights()[0]!.data[0]).toBe(before[0]!.data[0]);
  });

  it('should rebuild an equal model from its config (through JSON)', () => {
    const model = new Sequential({
      layers: [new GRU({ units: 3, resetAfter: true, returnSequences: true }), new SimpleRNN({ units: 2 }), new Dense({ units: 1 })],
      inputShape: [5, 2],
      name: 'stack',
    });
    const config = JSON.parse(JSON.stringify(model.getConfig()));
    const copy = Sequential.fromConfig(config, { seed: 11 });
    expect(copy.getConfig()).toEqual(model.getConfig());
    copy.setWeights(model.getWeights());
    const x = uniform([2, 5, 2], 3, 'float32');
    expect(Array.from(copy.forward(x).y.data)).toEqual(Array.from(model.forward(x).y.data));
  });

  it('should name unknown layer classes in fromConfig and accept user classes', () => {
    const config = { name: 'm', dtype: 'float32', inputShape: [2], layers: [{ className: 'Mystery', config: { name: 'x' } }] };
    expect(() => Sequential.fromConfig(config)).toThrow(/layer 0 has unknown class "Mystery"; known: Dense, SimpleRNN, LSTM, GRU/);
    const model = Sequential.fromConfig(config, { layers: { Mystery: { fromConfig: () => new Dense({ units: 4, name: 'x' }) } } });
    expect(model.outputShape()).toEqual([null, 4]);
  });
});

describe('Sequential errors', () => {
  const layers = (): [LSTM, Dense] => [new LSTM({ units: 32 }), new Dense({ units: 1 })];

  it('should name expected and actual input shapes', () => {
    const model = experiment5();
    expect(() => model.forward(zeros([75, 25, 3]))).toThrow(
      new RnnkitError('Sequential', 'expected input [batch, 25, 1], got [75, 25, 3]'),
    );
    expect(() => model.forward(zeros([75, 25, 1], 'float64'))).toThrow(
      'Sequential: expected a float32 input (the model\'s dtype), got float64',
    );
  });

  it('should name the layer that refuses the shape it is given while building', () => {
    expect(() => new Sequential({ layers: [new Dense({ units: 3 }), new LSTM({ units: 2 })], inputShape: [4] })).toThrow(
      /^Sequential: layer 1 "lstm" \(LSTM\) refused input \[batch, 3\]: LSTM: expected an input shape \[batch, time, features\]/,
    );
  });

  it('should name the layer that refuses an output gradient, with its shape, and pass other errors through', () => {
    const model = new Sequential({ layers: [new LSTM({ units: 2 }), new Dense({ units: 1 })], inputShape: [3, 1] });
    const { cache } = model.forward(zeros([4, 3, 1]));
    expect(() => model.backward(zeros([4, 2]), cache)).toThrow(
      /^Sequential: layer 1 "dense" \(Dense\) refused output gradient \[4, 2\]: Dense: expected an output gradient of shape \[4, 1\], got \[4, 2\]/,
    );
    const broken = new Error('not an RnnkitError');
    const layer = new Dense({ units: 1 });
    layer.forward = () => {
      throw broken;
    };
    const failing = new Sequential({ layers: [layer], inputShape: [2] });
    expect(() => failing.forward(zeros([1, 2]))).toThrow(broken);
  });

  it('should refuse unknown options, seed with random, and a mixed dtype', () => {
    expect(() => new Sequential({ layers: layers(), inputShape: [25, 1], seeds: 1 } as never)).toThrow(
      'Sequential: unknown option "seeds"; valid options are layers, inputShape, seed, random, initialize, dtype, name',
    );
    expect(() => new Sequential({ layers: layers(), seed: 1, random: new Random(1) })).toThrow(
      'Sequential: pass seed or random, not both',
    );
    expect(() => new Sequential({ layers: layers(), dtype: 'float64' })).toThrow(
      'Sequential: layer "lstm" is float32 but the model is float64; make every layer with dtype: "float64"',
    );
  });

  it('should refuse empty stacks, non-layers, a layer used twice and duplicate explicit names', () => {
    expect(() => new Sequential({ layers: [] })).toThrow('Sequential: layers must be a non-empty array of layers');
    expect(() => new Sequential({ layers: [{} as never] })).toThrow('Sequential: layers[0] is not a layer');
    const dense = new Dense({ units: 1 });
    expect(() => new Sequential({ layers: [dense, dense] })).toThrow(
      'Sequential: layer "dense" appears twice; each layer instance can be used once',
    );
    expect(
      () => new Sequential({ layers: [new Dense({ units: 1, name: 'out' }), new Dense({ units: 1, name: 'out' })] }),
    ).toThrow('Sequential: two layers are named "out"; layer names must be unique');
  });

  it('should refuse layers that return their states', () => {
    expect(() => new Sequential({ layers: [new LSTM({ units: 2, returnState: true })] })).toThrow(
      /layer "lstm" has returnState: true/,
    );
  });

  it('should ask to be built before summary, weights or outputShape', () => {
    const model = new Sequential({ layers: layers() });
    const message = 'Sequential: model "sequential" is not built; pass inputShape (e.g. [25, 1]) or run forward once';
    expect(() => model.summary()).toThrow(message);
    expect(() => model.getWeights()).toThrow(message);
    expect(() => model.outputShape()).toThrow(message);
  });

  it('should refuse initialState and foreign caches', () => {
    const model = experiment5();
    const x = zeros([1, 25, 1]);
    expect(() => model.forward(x, { initialState: [zeros([1, 32])] })).toThrow(/initialState is not supported/);
    expect(() => model.backward(zeros([1, 1]), { caches: [] })).toThrow(/expected the cache returned by this model's forward/);
  });
});

describe('Sequential initialize option', () => {
  it('should leave every weight at zero and call no initialiser with initialize: false', () => {
    let calls = 0;
    const counting: Initializer = (shape, random, dtype) => {
      calls++;
      return glorotUniform()(shape, random, dtype);
    };
    const layers = [lstm({ units: 5, kernelInitializer: counting }), dense({ units: 2, kernelInitializer: counting })];
    const model = new Sequential({ layers, inputShape: [3, 4], initialize: false });
    expect(calls).toBe(0);
    for (const w of model.getWeights()) expect(Array.from(w.data).every((v) => v === 0)).toBe(true);
    // Built all the same: the weights can be set and the model runs.
    model.setWeights(model.getWeights().map((w) => new Tensor(new Float32Array(w.size).fill(0.1), w.shape)));
    expect(model.forward(new Tensor(new Float32Array(12).fill(1), [1, 3, 4])).y.shape).toEqual([1, 2]);
    // The default still initialises (LSTM's forget-gate bias starts at 1).
    new Sequential({ layers: [lstm({ units: 5, kernelInitializer: counting })], inputShape: [3, 4] });
    expect(calls).toBe(1);
  });

  it('should reject an initialize that is not a boolean', () => {
    expect(() => new Sequential({ layers: [dense({ units: 1 })], initialize: 'no' as never })).toThrow(
      /Sequential: initialize must be true or false, got "no"/,
    );
  });
});
