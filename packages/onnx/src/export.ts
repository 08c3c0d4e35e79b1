// exportOnnx: an rnnkit Sequential to ONNX bytes, one converter per layer class.
import type { Sequential, SymbolicShape } from '@rnnkit/layers';
import { RnnkitError } from '@rnnkit/tensor';
import { OnnxGraphBuilder, type OnnxLayerConverter, type OnnxValue } from './export-graph.js';
import { convertWithMask } from './export-masks.js';
import { builtinConverters } from './export-wrappers.js';
import { DataType, type OnnxValueInfo, encodeModel } from './proto.js';

const API = 'exportOnnx';

/** The opset written; ONNX Runtime 1.14 and later run it. */
export const ONNX_EXPORT_OPSET = 17;
/** The IR version that goes with {@link ONNX_EXPORT_OPSET}. */
const IR_VERSION = 8;

/** Options of {@link exportOnnx}. */
export interface ExportOnnxOptions {
  /**
   * Converters for your own layer classes, or to replace a built-in one (matched by
   * `className`). @defaultValue [] (the built-in converters only)
   */
  readonly converters?: readonly OnnxLayerConverter[];
  /** Name of the graph's input. @defaultValue 'input' */
  readonly inputName?: string;
  /** Name of the graph's output. @defaultValue 'output' */
  readonly outputName?: string;
}

/**
 * Writes a built {@link Sequential} as an ONNX model (opset 17, float32 weights, dynamic
 * batch axis; the time axis is dynamic when the model's input shape leaves it `null`).
 * Dense, Activation, Dropout (as Identity), SimpleRNN, LSTM and GRU are converted built in;
 * recurrent layers become ONNX RNN/LSTM/GRU ops with the gates reordered. A mask (Masking,
 * Embedding maskZero) is exported into recurrent layers that return their last output, as
 * the op's sequence_lens over each sequence's valid steps. A layer that cannot be expressed
 * is a one-line error naming the layer and the reason.
 *
 * @returns the bytes of an `.onnx` file
 * @example
 * writeFileSync('model.onnx', exportOnnx(model));
 */
export function exportOnnx(model: Sequential, options: ExportOnnxOptions = {}): Uint8Array {
  const config = typeof model?.getConfig === 'function' ? model.getConfig() : undefined;
  if (!config || !Array.isArray(model.layers)) throw new RnnkitError(API, 'model must be a Sequential');
  const inputShape = config.inputShape as SymbolicShape | null;
  if (!inputShape) throw new RnnkitError(API, 'the model is not built; give it an inputShape or run it once first');
  const converters = new Map<string, OnnxLayerConverter>();
  for (const converter of [...builtinConverters, ...(options.converters ?? [])]) {
    if (typeof converter?.className !== 'string' || typeof converter.convert !== 'function') {
      throw new RnnkitError(API, 'each converter must be an object with a className and a convert function');
    }
    converters.set(converter.className, converter);
  }
  const inputName = options.inputName ?? 'input';
  const outputName = options.outputName ?? 'output';
  if (!inputName || !outputName || inputName === outputName) {
    throw new RnnkitError(API, `inputName and outputName must be distinct non-empty names, got "${inputName}" and "${outputName}"`);
  }

  const graph = new OnnxGraphBuilder([inputName, outputName]);
  const input: OnnxValue = { name: inputName, shape: [null, ...inputShape] };
  let value = input;
  model.layers.forEach((layer, i) => {
    const name = model.layerNames[i]!;
    const converter = converters.get(layer.className);
    if (!converter) {
      throw new RnnkitError(API, `layer "${name}" (${layer.className}) has no ONNX converter; pass one in options.converters`);
    }
    graph.beginLayer(name, layer.className);
    value = convertWithMask(converter, layer, value, graph);
  });
  // Name the last value "output": a final Identity keeps every converter free of that concern.
  graph.beginLayer('model', 'Sequential');
  graph.nodes.push({ name: graph.uniqueName('output_identity'), opType: 'Identity', input: [value.name], output: [outputName], attribute: [] });

  return encodeModel({
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: ONNX_EXPORT_OPSET }],
    producerName: 'rnnkit',
    graph: {
      name: config.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(inputName, input.shape, 'time')],
      output: [valueInfo(outputName, value.shape, 'time')],
    },
  });
}

/** A float32 tensor declaration; `null` axes become named dynamic dimensions. */
function valueInfo(name: string, shape: SymbolicShape, dynamicName: string): OnnxValueInfo {
  const dim = shape.map((d, i) => (d === null ? { dimParam: i === 0 ? 'batch' : `${dynamicName}${i === 1 ? '' : `_${i}`}` } : { dimValue: d }));
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim } } } };
}
