// goBackwards and Bidirectional on the fused passes: the layer reverses time where it changes
// layout, so the registered LSTM and GRU passes run unchanged and must give what the cells'
// own steps give (JS backend) — outputs, states, and every gradient — batch of one included.
import { type Layer, type RecurrentLayer, bidirectional, gru, lstm } from '@rnnkit/layers';
import { Random, Tensor, jsBackend, setBackend } from '@rnnkit/tensor';
import { afterEach, describe, expect, it } from 'vitest';
import { createWasmBackend } from './index.js';

const backend = await createWasmBackend();
afterEach(() => setBackend(jsBackend));

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  expect(actual.length, what).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i]! - expected[i]!) <= 1e-5 * Math.max(1, Math.abs(expected[i]!)))) {
      throw new Error(`${what}[${i}]: wasm ${actual[i]}, js ${expected[i]}`);
    }
  }
}

/** Forward (inference, then training) and backward of `layer` on the current backend. */
function run(layer: RecurrentLayer, x: Tensor, dy: (shape: readonly number[]) => Tensor) {
  const inference = layer.forward(x).y;
  const { y, cache } = layer.forward(x, { training: true });
  for (const p of layer.params()) p.zeroGrad();
  const dx = layer.backward(dy(y.shape), cache);
  return { inference: Array.from(inference.data), y: Array.from(y.data), dx: Array.from(dx.data), grads: layer.params().map((p) => Array.from(p.grad.data)) };
}

const cases: readonly [string, () => Layer & RecurrentLayer][] = [
  ['LSTM goBackwards', () => lstm({ units: 3, goBackwards: true, returnSequences: true })],
  ['GRU goBackwards', () => gru({ units: 3, goBackwards: true })],
  ['Bidirectional(LSTM) concat', () => bidirectional({ layer: lstm({ units: 3, returnSequences: true }) })],
  ['Bidirectional(GRU) mul', () => bidirectional({ layer: gru({ units: 2 }), mergeMode: 'mul' })],
];

describe('goBackwards on the fused passes', () => {
  for (const [label, make] of cases) {
    for (const batch of [1, 3]) {
      it(`should equal the cells' own steps: ${label}, batch ${batch}`, () => {
        const layer = make();
        const random = new Random(batch);
        layer.build([null, 4, 2], random);
        for (const p of layer.params()) random.fillUniform(p.value.data, -0.6, 0.6);
        const x = new Tensor(random.fillUniform(new Float32Array(batch * 8), -1, 1), [batch, 4, 2]);
        const dy = (shape: readonly number[]) => new Tensor(new Random(9).fillUniform(new Float32Array(shape.reduce((a, b) => a * b, 1)), -1, 1), shape);
        const js = run(layer, x, dy);
        setBackend(backend);
        const wasm = run(layer, x, dy);
        expectClose(wasm.inference, js.inference, `${label} inference output`);
        expectClose(wasm.y, js.y, `${label} output`);
        expectClose(wasm.dx, js.dx, `${label} dx`);
        wasm.grads.forEach((g, k) => expectClose(g, js.grads[k]!, `${label} grad ${k}`));
      });
    }
  }
});
