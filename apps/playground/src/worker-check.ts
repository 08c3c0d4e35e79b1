// The worker-equivalence check of the browser end-to-end test (worker-check.html): the same
// model, data and seed trained by `fit` on the page's thread and by @rnnkit/worker's
// `trainInWorker` on a Web Worker (the playground's own training worker, JS kernels) must
// give the same weights, bit for bit — the promise the worker package makes and tests in Node.
import { Dense, LSTM, Sequential } from '@rnnkit/layers';
import { fit } from '@rnnkit/model';
import { type Tensor, tensor } from '@rnnkit/tensor';
import { trainInWorker } from '@rnnkit/worker';
import { webWorkerTransport } from './worker-client.js';

/** Where two lists of weights first differ, or null when every bit is equal. */
export function firstDifference(a: readonly Tensor[], b: readonly Tensor[]): string | null {
  if (a.length !== b.length) return `${a.length} weights against ${b.length}`;
  for (let w = 0; w < a.length; w++) {
    const x = new Uint8Array(a[w]!.data.buffer, a[w]!.data.byteOffset, a[w]!.data.byteLength);
    const y = new Uint8Array(b[w]!.data.buffer, b[w]!.data.byteOffset, b[w]!.data.byteLength);
    if (x.length !== y.length) return `weight ${w}: ${x.length} bytes against ${y.length}`;
    for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return `weight ${w}, byte ${i}`;
  }
  return null;
}

async function check(): Promise<{ equal: boolean; detail: string }> {
  const series = Array.from({ length: 52 }, (_, t) => Math.sin(t / 3));
  const x = tensor(Array.from({ length: 44 }, (_, i) => series.slice(i, i + 8).map((v) => [v])));
  const y = tensor(Array.from({ length: 44 }, (_, i) => [series[i + 8]!]));
  const make = () => new Sequential({ inputShape: [8, 1], layers: [new LSTM({ units: 6 }), new Dense({ units: 1 })], seed: 3 });
  const options = { loss: 'mse', optimizer: 'adam', optimizerOptions: { learningRate: 0.01 }, epochs: 4, batchSize: 8, seed: 5 } as const;
  const here = make();
  await fit(here, { x, y }, options);
  const job = trainInWorker(make(), { x, y }, { ...options, transport: webWorkerTransport('js', () => {}) });
  const { model: there } = await job.result;
  const difference = firstDifference(here.getWeights(), there.getWeights());
  const count = here.getWeights().reduce((n, w) => n + w.size, 0);
  return difference === null
    ? { equal: true, detail: `${count} weights equal bit for bit after 4 epochs` }
    : { equal: false, detail: `differ at ${difference}` };
}

const out = document.getElementById('result')!;
check().then(
  ({ equal, detail }) => {
    out.textContent = detail;
    out.dataset.result = equal ? 'equal' : 'different';
  },
  (error: unknown) => {
    out.textContent = String(error);
    out.dataset.result = 'error';
  },
);
