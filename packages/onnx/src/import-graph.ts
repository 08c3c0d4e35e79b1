// What the importer knows about each value of an ONNX graph while it walks the nodes in
// order, and the layers it has read so far.
//
// The importer does not run the graph: it interprets it abstractly. The one data path from
// the graph's input to its output becomes a stack of layers; every other value is either a
// constant (weights, indices), integer "metadata" computed from shapes (the batch size a
// zero initial state is built from) or a tensor known to be all zeros (that state).
import type { ActivationName, MergeMode } from '@rnnkit/layers';
import type { WalkContext } from './import-ops.js';
import type { OnnxAttribute } from './proto.js';
import { int64ToNumber } from './proto.js';
import type { ConstTensor } from './tensor-data.js';

/**
 * The role of one axis of a data value. `step` is a time axis cut to its last step;
 * `direction` is a recurrent op's direction axis of size 1, `directions` the size-2 axis of
 * a bidirectional op (forward, reverse) that a merge has yet to join.
 */
export type AxisRole = 'batch' | 'time' | 'step' | 'direction' | 'directions' | 'feature';

export type GraphValue =
  | { readonly kind: 'const'; readonly tensor: ConstTensor }
  /** Integers computed from shapes and constants (e.g. the batch size); their values are not needed. */
  | { readonly kind: 'meta' }
  /** A tensor all of whose values are zero, of whatever shape. */
  | { readonly kind: 'zeros' }
  | {
      readonly kind: 'data';
      readonly axes: readonly AxisRole[];
      /** Size of the feature axis. */
      readonly features: number;
      /** How many layers had been read when this value was made (catches graphs that branch). */
      readonly version: number;
      /** This is a recurrent op's Y_h: using it means the layer returns its last step only. */
      readonly lastStateOf?: number;
      /** Integer token ids (the graph's int64/int32 input): only an embedding (Gather from a table) may read them. */
      readonly ids?: true;
      /**
       * The name of the reverse-direction node whose Y this is, while its steps are still in
       * input order (ONNX) rather than in processing order (Keras' goBackwards).
       */
      readonly inputOrderOf?: string;
      /**
       * PyTorch's h_n of stacked layers (every layer's Y_h, concatenated on the direction
       * axis): this last layer's final states come after `earlierStates` entries of others'.
       */
      readonly earlierStates?: number;
      /** One direction (0 forward, 1 reverse) picked out of `whole`, a value with a `directions` axis. */
      readonly halfOf?: { readonly direction: 0 | 1; readonly whole: DataValue };
    }
  /** A value the importer cannot represent; using it on the data path is an error with this reason. */
  | { readonly kind: 'unsupported'; readonly reason: string };

export type DataValue = Extract<GraphValue, { kind: 'data' }>;

/** A recurrent layer as read from an ONNX LSTM/GRU/RNN node, in Keras' layout. */
export interface RecurrentSpec {
  readonly type: 'recurrent';
  readonly className: 'LSTM' | 'GRU' | 'SimpleRNN';
  /** The ONNX node's name (for errors). */
  readonly node: string;
  /** 'reverse' is Keras' goBackwards; 'bidirectional' is a Bidirectional wrapper once merged. */
  readonly direction: 'forward' | 'reverse' | 'bidirectional';
  readonly units: number;
  readonly inputFeatures: number;
  readonly activation: ActivationName;
  readonly recurrentActivation?: ActivationName;
  /** LSTM: 'none' when the ONNX output activation is the identity. */
  readonly cellOutput?: 'activation' | 'none';
  /** GRU: linear_before_reset. */
  readonly resetAfter?: boolean;
  /**
   * Weights per direction (forward, then reverse when bidirectional), in Keras' layout: kernel
   * [inputFeatures, gates·units], recurrent kernel [units, gates·units], bias [gates·units]
   * (GRU with resetAfter [2, gates·units]; absent when the node has no B).
   */
  readonly kernel: readonly Float32Array[];
  readonly recurrentKernel: readonly Float32Array[];
  readonly bias?: readonly Float32Array[];
  returnSequences: boolean;
  /** How a bidirectional op's two directions are joined, once the graph has said. */
  mergeMode?: MergeMode;
}

export interface DenseSpec {
  readonly type: 'dense';
  readonly units: number;
  readonly inputFeatures: number;
  /** [inputFeatures, units]. */
  readonly kernel: Float32Array;
  bias?: Float32Array;
  activation: ActivationName;
}

export interface ActivationSpec {
  readonly type: 'activation';
  readonly activation: ActivationName;
}

/** An embedding as read from a Gather of a constant [vocabulary, dimension] table by the token ids. */
export interface EmbeddingSpec {
  readonly type: 'embedding';
  readonly inputDim: number;
  readonly outputDim: number;
  readonly table: Float32Array;
}

export type LayerSpec = RecurrentSpec | DenseSpec | ActivationSpec | EmbeddingSpec;

/** A node cannot be mapped; the importer turns this into a one-line error naming the node. */
export class UnsupportedNode extends Error {}

/** One node as the op handlers see it. */
export class NodeView {
  readonly #attributes: Map<string, OnnxAttribute>;

  constructor(
    readonly opType: string,
    readonly name: string,
    /** Input values in order; `undefined` for an omitted optional input (empty name). */
    readonly inputs: readonly (GraphValue | undefined)[],
    readonly outputCount: number,
    attributes: readonly OnnxAttribute[],
  ) {
    this.#attributes = new Map(attributes.map((a) => [a.name ?? '', a]));
  }

  has(name: string): boolean {
    return this.#attributes.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.#attributes.get(name);
    return a ? int64ToNumber(a.i) : fallback;
  }

  ints(name: string): number[] | undefined {
    const a = this.#attributes.get(name);
    return a ? (a.ints ?? []).map((v) => int64ToNumber(v)) : undefined;
  }

  float(name: string, fallback: number): number {
    const a = this.#attributes.get(name);
    return a ? (a.f ?? 0) : fallback;
  }

  floats(name: string): number[] | undefined {
    const a = this.#attributes.get(name);
    return a ? [...(a.floats ?? [])] : undefined;
  }

  string(name: string, fallback: string): string {
    const a = this.#attributes.get(name);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  strings(name: string): string[] | undefined {
    const a = this.#attributes.get(name);
    return a ? (a.strings ?? []).map((s) => new TextDecoder().decode(s)) : undefined;
  }

  attribute(name: string): OnnxAttribute | undefined {
    return this.#attributes.get(name);
  }

  /** Input `index` as a data value, or throws saying what it was. */
  data(index: number): DataValue {
    const value = this.inputs[index];
    if (value?.kind === 'data') return value;
    if (value?.kind === 'unsupported') throw new UnsupportedNode(value.reason);
    throw new UnsupportedNode(`input ${index} is expected to carry the model's data, got ${describeValue(value)}`);
  }

  /** Input `index` as a constant, or throws. */
  constant(index: number, role: string): ConstTensor {
    const value = this.inputs[index];
    if (value?.kind === 'const') return value.tensor;
    throw new UnsupportedNode(`${role} (input ${index}) must be a constant, got ${describeValue(value)}`);
  }

  /** Input `index` as constant floats, or throws. */
  floatConstant(index: number, role: string): { dims: readonly number[]; values: Float32Array } {
    const tensor = this.constant(index, role);
    if (!tensor.floats) throw new UnsupportedNode(`${role} (input ${index}) must be float numbers`);
    return { dims: tensor.dims, values: tensor.floats };
  }

  /** Input `index` as constant integers, or throws. */
  intConstant(index: number, role: string): readonly number[] {
    const tensor = this.constant(index, role);
    if (!tensor.ints) throw new UnsupportedNode(`${role} (input ${index}) must be integers`);
    return tensor.ints;
  }
}

export function describeValue(value: GraphValue | undefined): string {
  if (value === undefined) return 'nothing (input omitted)';
  switch (value.kind) {
    case 'const':
      return `a constant of shape [${value.tensor.dims.join(', ')}]`;
    case 'meta':
      return 'a value computed from shapes';
    case 'zeros':
      return 'a tensor of zeros';
    case 'data':
      return `the model's data (axes ${value.axes.join(', ')})`;
    case 'unsupported':
      return value.reason;
  }
}

/** An axis index as written in the file (negative counts from the end) to 0…rank−1. */
export function axisIndex(axis: number, rank: number): number {
  const index = axis < 0 ? axis + rank : axis;
  if (index < 0 || index >= rank) throw new UnsupportedNode(`axis ${axis} is out of range for rank ${rank}`);
  return index;
}

/** A data value made from `input` with new axes, still in input order when `input` was. */
export function derived(context: Pick<WalkContext, 'data'>, input: DataValue, axes: readonly AxisRole[], features = input.features): DataValue {
  const value = context.data(axes, features);
  return input.inputOrderOf === undefined ? value : { ...value, inputOrderOf: input.inputOrderOf };
}
