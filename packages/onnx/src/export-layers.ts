// The built-in layer converters of exportOnnx: Dense, Activation, Dropout, SimpleRNN, LSTM, GRU.
// Each reads the layer only through its public surface (getConfig, getWeights), so it works
// for any layer with the same class name and configuration.
import type { Layer } from '@rnnkit/layers';
import type { OnnxAttributeValue, OnnxGraphBuilder, OnnxLayerConverter, OnnxValue } from './export-graph.js';
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
interface RecurrentMapping {
  readonly opType: 'RNN' | 'LSTM' | 'GRU';
  readonly layout: GateLayout;
  /** The `activations` attribute, from the layer's config. */
  activations(config: Readonly<Record<string, unknown>>, graph: OnnxGraphBuilder): string[];
}

function recurrentConverter(className: string, mapping: RecurrentMapping): OnnxLayerConverter {
  return {
    className,
    convert(layer, input, graph) {
      return convertRecurrent(layer, input, graph, mapping);
    },
  };
}

function convertRecurrent(layer: Layer, input: OnnxValue, graph: OnnxGraphBuilder, mapping: RecurrentMapping): OnnxValue {
  const config = layer.getConfig();
  const units = config.units as number;
  const { layout, opType } = mapping;
  if (input.shape.length !== 3) graph.unsupported(`expected input [batch, time, features], got rank ${input.shape.length}`);
  // ONNX's reverse direction returns its steps in input order, Keras' go_backwards in processing order: not mapped yet.
  if (config.goBackwards === true) graph.unsupported('goBackwards is not exported to ONNX yet');
  const activations = mapping.activations(config, graph);
  const weights = layer.getWeights();
  const [kernel, recurrentKernel] = weights;
  const features = kernel!.shape[0]!;
  const width = layout.gates * units;
  const useBias = config.useBias !== false;
  const bias = useBias ? weights[2] : undefined;
  const learnableInitialState = config.learnableInitialState === true;
  if (learnableInitialState && weights.length !== (useBias ? 4 : 3)) graph.unsupported('its learnable initial state was not found among its weights');
  const resetAfter = config.resetAfter === true;

  const w = graph.addInitializer('W', [1, width, features], kerasToOnnxMatrix(kernel!.data, layout, units, features));
  const r = graph.addInitializer('R', [1, width, units], kerasToOnnxMatrix(recurrentKernel!.data, layout, units, units));
  let b = '';
  if (bias) {
    // ONNX adds an input bias Wb and a recurrent bias Rb; Keras has one (or, GRU resetAfter, both).
    const onnxBias = new Float32Array(2 * width);
    onnxBias.set(kerasToOnnxVector(bias.data, 0, layout, units), 0);
    if (resetAfter) onnxBias.set(kerasToOnnxVector(bias.data, width, layout, units), width);
    b = graph.addInitializer('B', [1, 2 * width], onnxBias);
  }
  let initialH = '';
  if (learnableInitialState) initialH = broadcastInitialState(graph, input.name, weights[weights.length - 1]!.data, units);

  const transposed = graph.addNode('Transpose', [input.name], { attributes: { perm: { ints: [1, 0, 2] } } })[0]!;
  const attributes = {
    hidden_size: { int: units },
    activations: { strings: activations },
    ...activationParameters(activations),
    ...(opType === 'GRU' ? { linear_before_reset: { int: resetAfter ? 1 : 0 } } : {}),
  };
  const inputs = [transposed, w, r, b, '', initialH];
  while (inputs[inputs.length - 1] === '') inputs.pop();
  const returnSequences = config.returnSequences === true;
  const [y, yH] = graph.addNode(opType, inputs, { attributes, outputs: [returnSequences, !returnSequences] });
  if (returnSequences) {
    // Y is [time, directions = 1, batch, units]: drop the direction axis, back to batch-major.
    const squeezed = graph.addNode('Squeeze', [y!, graph.addInt64('axes', [1])])[0]!;
    const out = graph.addNode('Transpose', [squeezed], { attributes: { perm: { ints: [1, 0, 2] } } })[0]!;
    return { name: out, shape: [input.shape[0]!, input.shape[1]!, units] };
  }
  // Y_h, [directions = 1, batch, units], is the last step's output.
  const out = graph.addNode('Squeeze', [yH!, graph.addInt64('axes', [0])])[0]!;
  return { name: out, shape: [input.shape[0]!, units] };
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

/** SimpleRNN's learned h0 [units], repeated for every sequence of the batch: [1, batch, units]. */
function broadcastInitialState(graph: OnnxGraphBuilder, input: string, state: ArrayLike<number>, units: number): string {
  const h0 = graph.addInitializer('initial_state', [1, 1, units], state);
  const shape = graph.addNode('Shape', [input])[0]!;
  const batch = graph.addNode('Slice', [shape, graph.addInt64('batch_start', [0]), graph.addInt64('batch_end', [1])])[0]!;
  const target = graph.addNode('Concat', [graph.addInt64('one', [1]), batch, graph.addInt64('units', [units])], { attributes: { axis: { int: 0 } } })[0]!;
  return graph.addNode('Expand', [h0, target])[0]!;
}

const simpleRNN = recurrentConverter('SimpleRNN', {
  opType: 'RNN',
  layout: RNN_LAYOUT,
  activations: (config, graph) => [recurrentActivation(graph, config.activation)],
});

const lstm = recurrentConverter('LSTM', {
  opType: 'LSTM',
  layout: LSTM_LAYOUT,
  activations(config, graph) {
    const candidate = recurrentActivation(graph, config.activation);
    // cellOutput 'none' (h = o ⊙ c) is the identity as the output activation.
    const output = config.cellOutput === 'none' ? 'Affine' : candidate;
    return [recurrentActivation(graph, config.recurrentActivation), candidate, output];
  },
});

const gru = recurrentConverter('GRU', {
  opType: 'GRU',
  layout: GRU_LAYOUT,
  activations: (config, graph) => [recurrentActivation(graph, config.recurrentActivation), recurrentActivation(graph, config.activation)],
});

/** The converters exportOnnx uses unless given others for the same class names. */
export const builtinConverters: readonly OnnxLayerConverter[] = Object.freeze([dense, activation, dropout, simpleRNN, lstm, gru]);
