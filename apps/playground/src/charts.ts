// The page's charts of training: the loss per epoch and the model's predictions (the sine
// task's curve, the addition task's predicted against true sums). Vega-Lite specs compiled to
// Vega and drawn by Vega views (SVG), each created once per run and then only fed new data,
// which Vega re-renders cheaply. The probe panels are in probe-panels.ts.
import { type View as VegaView, changeset } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { COLORS, Y_AXIS_WIDTH, mount } from './chart-style.js';
import type { EpochLog, Snapshot, TaskView } from './config.js';

// ———————————————————————————————————————— loss

export class LossChart {
  private constructor(private readonly view: VegaView) {}

  static async create(container: HTMLElement): Promise<LossChart> {
    const spec: TopLevelSpec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      description: 'Training and test loss per epoch, log scale',
      width: 'container',
      height: 210,
      autosize: { type: 'fit-x', contains: 'padding' },
      data: { name: 'loss' },
      mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone' },
      encoding: {
        x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd', grid: false } },
        // A log scale draws a grid line at every minor tick; without a grid the curve reads better.
        y: { field: 'loss', type: 'quantitative', scale: { type: 'log', nice: false }, title: null, axis: { format: '~g', tickCount: 5, grid: false, minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH } },
        color: {
          field: 'set',
          type: 'nominal',
          scale: { domain: ['training', 'test'], range: [COLORS.training, COLORS.test] },
          legend: { orient: 'top', title: null, direction: 'horizontal' },
        },
        tooltip: [
          { field: 'epoch', type: 'quantitative' },
          { field: 'set', type: 'nominal' },
          { field: 'loss', type: 'quantitative', format: '.4g' },
        ],
      },
    };
    return new LossChart(await mount(container, spec));
  }

  async append(logs: readonly EpochLog[]): Promise<void> {
    if (logs.length === 0) return;
    const rows = logs.flatMap(({ epoch, loss, testLoss }) => [
      { epoch, loss, set: 'training' },
      { epoch, loss: testLoss, set: 'test' },
    ]);
    await this.view.change('loss', changeset().insert(rows)).runAsync();
  }

  dispose(): void {
    this.view.finalize();
  }
}

// ———————————————————————————————————————— predictions

export class PredictionChart {
  private constructor(
    private readonly view: VegaView,
    private readonly task: TaskView,
  ) {}

  static async create(container: HTMLElement, task: TaskView): Promise<PredictionChart> {
    const spec = task.task === 'addition' ? additionSpec(task) : task.task === 'mean' ? meanSpec(task) : sineSpec(task);
    return new PredictionChart(await mount(container, spec), task);
  }

  async update(snapshot: Snapshot): Promise<void> {
    const p = snapshot.predictions;
    if (this.task.task === 'mean') {
      const { trueMeans, lengths } = this.task;
      this.view.data('points', trueMeans.map((truth, k) => ({ truth, predicted: p[k], length: lengths[k] })));
    } else if (this.task.task !== 'addition') {
      const t = this.task.t;
      this.view.data('prediction', Array.from(p, (value, k) => ({ t: t[k], value })));
    } else {
      const sums = this.task.trueSums;
      this.view.data(
        'points',
        sums.map((truth, k) => ({ truth, predicted: p[k], result: p[k] === truth ? 'exact' : 'wrong' })),
      );
    }
    await this.view.runAsync();
  }

  dispose(): void {
    this.view.finalize();
  }
}

function sineSpec(task: Extract<TaskView, { task: 'sine' | 'csv' }>): TopLevelSpec {
  const truth = Array.from(task.truth, (value, k) => ({ t: task.t[k], value }));
  const split = { from: task.t[task.trainCount]!, to: task.t[task.t.length - 1]! };
  const y = { field: 'value', type: 'quantitative', title: null, scale: { domain: [-1.4, 1.4], clamp: true }, axis: { tickCount: 5, minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH } } as const;
  const color = { scale: { domain: ['truth', 'prediction'], range: [COLORS.truth, COLORS.prediction] }, legend: { orient: 'top', title: null, direction: 'horizontal' } } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: 'True next values of the sine and the model’s predictions, training windows then test windows',
    width: 'container',
    height: 210,
    autosize: { type: 'fit-x', contains: 'padding' },
    layer: [
      {
        data: { values: [split] },
        mark: { type: 'rect', color: '#f3f4f6' },
        encoding: { x: { field: 'from', type: 'quantitative' }, x2: { field: 'to' } },
      },
      {
        data: { values: [split] },
        mark: { type: 'text', align: 'left', baseline: 'top', dx: 6, dy: 4, color: '#6b7280', fontSize: 11 },
        encoding: { x: { field: 'from', type: 'quantitative' }, y: { value: 0 }, text: { value: 'test windows →' } },
      },
      {
        // A broad pale band under the thin prediction, so both stay visible where they agree.
        data: { values: truth },
        mark: { type: 'line', strokeWidth: 5, opacity: 0.6, strokeCap: 'round' },
        encoding: {
          x: { field: 't', type: 'quantitative', title: 'time step', scale: { domain: [task.t[0]!, split.to], nice: false }, axis: { grid: false } },
          y,
          color: { datum: 'truth', ...color },
        },
      },
      {
        data: { name: 'prediction' },
        mark: { type: 'line', strokeWidth: 1.5 },
        encoding: {
          x: { field: 't', type: 'quantitative' },
          y,
          color: { datum: 'prediction', ...color },
          tooltip: [
            { field: 't', type: 'quantitative', title: 'step' },
            { field: 'value', type: 'quantitative', format: '.3f', title: 'prediction' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}

/** What a predicted-against-true scatter shows: see {@link againstTruthSpec}. */
interface AgainstTruth {
  readonly description: string;
  /** The range of both axes, and the ends of the diagonal (where the predictions are right). */
  readonly domain: readonly [number, number];
  readonly truthTitle: string;
  readonly predictedTitle: string;
  /** Clamp predictions outside the domain to its edge. */
  readonly clamp: boolean;
  /** The points' colour encoding. */
  readonly color: object;
  readonly tooltip: readonly object[];
}

/** Each test sample's prediction against its true value (`points`: truth, predicted, …), over a dashed diagonal. */
function againstTruthSpec(chart: AgainstTruth): TopLevelSpec {
  const [low, high] = chart.domain;
  const axis = (title: string) => ({ field: 'v', type: 'quantitative', title, scale: { domain: [low, high], nice: false } }) as const;
  const predicted = { field: 'predicted', type: 'quantitative' } as const;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: chart.description,
    width: 'container',
    height: 210,
    autosize: { type: 'fit-x', contains: 'padding' },
    layer: [
      {
        data: { values: [{ v: low }, { v: high }] },
        mark: { type: 'line', color: '#cbd2d9', strokeDash: [4, 4] },
        encoding: { x: axis(chart.truthTitle), y: { ...axis(chart.predictedTitle), axis: { minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH } } },
      },
      {
        data: { name: 'points' },
        mark: { type: 'circle', size: 36, opacity: 0.75 },
        encoding: {
          x: { field: 'truth', type: 'quantitative' },
          y: chart.clamp ? { ...predicted, scale: { clamp: true } } : predicted,
          color: chart.color,
          tooltip: chart.tooltip,
        },
      },
    ],
  } as TopLevelSpec;
}

function additionSpec(task: Extract<TaskView, { task: 'addition' }>): TopLevelSpec {
  return againstTruthSpec({
    description: 'Predicted sum against the true sum for test additions; points on the diagonal are exact',
    domain: [0, 2 ** task.bits - 1],
    truthTitle: 'true sum a + b',
    predictedTitle: 'predicted sum',
    clamp: false,
    color: {
      field: 'result',
      type: 'nominal',
      scale: { domain: ['exact', 'wrong'], range: [COLORS.good, COLORS.bad] },
      legend: { orient: 'top', title: null, direction: 'horizontal' },
    },
    tooltip: [
      { field: 'truth', type: 'quantitative', title: 'true sum' },
      { field: 'predicted', type: 'quantitative', title: 'predicted' },
    ],
  });
}

function meanSpec(task: Extract<TaskView, { task: 'mean' }>): TopLevelSpec {
  return againstTruthSpec({
    description: 'Predicted mean against the true mean of test sequences of random length; points on the diagonal are right',
    domain: [-1, 1],
    truthTitle: 'true mean',
    predictedTitle: 'predicted mean',
    clamp: true,
    color: {
      field: 'length',
      type: 'quantitative',
      scale: { scheme: 'viridis', domain: [2, task.maxLength] },
      legend: { orient: 'top', title: 'length', direction: 'horizontal', gradientLength: 120 },
    },
    tooltip: [
      { field: 'length', type: 'quantitative' },
      { field: 'truth', type: 'quantitative', format: '.3f', title: 'true mean' },
      { field: 'predicted', type: 'quantitative', format: '.3f', title: 'predicted' },
    ],
  });
}
