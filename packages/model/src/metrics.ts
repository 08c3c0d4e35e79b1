import { RnnkitError, type Tensor, formatShape, sameShape } from '@rnnkit/tensor';

/** A metric: predictions and targets in, one number out (averaged over samples). */
export type MetricFunction = (predictions: Tensor, targets: Tensor) => number;

function checkPair(api: string, p: Tensor, t: Tensor): void {
  if (!sameShape(p.shape, t.shape)) {
    throw new RnnkitError(api, `predictions ${formatShape(p.shape)} and targets ${formatShape(t.shape)} differ`);
  }
}

/** Mean absolute error over every element. */
export const meanAbsoluteErrorMetric: MetricFunction = (p, t) => {
  checkPair('mae', p, t);
  let sum = 0;
  for (let i = 0; i < p.size; i++) sum += Math.abs(p.data[i]! - t.data[i]!);
  return sum / Math.max(1, p.size);
};

/** Mean squared error over every element. */
export const meanSquaredErrorMetric: MetricFunction = (p, t) => {
  checkPair('mse', p, t);
  let sum = 0;
  for (let i = 0; i < p.size; i++) sum += (p.data[i]! - t.data[i]!) ** 2;
  return sum / Math.max(1, p.size);
};

/** Fraction of elements whose prediction, thresholded at 0.5, equals the 0/1 target. */
export const binaryAccuracyMetric: MetricFunction = (p, t) => {
  checkPair('binaryAccuracy', p, t);
  let hits = 0;
  for (let i = 0; i < p.size; i++) if ((p.data[i]! >= 0.5 ? 1 : 0) === (t.data[i]! >= 0.5 ? 1 : 0)) hits++;
  return hits / Math.max(1, p.size);
};

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
    const checked: MetricFunction = (p, t) => {
      const value = fn(p, t);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new RnnkitError(api, `metric "${name}" returned ${typeof value === 'number' ? value : typeof value}; a metric must return a finite number`);
      }
      return value;
    };
    return [name, checked];
  });
}
