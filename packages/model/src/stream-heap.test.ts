// Its own file: a fresh module graph, so that the type feedback V8 optimises the step with
// comes from this float32 model alone (other tests' float64 models made the same functions
// polymorphic, and their optimised code then boxed numbers: about 1.2 kB a step).
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { Dense, GRU, LSTM, Sequential } from '@rnnkit/layers';
import { Random, Tensor } from '@rnnkit/tensor';
import { createStream } from './stream.js';

describe('createStream, memory', () => {
  it('should allocate nothing per step when given out: heap growth over many steps stays below 8 bytes a step', () => {
    setFlagsFromString('--expose-gc');
    // Unoptimised code boxes the numbers it reads from typed arrays; optimise synchronously,
    // so that the warm-up surely leaves the optimised code in place even on a busy machine.
    setFlagsFromString('--no-concurrent-recompilation');
    const gc = runInNewContext('gc') as () => void;
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
    // The least of the repetitions: a step that allocates shows in every one of them (one
    // subarray a step reads about 190 bytes), while a recompilation or a collection of the
    // runner's own garbage on a busy machine only adds to some.
    growth.sort((a, b) => a - b);
    expect(growth[0]!).toBeLessThan(8);
  });
});
