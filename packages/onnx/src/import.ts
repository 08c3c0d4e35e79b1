// loadOnnx: an ONNX model (as PyTorch's exporter writes nn.LSTM/GRU/RNN + Linear models)
// to an rnnkit Sequential.
import { ActivationLayer, Bidirectional, Dense, Embedding, GRU, LSTM, type Layer, Sequential, SimpleRNN } from '@rnnkit/layers';
import { RnnkitError, Tensor } from '@rnnkit/tensor';
import { type DataValue, type GraphValue, type LayerSpec, NodeView, type RecurrentSpec, UnsupportedNode, describeValue } from './import-graph.js';
import { MERGE_HINT } from './import-directions.js';
import { OP_HANDLERS, type WalkContext, inputOrderError } from './import-ops.js';
import { type OnnxGraph, type OnnxModel, decodeModel, int64ToNumber } from './proto.js';
import { type ConstTensor, TensorReadError, readTensor } from './tensor-data.js';

const API = 'loadOnnx';
/** ONNX element types of integer token ids. */
const INT64 = 7;
const INT32 = 6;

/** Size limits for untrusted files; every import checks them before allocating. */
export interface OnnxLimits {
  /** Largest file accepted. @defaultValue 256 MiB */
  readonly maxBytes?: number;
  /** Most nodes in the graph. @defaultValue 10000 */
  readonly maxNodes?: number;
  /** Most elements in one tensor (initializer or constant). @defaultValue 16777216 (2^24) */
  readonly maxTensorElements?: number;
}

/** The limits applied when none are given. */
export const DEFAULT_ONNX_LIMITS: Readonly<Required<OnnxLimits>> = Object.freeze({
  maxBytes: 256 * 1024 * 1024,
  maxNodes: 10_000,
  maxTensorElements: 2 ** 24,
});

/** Options of {@link loadOnnx}. */
export interface LoadOnnxOptions {
  /** Size limits (see {@link OnnxLimits}). @defaultValue {@link DEFAULT_ONNX_LIMITS} */
  readonly limits?: OnnxLimits;
  /** Name of the model. @defaultValue 'sequential' */
  readonly name?: string;
}

/** Default-domain opsets whose op semantics the importer follows (Squeeze/Slice take inputs since 13). */
const MIN_OPSET = 13;
const MAX_OPSET = 21;

/**
 * Reads an ONNX model and rebuilds it as an rnnkit {@link Sequential} (float32) that
 * predicts, trains and saves like any other.
 *
 * Reads the graphs PyTorch's exporter writes for `nn.LSTM`/`nn.GRU`/`nn.RNN`
 * (`batch_first=True`, one or more layers, zero initial state) followed by `nn.Linear`
 * layers and activations, applied on every step or on the last one (`out[:, -1]`).
 * Bidirectional modules become `Bidirectional` wrappers when the graph joins the two
 * directions as Keras does (every step concatenated, or the final states
 * `torch.cat([h_n[-2], h_n[-1]], dim=1)`, of stacked layers too); the reverse-direction
 * and bidirectional ops that `exportOnnx` writes (goBackwards; merge modes concat, sum,
 * ave, mul) load back too.
 * Weights are converted to Keras' layout (LSTM gates i, f, c, o; GRU with
 * `linear_before_reset=1` becomes `resetAfter: true`). Anything else — a bidirectional
 * `out[:, -1]`, embeddings, external weight files — is refused with a one-line error naming
 * the first node that cannot be mapped.
 *
 * @param bytes the contents of an `.onnx` file
 * @example
 * const model = loadOnnx(readFileSync('lstm.onnx'));
 * const y = predict(model, x); // x: [batch, time, features]
 */
export function loadOnnx(bytes: Uint8Array, options: LoadOnnxOptions = {}): Sequential {
  if (!(bytes instanceof Uint8Array)) throw new RnnkitError(API, `bytes must be a Uint8Array (the .onnx file), got ${typeof bytes}`);
  const limits = resolveLimits(options.limits);
  if (bytes.length > limits.maxBytes) {
    throw new RnnkitError(API, `the file has ${bytes.length} bytes, over the limit of ${limits.maxBytes} (limits.maxBytes)`);
  }
  let model: OnnxModel;
  try {
    model = decodeModel(bytes);
  } catch (error) {
    throw new RnnkitError(API, `not a valid ONNX file (${error instanceof Error ? error.message : String(error)})`);
  }
  const graph = model.graph;
  if (!graph || (graph.node ?? []).length === 0) throw new RnnkitError(API, 'the file has no graph (is it an ONNX model?)');
  checkOpset(model);
  if ((graph.node ?? []).length > limits.maxNodes) {
    throw new RnnkitError(API, `the graph has ${graph.node!.length} nodes, over the limit of ${limits.maxNodes} (limits.maxNodes)`);
  }
  const { specs, input, timeSteps } = walk(graph, limits);
  return buildModel(specs, input, timeSteps, options.name ?? 'sequential');
}

function resolveLimits(limits: OnnxLimits | undefined): Required<OnnxLimits> {
  const out = { ...DEFAULT_ONNX_LIMITS };
  for (const [key, value] of Object.entries(limits ?? {})) {
    if (!(key in DEFAULT_ONNX_LIMITS)) throw new RnnkitError(API, `unknown limit "${key}"; known limits are ${Object.keys(DEFAULT_ONNX_LIMITS).join(', ')}`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new RnnkitError(API, `limits.${key} must be a positive integer, got ${String(value)}`);
    }
    (out as Record<string, number>)[key] = value;
  }
  return out;
}

function checkOpset(model: OnnxModel): void {
  const imports = model.opsetImport ?? [];
  const main = imports.find((o) => !o.domain || o.domain === 'ai.onnx');
  const version = main ? int64ToNumber(main.version) : 0;
  if (version < MIN_OPSET || version > MAX_OPSET) {
    throw new RnnkitError(API, `the model uses opset ${version}, expected ${MIN_OPSET}–${MAX_OPSET} (re-export with opset_version=${MIN_OPSET + 1} or later)`);
  }
}

/** Ops that read only the shape of their input. */
const SHAPE_READERS = new Set(['Shape', 'Size']);
/** Ops that may read a bidirectional op's two directions before they are merged. */
const READS_BOTH_DIRECTIONS = new Set(['Transpose', 'Reshape', 'ReduceSum', 'ReduceMean', 'ReduceProd', 'Gather', 'Concat', 'Identity', 'Dropout']);
/** Ops that may read one direction picked out of the two: joining it with the other. */
const READS_ONE_DIRECTION = new Set(['Concat', 'Identity', 'Dropout']);
/** Ops that may read a reverse op's steps in input order: moving axes, and the Slice that reads them backwards. */
const READS_INPUT_ORDER = new Set(['Transpose', 'Squeeze', 'Reshape', 'Slice', 'Identity', 'Dropout']);

/** Refuses a use of `value` by `opType` (undefined: as the graph's output) that has no Keras equivalent. */
function checkUse(value: DataValue, opType: string | undefined): void {
  const allowed = (set: ReadonlySet<string>): boolean => opType !== undefined && set.has(opType);
  if (value.earlierStates !== undefined && opType !== 'Gather') {
    throw new UnsupportedNode("it reads the final states of every layer (PyTorch's h_n); only the last layer's map: h_n[-1], or h_n[-2] and h_n[-1] when bidirectional");
  }
  if (value.inputOrderOf !== undefined && !allowed(READS_INPUT_ORDER)) throw inputOrderError(value.inputOrderOf);
  if (value.halfOf !== undefined && !allowed(READS_ONE_DIRECTION)) {
    const which = value.halfOf.direction === 0 ? 'forward' : 'reverse';
    throw new UnsupportedNode(`it reads the ${which} direction of a bidirectional op alone, which no Keras layer returns: concatenate both along the features, forward first (Keras' concat)`);
  }
  if (value.axes.includes('directions') && !allowed(READS_BOTH_DIRECTIONS)) {
    throw new UnsupportedNode(`it reads the two directions of a bidirectional op before they are merged: ${MERGE_HINT}`);
  }
}

interface WalkResult {
  readonly specs: LayerSpec[];
  readonly input: DataValue;
  /** The input's time length when fixed in the file, else null. */
  readonly timeSteps: number | null;
}

function walk(graph: OnnxGraph, limits: Required<OnnxLimits>): WalkResult {
  const values = new Map<string, GraphValue>();
  const read = (tensor: Parameters<typeof readTensor>[0], role: string): ConstTensor => {
    try {
      return readTensor(tensor, limits.maxTensorElements);
    } catch (error) {
      if (error instanceof TensorReadError) throw new RnnkitError(API, `${role}: ${error.message}`);
      throw error;
    }
  };
  for (const initializer of graph.initializer ?? []) {
    values.set(initializer.name ?? '', { kind: 'const', tensor: read(initializer, 'initializer') });
  }
  const inputs = (graph.input ?? []).filter((i) => !values.has(i.name ?? ''));
  if (inputs.length !== 1) throw new RnnkitError(API, `the graph has ${inputs.length} inputs, expected 1 (a Sequential model takes one)`);
  const outputs = graph.output ?? [];
  if (outputs.length !== 1) throw new RnnkitError(API, `the graph has ${outputs.length} outputs, expected 1 (a Sequential model gives one)`);
  const inputInfo = inputs[0]!;
  const tensorType = inputInfo.type?.tensorType;
  const dims = (tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? null : d.dimValue === undefined || d.dimValue === null ? null : int64ToNumber(d.dimValue)));
  // Integer input [batch, time]: token ids, for an embedding (rnnkit takes them as floats).
  const tokens = tensorType?.elemType === INT64 || tensorType?.elemType === INT32;
  if (tokens && dims.length !== 2) throw new RnnkitError(API, `the integer input "${inputInfo.name}" must be token ids [batch, time], got rank ${dims.length}`);
  if (!tokens && tensorType?.elemType !== 1) {
    throw new RnnkitError(API, `the input "${inputInfo.name}" must be float32 (or int64/int32 token ids), got element type #${tensorType?.elemType ?? '?'}`);
  }
  const features = tokens ? 1 : dims[dims.length - 1];
  if (!tokens && ((dims.length !== 2 && dims.length !== 3) || typeof features !== 'number')) {
    throw new RnnkitError(API, `the input "${inputInfo.name}" must be [batch, time, features] or [batch, features] with a fixed feature count, got [${dims.map((d) => d ?? '?').join(', ')}]`);
  }
  const specs: LayerSpec[] = [];
  const lastRecurrent = (): RecurrentSpec | undefined => [...specs].reverse().find((s): s is RecurrentSpec => s.type === 'recurrent');
  const context: WalkContext = {
    layers: specs,
    data: (axes, size) => ({ kind: 'data', axes, features: size, version: specs.length }),
    takeLastStep(fromSequence) {
      const spec = lastRecurrent();
      // Y_h may be read more than once (PyTorch reads h_n[-2] and h_n[-1] apart).
      if (!fromSequence && spec?.returnSequences === false) return;
      if (!spec?.returnSequences) throw new UnsupportedNode('there is no sequence to take the last step of');
      if (fromSequence && spec.direction === 'bidirectional') {
        // PyTorch's out[:, -1]: Keras' Bidirectional returns the last step each direction read.
        throw new UnsupportedNode(
          `the last time step of the bidirectional node "${spec.node}" (out[:, -1]) has no Keras equivalent: its reverse direction has read one step there, not all (use the final states, torch.cat([h_n[-2], h_n[-1]], dim=1), or every step)`,
        );
      }
      spec.returnSequences = false;
    },
    mergeDirections(mode) {
      const spec = lastRecurrent();
      if (spec?.direction !== 'bidirectional' || spec.mergeMode !== undefined) throw new UnsupportedNode('there are no two directions to merge');
      spec.mergeMode = mode;
    },
    readTensor: (tensor) => read(tensor, 'a constant'),
  };
  const input: DataValue = tokens
    ? { kind: 'data', axes: ['batch', 'time'], features: 1, version: 0, ids: true }
    : context.data(dims.length === 3 ? ['batch', 'time', 'feature'] : ['batch', 'feature'], features as number);
  values.set(inputInfo.name ?? '', input);

  for (const node of graph.node ?? []) {
    const opType = node.opType ?? '';
    const label = `node "${node.name || '(unnamed)'}" (${opType})`;
    const fail = (reason: string): never => {
      throw new RnnkitError(API, `cannot map ${label}: ${reason}`);
    };
    if (node.domain && node.domain !== 'ai.onnx') fail(`ops of domain "${node.domain}" are not supported`);
    const handler = Object.hasOwn(OP_HANDLERS, opType) ? OP_HANDLERS[opType] : undefined;
    if (!handler) fail(`${opType} is not supported`);
    const inputValues = (node.input ?? []).map((name) => {
      if (name === '') return undefined;
      const value = values.get(name);
      if (!value) fail(`its input "${name}" is not produced by any earlier node`);
      return value;
    });
    let results: readonly GraphValue[];
    // PyTorch's h_n of stacked layers concatenates every layer's Y_h; that Concat checks them.
    const stacksStates = opType === 'Concat' && inputValues.every((v) => v?.kind === 'data' && v.lastStateOf !== undefined);
    try {
      for (const value of inputValues) {
        // Reading a shape is not a use of the values: any earlier data may be measured.
        if (value?.kind !== 'data' || SHAPE_READERS.has(opType)) continue;
        if (value.version !== specs.length && !stacksStates) {
          const earlier = value.lastStateOf === undefined ? undefined : specs[value.lastStateOf];
          if (earlier?.type === 'recurrent') {
            throw new UnsupportedNode(`it uses the final state of the recurrent node "${earlier.node}", which a later layer reads on; only the last layer's final state maps`);
          }
          throw new UnsupportedNode('the graph branches (it uses the data from before a later layer); only a chain of layers is supported');
        }
        checkUse(value, opType);
        if (value.ids === true && opType !== 'Gather') throw new UnsupportedNode('token ids (the integer input) must go through an embedding (Gather from a table) first');
        if (value.lastStateOf !== undefined) context.takeLastStep(false);
      }
      results = handler!(new NodeView(opType, node.name ?? '', inputValues, (node.output ?? []).length, node.attribute ?? []), context);
    } catch (error) {
      if (error instanceof UnsupportedNode) fail(error.message);
      throw error;
    }
    (node.output ?? []).forEach((name, i) => {
      if (name === '') return;
      values.set(name, results[i] ?? { kind: 'unsupported', reason: `output ${i} of ${label} is not supported` });
    });
  }

  const outputName = outputs[0]!.name ?? '';
  const output = values.get(outputName);
  if (output?.kind !== 'data') throw new RnnkitError(API, `the graph output "${outputName}" is ${describeValue(output)}, not the model's data`);
  try {
    checkUse(output, undefined);
    if (output.lastStateOf !== undefined) context.takeLastStep(false);
  } catch (error) {
    if (error instanceof UnsupportedNode) throw new RnnkitError(API, `the graph output "${outputName}": ${error.message}`);
    throw error;
  }
  if (output.version !== specs.length) throw new RnnkitError(API, `the graph output "${outputName}" skips later layers; only a chain of layers is supported`);
  const layout = output.axes.join();
  if (layout !== 'batch,feature' && layout !== 'batch,time,feature') {
    throw new RnnkitError(API, `the graph output "${outputName}" has axes [${output.axes.join(', ')}], expected [batch, features] or [batch, time, features]`);
  }
  // A graph that passes its input through (e.g. an exported Dropout alone) is a linear Activation.
  if (specs.length === 0) specs.push({ type: 'activation', activation: 'linear' });
  return { specs, input, timeSteps: dims.length === 3 || tokens ? dims[1]! : null };
}

/** Layer constructors for each spec type. */
const LAYER_BUILDERS: { readonly [T in LayerSpec['type']]: (spec: Extract<LayerSpec, { type: T }>) => { layer: Layer; weights: Tensor[] } } = {
  recurrent(spec) {
    const { units, inputFeatures, className } = spec;
    const gates = spec.kernel[0]!.length / (units * inputFeatures);
    const useBias = spec.bias !== undefined;
    // ONNX's reverse direction reads the steps last to first, as Keras' goBackwards.
    const common = { units, activation: spec.activation, useBias, returnSequences: spec.returnSequences, goBackwards: spec.direction === 'reverse' };
    const recurrent =
      className === 'LSTM'
        ? new LSTM({ ...common, recurrentActivation: spec.recurrentActivation!, cellOutput: spec.cellOutput! })
        : className === 'GRU'
          ? new GRU({ ...common, recurrentActivation: spec.recurrentActivation!, resetAfter: spec.resetAfter! })
          : new SimpleRNN(common);
    // Bidirectional's weights: the forward layer's, then the backward layer's (ONNX's reverse direction).
    const weights = spec.kernel.flatMap((kernel, d) => {
      const own = [new Tensor(kernel, [inputFeatures, gates * units]), new Tensor(spec.recurrentKernel[d]!, [units, gates * units])];
      if (spec.bias) own.push(new Tensor(spec.bias[d]!, spec.resetAfter ? [2, gates * units] : [gates * units]));
      return own;
    });
    const layer = spec.direction === 'bidirectional' ? new Bidirectional({ layer: recurrent, mergeMode: spec.mergeMode! }) : recurrent;
    return { layer, weights };
  },
  embedding(spec) {
    return { layer: new Embedding({ inputDim: spec.inputDim, outputDim: spec.outputDim }), weights: [new Tensor(spec.table, [spec.inputDim, spec.outputDim])] };
  },
  dense(spec) {
    const layer = new Dense({ units: spec.units, activation: spec.activation, useBias: spec.bias !== undefined });
    const weights = [new Tensor(spec.kernel, [spec.inputFeatures, spec.units])];
    if (spec.bias) weights.push(new Tensor(spec.bias, [spec.units]));
    return { layer, weights };
  },
  activation(spec) {
    return { layer: new ActivationLayer({ activation: spec.activation }), weights: [] };
  },
};

function buildModel(specs: readonly LayerSpec[], input: DataValue, timeSteps: number | null, name: string): Sequential {
  const built = specs.map((spec) => (LAYER_BUILDERS[spec.type] as (s: LayerSpec) => { layer: Layer; weights: Tensor[] })(spec));
  const inputShape = input.ids ? [timeSteps] : input.axes.length === 3 ? [timeSteps, input.features] : [input.features];
  const model = new Sequential({ layers: built.map((b) => b.layer), inputShape, initialize: false, name });
  built.forEach(({ layer, weights }) => layer.setWeights(weights));
  return model;
}
