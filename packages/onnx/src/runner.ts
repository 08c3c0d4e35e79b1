// onnxRunner: runs an rnnkit model (or any one-input ONNX model) in ONNX Runtime for Node.
import type { Sequential } from '@rnnkit/layers';
import { RnnkitError, Tensor, formatShape } from '@rnnkit/tensor';
import type { InferenceSession } from 'onnxruntime-node';
import { type ExportOnnxOptions, exportOnnx } from './export.js';

const API = 'onnxRunner';

type OrtModule = typeof import('onnxruntime-node');

/** Options of {@link onnxRunner}. */
export interface OnnxRunnerOptions {
  /** Passed to {@link exportOnnx} when a model (not bytes) is given. @defaultValue {} */
  readonly exportOptions?: ExportOnnxOptions;
}

/** A model loaded in ONNX Runtime. */
export interface OnnxRunner {
  /** Runs the model on a batch (`[batch, time, features]` or `[batch, features]`); float32 output. */
  predict(x: Tensor): Promise<Tensor>;
  /** Frees the ONNX Runtime session; `predict` fails afterwards. */
  dispose(): Promise<void>;
}

/**
 * Exports `model` (or takes ONNX bytes as they are) and runs it with `onnxruntime-node`, an
 * optional peer dependency: install it next to this package (`npm install onnxruntime-node`).
 * The session is created on the first `predict`.
 *
 * @example
 * const runner = onnxRunner(model);
 * const y = await runner.predict(x); // equal to predict(model, x) within float32 rounding
 * await runner.dispose();
 */
export function onnxRunner(model: Sequential | Uint8Array, options: OnnxRunnerOptions = {}): OnnxRunner {
  return createRunner(model, options, () => import('onnxruntime-node'));
}

/** onnxRunner with the runtime's loader given (tests use a loader that fails). */
export function createRunner(model: Sequential | Uint8Array, options: OnnxRunnerOptions, loadRuntime: () => Promise<OrtModule>): OnnxRunner {
  const bytes = model instanceof Uint8Array ? model : exportOnnx(model, options.exportOptions);
  let opening: Promise<OpenSession> | undefined;
  // The session once open, so that a predict after the first awaits nothing but the run itself.
  let opened: OpenSession | undefined;
  let disposed = false;
  const open = async (): Promise<OpenSession> => {
    let ort: OrtModule;
    try {
      ort = await loadRuntime();
    } catch (error) {
      throw new RnnkitError(API, 'onnxruntime-node is not installed; run `npm install onnxruntime-node` (an optional peer dependency of @rnnkit/onnx)', { cause: error });
    }
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(bytes);
    } catch (error) {
      throw new RnnkitError(API, `ONNX Runtime refused the model: ${firstLine(error)}`, { cause: error });
    }
    opened = { ort, session, inputName: session.inputNames[0]!, outputName: session.outputNames[0]! };
    return opened;
  };
  return {
    async predict(x: Tensor): Promise<Tensor> {
      if (disposed) throw new RnnkitError(API, 'the runner was disposed');
      if (!(x instanceof Tensor)) throw new RnnkitError(API, 'x must be a Tensor');
      const { ort, session, inputName, outputName } = opened ?? (await (opening ??= open()));
      // ONNX Runtime reads a float32 input where it lies (it never writes to it): no copy.
      const data = x.data instanceof Float32Array ? x.data : Float32Array.from(x.data);
      let results: InferenceSession.OnnxValueMapType;
      try {
        results = await session.run({ [inputName]: new ort.Tensor('float32', data, x.shape) });
      } catch (error) {
        throw new RnnkitError(API, `ONNX Runtime could not run input of shape ${formatShape(x.shape)}: ${firstLine(error)}`, { cause: error });
      }
      // Each run's output is a new array of its own (copied out of ONNX Runtime): the Tensor takes it as it is.
      const y = results[outputName]!;
      const out = y.data instanceof Float32Array ? y.data : Float32Array.from(y.data as ArrayLike<number>);
      return new Tensor(out, y.dims);
    },
    async dispose(): Promise<void> {
      disposed = true;
      if (opening) await (await opening).session.release();
    },
  };
}

/** An open ONNX Runtime session and the names of the model's input and output. */
interface OpenSession {
  readonly ort: OrtModule;
  readonly session: InferenceSession;
  readonly inputName: string;
  readonly outputName: string;
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
}
