import { Bidirectional, Dense, GRU, type Layer, LSTM, type MergeMode, Sequential, SimpleRNN } from '@rnnkit/layers';
import { predict } from '@rnnkit/model';
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel, type OnnxModel } from './proto.js';
import { exportOnnx, loadOnnx } from './index.js';
import { fixture, maxAbsDiff, randomTensor } from './test-support.js';

/** A model of `recurrent` then a Dense head, with random (non-zero) weights everywhere. */
function modelOf(recurrent: Layer, seed: number): Sequential {
  const model = new Sequential({ layers: [recurrent, new Dense({ units: 2 })], inputShape: [null, 3], seed });
  model.setWeights(model.getWeights().map((w, i) => randomTensor(w.shape, seed + i, 0.8)));
  return model;
}

const x = randomTensor([2, 5, 3], 7);

/** The model's bytes once every node input named `from` reads `to` instead. */
function rewire(model: OnnxModel, from: string, to: string): Uint8Array {
  for (const node of model.graph!.node!) node.input = node.input!.map((name) => (name === from ? to : name));
  return encodeModel(model);
}

describe('loadOnnx: PyTorch bidirectional layers', () => {
  it('maps a head on every step to Bidirectional(concat) with returnSequences', () => {
    for (const [name, className] of [['lstm_bidirectional_seq', 'LSTM'], ['gru_bidirectional_seq', 'GRU']] as const) {
      const model = loadOnnx(fixture(name).bytes);
      expect(model.layers.map((l) => l.className)).toEqual(['Bidirectional', 'Dense']);
      expect(model.layers[0]!.getConfig()).toMatchObject({ mergeMode: 'concat', layer: { className, config: { units: 4, returnSequences: true, goBackwards: false } } });
    }
    const stacked = loadOnnx(fixture('lstm_2layer_bidirectional_seq').bytes);
    expect(stacked.layers.map((l) => l.className)).toEqual(['Bidirectional', 'Bidirectional', 'Dense']);
    expect(stacked.layers[1]!.getConfig()).toMatchObject({ mergeMode: 'concat', layer: { config: { returnSequences: true } } });
  });

  it('maps the concatenated final hidden states, torch.cat([h_n[-2], h_n[-1]]), to Bidirectional(concat) on the last step', () => {
    const model = loadOnnx(fixture('lstm_bidirectional_final_state').bytes);
    expect(model.layers.map((l) => l.className)).toEqual(['Bidirectional', 'Dense']);
    expect(model.layers[0]!.getConfig()).toMatchObject({ mergeMode: 'concat', layer: { className: 'LSTM', config: { returnSequences: false } } });
  });

  it('refuses the last time step of the joined output (out[:, -1]), which Keras cannot express', () => {
    expect(() => loadOnnx(fixture('lstm_bidirectional').bytes)).toThrow(
      'loadOnnx: cannot map node "/Gather" (Gather): the last time step of the bidirectional node "/rnn/LSTM" (out[:, -1]) has no Keras equivalent: its reverse direction has read one step there, not all (use the final states, torch.cat([h_n[-2], h_n[-1]], dim=1), or every step)',
    );
    expect(() => loadOnnx(fixture('gru_bidirectional').bytes)).toThrow('cannot map node "/Gather" (Gather): the last time step of the bidirectional node "/rnn/GRU" (out[:, -1])');
  });

  it("maps the final states of stacked layers (h_n, every layer's Y_h concatenated) read for the last layer only", () => {
    const bidirectional = loadOnnx(fixture('lstm_2layer_bidirectional_final_state').bytes);
    expect(bidirectional.layers.map((l) => l.className)).toEqual(['Bidirectional', 'Bidirectional', 'Dense']);
    expect(bidirectional.layers.map((l) => (l.getConfig() as { layer?: { config: { returnSequences: boolean } } }).layer?.config.returnSequences)).toEqual([true, false, undefined]);
    const forward = loadOnnx(fixture('gru_2layer_final_state').bytes);
    expect(forward.layers.map((l) => [l.className, l.getConfig().returnSequences])).toEqual([['GRU', true], ['GRU', false], ['Dense', undefined]]);
  });

  it("refuses a lower layer's final state picked out of h_n, and h_n used whole", () => {
    const lower = decodeModel(fixture('lstm_2layer_bidirectional_final_state').bytes);
    const constant = lower.graph!.node!.find((n) => n.name === '/Constant')!; // h_n[-2]: now h_n[-3]
    constant.attribute![0]!.t!.rawData = new Uint8Array(new BigInt64Array([-3n]).buffer);
    expect(() => loadOnnx(encodeModel(lower))).toThrow(
      'loadOnnx: cannot map node "/Gather" (Gather): it picks index -3 of axis 0 of the final states of every layer (PyTorch\'s h_n); only the last layer\'s map (h_n[-1], or h_n[-2] and h_n[-1] when bidirectional)',
    );
    const whole = decodeModel(fixture('gru_2layer_final_state').bytes);
    const stack = whole.graph!.node!.find((n) => n.opType === 'Concat' && n.input!.length === 2 && n.input!.every((i) => i.includes('GRU')))!;
    const gemm = whole.graph!.node!.find((n) => n.opType === 'Gemm')!;
    gemm.input![0] = stack.output![0]!;
    expect(() => loadOnnx(encodeModel(whole))).toThrow(
      `loadOnnx: cannot map node "${gemm.name}" (Gemm): it reads the final states of every layer (PyTorch's h_n); only the last layer's map: h_n[-1], or h_n[-2] and h_n[-1] when bidirectional`,
    );
    gemm.input![0] = stack.input![0]!; // the first layer's Y_h alone
    expect(() => loadOnnx(encodeModel(whole))).toThrow(
      `loadOnnx: cannot map node "${gemm.name}" (Gemm): it uses the final state of the recurrent node "/rnn/GRU", which a later layer reads on; only the last layer's final state maps`,
    );
  });

  it('refuses one direction alone and two directions never merged', () => {
    const final = decodeModel(fixture('lstm_bidirectional_final_state').bytes);
    const gemm = final.graph!.node!.find((n) => n.opType === 'Gemm')!;
    const reverseHalf = final.graph!.node!.find((n) => n.name === '/Gather_1')!.output![0]!;
    gemm.input![0] = reverseHalf; // the head reads h_n[-1] only
    expect(() => loadOnnx(encodeModel(final))).toThrow(
      'loadOnnx: cannot map node "/head/Gemm" (Gemm): it reads the reverse direction of a bidirectional op alone, which no Keras layer returns: concatenate both along the features, forward first (Keras\' concat)',
    );
    const sequence = decodeModel(fixture('lstm_bidirectional_seq').bytes);
    const reshape = sequence.graph!.node!.find((n) => n.opType === 'Reshape')!;
    const unmerged = sequence.graph!.node!.find((n) => n.output![0] === reshape.input![0])!;
    // Transpose_2 ([1, 0, 2]) now reads the rank-4 [time, batch, 2, units].
    sequence.graph!.node!.find((n) => n.name === '/rnn/Transpose_2')!.attribute![0]!.ints = [1, 0, 2, 3];
    expect(() => loadOnnx(rewire(sequence, reshape.output![0]!, unmerged.output![0]!))).toThrow(
      'loadOnnx: cannot map node "/head/MatMul" (MatMul): it reads the two directions of a bidirectional op before they are merged: reshape the direction axis into the features (concat), or ReduceSum/ReduceMean/ReduceProd over it (sum/ave/mul)',
    );
  });
});

describe('loadOnnx: exportOnnx models with goBackwards and Bidirectional come back', () => {
  const modes: readonly MergeMode[] = ['concat', 'sum', 'ave', 'mul'];

  it.each(modes)('Bidirectional(mergeMode %s) on every step and on the last step', (mergeMode) => {
    for (const returnSequences of [true, false]) {
      const model = modelOf(new Bidirectional({ layer: new GRU({ units: 3, returnSequences }), mergeMode }), 11);
      const again = loadOnnx(exportOnnx(model));
      expect(again.layers.map((l) => l.className)).toEqual(['Bidirectional', 'Dense']);
      expect(again.layers[0]!.getConfig()).toMatchObject({ mergeMode, layer: { className: 'GRU', config: { returnSequences } } });
      expect(maxAbsDiff(predict(again, x).data, predict(model, x).data)).toBeLessThan(1e-5);
    }
  });

  it('reads a merge that keeps the direction axis (keepdims 1, then Squeeze), and refuses one over another axis', () => {
    const model = modelOf(new Bidirectional({ layer: new LSTM({ units: 3 }), mergeMode: 'ave' }), 13);
    const graph = decodeModel(exportOnnx(model));
    const nodes = graph.graph!.node!;
    const at = nodes.findIndex((n) => n.opType === 'ReduceMean');
    const mean = nodes[at]!;
    mean.attribute!.find((a) => a.name === 'keepdims')!.i = 1;
    const merged = mean.output![0]!;
    mean.output = ['kept'];
    graph.graph!.initializer!.push({ name: 'squeeze_axes', dims: [1], dataType: 7, int64Data: [1] });
    nodes.splice(at + 1, 0, { name: 'squeeze_kept', opType: 'Squeeze', input: ['kept', 'squeeze_axes'], output: [merged] });
    const again = loadOnnx(encodeModel(graph));
    expect(again.layers[0]!.getConfig()).toMatchObject({ mergeMode: 'ave' });
    expect(maxAbsDiff(predict(again, x).data, predict(model, x).data)).toBeLessThan(1e-5);
    mean.attribute!.find((a) => a.name === 'axes')!.ints = [0];
    expect(() => loadOnnx(encodeModel(graph))).toThrow(
      `loadOnnx: cannot map node "${mean.name}" (ReduceMean): ReduceMean of the model's data is supported only over the direction axis of a bidirectional op (axes [0] on axes [batch, directions, feature])`,
    );
  });

  it('goBackwards layers, returning every step (in the order read) or the last one read', () => {
    for (const returnSequences of [true, false]) {
      for (const layer of [new LSTM({ units: 3, returnSequences, goBackwards: true }), new SimpleRNN({ units: 3, returnSequences, goBackwards: true })]) {
        const model = modelOf(layer, 5);
        const again = loadOnnx(exportOnnx(model));
        expect(again.layers[0]!.getConfig()).toMatchObject({ goBackwards: true, returnSequences });
        expect(maxAbsDiff(predict(again, x).data, predict(model, x).data)).toBeLessThan(1e-5);
      }
    }
  });

  it('refuses a reverse op whose steps are used in input order, naming the node that uses them', () => {
    const model = decodeModel(exportOnnx(modelOf(new LSTM({ units: 3, returnSequences: true, goBackwards: true }), 3)));
    const flip = model.graph!.node!.find((n) => n.opType === 'Slice' && n.input!.length === 5)!;
    const lstm = model.graph!.node!.find((n) => n.opType === 'LSTM')!;
    const user = model.graph!.node!.find((n) => n.opType === 'MatMul')!;
    expect(() => loadOnnx(rewire(model, flip.output![0]!, flip.input![0]!))).toThrow(
      `loadOnnx: cannot map node "${user.name}" (MatMul): it reads the steps of the reverse-direction node "${lstm.name}" in input order, which no Keras layer returns (goBackwards returns them in processing order: read Y back with a Slice of step −1 on the time axis)`,
    );
  });

  it('refuses reading a forward op\'s steps backwards (no Keras layer does)', () => {
    const model = decodeModel(exportOnnx(modelOf(new LSTM({ units: 3, returnSequences: true, goBackwards: true }), 3)));
    model.graph!.node!.find((n) => n.opType === 'LSTM')!.attribute!.find((a) => a.name === 'direction')!.s = new TextEncoder().encode('forward');
    expect(() => loadOnnx(encodeModel(model))).toThrow(/^loadOnnx: cannot map node "[^"]+" \(Slice\): reading steps backwards is supported only on the Y of a reverse-direction op \(Keras goBackwards\)$/);
  });
});
