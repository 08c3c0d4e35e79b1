// brain.js' LSTMTimeStep (W5 only). It trains on each window as a sequence, predicting
// every next value, one update per window — what the rnnkit model of W5 does too.
import { createRequire } from 'node:module';
import { makeData, nextValueError } from '../data.js';
import type { Contender, Task } from '../harness.js';
import type { BenchCase } from '../workloads.js';

// brain.js is CommonJS; require() gives its exports object whatever Node's ESM interop does.
const require = createRequire(import.meta.url);

interface TimeStepNet {
  train(data: number[][], options: { iterations: number; errorThresh: number; log: boolean }): { error: number };
  run(input: number[]): number;
}
interface BrainModule {
  recurrent: { LSTMTimeStep: new (options: { inputSize: number; hiddenLayers: number[]; outputSize: number }) => TimeStepNet };
}

function brain(): BrainModule {
  return require('brain.js') as BrainModule;
}

/** brain.js 2.0 (beta) on the CPU. */
export function brainContender(): Contender {
  return {
    id: 'brain.js',
    supports: (c) => c.workload === 'W5',
    async setup(c: BenchCase): Promise<Task> {
      const data = makeData(c);
      const series = data.series!;
      // Each training sequence is a window and the value after it: time + 1 numbers.
      const sequences: number[][] = [];
      for (let s = 0; s < data.samples; s++) sequences.push(Array.from(series.subarray(s, s + c.time + 1)));
      const make = (): TimeStepNet =>
        new (brain().recurrent.LSTMTimeStep)({ inputSize: 1, hiddenLayers: [c.model.units], outputSize: 1 });
      const net = make();
      const pass = (target: TimeStepNet): void => {
        target.train(sequences, { iterations: 1, errorThresh: 0, log: false });
      };
      return {
        samplesPerRun: data.samples,
        activate: async () => false,
        run: () => pass(net),
        async errorAfter(passes: number): Promise<number> {
          const fresh = make();
          fresh.train(sequences, { iterations: passes, errorThresh: 0, log: false });
          const predictions = sequences.map((sequence) => fresh.run(sequence.slice(0, c.time)));
          return nextValueError(predictions, data, c.time);
        },
        dispose: () => {},
      };
    },
  };
}
