// Run by stream-heap.test.ts in a Node process of its own (see there): steps a float32 stream
// many times and prints, for each of seven repetitions, the heap growth per step in bytes.
import { Dense, GRU, LSTM, Sequential } from '@rnnkit/layers';
import { Random, Tensor } from '@rnnkit/tensor';
import { createStream } from './stream.js';

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new Error('stream-heap.script: run with node --expose-gc');
const model = new Sequential({
  layers: [new LSTM({ units: 16, returnSequences: true }), new GRU({ units: 8 }), new Dense({ units: 2, activation: 'softmax' })],
  inputShape: [null, 4],
  seed: 3,
});
const stream = createStream(model, { batch: 2 });
const x = new Tensor(new Random(2).fillUniform(new Float32Array(8), -1, 1), [2, 4]);
const out = new Tensor(new Float32Array(4), [2, 2]);
const run = (n: number): number => {
  gc();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < n; i++) {
    x.data[i % 8] = (i % 7) / 7; // a changing input, written in place
    stream.step(x, out);
  }
  return process.memoryUsage().heapUsed - before;
};
for (let i = 0; i < 5; i++) run(5000); // warm-up: optimised code allocates differently
const growth: number[] = [];
for (let r = 0; r < 7; r++) growth.push((run(10_000) - run(100)) / 9_900);
process.stdout.write(`${JSON.stringify(growth)}\n`);
