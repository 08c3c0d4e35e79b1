// The optimizer step alone, with and without the WebAssembly backend's optimizer kernels, on
// the parameters of the benchmark's models (random values and gradients), the two taking
// turns in blocks so that a busy phase of the machine hits both:
//
//   npx tsx --conditions=source src/optimizer-step.ts [--blocks 9]
//
// Each timed step refills the gradients from a copy (the same for both), then does what
// fit does with the optimizer: `step()` and `zeroGrad()`.
import { createWasmBackend } from '@rnnkit/backend-wasm';
import { Sequential, dense, lstm } from '@rnnkit/layers';
import { type AnyOptimizerPlugin, adam, createOptimizer, optimizerKernelsOf, rmsprop, sgd } from '@rnnkit/optimizers';
import { Random } from '@rnnkit/tensor';

const args = process.argv.slice(2);
const blocks = args[0] === '--blocks' ? Number(args[1]) : 9;

const kernels = optimizerKernelsOf((await createWasmBackend()).fused);

interface Row {
  readonly id: string;
  readonly units: number;
  readonly features: number;
  readonly plugin: AnyOptimizerPlugin;
  readonly options: Record<string, unknown>;
}
const rows: Row[] = [
  { id: 'W5 (LSTM(32)+Dense(1), RMSprop ρ 0.999)', units: 32, features: 1, plugin: rmsprop, options: { learningRate: 0.01, rho: 0.999, epsilon: 1e-8 } },
  { id: 'W1 (LSTM(32)+Dense(1), Adam)', units: 32, features: 1, plugin: adam, options: { learningRate: 0.001 } },
  { id: 'W2 (LSTM(100)+Dense(1), RMSprop)', units: 100, features: 1, plugin: rmsprop, options: { learningRate: 0.001 } },
  { id: 'W3-like (LSTM(32)+Dense(1), SGD momentum 0.9)', units: 32, features: 1, plugin: sgd, options: { learningRate: 0.01, momentum: 0.9 } },
];

function model(row: Row): Sequential {
  return new Sequential({ layers: [lstm({ units: row.units }), dense({ units: 1 })], inputShape: [5, row.features], seed: 7 });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

for (const row of rows) {
  const sides = [false, true].map((withKernels) => {
    const m = model(row);
    const params = m.params();
    const random = new Random(3);
    const grads = params.map((p) => Float32Array.from(p.grad.data, () => random.uniform(-0.1, 0.1)));
    const optimizer = createOptimizer(row.plugin, params, { ...row.options, ...(withKernels ? { kernels } : {}) } as never);
    const step = (): void => {
      params.forEach((p, k) => p.grad.data.set(grads[k]!));
      optimizer.step();
      optimizer.zeroGrad();
    };
    return { withKernels, optimizer, step, times: [] as number[] };
  });
  const size = sides[0]!.optimizer.params.reduce((n, p) => n + p.value.size, 0);
  for (const side of sides) for (let i = 0; i < 2000; i++) side.step();
  for (let b = 0; b < blocks; b++) {
    for (const side of b % 2 === 0 ? sides : [...sides].reverse()) {
      let runs = 0;
      const start = performance.now();
      while (performance.now() - start < 200) {
        side.step();
        runs++;
      }
      side.times.push(((performance.now() - start) * 1000) / runs);
    }
  }
  const [js, wasm] = sides.map((s) => median(s.times)) as [number, number];
  console.log(
    `${row.id}, ${size} parameters: JS ${js.toFixed(1)} µs, kernel ${wasm.toFixed(1)} µs per step (${sides[1]!.optimizer.kernel}); ratio ${(wasm / js).toFixed(2)}`,
  );
}
