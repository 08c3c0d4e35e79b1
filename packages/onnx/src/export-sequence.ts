// The converters of exportOnnx for the sequence layers: Embedding (Cast + Gather), the global
// poolings (ReduceMean / ReduceMax over time), RepeatVector (Unsqueeze + Tile), Flatten, and
// TimeDistributed over a layer that acts on the last axis alone (its converter applied to the
// [batch, time, …] value directly). Embedding's maskZero makes a mask (see export-masks.ts).
import type { OnnxLayerConverter } from './export-graph.js';
import { layerConverters } from './export-layers.js';
import { clearMask, maskNonZeroIds } from './export-masks.js';

/** ONNX's element type number of int64 (TensorProto.DataType.INT64). */
const INT64 = 7;

const embedding: OnnxLayerConverter = {
  className: 'Embedding',
  convert(layer, input, graph) {
    const config = layer.getConfig();
    const [table] = layer.getWeights();
    const [vocabulary, dimension] = table!.shape as [number, number];
    const weights = graph.addInitializer('embeddings', [vocabulary, dimension], table!.data);
    // The ids come in as floats (as rnnkit and TF.js take them): Gather needs integers.
    const ids = graph.addNode('Cast', [input.name], { attributes: { to: { int: INT64 } } })[0]!;
    const out = graph.addNode('Gather', [weights, ids], { attributes: { axis: { int: 0 } } })[0]!;
    if (config.maskZero === true) maskNonZeroIds(graph, input.name);
    else clearMask(graph);
    return { name: out, shape: [...input.shape, dimension] };
  },
};

function pooling(className: string, opType: 'ReduceMean' | 'ReduceMax'): OnnxLayerConverter {
  return {
    className,
    convert(_layer, input, graph) {
      if (input.shape.length !== 3) graph.unsupported(`expected input [batch, time, features], got rank ${input.shape.length}`);
      const out = graph.addNode(opType, [input.name], { attributes: { axes: { ints: [1] }, keepdims: { int: 0 } } })[0]!;
      return { name: out, shape: [input.shape[0]!, input.shape[2]!] };
    },
  };
}

const repeatVector: OnnxLayerConverter = {
  className: 'RepeatVector',
  convert(layer, input, graph) {
    const n = layer.getConfig().n as number;
    const column = graph.addNode('Unsqueeze', [input.name, graph.addInt64('axes', [1])])[0]!;
    const out = graph.addNode('Tile', [column, graph.addInt64('repeats', [1, n, 1])])[0]!;
    return { name: out, shape: [input.shape[0]!, n, input.shape[1]!] };
  },
};

const flatten: OnnxLayerConverter = {
  className: 'Flatten',
  convert(_layer, input, graph) {
    const rest = input.shape.slice(1);
    if (rest.some((d) => d === null)) graph.unsupported('every axis after the batch needs a known length');
    const out = graph.addNode('Flatten', [input.name], { attributes: { axis: { int: 1 } } })[0]!;
    return { name: out, shape: [input.shape[0]!, (rest as number[]).reduce((a, b) => a * b, 1)] };
  },
};

/** Layers whose converters act on the last axis alone, so they apply to [batch, time, …] as they are. */
const PER_STEP = new Map(layerConverters.filter((c) => ['Dense', 'Activation', 'Dropout'].includes(c.className)).map((c) => [c.className, c]));

const timeDistributed: OnnxLayerConverter = {
  className: 'TimeDistributed',
  convert(layer, input, graph) {
    const inner = (layer as unknown as { layer?: { className?: unknown } }).layer;
    const converter = typeof inner?.className === 'string' ? PER_STEP.get(inner.className) : undefined;
    if (!converter) graph.unsupported(`TimeDistributed is exported over ${[...PER_STEP.keys()].join(', ')}, got ${String(inner?.className)}`);
    return converter!.convert(inner as never, input, graph);
  },
};

/** The sequence-layer converters. */
export const sequenceConverters: readonly OnnxLayerConverter[] = Object.freeze([
  embedding,
  pooling('GlobalAveragePooling1D', 'ReduceMean'),
  pooling('GlobalMaxPooling1D', 'ReduceMax'),
  repeatVector,
  flatten,
  timeDistributed,
]);
