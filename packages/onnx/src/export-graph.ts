// The graph under construction during exportOnnx, and the contract of a layer converter.
import type { Layer, SymbolicShape } from '@rnnkit/layers';
import { RnnkitError } from '@rnnkit/tensor';
import { AttributeType, type OnnxAttribute, type OnnxNode, type OnnxTensor } from './proto.js';
import { floatTensor, int64Tensor } from './tensor-data.js';

/** A tensor of the graph being built: its name and shape (`null` for the batch and any dynamic axis). */
export interface OnnxValue {
  readonly name: string;
  readonly shape: SymbolicShape;
}

/** An ONNX node attribute: tag the value with its type. */
export type OnnxAttributeValue =
  | { readonly int: number }
  | { readonly ints: readonly number[] }
  | { readonly float: number }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  | { readonly strings: readonly string[] };

/**
 * Writes one layer into the ONNX graph. Built-in converters exist for Dense, Activation,
 * Dropout, SimpleRNN, LSTM and GRU; pass your own to {@link ExportOnnxOptions.converters}
 * for your layers (or to override a built-in one).
 *
 * @example
 * const scale: OnnxLayerConverter<MyScale> = {
 *   className: 'MyScale',
 *   convert(layer, input, graph) {
 *     const factor = graph.addInitializer('scale', [], [layer.factor]);
 *     const [out] = graph.addNode('Mul', [input.name, factor]);
 *     return { name: out!, shape: input.shape };
 *   },
 * };
 */
export interface OnnxLayerConverter<L extends Layer = Layer> {
  /** The `className` of the layers this converts. */
  readonly className: string;
  /**
   * Appends the nodes computing `layer`'s output from `input` and returns that output.
   * Call `graph.unsupported(reason)` for a configuration ONNX cannot express.
   */
  convert(layer: L, input: OnnxValue, graph: OnnxGraphBuilder): OnnxValue;
}

/** Collects the nodes and initializers of the exported graph, with unique names. */
export class OnnxGraphBuilder {
  readonly nodes: OnnxNode[] = [];
  readonly initializers: OnnxTensor[] = [];
  readonly #used = new Set<string>();
  #prefix = '';
  #layerLabel = '';

  constructor(reserved: readonly string[]) {
    for (const name of reserved) this.#used.add(name);
  }

  /** Called by exportOnnx before each layer: names get the layer's name as prefix, errors name the layer. */
  beginLayer(layerName: string, className: string): void {
    this.#prefix = `${layerName}/`;
    this.#layerLabel = `layer "${layerName}" (${className})`;
  }

  /** A name not used yet in the graph, from `base` (prefixed with the current layer's name). */
  uniqueName(base: string): string {
    const stem = `${this.#prefix}${base}`;
    let name = stem;
    for (let i = 1; this.#used.has(name); i++) name = `${stem}_${i}`;
    this.#used.add(name);
    return name;
  }

  /** Adds a float32 initializer and returns its name. */
  addInitializer(base: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.uniqueName(base);
    this.initializers.push(floatTensor(name, dims, values));
    return name;
  }

  /** Adds an int64 initializer (shapes, axes, indices) and returns its name. */
  addInt64(base: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = this.uniqueName(base);
    this.initializers.push(int64Tensor(name, dims, values));
    return name;
  }

  /**
   * Adds a node of the default domain and returns the names of its outputs. An input name
   * may be `''` for an omitted optional input; `outputs` lists which outputs to name
   * (`false` leaves that output unused).
   */
  addNode(opType: string, inputs: readonly string[], options: { readonly attributes?: Readonly<Record<string, OnnxAttributeValue>>; readonly outputs?: readonly boolean[] } = {}): string[] {
    const name = this.uniqueName(opType);
    const outputs = (options.outputs ?? [true]).map((wanted, i) => (wanted ? this.uniqueName(`${opType}_output_${i}`) : ''));
    const attribute = Object.entries(options.attributes ?? {}).map(([key, value]) => toAttribute(key, value));
    this.nodes.push({ name, opType, input: [...inputs], output: outputs, attribute });
    return outputs;
  }

  /** Throws the one-line error for a layer configuration that cannot be exported. */
  unsupported(reason: string): never {
    throw new RnnkitError('exportOnnx', `${this.#layerLabel} cannot be exported: ${reason}`);
  }
}

function toAttribute(name: string, value: OnnxAttributeValue): OnnxAttribute {
  if ('int' in value) return { name, type: AttributeType.INT, i: value.int };
  if ('ints' in value) return { name, type: AttributeType.INTS, ints: [...value.ints] };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: [...value.floats] };
  if ('string' in value) return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value.string) };
  return { name, type: AttributeType.STRINGS, strings: value.strings.map((s) => new TextEncoder().encode(s)) };
}
