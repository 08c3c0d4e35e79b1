import { RnnkitError, type Tensor, formatShape, sameShape } from '@rnnkit/tensor';

/**
 * A metric: predictions and targets in, one number out (averaged over samples). `weights`,
 * when given, weighs each position (every axis of the predictions but the last: a sample, or
 * a time step of a sequence output) by its mask × sample weight; a metric that ignores it
 * counts masked steps too.
 */
export type MetricFunction = (predictions: Tensor, targets: Tensor, weights?: Tensor) => number;

function checkPair(api: string, p: Tensor, t: Tensor): void {
  if (!sameShape(p.shape, t.shape)) {
    throw new RnnkitError(api, `predictions ${formatShape(p.shape)} and targets ${formatShape(t.shape)} differ`);
  }
}

/**
 * The weighted mean over positions of an elementwise value, each position's value being the
 * mean over its features (Keras' metrics: Σ w·v / Σ w, 0 when every weight is 0). Without
 * weights, the mean over every element.
 */
function weightedMean(api: string, p: Tensor, t: Tensor, weights: Tensor | undefined, value: (p: number, t: number) => number): number {
  checkPair(api, p, t);
  if (weights === undefined) {
    let sum = 0;
    for (let i = 0; i < p.size; i++) sum += value(p.data[i]!, t.data[i]!);
    return sum / Math.max(1, p.size);
  }
  const features = p.shape[p.rank - 1] ?? 1;
  if (weights.size * features !== p.size) {
    throw new RnnkitError(api, `weights ${formatShape(weights.shape)} do not fit predictions ${formatShape(p.shape)} (one weight per position)`);
  }
  let sum = 0;
  let total = 0;
  for (let position = 0; position < weights.size; position++) {
    const w = weights.data[position]!;
    if (w === 0) continue;
    let inner = 0;
    for (let i = position * features; i < (position + 1) * features; i++) inner += value(p.data[i]!, t.data[i]!);
    sum += (w * inner) / features;
    total += w;
  }
  return total === 0 ? 0 : sum / total;
}

/** Mean absolute error over every element (weighted by position when weights are given). */
export const meanAbsoluteErrorMetric: MetricFunction = (p, t, weights) => weightedMean('mae', p, t, weights, (a, b) => Math.abs(a - b));

/** Mean squared error over every element (weighted by position when weights are given). */
export const meanSquaredErrorMetric: MetricFunction = (p, t, weights) => weightedMean('mse', p, t, weights, (a, b) => (a - b) ** 2);

/** Fraction of elements whose prediction, thresholded at 0.5, equals the 0/1 target (weighted by position when weights are given). */
export const binaryAccuracyMetric: MetricFunction = (p, t, weights) =>
  weightedMean('binaryAccuracy', p, t, weights, (a, b) => ((a >= 0.5 ? 1 : 0) === (b >= 0.5 ? 1 : 0) ? 1 : 0));

const BUILT_IN: Readonly<Record<string, MetricFunction>> = {
  mae: meanAbsoluteErrorMetric,
  mse: meanSquaredErrorMetric,
  binaryAccuracy: binaryAccuracyMetric,
};

/** Resolves metric names (`'mae'`, `'mse'`, `'binaryAccuracy'`) or functions. */
export function resolveMetrics(
  api: string,
  metrics: Readonly<Record<string, MetricFunction>> | readonly string[] | undefined,
): [string, MetricFunction][] {
  if (metrics === undefined) return [];
  if (typeof metrics !== 'object' || metrics === null) {
    throw new RnnkitError(api, `metrics must be an array of names (["mae"]) or a record of functions, got ${typeof metrics === 'string' ? JSON.stringify(metrics) : String(metrics)}`);
  }
  if (Array.isArray(metrics)) {
    return metrics.map((name: string) => {
      const fn = BUILT_IN[name];
      if (!fn) throw new RnnkitError(api, `unknown metric "${name}"; built-in metrics are ${Object.keys(BUILT_IN).join(', ')}, or pass { name: function }`);
      return [name, fn];
    });
  }
  return Object.entries(metrics as Record<string, MetricFunction>).map(([name, fn]) => {
    if (typeof fn !== 'function') throw new RnnkitError(api, `metric "${name}" must be a function (predictions, targets) => number`);
    // A metric's NaN would sit in the logs unnoticed (and steer nothing): refuse it where it appears.
    const checked: MetricFunction = (p, t, weights) => {
      const value = weights === undefined ? fn(p, t) : fn(p, t, weights);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new RnnkitError(api, `metric "${name}" returned ${typeof value === 'number' ? value : typeof value}; a metric must return a finite number`);
      }
      return value;
    };
    return [name, checked];
  });
}
