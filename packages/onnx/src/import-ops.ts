// How the importer reads each ONNX op type: one handler per op, looked up by op type.
// A handler gets the node (attributes and the abstract values of its inputs) and returns
// the abstract values of its outputs, appending layers to the context when the op is a
// layer (LSTM, Gemm, Relu…) or changing the last one (Add folds into MatMul's Dense).
import type { ActivationName, MergeMode } from '@rnnkit/layers';
import {
  type AxisRole,
  type DataValue,
  axisIndex,
  derived,
  type DenseSpec,
  type GraphValue,
  type LayerSpec,
  type NodeView,
  type RecurrentSpec,
  UnsupportedNode,
} from './import-graph.js';
import { concatDirections, pickDirection, reduceDirections, reshapeDirections } from './import-directions.js';
import { GRU_LAYOUT, type GateLayout, LSTM_LAYOUT, RNN_LAYOUT, onnxToKerasMatrix, onnxToKerasVector } from './gate-layout.js';
import type { OnnxTensor } from './proto.js';
import type { ConstTensor } from './tensor-data.js';

/** What handlers may read and change besides their node. */
export interface WalkContext {
  readonly layers: LayerSpec[];
  /** A data value made now (stamped with the current layer count). */
  data(axes: readonly AxisRole[], features: number): DataValue;
  /**
   * Make the last recurrent layer return its last step only; layers after it act per step.
   * `fromSequence`: the step is cut from the time axis of its Y (rather than read from Y_h).
   */
  takeLastStep(fromSequence: boolean): void;
  /** Join the last (bidirectional) recurrent layer's two directions as Keras' mergeMode does. */
  mergeDirections(mode: MergeMode): void;
  /** Reads a tensor attribute or initializer within the import's limits. */
  readTensor(tensor: OnnxTensor): ConstTensor;
}

export type OpHandler = (node: NodeView, context: WalkContext) => readonly GraphValue[];

const META: GraphValue = Object.freeze({ kind: 'meta' });
const ZEROS: GraphValue = Object.freeze({ kind: 'zeros' });

function isAllZero(tensor: ConstTensor): boolean {
  return (tensor.floats ?? tensor.ints ?? []).every((v) => v === 0);
}

/** For ops off the data path: zeros stay zeros when `keepsZeros`, anything else is metadata. */
function offDataPath(node: NodeView, keepsZeros: boolean): readonly GraphValue[] | undefined {
  if (node.inputs.some((v) => v?.kind === 'data' || v?.kind === 'unsupported')) return undefined;
  const first = node.inputs[0];
  const zero = first?.kind === 'zeros' || (first?.kind === 'const' && isAllZero(first.tensor));
  return [keepsZeros && zero ? ZEROS : META];
}

/** Ops that only move metadata around (or zeros, for those marked true). */
const META_OPS: Readonly<Record<string, boolean>> = {
  Shape: false,
  Size: false,
  Range: false,
  Equal: false,
  Where: false,
  Sub: false,
  Div: false,
  Mul: false,
  Unsqueeze: true,
  Cast: true,
  Tile: true,
};

/** An op read by `handler` on the model's data, and as metadata (or zeros) elsewhere. */
function onDataPath(handler: OpHandler, keepsZeros: boolean): OpHandler {
  return (node, context) => offDataPath(node, keepsZeros) ?? handler(node, context);
}

function metaHandler(keepsZeros: boolean): OpHandler {
  return (node) => {
    const result = offDataPath(node, keepsZeros);
    if (result) return result;
    if (node.opType === 'Shape') return [META];
    throw new UnsupportedNode(`${node.opType} on the model's data is not supported`);
  };
}

function constantHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const attribute = node.attribute('value');
  if (attribute?.t) return [{ kind: 'const', tensor: context.readTensor(attribute.t) }];
  const float = node.attribute('value_float');
  if (float) return [{ kind: 'const', tensor: { dims: [], floats: Float32Array.of(float.f ?? 0) } }];
  const floats = node.floats('value_floats');
  if (floats) return [{ kind: 'const', tensor: { dims: [floats.length], floats: Float32Array.from(floats) } }];
  if (node.has('value_int')) return [{ kind: 'const', tensor: { dims: [], ints: [node.int('value_int', 0)] } }];
  const ints = node.ints('value_ints');
  if (ints) return [{ kind: 'const', tensor: { dims: [ints.length], ints } }];
  throw new UnsupportedNode('a Constant needs a value, value_float(s) or value_int(s) attribute');
}

function constantOfShapeHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const value = node.attribute('value')?.t;
  if (!value) return [ZEROS];
  const tensor = context.readTensor(value);
  return [isAllZero(tensor) ? ZEROS : META];
}

function expandHandler(node: NodeView): readonly GraphValue[] {
  const result = offDataPath(node, true);
  if (result) return result;
  throw new UnsupportedNode("Expand of the model's data is not supported");
}

function passThrough(node: NodeView): readonly GraphValue[] {
  const input = node.inputs[0];
  if (input?.kind !== 'data') return offDataPath(node, true) ?? [node.data(0)];
  return [input];
}

function transposeHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const input = node.inputs[0];
  if (input?.kind !== 'data') return offDataPath(node, true)!;
  const perm = node.ints('perm') ?? input.axes.map((_, i) => input.axes.length - 1 - i);
  if (perm.length !== input.axes.length) throw new UnsupportedNode(`perm [${perm.join(', ')}] does not match rank ${input.axes.length}`);
  return [derived(context, input, perm.map((p) => input.axes[axisIndex(p, input.axes.length)]!))];
}

/** Removes size-1 axes: a direction axis (one direction) or a last-step axis (taking the last step). */
function dropAxes(input: DataValue, drop: readonly number[], context: WalkContext): DataValue {
  const indices = new Set(drop.map((a) => axisIndex(a, input.axes.length)));
  for (const i of indices) {
    const role = input.axes[i]!;
    if (role === 'directions') throw new UnsupportedNode(`cannot remove the direction axis of a bidirectional op (size 2): merge its two directions first`);
    if (role !== 'direction' && role !== 'step') throw new UnsupportedNode(`cannot remove the ${role} axis`);
  }
  const kept = input.axes.filter((_, i) => !indices.has(i));
  if ([...indices].some((i) => input.axes[i] === 'step')) context.takeLastStep(true);
  return derived(context, input, kept);
}

function squeezeHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const input = node.inputs[0];
  if (input?.kind !== 'data') return offDataPath(node, true)!;
  // Opset 13 moved `axes` from an attribute to an optional input.
  const axes = node.inputs[1] ? node.intConstant(1, 'axes') : node.ints('axes');
  if (!axes) {
    const drop = input.axes.flatMap((role, i) => (role === 'direction' || role === 'step' ? [i] : []));
    return [dropAxes(input, drop, context)];
  }
  return [dropAxes(input, axes, context)];
}

/** Whether [start, end) on an axis of unknown length picks its last element only. */
function picksLast(start: number, end: number): boolean {
  return start === -1 && end >= 2 ** 31 - 1;
}

/** Whether [start, end) with step −1 reads a whole axis of unknown length backwards. */
function readsBackwards(start: number, end: number): boolean {
  return (start === -1 || start >= 2 ** 31 - 1) && end <= -(2 ** 31);
}

/** The error for a reverse op's Y read in input order (see DataValue.inputOrderOf). */
export function inputOrderError(node: string): UnsupportedNode {
  return new UnsupportedNode(
    `it reads the steps of the reverse-direction node "${node}" in input order, which no Keras layer returns (goBackwards returns them in processing order: read Y back with a Slice of step −1 on the time axis)`,
  );
}

function sliceHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const input = node.inputs[0];
  if (input?.kind !== 'data') return offDataPath(node, true)!;
  const starts = node.intConstant(1, 'starts');
  const ends = node.intConstant(2, 'ends');
  const axes = node.inputs[3] ? node.intConstant(3, 'axes') : starts.map((_, i) => i);
  const steps = node.inputs[4] ? node.intConstant(4, 'steps') : starts.map(() => 1);
  const roles = [...input.axes];
  let inputOrderOf = input.inputOrderOf;
  axes.forEach((a, k) => {
    const i = axisIndex(a, roles.length);
    const [start, end, step] = [starts[k]!, ends[k]!, steps[k]!];
    if (roles[i] === 'time' && step === -1 && readsBackwards(start, end)) {
      // A reverse op's steps, back in the order it read them: Keras' goBackwards output.
      if (inputOrderOf === undefined) throw new UnsupportedNode('reading steps backwards is supported only on the Y of a reverse-direction op (Keras goBackwards)');
      inputOrderOf = undefined;
      return;
    }
    if (step !== 1) throw new UnsupportedNode(`slicing with step ${step} is not supported`);
    if (roles[i] === 'direction' && start === 0 && end >= 1) return; // the only direction
    if (roles[i] === 'time' && picksLast(start, end)) {
      if (inputOrderOf !== undefined) throw inputOrderError(inputOrderOf);
      roles[i] = 'step';
      return;
    }
    throw new UnsupportedNode(`slicing the ${roles[i]!} axis from ${start} to ${end} is not supported (only the last time step, [-1:])`);
  });
  const value = context.data(roles, input.features);
  return [inputOrderOf === undefined ? value : { ...value, inputOrderOf }];
}

/** Gather(table, ids) on the token ids: nn.Embedding, an Embedding layer. */
function embeddingHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const ids = node.data(1);
  const table = node.floatConstant(0, 'the embedding table');
  if (node.int('axis', 0) !== 0 || table.dims.length !== 2) throw new UnsupportedNode('only Gather of the rows of a [vocabulary, dimension] table is an embedding');
  const [inputDim, outputDim] = table.dims as [number, number];
  context.layers.push({ type: 'embedding', inputDim, outputDim, table: Float32Array.from(table.values) });
  return [context.data([...ids.axes, 'feature'], outputDim)];
}

function gatherHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const ids = node.inputs[1];
  if (node.inputs[0]?.kind === 'const' && ids?.kind === 'data' && ids.ids === true) return embeddingHandler(node, context);
  const input = node.inputs[0];
  if (input?.kind !== 'data') return offDataPath(node, true)!;
  const i = axisIndex(node.int('axis', 0), input.axes.length);
  const indices = input.earlierStates === undefined ? node.constant(1, 'indices') : lastLayerIndices(input, i, node.constant(1, 'indices'));
  const index = indices.ints?.length === 1 ? indices.ints[0]! : undefined;
  const role = input.axes[i]!;
  if (role === 'directions') return [pickDirection(input, i, indices, context)];
  // The last time step; the one direction (0 or -1); the one element of a last-step axis.
  const ok = (role === 'time' && index === -1) || ((role === 'direction' || role === 'step') && (index === 0 || index === -1));
  if (!ok) throw new UnsupportedNode(`gathering index ${String(indices.ints ?? '?')} of the ${role} axis is not supported (only the last time step, -1)`);
  const roles = [...input.axes];
  if (indices.dims.length === 0) {
    // A scalar index removes the axis.
    roles[i] = role === 'time' ? 'step' : role;
    return [dropAxes(context.data(roles, input.features), [i], context)];
  }
  if (role === 'time') roles[i] = 'step';
  return [context.data(roles, input.features)];
}

/** Gathering from h_n of stacked layers: the indices within the last layer's final states, or throws. */
function lastLayerIndices(input: DataValue, axis: number, indices: ConstTensor): ConstTensor {
  const earlier = input.earlierStates!;
  const count = input.axes[0] === 'directions' ? 2 : 1;
  const index = indices.ints?.length === 1 ? indices.ints[0]! : undefined;
  const within = index === undefined ? undefined : (index < 0 ? index + earlier + count : index) - earlier;
  if (axis !== 0 || within === undefined || within < 0 || within >= count) {
    throw new UnsupportedNode(
      `it picks index ${String(indices.ints ?? '?')} of axis ${axis} of the final states of every layer (PyTorch's h_n); only the last layer's map (h_n[-1], or h_n[-2] and h_n[-1] when bidirectional)`,
    );
  }
  return { dims: indices.dims, ints: [within] };
}

function denseFromKernel(kernel: Float32Array, inputFeatures: number, units: number, bias: Float32Array | undefined): DenseSpec {
  return { type: 'dense', units, inputFeatures, kernel, bias, activation: 'linear' };
}

function gemmHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const x = node.data(0);
  if (x.axes.join() !== 'batch,feature' || node.int('transA', 0) !== 0) throw new UnsupportedNode('only Gemm of [batch, features] data by a constant matrix is supported');
  const b = node.floatConstant(1, 'B');
  const transB = node.int('transB', 0) === 1;
  const [rows, cols] = b.dims as [number, number];
  const [inputFeatures, units] = transB ? [cols, rows] : [rows, cols];
  if (b.dims.length !== 2 || inputFeatures !== x.features) {
    throw new UnsupportedNode(`B of shape [${b.dims.join(', ')}] does not fit ${x.features} input features`);
  }
  const alpha = node.float('alpha', 1);
  const kernel = new Float32Array(inputFeatures * units);
  for (let k = 0; k < inputFeatures; k++) {
    for (let u = 0; u < units; u++) kernel[k * units + u] = alpha * b.values[transB ? u * inputFeatures + k : k * units + u]!;
  }
  let bias: Float32Array | undefined;
  if (node.inputs[2]) {
    const c = node.floatConstant(2, 'C');
    if (c.values.length !== units) throw new UnsupportedNode(`C of shape [${c.dims.join(', ')}] is not one bias per unit (${units})`);
    const beta = node.float('beta', 1);
    bias = c.values.map((v) => beta * v);
  }
  context.layers.push(denseFromKernel(kernel, inputFeatures, units, bias));
  return [context.data(x.axes, units)];
}

function matMulHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const off = offDataPath(node, false);
  if (off) return off;
  const x = node.data(0);
  if (x.axes[x.axes.length - 1] !== 'feature') throw new UnsupportedNode('MatMul must multiply the feature axis');
  const w = node.floatConstant(1, 'the weight matrix');
  if (w.dims.length !== 2 || w.dims[0] !== x.features) {
    throw new UnsupportedNode(`the weight matrix of shape [${w.dims.join(', ')}] does not fit ${x.features} input features`);
  }
  context.layers.push(denseFromKernel(Float32Array.from(w.values), x.features, w.dims[1]!, undefined));
  return [context.data(x.axes, w.dims[1]!)];
}

function addHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const off = offDataPath(node, false);
  if (off) return off;
  const dataIndex = node.inputs[0]?.kind === 'data' ? 0 : 1;
  const x = node.data(dataIndex);
  const b = node.floatConstant(1 - dataIndex, 'the added bias');
  const last = context.layers[context.layers.length - 1];
  const perFeature = b.values.length === x.features && b.dims.slice(0, -1).every((d) => d === 1);
  if (last?.type !== 'dense' || last.bias || last.activation !== 'linear' || !perFeature) {
    throw new UnsupportedNode('only adding a per-feature bias right after a MatMul is supported');
  }
  last.bias = Float32Array.from(b.values);
  return [context.data(x.axes, x.features)];
}

function activationHandler(name: ActivationName): OpHandler {
  return (node, context) => {
    const x = node.data(0);
    if (name === 'softmax') {
      const axis = axisIndex(node.int('axis', -1), x.axes.length);
      if (x.axes[axis] !== 'feature') throw new UnsupportedNode(`Softmax over the ${x.axes[axis]!} axis is not supported (only over features)`);
    }
    if (name === 'hardSigmoid' && (node.float('alpha', 0.2) !== Math.fround(0.2) || node.float('beta', 0.5) !== 0.5)) {
      throw new UnsupportedNode('HardSigmoid is supported with alpha 0.2 and beta 0.5 only');
    }
    // Element-wise activations commute with the layout ops between them and the Dense they follow.
    const last = context.layers[context.layers.length - 1];
    if (last?.type === 'dense' && last.activation === 'linear') last.activation = name;
    else context.layers.push({ type: 'activation', activation: name });
    return [context.data(x.axes, x.features)];
  };
}

/** ONNX recurrent activation names (case-insensitive) and their rnnkit names. */
function activationOf(name: string, alpha: number | undefined, beta: number | undefined): ActivationName | 'identity' {
  switch (name.toLowerCase()) {
    case 'sigmoid':
      return 'sigmoid';
    case 'tanh':
      return 'tanh';
    case 'relu':
      return 'relu';
    case 'hardsigmoid':
      if ((alpha ?? 0.2) === Math.fround(0.2) && (beta ?? 0.5) === 0.5) return 'hardSigmoid';
      break;
    case 'affine':
      if ((alpha ?? 1) === 1 && (beta ?? 0) === 0) return 'identity';
      break;
  }
  throw new UnsupportedNode(`the recurrent activation ${name}${alpha === undefined ? '' : `(${alpha}, ${beta ?? 0})`} has no rnnkit equivalent`);
}

const TAKES_ALPHA = new Set(['affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'hardsigmoid', 'elu']);
const TAKES_BETA = new Set(['affine', 'scaledtanh', 'hardsigmoid']);

const RECURRENT_OPS: Readonly<Record<string, { layout: GateLayout; className: RecurrentSpec['className']; defaults: readonly string[] }>> = {
  LSTM: { layout: LSTM_LAYOUT, className: 'LSTM', defaults: ['Sigmoid', 'Tanh', 'Tanh'] },
  GRU: { layout: GRU_LAYOUT, className: 'GRU', defaults: ['Sigmoid', 'Tanh'] },
  RNN: { layout: RNN_LAYOUT, className: 'SimpleRNN', defaults: ['Tanh'] },
};

function recurrentHandler(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const { layout, className, defaults } = RECURRENT_OPS[node.opType]!;
  const x = node.data(0);
  if (node.int('layout', 0) !== 0) throw new UnsupportedNode('layout 1 (batch-major) is not supported yet');
  const direction = node.string('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    throw new UnsupportedNode(`direction "${direction}" is not one of forward, reverse, bidirectional`);
  }
  const count = direction === 'bidirectional' ? 2 : 1;
  if (node.has('clip')) throw new UnsupportedNode('cell clipping (clip) is not supported');
  if (node.int('input_forget', 0) !== 0) throw new UnsupportedNode('input_forget is not supported');
  if (x.axes.join() !== 'time,batch,feature') throw new UnsupportedNode(`X must be [time, batch, features], got [${x.axes.join(', ')}]`);
  const units = node.int('hidden_size', 0);
  const w = node.floatConstant(1, 'W');
  const r = node.floatConstant(2, 'R');
  const width = layout.gates * units;
  const expect = (dims: readonly number[], want: readonly number[], role: string): void => {
    if (dims.join() !== want.join()) throw new UnsupportedNode(`${role} has shape [${dims.join(', ')}], expected [${want.join(', ')}]`);
  };
  if (units < 1) throw new UnsupportedNode('hidden_size must be a positive integer');
  expect(w.dims, [count, width, x.features], 'W');
  expect(r.dims, [count, width, units], 'R');
  if (node.inputs[4]) throw new UnsupportedNode('sequence_lens (variable lengths) is not supported');
  for (const [index, role] of [[5, 'initial_h'], [6, 'initial_c']] as const) {
    const value = node.inputs[index];
    if (value && value.kind !== 'zeros' && !(value.kind === 'const' && isAllZero(value.tensor))) {
      throw new UnsupportedNode(`${role} must be zeros (rnnkit starts from a zero state), got ${describe(value)}`);
    }
  }
  if (node.inputs[7]) throw new UnsupportedNode('peephole connections (P) are not supported');
  // One list of activations per direction, one after the other.
  const names = node.strings('activations') ?? Array.from({ length: count }, () => defaults).flat();
  if (names.length !== count * defaults.length) {
    throw new UnsupportedNode(`activations lists ${names.length} functions, expected ${count * defaults.length} (${defaults.length} per direction)`);
  }
  const alphas = node.floats('activation_alpha');
  const betas = node.floats('activation_beta');
  // Each activation that takes an alpha (beta) consumes the next value of the list, as ONNX Runtime reads them.
  let alphaIndex = 0;
  let betaIndex = 0;
  const allActs = names.map((n) => {
    const lower = n.toLowerCase();
    const alpha = TAKES_ALPHA.has(lower) ? alphas?.[alphaIndex++] : undefined;
    const beta = TAKES_BETA.has(lower) ? betas?.[betaIndex++] : undefined;
    return activationOf(n, alpha, beta);
  });
  const acts = allActs.slice(0, defaults.length);
  // Keras' Bidirectional runs one layer's configuration both ways.
  if (allActs.slice(defaults.length).some((a, i) => a !== acts[i])) {
    throw new UnsupportedNode(`its two directions use different activations (${names.join(', ')}); Keras' Bidirectional uses the same for both`);
  }
  const [first, second, third] = acts;
  const named = (a: ActivationName | 'identity' | undefined): ActivationName => (a === 'identity' || a === undefined ? 'linear' : a);
  const common = { type: 'recurrent', className, node: node.name || '(unnamed)', direction, units, inputFeatures: x.features } as const;
  let spec: Omit<RecurrentSpec, 'kernel' | 'recurrentKernel' | 'bias' | 'returnSequences'>;
  if (className === 'SimpleRNN') {
    spec = { ...common, activation: named(first) };
  } else if (className === 'GRU') {
    spec = { ...common, recurrentActivation: named(first), activation: named(second), resetAfter: node.int('linear_before_reset', 0) === 1 };
  } else {
    // Keras applies one activation to the candidate (g) and to the cell output (h), or none to the output.
    const cellOutput = third === 'identity' ? 'none' : 'activation';
    if (cellOutput === 'activation' && third !== second) {
      throw new UnsupportedNode(`the candidate activation ${names[1]} and the output activation ${names[2]} differ; rnnkit uses one`);
    }
    spec = { ...common, recurrentActivation: named(first), activation: named(second), cellOutput };
  }
  const directions = Array.from({ length: count }, (_, d) => d);
  const kernel = directions.map((d) => onnxToKerasMatrix(w.values.subarray(d * width * x.features, (d + 1) * width * x.features), layout, units, x.features));
  const recurrentKernel = directions.map((d) => onnxToKerasMatrix(r.values.subarray(d * width * units, (d + 1) * width * units), layout, units, units));
  let bias: Float32Array[] | undefined;
  if (node.inputs[3]) {
    const b = node.floatConstant(3, 'B');
    expect(b.dims, [count, 2 * width], 'B');
    bias = directions.map((d) => {
      const inputBias = onnxToKerasVector(b.values, 2 * width * d, layout, units);
      const recurrentBias = onnxToKerasVector(b.values, 2 * width * d + width, layout, units);
      if (!spec.resetAfter) {
        // Both biases are added side by side (GRU without linear_before_reset too: R's h bias sits outside r ⊙ ·).
        return inputBias.map((v, i) => v + recurrentBias[i]!);
      }
      const both = new Float32Array(2 * width);
      both.set(inputBias, 0);
      both.set(recurrentBias, width);
      return both;
    });
  }
  context.layers.push({ ...spec, kernel, recurrentKernel, bias, returnSequences: true });
  const version = context.layers.length;
  const directionAxis = count === 2 ? 'directions' : 'direction';
  const y = context.data(['time', directionAxis, 'batch', 'feature'], units);
  const outputs: GraphValue[] = [
    // ONNX's reverse direction writes its steps in input order, Keras' goBackwards in the order read.
    direction === 'reverse' ? { ...y, inputOrderOf: node.name } : y,
    { kind: 'data', axes: [directionAxis, 'batch', 'feature'], features: units, version, lastStateOf: version - 1 },
  ];
  if (className === 'LSTM') outputs.push({ kind: 'unsupported', reason: "the LSTM's final cell state (Y_c) has no rnnkit equivalent in a Sequential model" });
  return outputs;
}

function describe(value: GraphValue): string {
  return value.kind === 'const' ? 'a non-zero constant' : value.kind === 'meta' ? 'a computed value' : `${value.kind} values`;
}

/** Every op type the importer reads. */
export const OP_HANDLERS: Readonly<Record<string, OpHandler>> = Object.freeze({
  ...Object.fromEntries(Object.entries(META_OPS).map(([op, keepsZeros]) => [op, metaHandler(keepsZeros)])),
  Constant: constantHandler,
  ConstantOfShape: constantOfShapeHandler,
  Expand: expandHandler,
  Identity: passThrough,
  Dropout: passThrough,
  Transpose: transposeHandler,
  Reshape: onDataPath(reshapeDirections, true),
  Concat: onDataPath(concatDirections, false),
  ReduceSum: onDataPath(reduceDirections('sum'), false),
  ReduceMean: onDataPath(reduceDirections('ave'), false),
  ReduceProd: onDataPath(reduceDirections('mul'), false),
  Squeeze: squeezeHandler,
  Slice: sliceHandler,
  Gather: gatherHandler,
  Gemm: gemmHandler,
  MatMul: matMulHandler,
  Add: addHandler,
  Relu: activationHandler('relu'),
  Tanh: activationHandler('tanh'),
  Sigmoid: activationHandler('sigmoid'),
  HardSigmoid: activationHandler('hardSigmoid'),
  Softmax: activationHandler('softmax'),
  LSTM: recurrentHandler,
  GRU: recurrentHandler,
  RNN: recurrentHandler,
});
