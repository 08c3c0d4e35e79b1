import { RnnkitError, Tensor, allocate, formatShape } from '@rnnkit/tensor';

/** Inputs and targets with the same number of samples on their first axis. */
export interface Dataset {
  /** Inputs, `[samples, …]` (for recurrent models `[samples, time, features]`). */
  readonly x: Tensor;
  /** Targets, `[samples, …]`, shaped like the model's output. */
  readonly y: Tensor;
}

/** Checks that a dataset is usable for training: same sample count, finite values. */
export function checkDataset(api: string, data: Dataset, label = 'data'): void {
  if (data === null || typeof data !== 'object' || !(data.x instanceof Tensor) || !(data.y instanceof Tensor)) {
    throw new RnnkitError(api, `${label} must be { x: Tensor, y: Tensor }`);
  }
  const { x, y } = data;
  if (x.rank < 1 || y.rank < 1) {
    throw new RnnkitError(api, `${label}.x and ${label}.y need a sample axis, got ${formatShape(x.shape)} and ${formatShape(y.shape)}`);
  }
  if (x.shape[0] !== y.shape[0]) {
    throw new RnnkitError(
      api,
      `${label}.x has ${x.shape[0]} samples but ${label}.y has ${y.shape[0]} (shapes ${formatShape(x.shape)} and ${formatShape(y.shape)})`,
    );
  }
  if (x.shape[0] === 0) throw new RnnkitError(api, `${label} has no samples`);
  checkInput(api, x, `${label}.x`);
  checkInput(api, y, `${label}.y`);
}

/**
 * Checks a tensor of samples: a sample axis with at least one sample, no other axis of
 * length 0 (a sequence of 0 time steps has nothing to learn from or to predict), finite values.
 */
export function checkInput(api: string, t: Tensor, label: string): void {
  if (!(t instanceof Tensor)) throw new RnnkitError(api, `${label} must be a Tensor`);
  if (t.rank < 1 || t.shape[0] === 0) throw new RnnkitError(api, `${label} needs at least one sample, got shape ${formatShape(t.shape)}`);
  const empty = t.shape.indexOf(0, 1);
  if (empty > 0) {
    const axis = t.rank === 3 && empty === 1 ? 'its time axis (axis 1) has 0 steps' : `its axis ${empty} has length 0`;
    throw new RnnkitError(api, `${label} has shape ${formatShape(t.shape)}: ${axis}, so a sample holds no values`);
  }
  checkFinite(api, t, label);
}

/** Throws naming the first NaN or infinite element of a tensor. */
export function checkFinite(api: string, t: Tensor, label: string): void {
  const data = t.data;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isFinite(v)) {
      throw new RnnkitError(api, `${label} holds ${v} at index ${formatShape(unravel(i, t.shape))}: data must be finite`);
    }
  }
}

/** The multi-index of a flat offset. */
export function unravel(offset: number, shape: readonly number[]): number[] {
  const index = new Array<number>(shape.length);
  for (let axis = shape.length - 1; axis >= 0; axis--) {
    const length = shape[axis]!;
    index[axis] = offset % length;
    offset = Math.floor(offset / length);
  }
  return index;
}

/**
 * Gathers rows of a tensor (indices on the first axis) into a batch tensor. Batches of
 * equal size reuse one buffer, so an epoch allocates at most two (full and remainder).
 */
export class BatchGatherer {
  readonly #source: Tensor;
  readonly #rowSize: number;
  readonly #buffers = new Map<number, Tensor>();

  constructor(source: Tensor) {
    this.#source = source;
    this.#rowSize = source.size / source.shape[0]!;
  }

  gather(indices: readonly number[], start: number, end: number): Tensor {
    const count = end - start;
    let batch = this.#buffers.get(count);
    if (!batch) {
      batch = new Tensor(allocate(this.#source.dtype, count * this.#rowSize), [count, ...this.#source.shape.slice(1)]);
      this.#buffers.set(count, batch);
    }
    const row = this.#rowSize;
    const src = this.#source.data;
    const dst = batch.data;
    for (let k = 0; k < count; k++) {
      const from = indices[start + k]! * row;
      dst.set(src.subarray(from, from + row), k * row);
    }
    return batch;
  }
}

/** Rows `[start, end)` of a tensor, as a copy. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const row = t.size / t.shape[0]!;
  return new Tensor(t.data.slice(start * row, end * row), [end - start, ...t.shape.slice(1)]);
}
