// How the importer reads the direction axis of a bidirectional recurrent op: the merges that
// join its two directions as Keras' Bidirectional mergeMode does (concat: the direction axis
// reshaped into the features, or the two directions picked apart and concatenated again;
// sum/ave/mul: a reduction over the direction axis).
import type { MergeMode } from '@rnnkit/layers';
import { type DataValue, type GraphValue, type NodeView, UnsupportedNode, axisIndex, derived } from './import-graph.js';
import type { OpHandler, WalkContext } from './import-ops.js';
import type { ConstTensor } from './tensor-data.js';

/** How a graph may merge the two directions (said in errors). */
export const MERGE_HINT = 'reshape the direction axis into the features (concat), or ReduceSum/ReduceMean/ReduceProd over it (sum/ave/mul)';

/** Gather on a bidirectional op's direction axis: one direction, to be concatenated with the other. */
export function pickDirection(input: DataValue, axis: number, indices: ConstTensor, context: WalkContext): DataValue {
  const index = indices.ints?.length === 1 ? indices.ints[0]! : undefined;
  if (index === undefined || index < -2 || index > 1) {
    throw new UnsupportedNode(`gathering index ${String(indices.ints ?? '?')} of a bidirectional op's direction axis (size 2) is not supported`);
  }
  const roles = [...input.axes];
  // A scalar index removes the axis, a one-element list keeps it with size 1.
  if (indices.dims.length === 0) roles.splice(axis, 1);
  else roles[axis] = 'direction';
  return { ...derived(context, input, roles), halfOf: { direction: index === 0 || index === -2 ? 0 : 1, whole: input } };
}

/**
 * Concat of the forward and the reverse direction along the features: Keras' concat. Or
 * PyTorch's h_n of stacked layers: every layer's final states (Y_h) on the direction axis,
 * of which only the last layer's may be used (see DataValue.earlierStates).
 */
export function concatDirections(node: NodeView, context: WalkContext): readonly GraphValue[] {
  if (node.inputs.every((v) => v?.kind === 'data' && v.lastStateOf !== undefined)) return stackStates(node, context);
  const usage = "Concat of the model's data is supported only to join the two directions of a bidirectional op picked apart (forward, then reverse) along the features";
  if (node.inputs.length !== 2) throw new UnsupportedNode(`${usage}; it has ${node.inputs.length} inputs`);
  const forward = node.data(0);
  const reverse = node.data(1);
  if (forward.halfOf?.direction !== 0 || reverse.halfOf?.direction !== 1 || forward.halfOf.whole !== reverse.halfOf.whole || forward.axes.join() !== reverse.axes.join()) {
    throw new UnsupportedNode(usage);
  }
  const axis = axisIndex(node.int('axis', 0), forward.axes.length);
  if (forward.axes[axis] !== 'feature') throw new UnsupportedNode(`${usage}, not along the ${forward.axes[axis]!} axis`);
  context.mergeDirections('concat');
  return [derived(context, forward, forward.axes, 2 * forward.features)];
}

function stackStates(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const states = node.inputs.map((_, i) => node.data(i));
  const last = states[states.length - 1]!;
  const layers = states.map((s) => s.lastStateOf!);
  const inOrder = layers.every((layer, k) => layer === context.layers.length - layers.length + k);
  const axis = axisIndex(node.int('axis', 0), last.axes.length);
  if (states.length < 2 || !inOrder || axis !== 0 || states.some((s) => s.axes.join() !== last.axes.join())) {
    throw new UnsupportedNode("Concat of final states (Y_h) is supported only as PyTorch's h_n: those of the stacked layers up to the last, in order, on the direction axis");
  }
  const entries = (state: DataValue): number => (state.axes[0] === 'directions' ? 2 : 1);
  return [{ ...last, earlierStates: states.slice(0, -1).reduce((n, s) => n + entries(s), 0) }];
}

/**
 * Reshape that joins a direction axis with the features right after it, every other axis
 * copied (0): [..., 2, units] → [..., 2·units] is Keras' concat (forward first); a size-1
 * direction axis just goes.
 */
export function reshapeDirections(node: NodeView, context: WalkContext): readonly GraphValue[] {
  const input = node.data(0);
  const shape = node.intConstant(1, 'shape');
  const rank = input.axes.length;
  const joined = input.axes[rank - 2];
  const count = joined === 'directions' ? 2 : 1;
  const last = shape[shape.length - 1];
  const fits =
    input.axes[rank - 1] === 'feature' &&
    (joined === 'directions' || joined === 'direction') &&
    node.int('allowzero', 0) === 0 &&
    shape.length === rank - 1 &&
    shape.slice(0, -1).every((d) => d === 0) &&
    (last === -1 || last === count * input.features);
  if (!fits) {
    throw new UnsupportedNode(
      `Reshape of the model's data is supported only to join a recurrent op's direction axis with the features after it, copying the other axes (shape [${shape.join(', ')}] on axes [${input.axes.join(', ')}])`,
    );
  }
  if (count === 2) context.mergeDirections('concat');
  return [derived(context, input, [...input.axes.slice(0, -2), 'feature'], count * input.features)];
}

/** ReduceSum/ReduceMean/ReduceProd over a bidirectional op's direction axis: Keras' sum, ave, mul. */
export function reduceDirections(mode: Exclude<MergeMode, 'concat'>): OpHandler {
  return (node, context) => {
    const input = node.data(0);
    // ReduceSum takes its axes as an input since opset 13, ReduceMean/ReduceProd since opset 18.
    const axes = node.inputs[1] ? node.intConstant(1, 'axes') : node.ints('axes');
    const axis = axes?.length === 1 ? axisIndex(axes[0]!, input.axes.length) : undefined;
    if (axis === undefined || input.axes[axis] !== 'directions') {
      throw new UnsupportedNode(`${node.opType} of the model's data is supported only over the direction axis of a bidirectional op (axes [${axes?.join(', ') ?? ''}] on axes [${input.axes.join(', ')}])`);
    }
    context.mergeDirections(mode);
    const roles = [...input.axes];
    if (node.int('keepdims', 1) === 1) roles[axis] = 'direction';
    else roles.splice(axis, 1);
    return [derived(context, input, roles)];
  };
}
