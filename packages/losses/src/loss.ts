import type { Tensor } from '@rnnkit/tensor';

/**
 * How the per-position losses of a batch combine into one number.
 *
 * A *position* is one index of every axis but the last: a sample of a `[batch, features]`
 * output, or one time step of one sample of a `[batch, time, features]` output (per-time-step
 * targets for `returnSequences`). Each loss first turns the last axis into one value per
 * position — the elementwise losses average it, as Keras does with `axis=-1`; the
 * cross-entropy over classes and the half sum of squares sum it — and then:
 *
 * - `'mean'` divides the (weighted) sum over positions by the number of positions
 *   (`batch`, or `batch·time`): Keras' default `sum_over_batch_size`. With a `mask` it
 *   divides by the number of unmasked positions instead.
 * - `'sum'` adds them up (Keras' `sum`).
 */
export type Reduction = 'mean' | 'sum';

/** Value and gradient of a loss. */
export interface LossResult {
  /** The scalar loss. */
  readonly value: number;
  /** ∂value/∂predictions: same shape and dtype as the predictions. */
  readonly grad: Tensor;
}

/** Per-call options of {@link Loss.compute} and {@link Loss.value}. */
export interface LossComputeOptions {
  /**
   * Weight of each position. Its shape is the positions' shape (the predictions' shape
   * without the last axis) or a prefix of it, broadcast over the remaining axes: `[batch]`
   * weighs whole sequences of a `[batch, time, features]` output, `[batch, time]` single
   * time steps, `[]` everything. With `'mean'` the weighted sum is still divided by the
   * number of positions, as Keras does with `sample_weight`.
   * @defaultValue every weight 1
   */
  readonly sampleWeight?: Tensor;
  /**
   * 1 for positions that count, 0 for padding; same shape rules as `sampleWeight`. Masked
   * positions contribute neither value nor gradient, and `'mean'` averages over the unmasked
   * positions only (0 when none is left).
   * @defaultValue every position counts
   */
  readonly mask?: Tensor;
}

/** A loss's configuration as plain JSON data; `getLoss(config)` rebuilds an equal loss. */
export type LossConfig = { readonly name: string } & Readonly<Record<string, unknown>>;

/**
 * A loss function: a plain object with a value and a gradient with respect to the
 * predictions. Built-in losses come from factories (`meanSquaredError({ reduction: 'sum' })`);
 * a user's own loss only has to fit this shape.
 */
export interface Loss {
  /** Name used in saved files and by {@link getLoss}, e.g. `"mean_squared_error"`. */
  readonly name: string;
  /**
   * The loss and its gradient with respect to `predictions`. `targets` has the predictions'
   * shape (or, for class labels, the positions' shape). Neither input is modified.
   */
  compute(predictions: Tensor, targets: Tensor, options?: LossComputeOptions): LossResult;
  /** The loss alone (no gradient is allocated); equal to `compute(…).value`. */
  value(predictions: Tensor, targets: Tensor, options?: LossComputeOptions): number;
  /** Plain-data configuration, `{ name, ...options }`. */
  getConfig(): LossConfig;
}
