// Streaming inference: a model fed one time step at a time (a sensor, a live series), each
// step's output computed from the states the previous steps left, with nothing allocated per
// step. Built on the optional `stepper` hook of the Layer contract (@rnnkit/layers).
import type { LayerStepper, SymbolicShape } from '@rnnkit/layers';
import { type DType, RnnkitError, Tensor, allocate, checkOptionKeys, formatShape } from '@rnnkit/tensor';

const API = 'createStream';

/** What {@link createStream} needs of a model: a `Sequential` of @rnnkit/layers fits. */
export interface StreamableModel {
  readonly name: string;
  readonly dtype: DType;
  /** The built input shape, batch first (`[null, time, features]`): it gives the features per step. */
  readonly inputShape?: SymbolicShape | null;
  stepper?(batch: number, features: number): LayerStepper;
}

/** Options of {@link createStream}. */
export interface StreamOptions {
  /** Sequences streamed side by side (the rows of each step). @defaultValue 1 */
  readonly batch?: number;
}

/** A model run one time step at a time; see {@link createStream}. */
export interface Stream {
  /** Sequences per step. */
  readonly batch: number;
  /** Input features per step. */
  readonly features: number;
  /** Output values per sequence and step. */
  readonly outputSize: number;
  /**
   * Feeds time step t: `x` is `[features]` (a batch of one) or `[batch, features]`. Returns
   * y_t — `[outputSize]` or `[batch, outputSize]` like `x` — in `out` when given (then
   * nothing is allocated), else in a new tensor.
   */
  step(x: Tensor, out?: Tensor): Tensor;
  /** Starts new sequences: every recurrent layer back to its initial states. */
  reset(): void;
}

/**
 * Runs a built model step by step. After steps 0 … t of a sequence, `step` has returned
 * `predict(model, x[:, 0..t])` for a model ending in the last step, or `predict(model, x)[:, t]`
 * for a model returning sequences: any chunking of a sequence fed step by step gives one
 * pass's numbers. Every layer must implement `stepper` (Dense, Activation, Dropout — the
 * identity, as at inference — and the recurrent layers do). The stream keeps its own states:
 * a stateful layer's carried states are neither used nor changed.
 *
 * @example
 * const stream = createStream(model); // model: [null, null, 3] → [null, 1]
 * const x = new Tensor(new Float32Array(3), [3]);
 * const y = new Tensor(new Float32Array(1), [1]);
 * for (const reading of readings) {
 *   x.data.set(reading);
 *   stream.step(x, y); // y.data[0]: the prediction after this reading
 * }
 */
export function createStream(model: StreamableModel, options: StreamOptions = {}): Stream {
  if (model === null || typeof model !== 'object') throw new RnnkitError(API, `expected a model, got ${String(model)}`);
  checkOptionKeys(API, options, ['batch']);
  const batch = options.batch ?? 1;
  if (!Number.isSafeInteger(batch) || batch < 1) throw new RnnkitError(API, `batch must be a positive integer, got ${String(batch)}`);
  const shape = model.inputShape;
  const features = Array.isArray(shape) ? shape[shape.length - 1] : undefined;
  if (typeof features !== 'number') {
    throw new RnnkitError(API, `model "${model.name}" must be built with known input features (inputShape e.g. [null, 3]), got ${shape ? formatShape(shape as number[]) : String(shape)}`);
  }
  if (typeof model.stepper !== 'function') {
    throw new RnnkitError(API, `model "${model.name}" has no stepper(batch, features) method (a Sequential of @rnnkit/layers has one)`);
  }
  let stepper: LayerStepper;
  try {
    stepper = model.stepper(batch, features);
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'RnnkitError') throw error;
    throw new RnnkitError(API, error.message, { cause: error });
  }
  const dtype = model.dtype;
  const outputSize = stepper.outputSize;
  const check = (t: Tensor, what: string, size: number, rank1: boolean): void => {
    const ok =
      t instanceof Tensor &&
      t.dtype === dtype &&
      (rank1 ? t.rank === 1 && batch === 1 && t.shape[0] === size : t.rank === 2 && t.shape[0] === batch && t.shape[1] === size);
    if (ok) return;
    const expected = batch === 1 ? `[${size}] or [1, ${size}]` : `[${batch}, ${size}]`;
    const got = t instanceof Tensor ? `${t.dtype} ${formatShape(t.shape)}` : String(t);
    throw new RnnkitError('stream.step', `${what} must be a ${dtype} tensor ${expected}${what === 'out' ? ' like x' : ''}, got ${got}`);
  };
  return {
    batch,
    features,
    outputSize,
    step(x: Tensor, out?: Tensor): Tensor {
      const rank1 = x instanceof Tensor && x.rank === 1;
      check(x, 'x', features, rank1);
      const y = out ?? new Tensor(allocate(dtype, batch * outputSize), rank1 ? [outputSize] : [batch, outputSize]);
      if (out !== undefined) check(out, 'out', outputSize, rank1);
      stepper.step(x.data, 0, y.data, 0);
      return y;
    },
    reset(): void {
      stepper.reset();
    },
  };
}
