// Truncated backpropagation through time for `fit` (`tbptt: k`): a batch's sequences run in
// chunks of k steps. Every recurrent layer starts a chunk from the states the previous chunk
// ended in (passed as its `initialState`), gradients stop at the chunk boundary (those states
// are constants, as a stateful layer's carried states are), and each chunk with a loss takes
// one optimizer step. A Sequential refuses `initialState` (it has one per recurrent layer), so
// the chunks run its layers one by one here.
import type { Loss } from '@rnnkit/losses';
import { type Layer, RNN, type RNNCache } from '@rnnkit/layers';
import { type Param, RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';
import type { AnyOptimizer } from './fit-options.js';
import type { Batch, TrainableModel } from './fit.js';
import { checkedStep, lookAhead, lossAndGradient } from './train-step.js';
import { lossOptions } from './weights.js';

const API = 'fit';

/**
 * The layers `tbptt` runs chunk by chunk: a Sequential's (built for `x` first when it was
 * made without an input shape), or the model itself when it is a recurrent layer. Refuses
 * what cannot carry states from chunk to chunk.
 */
export function chunkableLayers(model: TrainableModel, x: Tensor): readonly Layer[] {
  if (x.rank !== 3) throw new RnnkitError(API, `tbptt needs sequences [samples, time, features], got x ${formatShape(x.shape)}`);
  const sequential = model as TrainableModel & { readonly layers?: unknown; readonly built?: unknown; build?(shape: readonly (number | null)[]): void };
  let layers: readonly Layer[];
  if (Array.isArray(sequential.layers)) {
    if (sequential.built === false && typeof sequential.build === 'function') sequential.build([null, ...x.shape.slice(1)]);
    layers = sequential.layers as readonly Layer[];
  } else if (model instanceof RNN) {
    layers = [model];
  } else {
    throw new RnnkitError(API, 'tbptt needs a Sequential model (or a recurrent layer) to carry the states of its recurrent layers from chunk to chunk');
  }
  for (const layer of layers) {
    const described = `layer "${layer.name}" (${layer.className})`;
    if (Array.isArray((layer as { readonly layers?: unknown }).layers)) {
      throw new RnnkitError(API, `tbptt cannot reach the recurrent layers inside the nested model ${described}; flatten it into one Sequential`);
    }
    const recurrent = typeof (layer as { backwardWithStates?: unknown }).backwardWithStates === 'function';
    if (recurrent && !(layer instanceof RNN)) {
      throw new RnnkitError(
        API,
        `tbptt cannot carry the states of ${described} between chunks (a Bidirectional layer's backward direction would need each chunk's future); only SimpleRNN, LSTM, GRU and rnn layers can`,
      );
    }
    if (layer instanceof RNN && layer.goBackwards) {
      throw new RnnkitError(API, `tbptt cannot carry the states of ${described} between chunks: it reads the sequence backwards (goBackwards)`);
    }
  }
  return layers;
}

/** Steps `[from, to)` of a `[batch, time, …]` tensor, as a copy. */
function sliceSteps(t: Tensor, from: number, to: number): Tensor {
  const [batch, time] = t.shape as [number, number];
  const inner = t.size / (batch * time);
  const out = allocate(t.dtype, batch * (to - from) * inner);
  for (let b = 0; b < batch; b++) out.set(t.data.subarray((b * time + from) * inner, (b * time + to) * inner), b * (to - from) * inner);
  return new Tensor(out, [batch, to - from, ...t.shape.slice(2)]);
}

/** The final states of a recurrent layer's pass: slot `time` of each state history. */
function finalStates(layer: RNN, cache: RNNCache): Tensor[] {
  const { batch, time } = cache;
  return layer.cell.states.map((state, s) => {
    const stride = batch * state.size;
    return new Tensor(cache.states[s]!.slice(time * stride, (time + 1) * stride), [batch, state.size]);
  });
}

/**
 * One chunk forward through the layers, each recurrent layer starting from `carried[i]` (its
 * usual initial states when undefined) and leaving its final states there for the next chunk.
 */
function forwardChunk(layers: readonly Layer[], x: Tensor, carried: (Tensor[] | undefined)[]): { y: Tensor; caches: unknown[] } {
  const caches: unknown[] = new Array(layers.length);
  let y = x;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const initialState = carried[i];
    const input = y;
    const result = layer.forward(input, initialState === undefined ? { training: true } : { training: true, initialState });
    if (layer.computeMask?.(input, null) != null) {
      throw new RnnkitError(API, `tbptt cannot be used with masks (layer "${layer.name}" (${layer.className}) makes one); train without tbptt`);
    }
    if (layer instanceof RNN) carried[i] = finalStates(layer, result.cache as RNNCache);
    caches[i] = result.cache;
    y = result.y;
  }
  return { y, caches };
}

/** Backpropagates a chunk's output gradient through its layers, adding the parameters' gradients. */
function backwardChunk(layers: readonly Layer[], dy: Tensor, caches: readonly unknown[]): void {
  let grad = dy;
  for (let i = layers.length - 1; i >= 0; i--) grad = layers[i]!.backward(grad, caches[i]);
}

/**
 * One batch with truncated backpropagation through time; returns the batch's loss: a
 * sequence output's chunk losses averaged by their steps, or a last-step output's loss (of
 * its last chunk, the only one with a loss).
 */
export function trainChunks(
  layers: readonly Layer[],
  params: readonly Param[],
  optimizer: AnyOptimizer,
  loss: Loss,
  batch: Batch,
  chunk: number,
  epoch: number,
  index: number,
): number {
  const time = batch.x.shape[1]!;
  const chunks = Math.ceil(time / chunk);
  const carried: (Tensor[] | undefined)[] = new Array(layers.length);
  // A sequence output has a loss on every chunk, on the chunk's own steps; a last-step output
  // on the last chunk only: the earlier ones only carry the states forward.
  let shape: readonly (number | null)[] = [null, chunk, batch.x.shape[2]!];
  for (const layer of layers) shape = layer.outputShape(shape);
  const sequenceOutput = chunks > 1 && shape.length === 3 && shape[1] === chunk;
  let sum = 0;
  let value = 0;
  for (let c = 0; c < chunks; c++) {
    const from = c * chunk;
    const to = Math.min(time, from + chunk);
    const at = `at epoch ${epoch}, batch ${index}, chunk ${c + 1} of ${chunks}`;
    const x = chunks === 1 ? batch.x : sliceSteps(batch.x, from, to);
    const update = sequenceOutput || c === chunks - 1;
    if (update) lookAhead(optimizer, at);
    const { y: prediction, caches } = forwardChunk(layers, x, carried);
    if (!update) continue;
    let target = batch.y;
    let weight = batch.weight;
    if (sequenceOutput) {
      if (batch.y.rank < 2 || batch.y.shape[1] !== time) {
        throw new RnnkitError(API, `tbptt: the model outputs sequences, so the targets need the input's ${time} steps on axis 1, got y ${formatShape(batch.y.shape)}`);
      }
      target = sliceSteps(batch.y, from, to);
      if (weight !== undefined && weight.rank === 2) weight = sliceSteps(weight, from, to);
    }
    const result = lossAndGradient(loss, prediction, target, lossOptions(null, weight), at);
    backwardChunk(layers, result.grad, caches);
    checkedStep(params, optimizer, result.value, at);
    sum += result.value * (to - from);
    value = result.value;
  }
  return sequenceOutput ? sum / time : value;
}
