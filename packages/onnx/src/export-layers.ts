// The layer converters of exportOnnx for plain layers: Dense, Activation, Dropout, SimpleRNN, LSTM, GRU.
// Each reads the layer only through its public surface (getConfig, getWeights), so it works
// for any layer with the same class name and configuration.
import type { OnnxAttributeValue, OnnxGraphBuilder, OnnxLayerConverter, OnnxValue } from './export-graph.js';
import { compactValidSteps, takeMask } from './export-masks.js';
import { GRU_LAYOUT, type GateLayout, LSTM_LAYOUT, RNN_LAYOUT, kerasToOnnxMatrix, kerasToOnnxVector } from './gate-layout.js';

/** An activation by name as standalone ONNX nodes (none for 'linear'). */
const ACTIVATION_NODES: Readonly<Record<string, (graph: OnnxGraphBuilder, input: string) => string>> = {
  linear: (_graph, input) => input,
  relu: (graph, input) => graph.addNode('Relu', [input])[0]!,
  tanh: (graph, input) => graph.addNode('Tanh', [input])[0]!,
  sigmoid: (graph, input) => graph.addNode('Sigmoid', [input])[0]!,
  // TF.js' hard sigmoid, clip(0.2·x + 0.5, 0, 1), is ONNX's with its default alpha and beta.
  hardSigmoid: (graph, input) => graph.addNode('HardSigmoid', [input], { attributes: { alpha: { float: 0.2 }, beta: { float: 0.5 } } })[0]!,
  softmax: (graph, input) => graph.addNode('Softmax', [input], { attributes: { axis: { int: -1 } } })[0]!,
};

/** Activations inside ONNX's recurrent ops, which take names rather than nodes. */
const RECURRENT_ACTIVATIONS: Readonly<Record<string, string>> = {
  linear: 'Affine',
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  hardSigmoid: 'HardSigmoid',
};

function activationNodes(graph: OnnxGraphBuilder, name: unknown, input: string): string {
  const write = typeof name === 'string' && Object.hasOwn(ACTIVATION_NODES, name) ? ACTIVATION_NODES[name] : undefined;
  if (!write) return graph.unsupported(`activation "${String(name)}" has no ONNX equivalent here (built-in activations only)`);
  return write(graph, input);
}

function recurrentActivation(graph: OnnxGraphBuilder, name: unknown): string {
  const onnx = typeof name === 'string' && Object.hasOwn(RECURRENT_ACTIVATIONS, name) ? RECURRENT_ACTIVATIONS[name] : undefined;
  if (!onnx) return graph.unsupported(`activation "${String(name)}" is not available inside ONNX recurrent ops`);
  return onnx;
}

const dense: OnnxLayerConverter = {
  className: 'Dense',
  convert(layer, input, graph) {
    const config = layer.getConfig();
    const units = config.units as number;
    const [kernel, bias] = layer.getWeights();
    const features = kernel!.shape[0]!;
    const w = graph.addInitializer('kernel', [features, units], kernel!.data);
    let out: string;
    if (input.shape.length === 2 && bias) {
      out = graph.addNode('Gemm', [input.name, w, graph.addInitializer('bias', [units], bias.data)])[0]!;
    } else {
      // MatMul broadcasts over the batch and time axes of [batch, time, features].
      out = graph.addNode('MatMul', [input.name, w])[0]!;
      if (bias) out = graph.addNode('Add', [out, graph.addInitializer('bias', [units], bias.data)])[0]!;
    }
    out = activationNodes(graph, config.activation, out);
    return { name: out, shape: [...input.shape.slice(0, -1), units] };
  },
};

const activation: OnnxLayerConverter = {
  className: 'Activation',
  convert(layer, input, graph) {
    const out = activationNodes(graph, layer.getConfig().activation, input.name);
    // A linear Activation layer still needs a node, so the graph output is never the graph input.
    return { name: out === input.name ? graph.addNode('Identity', [input.name])[0]! : out, shape: input.shape };
  },
};

const dropout: OnnxLayerConverter = {
  className: 'Dropout',
  convert(_layer, input, graph) {
    // Dropout only acts while training; an exported model is for inference.
    return { name: graph.addNode('Identity', [input.name])[0]!, shape: input.shape };
  },
};

/** How one recurrent class maps to its ONNX op. */
export interface RecurrentMapping {
  readonly opType: 'RNN' | 'LSTM' | 'GRU';
  readonly layout: GateLayout;
  /** The `activations` attribute, from the layer's config. */
  activations(config: Readonly<Record<string, unknown>>, graph: OnnxGraphBuilder): string[];
}

function recurrentConverter(className: string, mapping: RecurrentMapping): OnnxLayerConverter {
  return {
    className,
    convert(layer, input, graph) {
      const config = layer.getConfig();
      const direction = { config, weights: layer.getWeights() };
      const units = config.units as number;
      const reverse = config.goBackwards === true;
      const mask = maskForLastOutput(graph, config.returnSequences === true);
      const { y, yH } = recurrentNode(graph, input, mapping, [direction], reverse ? 'reverse' : 'forward', config.returnSequences === true, mask);
      if (y !== undefined) {
        // Y is [time, directions = 1, batch, units]: drop the direction axis, back to batch-major.
        let steps = graph.addNode('Squeeze', [y, graph.addInt64('axes', [1])])[0]!;
        // ONNX's reverse direction returns its steps in input order, Keras' go_backwards in processing order.
        if (reverse) steps = reverseTime(graph, steps);
        const out = graph.addNode('Transpose', [steps], { attributes: { perm: { ints: [1, 0, 2] } } })[0]!;
        return { name: out, shape: [input.shape[0]!, input.shape[1]!, units] };
      }
      // Y_h, [directions = 1, batch, units], is the last step's output (reverse: after reading step 0).
      const out = graph.addNode('Squeeze', [yH!, graph.addInt64('axes', [0])])[0]!;
      return { name: out, shape: [input.shape[0]!, units] };
    },
  };
}

/**
 * The mask reaching a recurrent layer (used up), or undefined. Masked steps export for the
 * last output only: see export-masks.ts.
 */
export function maskForLastOutput(graph: OnnxGraphBuilder, sequences: boolean): string | undefined {
  const mask = takeMask(graph);
  if (mask !== undefined && sequences) {
    graph.unsupported('a mask reaches it and it returns sequences; masks export into layers returning the last output only (ONNX writes zeros after a sequence\'s valid steps, where rnnkit repeats the last valid output)');
  }
  return mask;
}

/** The directions' values one after the other. */
function joined(parts: readonly ArrayLike<number>[]): ArrayLike<number> {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Axis 0 read backwards (a Slice with step −1). */
function reverseTime(graph: OnnxGraphBuilder, value: string): string {
  const start = graph.addInt64('reverse_start', [-1]);
  const end = graph.addInt64('reverse_end', [-(2 ** 53) + 1]);
  return graph.addNode('Slice', [value, start, end, graph.addInt64('reverse_axes', [0]), graph.addInt64('reverse_steps', [-1])])[0]!;
}

/** One direction of an ONNX recurrent op: a layer's configuration and weights (Keras order). */
export interface RecurrentDirection {
  readonly config: Readonly<Record<string, unknown>>;
  readonly weights: readonly { readonly shape: readonly number[]; readonly data: ArrayLike<number> }[];
}

/**
 * The ONNX RNN/LSTM/GRU node of one direction or two (forward then reverse, `bidirectional`),
 * with its input transposed to time-major. Returns Y `[time, directions, batch, units]` when
 * `sequences`, else Y_h `[directions, batch, units]`. With `mask` (`[batch, time]` flags, last
 * output only) the op reads each sequence's valid steps alone (see export-masks.ts).
 */
export function recurrentNode(
  graph: OnnxGraphBuilder,
  input: OnnxValue,
  mapping: RecurrentMapping,
  directions: readonly RecurrentDirection[],
  direction: 'forward' | 'reverse' | 'bidirectional',
  sequences: boolean,
  mask?: string,
): { y?: string; yH?: string } {
  const { layout, opType } = mapping;
  if (input.shape.length !== 3) graph.unsupported(`expected input [batch, time, features], got rank ${input.shape.length}`);
  const first = directions[0]!.config;
  const units = first.units as number;
  const width = layout.gates * units;
  const resetAfter = first.resetAfter === true;
  const count = directions.length;
  const activations: string[] = [];
  const w: ArrayLike<number>[] = [];
  const r: ArrayLike<number>[] = [];
  const biases: Float32Array[] = [];
  const initialStates: (ArrayLike<number> | null)[] = [];
  let features = 0;
  for (const { config, weights } of directions) {
    if (config.units !== units || (config.resetAfter === true) !== resetAfter) graph.unsupported('its two directions differ in units or resetAfter (one ONNX node holds both)');
    activations.push(...mapping.activations(config, graph));
    const [kernel, recurrentKernel] = weights;
    features = kernel!.shape[0]!;
    const useBias = config.useBias !== false;
    const learnableInitialState = config.learnableInitialState === true;
    if (learnableInitialState && weights.length !== (useBias ? 4 : 3)) graph.unsupported('its learnable initial state was not found among its weights');
    w.push(kerasToOnnxMatrix(kernel!.data, layout, units, features));
    r.push(kerasToOnnxMatrix(recurrentKernel!.data, layout, units, units));
    // ONNX adds an input bias Wb and a recurrent bias Rb; Keras has one (or, GRU resetAfter, both).
    const onnxBias = new Float32Array(2 * width);
    const bias = useBias ? weights[2] : undefined;
    if (bias) {
      onnxBias.set(kerasToOnnxVector(bias.data, 0, layout, units), 0);
      if (resetAfter) onnxBias.set(kerasToOnnxVector(bias.data, width, layout, units), width);
    }
    biases.push(onnxBias);
    initialStates.push(learnableInitialState ? weights[weights.length - 1]!.data : null);
  }
  const wName = graph.addInitializer('W', [count, width, features], joined(w));
  const rName = graph.addInitializer('R', [count, width, units], joined(r));
  const anyBias = directions.some((d) => d.config.useBias !== false);
  let b = '';
  if (anyBias) {
    const all = new Float32Array(count * 2 * width);
    biases.forEach((bias, d) => all.set(bias, d * 2 * width));
    b = graph.addInitializer('B', [count, 2 * width], all);
  }
  let initialH = '';
  if (initialStates.some((s) => s !== null)) {
    const states = new Float32Array(count * units);
    initialStates.forEach((s, d) => s && states.set(s, d * units));
    initialH = broadcastInitialState(graph, input.name, states, count, units);
  }
  const masked = mask === undefined ? undefined : compactValidSteps(graph, input.name, mask);
  const transposed = graph.addNode('Transpose', [masked?.steps ?? input.name], { attributes: { perm: { ints: [1, 0, 2] } } })[0]!;
  const attributes = {
    hidden_size: { int: units },
    direction: { string: direction },
    activations: { strings: activations },
    ...activationParameters(activations),
    ...(opType === 'GRU' ? { linear_before_reset: { int: resetAfter ? 1 : 0 } } : {}),
  };
  const inputs = [transposed, wName, rName, b, masked?.lengths ?? '', initialH];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const [y, yH] = graph.addNode(opType, inputs, { attributes, outputs: [sequences, !sequences] });
  if (sequences) return { y: y! };
  // rnnkit's last output of a sequence without a valid step is zeros (whatever the initial
  // state); ONNX Runtime writes zeros there too, but the ONNX standard does not say so.
  return { yH: masked ? graph.addNode('Mul', [yH!, masked.nonEmpty])[0]! : yH! };
}

/**
 * activation_alpha/beta for the activations that take them, in the order of the activations
 * (ONNX Runtime consumes one value per activation that uses it and defaults the rest to 0, so
 * even HardSigmoid's standard 0.2/0.5 and Affine's 1/0 are written).
 */
function activationParameters(activations: readonly string[]): Record<string, OnnxAttributeValue> {
  const alphas: number[] = [];
  const betas: number[] = [];
  for (const name of activations) {
    const parameters = ACTIVATION_PARAMETERS[name];
    if (!parameters) continue;
    alphas.push(parameters.alpha);
    betas.push(parameters.beta);
  }
  return alphas.length === 0 ? {} : { activation_alpha: { floats: alphas }, activation_beta: { floats: betas } };
}

/** The parameters of the recurrent activations written here that have any. */
export const ACTIVATION_PARAMETERS: Readonly<Record<string, { alpha: number; beta: number }>> = {
  HardSigmoid: { alpha: 0.2, beta: 0.5 },
  Affine: { alpha: 1, beta: 0 },
};

/** Learned initial states [directions, units] (zeros for a direction without), repeated for every sequence: [directions, batch, units]. */
function broadcastInitialState(graph: OnnxGraphBuilder, input: string, state: ArrayLike<number>, directions: number, units: number): string {
  const h0 = graph.addInitializer('initial_state', [directions, 1, units], state);
  const shape = graph.addNode('Shape', [input])[0]!;
  const batch = graph.addNode('Slice', [shape, graph.addInt64('batch_start', [0]), graph.addInt64('batch_end', [1])])[0]!;
  const target = graph.addNode('Concat', [graph.addInt64('directions', [directions]), batch, graph.addInt64('units', [units])], { attributes: { axis: { int: 0 } } })[0]!;
  return graph.addNode('Expand', [h0, target])[0]!;
}

/** How SimpleRNN, LSTM and GRU map to ONNX's RNN, LSTM and GRU ops. */
export const RECURRENT_MAPPINGS: Readonly<Record<'SimpleRNN' | 'LSTM' | 'GRU', RecurrentMapping>> = {
  SimpleRNN: {
    opType: 'RNN',
    layout: RNN_LAYOUT,
    activations: (config, graph) => [recurrentActivation(graph, config.activation)],
  },
  LSTM: {
    opType: 'LSTM',
    layout: LSTM_LAYOUT,
    activations(config, graph) {
      const candidate = recurrentActivation(graph, config.activation);
      // cellOutput 'none' (h = o ⊙ c) is the identity as the output activation.
      const output = config.cellOutput === 'none' ? 'Affine' : candidate;
      return [recurrentActivation(graph, config.recurrentActivation), candidate, output];
    },
  },
  GRU: {
    opType: 'GRU',
    layout: GRU_LAYOUT,
    activations: (config, graph) => [recurrentActivation(graph, config.recurrentActivation), recurrentActivation(graph, config.activation)],
  },
};

/** The converters of plain layers: Dense, Activation, Dropout, SimpleRNN, LSTM, GRU. */
export const layerConverters: readonly OnnxLayerConverter[] = Object.freeze([
  dense,
  activation,
  dropout,
  ...Object.entries(RECURRENT_MAPPINGS).map(([className, mapping]) => recurrentConverter(className, mapping)),
]);
