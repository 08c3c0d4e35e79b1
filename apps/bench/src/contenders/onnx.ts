// ONNX Runtime (native code, not JavaScript or WebAssembly) on the prediction rows: the row's
// rnnkit model written by exportOnnx, run two ways — an ONNX Runtime InferenceSession used
// directly (`onnxruntime`), and @rnnkit/onnx's onnxRunner (`rnnkit-onnx`), which should cost
// next to nothing on top of it. Both load the same onnxruntime-node: the one @rnnkit/onnx's
// workspace install holds (the catalog's version), so neither runs another build. When it
// cannot be loaded (not installed, no binary for this platform) the rows say so (n/a).
import { createRequire } from 'node:module';
import { exportOnnx, onnxRunner } from '@rnnkit/onnx';
import { Tensor } from '@rnnkit/tensor';
import { makeData, rows } from '../data.js';
import type { Contender, ContenderId, Task } from '../harness.js';
import type { BenchCase } from '../workloads.js';
import { rnnkitModel } from './rnnkit.js';

/** The part of onnxruntime-node's API used here (apps/bench does not depend on it directly). */
export interface OrtApi {
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  readonly InferenceSession: {
    create(model: Uint8Array): Promise<OrtSession>;
  };
}

interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, unknown>): Promise<Record<string, { readonly data: unknown }>>;
  release(): Promise<void>;
}

/** onnxruntime-node as @rnnkit/onnx resolves it. */
export function loadOnnxRuntime(): OrtApi {
  const onnxPackage = createRequire(import.meta.url).resolve('@rnnkit/onnx/package.json');
  return createRequire(onnxPackage)('onnxruntime-node') as OrtApi;
}

/** The row's inputs, one `[batch, time, features]` array per batch. */
function inputBatches(c: BenchCase): Float32Array[] {
  const data = makeData(c);
  const xRow = c.time * c.features;
  const batches: Float32Array[] = [];
  for (let start = 0; start < data.samples; start += c.batch) batches.push(rows(data.x, xRow, start, Math.min(c.batch, data.samples - start)));
  return batches;
}

/**
 * `onnxruntime` (an InferenceSession run directly, an ONNX Runtime tensor made per call over
 * the batch's array, as a caller with new data each time writes it) or `rnnkit-onnx`
 * (onnxRunner's predict on an rnnkit Tensor); prediction rows only.
 */
export function onnxContender(id: Extract<ContenderId, 'onnxruntime' | 'rnnkit-onnx'>, loadRuntime: () => OrtApi = loadOnnxRuntime): Contender {
  let runtime: OrtApi | null = null;
  const load = (): OrtApi => {
    try {
      runtime ??= loadRuntime();
      return runtime;
    } catch (error) {
      throw new Error(`onnxruntime-node cannot load: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`, { cause: error });
    }
  };
  // ONNX Runtime keeps no global backend: switching to it moves nothing.
  const activate = async (): Promise<boolean> => false;
  return {
    id,
    supports: (c) => c.phase === 'predict',
    async setup(c: BenchCase): Promise<Task> {
      const ort = load();
      const model = rnnkitModel(c);
      const batches = inputBatches(c);
      const dims = (x: Float32Array): number[] => [x.length / (c.time * c.features), c.time, c.features];
      let next = 0;
      if (id === 'rnnkit-onnx') {
        const runner = onnxRunner(model);
        const inputs = batches.map((x) => new Tensor(x, dims(x)));
        return {
          samplesPerRun: c.batch,
          activate,
          run: async () => {
            await runner.predict(inputs[next++ % inputs.length]!);
          },
          dispose: () => void runner.dispose(),
        };
      }
      const session = await ort.InferenceSession.create(exportOnnx(model));
      const [inputName] = session.inputNames;
      return {
        samplesPerRun: c.batch,
        activate,
        run: async () => {
          const x = batches[next++ % batches.length]!;
          const results = await session.run({ [inputName!]: new ort.Tensor('float32', x, dims(x)) });
          if (!(results[session.outputNames[0]!]!.data instanceof Float32Array)) throw new Error('ONNX Runtime returned no float32 output');
        },
        dispose: () => void session.release(),
      };
    },
  };
}
