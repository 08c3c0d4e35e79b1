// The converter of exportOnnx for Bidirectional (ONNX's recurrent ops with direction
// "bidirectional", then Keras' merge), and the list of all built-in converters.
import type { OnnxGraphBuilder, OnnxLayerConverter } from './export-graph.js';
import { RECURRENT_MAPPINGS, type RecurrentDirection, layerConverters, maskForLastOutput, recurrentNode } from './export-layers.js';
import { masking } from './export-masks.js';
import { sequenceConverters } from './export-sequence.js';

type Config = Readonly<Record<string, unknown>>;

/** How many weights a SimpleRNN/LSTM/GRU of this configuration has (kernel, recurrent kernel, bias?, initial state?). */
function weightCount(config: Config): number {
  return 2 + (config.useBias !== false ? 1 : 0) + (config.learnableInitialState === true ? 1 : 0);
}

/**
 * Merges the two directions along `axis` of `[…, 2, …, units]` as Keras' mergeMode says:
 * concat (forward first) by a reshape, sum/ave/mul by reducing the axis.
 */
function merge(graph: OnnxGraphBuilder, value: string, axis: number, rank: number, mode: unknown, units: number): string {
  if (mode === 'concat') {
    // [..., 2, units] → [..., 2·units]: every leading axis kept (0 copies a dimension).
    const shape = [...Array<number>(rank - 2).fill(0), 2 * units];
    return graph.addNode('Reshape', [value, graph.addInt64('merged_shape', shape)])[0]!;
  }
  if (mode === 'sum') return graph.addNode('ReduceSum', [value, graph.addInt64('direction_axis', [axis])], { attributes: { keepdims: { int: 0 } } })[0]!;
  if (mode === 'ave') return graph.addNode('ReduceMean', [value], { attributes: { axes: { ints: [axis] }, keepdims: { int: 0 } } })[0]!;
  if (mode === 'mul') return graph.addNode('ReduceProd', [value], { attributes: { axes: { ints: [axis] }, keepdims: { int: 0 } } })[0]!;
  return graph.unsupported(`mergeMode ${JSON.stringify(mode)} has no ONNX form here`);
}

const bidirectional: OnnxLayerConverter = {
  className: 'Bidirectional',
  convert(layer, input, graph) {
    const config = layer.getConfig() as Config;
    const wrapped = config.layer as { className?: unknown; config?: Config } | undefined;
    const className = wrapped?.className;
    if (className !== 'SimpleRNN' && className !== 'LSTM' && className !== 'GRU') {
      return graph.unsupported(`it wraps ${JSON.stringify(className)}; SimpleRNN, LSTM and GRU export`);
    }
    const forward = wrapped!.config!;
    const backwardWrapped = config.backwardLayer as { className?: unknown; config?: Config } | undefined;
    if (backwardWrapped !== undefined && backwardWrapped.className !== className) graph.unsupported('its backward layer is of another class than its forward layer');
    const backward: Config = backwardWrapped?.config ?? { ...forward, goBackwards: !forward.goBackwards };
    // ONNX's forward direction reads the steps in order, its reverse direction backwards.
    if (forward.goBackwards === true) graph.unsupported('its forward layer has goBackwards: true (ONNX runs the forward direction first to last)');
    const weights = layer.getWeights();
    const split = weightCount(forward);
    if (weights.length !== split + weightCount(backward)) graph.unsupported('its weights do not match its two layers');
    const directions: RecurrentDirection[] = [
      { config: forward, weights: weights.slice(0, split) },
      { config: backward, weights: weights.slice(split) },
    ];
    const units = forward.units as number;
    const sequences = forward.returnSequences === true;
    // Masked: both directions read the valid steps alone, the reverse one from the last valid step back (as rnnkit's backward layer).
    const mask = maskForLastOutput(graph, sequences);
    const { y, yH } = recurrentNode(graph, input, RECURRENT_MAPPINGS[className], directions, 'bidirectional', sequences, mask);
    const [batch, time] = input.shape;
    const mode = config.mergeMode;
    const width = mode === 'concat' ? 2 * units : units;
    if (sequences) {
      // Y [time, 2, batch, units] → [batch, time, 2, units]; both directions in input order, as Keras merges them.
      const batchMajor = graph.addNode('Transpose', [y!], { attributes: { perm: { ints: [2, 0, 1, 3] } } })[0]!;
      return { name: merge(graph, batchMajor, 2, 4, mode, units), shape: [batch!, time!, width] };
    }
    // Y_h [2, batch, units] → [batch, 2, units]: the forward direction's last output and the backward one's.
    const batchMajor = graph.addNode('Transpose', [yH!], { attributes: { perm: { ints: [1, 0, 2] } } })[0]!;
    return { name: merge(graph, batchMajor, 1, 3, mode, units), shape: [batch!, width] };
  },
};

/** The converters exportOnnx uses unless given others for the same class names. */
export const builtinConverters: readonly OnnxLayerConverter[] = Object.freeze([...layerConverters, ...sequenceConverters, bidirectional, masking]);
