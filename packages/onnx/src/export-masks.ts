// Masks in exportOnnx. rnnkit (as Keras and TF.js) lets a Masking layer or an Embedding with
// maskZero mark padding steps; a recurrent layer then skips them: a masked step leaves the
// states as they were, so the final state is the cell run over the valid steps alone, in
// order (reversed for goBackwards and the backward direction of Bidirectional).
//
// ONNX's recurrent ops take `sequence_lens`: "the first n steps of this sequence count" (the
// reverse direction reads steps n−1 … 0). The exported graph moves each sequence's valid steps
// to its front, in their order (a stable sort on "masked, then step index"), and passes their
// count as sequence_lens. The op then reads exactly the steps rnnkit reads, wherever the
// padding was (at the end, the start or between steps), so the final state Y_h is rnnkit's
// last output. A sequence without a valid step gives zeros, as in rnnkit.
//
// Only the last output can be read this way: with returnSequences, rnnkit repeats the last
// valid output at a masked step (zeros before the first), where ONNX's Y holds the compacted
// steps followed by zeros. Such layers, and any other layer a mask would reach (poolings,
// RepeatVector, Flatten, your own converters), are refused.
import type { Layer } from '@rnnkit/layers';
import type { OnnxGraphBuilder, OnnxLayerConverter, OnnxValue } from './export-graph.js';

/** ONNX's element type numbers (TensorProto.DataType). */
const FLOAT = 1;
const INT32 = 6;
const BOOL = 9;

/** The mask reaching the layer being converted: per graph, the name of `[batch, time]` float flags (1: the step counts). */
const masks = new WeakMap<OnnxGraphBuilder, string>();

/** Layers that pass a mask on unchanged (their computeMask returns the mask given). */
const PASS_MASK = new Set(['Dense', 'Activation', 'Dropout', 'TimeDistributed']);
/** Layers that use a mask up: the built-in converters read it with {@link takeMask}. */
const USE_MASK = new Set(['SimpleRNN', 'LSTM', 'GRU', 'Bidirectional']);
/** Layers that make a mask of their own, whatever came in. */
const MAKE_MASK = new Set(['Masking', 'Embedding']);

/**
 * Runs `converter` on `layer` with the mask bookkeeping around it: a layer that can take no
 * mask is refused when one reaches it, and a recurrent layer whose converter did not use the
 * mask (one you passed) is refused rather than exported without it.
 */
export function convertWithMask(converter: OnnxLayerConverter, layer: Layer, input: OnnxValue, graph: OnnxGraphBuilder): OnnxValue {
  const className = layer.className;
  const incoming = masks.get(graph);
  if (incoming !== undefined && !PASS_MASK.has(className) && !USE_MASK.has(className) && !MAKE_MASK.has(className)) {
    graph.unsupported(`a mask (from Masking or Embedding maskZero) reaches it, and masks are exported only into SimpleRNN, LSTM, GRU and Bidirectional layers (through ${[...PASS_MASK].join(', ')})`);
  }
  const output = converter.convert(layer, input, graph);
  if (incoming !== undefined && USE_MASK.has(className) && masks.get(graph) === incoming) {
    graph.unsupported('a mask reaches it and its converter did not use it');
  }
  // A converter given for Masking or Embedding that makes no mask leaves the one before in place.
  return output;
}

/** The mask reaching the current layer (its flags' name), now used up; undefined when none. */
export function takeMask(graph: OnnxGraphBuilder): string | undefined {
  const mask = masks.get(graph);
  masks.delete(graph);
  return mask;
}

/** Sets the mask of the current layer's output: `flags` ([batch, time] float, 1 where a step counts) ANDed with any mask that came in. */
function makeMask(graph: OnnxGraphBuilder, flags: string, combine: boolean): void {
  const before = masks.get(graph);
  masks.set(graph, combine && before !== undefined ? graph.addNode('Mul', [before, flags])[0]! : flags);
}

/** Embedding({ maskZero: true }): the mask is 1 where the id is not 0 (a mask that came in is not used, as in Keras). */
export function maskNonZeroIds(graph: OnnxGraphBuilder, ids: string): void {
  const zero = graph.addInitializer('padding_id', [], [0]);
  const padding = graph.addNode('Equal', [ids, zero])[0]!;
  makeMask(graph, graph.addNode('Cast', [graph.addNode('Not', [padding])[0]!], { attributes: { to: { int: FLOAT } } })[0]!, false);
}

/** The mask of a layer without one: an Embedding without maskZero ends the mask that came in. */
export function clearMask(graph: OnnxGraphBuilder): void {
  masks.delete(graph);
}

export const masking: OnnxLayerConverter = {
  className: 'Masking',
  convert(layer, input, graph) {
    if (input.shape.length !== 3) graph.unsupported(`expected input [batch, time, features], got rank ${input.shape.length}`);
    const maskValue = layer.getConfig().maskValue as number;
    // A step counts when any feature differs from maskValue (NaN differs from every value, as in rnnkit).
    const equal = graph.addNode('Equal', [input.name, graph.addInitializer('mask_value', [], [maskValue])])[0]!;
    const differs = graph.addNode('Cast', [graph.addNode('Not', [equal])[0]!], { attributes: { to: { int: FLOAT } } })[0]!;
    const flags = graph.addNode('ReduceMax', [differs], { attributes: { axes: { ints: [2] }, keepdims: { int: 1 } } })[0]!;
    // The output is the input with masked steps set to zeros.
    const keep = graph.addNode('Cast', [flags], { attributes: { to: { int: BOOL } } })[0]!;
    const out = graph.addNode('Where', [keep, input.name, graph.addInitializer('zero', [], [0])])[0]!;
    makeMask(graph, graph.addNode('Squeeze', [flags, graph.addInt64('feature_axis', [2])])[0]!, true);
    return { name: out, shape: input.shape };
  },
};

/**
 * The input of a masked recurrent op: each sequence's valid steps moved to its front in
 * order (`x` is `[batch, time, features]`, `flags` `[batch, time]`), their count as int32
 * sequence_lens, and `[batch, 1]` float flags that are 1 for a sequence with a valid step.
 */
export function compactValidSteps(graph: OnnxGraphBuilder, x: string, flags: string): { steps: string; lengths: string; nonEmpty: string } {
  const shape = graph.addNode('Shape', [x])[0]!;
  const time = graph.addNode('Gather', [shape, graph.addInt64('time_index', [1], [])], { attributes: { axis: { int: 0 } } })[0]!;
  const timeAsFloat = graph.addNode('Cast', [time], { attributes: { to: { int: FLOAT } } })[0]!;
  const index = graph.addNode('Range', [graph.addInitializer('range_start', [], [0]), timeAsFloat, graph.addInitializer('range_step', [], [1])])[0]!;
  // Sort key (1 − flag)·time + t: valid steps first, each group in step order (keys are distinct, exact in float32 below 2²⁴ steps).
  const masked = graph.addNode('Sub', [graph.addInitializer('one', [], [1]), flags])[0]!;
  const key = graph.addNode('Add', [graph.addNode('Mul', [masked, timeAsFloat])[0]!, index])[0]!;
  const k = graph.addNode('Slice', [shape, graph.addInt64('time_start', [1]), graph.addInt64('time_end', [2])])[0]!;
  const order = graph.addNode('TopK', [key, k], { attributes: { axis: { int: 1 }, largest: { int: 0 }, sorted: { int: 1 } }, outputs: [true, true] })[1]!;
  const perFeature = graph.addNode('Expand', [graph.addNode('Unsqueeze', [order, graph.addInt64('feature_axis', [2])])[0]!, shape])[0]!;
  const steps = graph.addNode('GatherElements', [x, perFeature], { attributes: { axis: { int: 1 } } })[0]!;
  const count = graph.addNode('ReduceSum', [flags, graph.addInt64('time_axis', [1])], { attributes: { keepdims: { int: 0 } } })[0]!;
  const lengths = graph.addNode('Cast', [count], { attributes: { to: { int: INT32 } } })[0]!;
  const nonEmpty = graph.addNode('Min', [graph.addNode('Unsqueeze', [count, graph.addInt64('units_axis', [1])])[0]!, graph.addInitializer('one', [], [1])])[0]!;
  return { steps, lengths, nonEmpty };
}
