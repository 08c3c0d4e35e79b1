// "No allocation per time step" (docs/benchmarks.md), measured: the JS heap growth of one forward and
// one backward pass over a long sequence minus that over a short one, divided by the
// difference in steps. Buffers sized by the sequence (the BPTT caches) are allocated once
// per pass whatever its length, and typed arrays keep their data outside the JS heap, so a
// per-step figure near zero means the time loops allocate nothing.
import { type RecurrentLayer, gru, lstm, simpleRNN } from '@rnnkit/layers';
import { Random, Tensor, getBackend } from '@rnnkit/tensor';
import { collectGarbage } from './harness.js';

export interface HeapResult {
  readonly layer: 'LSTM' | 'GRU' | 'SimpleRNN';
  /** Name of the kernel backend in use. */
  readonly backend: string;
  /** Steps of the long sequence minus steps of the short one. */
  readonly steps: number;
  /** JS heap bytes per time step of the forward pass (the repetition nearest zero: see leastGrowth). */
  readonly forwardBytesPerStep: number;
  /** JS heap bytes per time step of the backward pass. */
  readonly backwardBytesPerStep: number;
}

export interface HeapOptions {
  /** Steps of the long sequence (the short one has 10). @defaultValue 1010 */
  readonly longSteps?: number;
  readonly units?: number;
  readonly batch?: number;
  readonly features?: number;
  readonly repetitions?: number;
}


function randomTensor(shape: number[], random: Random): Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) data[i] = random.uniform(-1, 1);
  return new Tensor(data, shape);
}

/** Per-step heap growth of LSTM, GRU and SimpleRNN on the current kernel backend. */
export function measureHeapPerStep(options: HeapOptions = {}): HeapResult[] {
  const gc = collectGarbage;
  const longSteps = options.longSteps ?? 1010;
  const shortSteps = 10;
  const units = options.units ?? 32;
  const batch = options.batch ?? 4;
  const features = options.features ?? 8;
  const repetitions = options.repetitions ?? 5;
  const random = new Random(3);
  const makers: [HeapResult['layer'], () => RecurrentLayer][] = [
    ['LSTM', () => lstm({ units, returnSequences: true })],
    ['GRU', () => gru({ units, returnSequences: true })],
    ['SimpleRNN', () => simpleRNN({ units, returnSequences: true })],
  ];
  const results: HeapResult[] = [];
  for (const [name, make] of makers) {
    const layer = make();
    layer.build([null, null, features], random);
    const inputs = [shortSteps, longSteps].map((t) => ({
      t,
      x: randomTensor([batch, t, features], random),
      dy: randomTensor([batch, t, units], random),
    }));
    const growth = (t: number): { forward: number; backward: number } => {
      const input = inputs.find((i) => i.t === t)!;
      gc();
      const before = process.memoryUsage().heapUsed;
      const { cache } = layer.forward(input.x, { training: true });
      const afterForward = process.memoryUsage().heapUsed;
      layer.backward(input.dy, cache);
      const afterBackward = process.memoryUsage().heapUsed;
      return { forward: afterForward - before, backward: afterBackward - afterForward };
    };
    // Warm-up: optimised code allocates differently from the interpreter, and the
    // optimising compiler works on a thread of its own, so give it enough rounds to finish.
    for (let i = 0; i < 10; i++) {
      growth(shortSteps);
      growth(longSteps);
    }
    const forward: number[] = [];
    const backward: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      const short = growth(shortSteps);
      const long = growth(longSteps);
      forward.push((long.forward - short.forward) / (longSteps - shortSteps));
      backward.push((long.backward - short.backward) / (longSteps - shortSteps));
    }
    results.push({
      layer: name,
      backend: getBackend().name,
      steps: longSteps - shortSteps,
      forwardBytesPerStep: leastGrowth(forward),
      backwardBytesPerStep: leastGrowth(backward),
    });
    for (const p of layer.params()) p.zeroGrad();
  }
  return results;
}

/**
 * The repetition closest to zero. A time loop that allocates does so in every repetition,
 * so its growth shows in each; what varies between them is the noise around it — garbage
 * left by the code before (positive) or a collection during the measurement (negative) —
 * and the smallest magnitude is the repetition least disturbed by it.
 */
function leastGrowth(values: number[]): number {
  let least = values[0]!;
  for (const v of values) if (Math.abs(v) < Math.abs(least)) least = v;
  return least;
}
