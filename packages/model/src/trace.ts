// The learner's lens on backpropagation through time: one forward and backward pass of a model
// on a batch, with every recurrent layer's quantities kept per time step — the states the cell
// carried (h, c), what it kept (the gate activations), the gradient of the loss with respect to
// each state at each step (∂L/∂h_t, ∂L/∂c_t), the cell's own per-step gradients (∂L/∂z per gate)
// and each step's share of each parameter's gradient.
//
// The backward pass here is the layer's own cell run one step at a time: the cell's `backStep`
// and `afterBackward` over a window of one step, so each step's parameter gradient can be read
// off on its own. The numbers are exactly the cell's; summed over the steps they are the
// gradients `backward` computes (a test checks it, and the gradient check against central
// differences).
//
// A masked step (Keras' masking: a Masking layer, Embedding with maskZero, or a `mask` given)
// is traced as the layer computes it: the sequence's states carry over, its state gradients
// pass straight through to the step before, and the cell's step sees zero gradients for that
// sequence, so it adds nothing to ∂L/∂x or to the step's parameter contributions.
import type { Layer, RecurrentCell, RNNCache, Sequential } from '@rnnkit/layers';
import { RNN } from '@rnnkit/layers';
import type { Loss } from '@rnnkit/losses';
import { RnnkitError, Tensor, type TypedArray, allocate, checkOptionKeys, describeValue } from '@rnnkit/tensor';
import { resolveLoss } from './fit.js';
import { lossOptions, outputMask } from './weights.js';

const API = 'traceSequence';

/** Options of {@link traceSequence}. */
export interface TraceOptions {
  /** The loss whose gradients are traced: a Loss or a loss name (`'mse'`, …). */
  readonly loss: Loss | string;
  /**
   * The mask of the input, `[batch, time]` (1 for a step that counts, 0 for padding), as
   * `forward`'s `mask`; a Masking layer or an Embedding with maskZero makes one itself.
   * @defaultValue none
   */
  readonly mask?: Tensor;
}

/** One recurrent layer's pass, step by step. Step t is the t-th step the layer processed (reversed with goBackwards). */
export interface RecurrentTrace {
  /** Index of the layer in the model, and its name. */
  readonly index: number;
  readonly name: string;
  /** The cell's kind, e.g. `'lstm'`. */
  readonly kind: string;
  readonly batch: number;
  readonly time: number;
  readonly goBackwards: boolean;
  /**
   * `masked[b][t]`: the mask skipped step t of sequence b (all false without a mask). There
   * that sequence's states carry over (slot t + 1 equals slot t), its state gradients pass
   * through unchanged, and its entries of `gradients` and its share of `stepContributions`
   * are zero; what `kept` holds there was not used.
   */
  readonly masked: readonly (readonly boolean[])[];
  /** Each state (`h`, and `c` for LSTM), `[batch, time + 1, size]`: slot 0 the initial state, slot t + 1 after step t. */
  readonly states: Readonly<Record<string, Tensor>>;
  /**
   * What the cell kept per step, `[batch, time, size]` (LSTM: `gates` = [i | f | g | o]
   * activated, `cellActivation` = tanh(c_t)); a vector made of named blocks is also given
   * block by block (`gates.i`, `gates.f`, …).
   */
  readonly kept: Readonly<Record<string, Tensor>>;
  /**
   * ∂L/∂state, `[batch, time + 1, size]`: slot t + 1 is the gradient with respect to the state
   * after step t along every path that leaves step t — the layer's output at t and step t + 1
   * — and slot 0 the initial state's (whole). For h (state 0) that is the whole ∂L/∂h_t. For
   * another state it leaves out the paths inside step t: the LSTM's `c` at slot t + 1 is
   * ∂L/∂c_{t+1} ⊙ f_{t+1} only, without the path through h_t = o_t ⊙ tanh(c_t), which adds
   * ∂L/∂h_t ⊙ o_t ⊙ (1 − tanh² c_t) (so `c` is 0 at the last slot). At a masked step the
   * state is the one carried over, and its gradient the one passed through.
   */
  readonly stateGradients: Readonly<Record<string, Tensor>>;
  /** The cell's per-step gradients, `[batch, time, size]` (LSTM: `dz` = ∂L/∂z per gate pre-activation, and `dz.i`, …). */
  readonly gradients: Readonly<Record<string, Tensor>>;
  /** ‖∂L/∂state‖ per slot (time + 1 values), the mean over the batch of each sequence's L2 norm. */
  readonly gradientNorms: Readonly<Record<string, readonly number[]>>;
  /** Each step's share of each cell parameter's gradient, `[time, …shape]`; their sum over steps is the gradient. */
  readonly stepContributions: Readonly<Record<string, Tensor>>;
}

/** What {@link traceSequence} returns. */
export interface SequenceTrace {
  /** The loss of the batch. */
  readonly loss: number;
  /** The model's prediction. */
  readonly prediction: Tensor;
  /** One entry per recurrent layer built on a cell (RNN, SimpleRNN, LSTM, GRU), in model order. */
  readonly layers: readonly RecurrentTrace[];
}

/**
 * Runs `model` forward on `x` and backward from `loss(prediction, y)`, and returns every
 * recurrent layer's quantities per time step (see {@link RecurrentTrace}). The model is left
 * as it was: its weights are not changed and its parameters' gradients are restored.
 * Masked steps are traced as the layer runs them (see {@link RecurrentTrace.masked}) and the
 * loss skips masked output steps, as `fit` does. Layers wrapped in Bidirectional are not
 * traced (they are run as usual and left out of `layers`). Recurrent dropout is traced with
 * the masks of the pass.
 */
export function traceSequence(model: Sequential, x: Tensor, y: Tensor, options: TraceOptions): SequenceTrace {
  if (model === null || typeof model !== 'object' || !Array.isArray((model as Partial<Sequential>).layers)) {
    throw new RnnkitError(API, `expected a Sequential model, got ${describeValue(model)}`);
  }
  checkOptionKeys(API, options, ['loss', 'mask']);
  if (!(x instanceof Tensor) || !(y instanceof Tensor)) throw new RnnkitError(API, `expected x and y to be Tensors, got ${describeValue(x)} and ${describeValue(y)}`);
  const loss = resolveLoss(API, options?.loss);
  const mask = options.mask;
  if (mask !== undefined && !(mask instanceof Tensor)) throw new RnnkitError(API, `mask must be a Tensor [batch, time], got ${describeValue(mask)}`);
  const params = model.params();
  const saved = params.map((p) => Float64Array.from(p.grad.data));
  try {
    const { y: prediction, cache } = model.forward(x, mask === undefined ? { training: true } : { training: true, mask });
    const lossCall = lossOptions(outputMask(cache), undefined);
    const result = lossCall === undefined ? loss.compute(prediction, y) : loss.compute(prediction, y, lossCall);
    const traces: RecurrentTrace[] = [];
    let grad = result.grad;
    for (let i = model.layers.length - 1; i >= 0; i--) {
      const layer = model.layers[i]!;
      const layerCache = cache.caches[i];
      if (layer instanceof RNN) {
        const traced = traceRecurrent(layer, i, grad, layerCache as RNNCache);
        traces.unshift(traced.trace);
        grad = traced.dx;
      } else {
        grad = (layer as Layer<unknown>).backward(grad, layerCache);
      }
    }
    return { loss: result.value, prediction, layers: traces };
  } finally {
    params.forEach((p, k) => p.grad.data.set(saved[k]!));
  }
}

/** Rows `[from, to)` of a time-major `[slots, batch, size]` buffer. */
function slots(buffer: TypedArray, from: number, to: number, rowsPerSlot: number): TypedArray {
  return buffer.subarray(from * rowsPerSlot, to * rowsPerSlot);
}

/** A time-major `[slots, batch, size]` buffer as a batch-major `[batch, slots, size]` tensor. */
function batchMajor(buffer: TypedArray, count: number, batch: number, size: number): Tensor {
  const out = allocate(buffer instanceof Float32Array ? 'float32' : 'float64', count * batch * size);
  for (let s = 0; s < count; s++) {
    for (let b = 0; b < batch; b++) out.set(buffer.subarray((s * batch + b) * size, (s * batch + b + 1) * size), (b * count + s) * size);
  }
  return new Tensor(out, [batch, count, size]);
}

/** A tensor and, when the vector is made of named blocks, each block (`name.part`). */
function withParts(into: Record<string, Tensor>, name: string, tensor: Tensor, parts: readonly string[] | undefined): void {
  into[name] = tensor;
  if (parts === undefined || parts.length === 0) return;
  const [batch, count, size] = tensor.shape as [number, number, number];
  const width = size / parts.length;
  parts.forEach((part, p) => {
    const out = allocate(tensor.dtype, batch * count * width);
    for (let row = 0; row < batch * count; row++) out.set(tensor.data.subarray(row * size + p * width, row * size + (p + 1) * width), row * width);
    into[`${name}.${part}`] = new Tensor(out, [batch, count, width]);
  });
}

function traceRecurrent(layer: RNN, index: number, dy: Tensor, cache: RNNCache): { trace: RecurrentTrace; dx: Tensor } {
  const cell: RecurrentCell = layer.cell;
  const { batch, time, features, states, kept } = cache;
  const dtype = layer.dtype;
  const units = layer.units;
  if (!cache.complete) throw new RnnkitError(API, `layer "${layer.name}" ran an inference pass; the trace needs a training pass`);
  const dStates = cell.states.map((s) => allocate(dtype, batch * s.size));
  const stateGrads = cell.states.map((s) => allocate(dtype, (time + 1) * batch * s.size));
  const gradients = (cell.gradients ?? []).map((g) => allocate(dtype, time * batch * g.size));
  const dxTime = allocate(dtype, time * batch * features);
  const cellParams = cell.params();
  const contributions = cellParams.map((p) => allocate(dtype, time * p.value.size));
  const valid = cache.valid;
  const isMasked = (t: number, b: number): boolean => valid !== null && valid[t * batch + b] === 0;
  // Each sequence's first step the mask keeps (time when none): its outputs before that step
  // are zeros, not its states, so their gradients reach no state (as the layer drops them).
  const first = Array.from({ length: batch }, (_, b) => {
    let t = 0;
    while (t < time && isMasked(t, b)) t++;
    return t;
  });
  // The output gradient: every step's (returnSequences, already in processing order) or the
  // last one's, which is the state after the sequence's last kept step, carried to the end.
  if (!layer.returnSequences) {
    for (let b = 0; b < batch; b++) if (first[b]! < time) dStates[0]!.set(dy.data.subarray(b * units, (b + 1) * units), b * units);
  }

  // A training pass with dropout: its masks on the cell while stepping back, as the layer's own backward does.
  if (cache.dropoutMasks !== null) cell.dropoutMasks = cache.dropoutMasks;
  try {
    for (let t = time - 1; t >= 0; t--) {
      if (layer.returnSequences) {
        const dh = dStates[0]!;
        for (let b = 0; b < batch; b++) {
          if (t >= first[b]!) for (let k = 0; k < units; k++) dh[b * units + k]! += dy.data[(b * time + t) * units + k]!;
        }
      }
      cell.states.forEach((s, i) => stateGrads[i]!.set(dStates[i]!, (t + 1) * batch * s.size));
      for (const p of cellParams) p.grad.data.fill(0);
      // Step t alone: the same buffers, seen through a window of one step.
      const frame = {
        batch,
        time: 1,
        features,
        t: 0,
        x: slots(cache.x, t, t + 1, batch * features),
        states: states.map((h, i) => slots(h, t, t + 2, batch * cell.states[i]!.size)),
        kept: kept.map((k, i) => slots(k, t, t + 1, batch * cell.kept[i]!.size)),
        dStates,
        dx: slots(dxTime, t, t + 1, batch * features),
        gradients: gradients.map((g, i) => slots(g, t, t + 1, batch * cell.gradients![i]!.size)),
      };
      // A sequence masked at step t: its state gradients set aside and zeroed, so the cell's
      // step adds nothing for it, then put back, passing through to step t − 1 unchanged.
      const skipped = valid === null ? [] : Array.from({ length: batch }, (_, b) => b).filter((b) => isMasked(t, b));
      const stash = skipped.map((b) =>
        cell.states.map((s, i) => {
          const row = dStates[i]!.slice(b * s.size, (b + 1) * s.size);
          dStates[i]!.fill(0, b * s.size, (b + 1) * s.size);
          return row;
        }),
      );
      cell.backStep(frame);
      cell.afterBackward?.(frame);
      skipped.forEach((b, r) => cell.states.forEach((s, i) => dStates[i]!.set(stash[r]![i]!, b * s.size)));
      cellParams.forEach((p, k) => contributions[k]!.set(p.grad.data, t * p.value.size));
    }
  } finally {
    if (cache.dropoutMasks !== null) cell.dropoutMasks = null;
  }
  cell.states.forEach((_, i) => stateGrads[i]!.set(dStates[i]!, 0));

  // ∂L/∂x back in the input's own order (step t of processing is input step T − 1 − t with goBackwards).
  const dx = allocate(dtype, batch * time * features);
  for (let t = 0; t < time; t++) {
    const step = layer.goBackwards ? time - 1 - t : t;
    for (let b = 0; b < batch; b++) dx.set(dxTime.subarray((t * batch + b) * features, (t * batch + b + 1) * features), (b * time + step) * features);
  }

  const stateTensors: Record<string, Tensor> = {};
  const stateGradTensors: Record<string, Tensor> = {};
  const gradientNorms: Record<string, number[]> = {};
  cell.states.forEach((s, i) => {
    stateTensors[s.name] = batchMajor(states[i]!, time + 1, batch, s.size);
    const g = batchMajor(stateGrads[i]!, time + 1, batch, s.size);
    stateGradTensors[s.name] = g;
    gradientNorms[s.name] = Array.from({ length: time + 1 }, (_, slot) => {
      let sum = 0;
      for (let b = 0; b < batch; b++) {
        let squares = 0;
        for (let k = 0; k < s.size; k++) squares += g.data[(b * (time + 1) + slot) * s.size + k]! ** 2;
        sum += Math.sqrt(squares);
      }
      return sum / batch;
    });
  });
  const keptTensors: Record<string, Tensor> = {};
  cell.kept.forEach((k, i) => k.size > 0 && withParts(keptTensors, k.name, batchMajor(kept[i]!, time, batch, k.size), k.parts));
  const gradientTensors: Record<string, Tensor> = {};
  (cell.gradients ?? []).forEach((g, i) => g.size > 0 && withParts(gradientTensors, g.name, batchMajor(gradients[i]!, time, batch, g.size), g.parts));
  const stepContributions: Record<string, Tensor> = {};
  cellParams.forEach((p, k) => (stepContributions[p.name] = new Tensor(contributions[k]!, [time, ...p.value.shape])));

  const trace: RecurrentTrace = {
    index,
    name: layer.name,
    kind: cell.kind,
    batch,
    time,
    goBackwards: layer.goBackwards,
    masked: Array.from({ length: batch }, (_, b) => Array.from({ length: time }, (_, t) => isMasked(t, b))),
    states: stateTensors,
    kept: keptTensors,
    stateGradients: stateGradTensors,
    gradients: gradientTensors,
    gradientNorms,
    stepContributions,
  };
  return { trace, dx: new Tensor(dx, [batch, time, features]) };
}
