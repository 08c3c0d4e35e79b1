// The "Compare cells" section: a button that trains a SimpleRNN, an LSTM and a GRU with the
// settings of the form (compare.ts), and two charts that draw them together — the training
// and test loss per epoch, and the gradient flow of each trained model.
import { type View as VegaView, changeset } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { Y_AXIS_WIDTH, mount } from './chart-style.js';
import { COMPARED_CELLS, compareCells, compareGradientRows, compareLossRows } from './compare.js';
import type { TrainingConfig } from './config.js';
import { oneLine } from './csv-form.js';
import { GradientFlowChart } from './gradient-chart.js';
import { webWorkerTransport } from './worker-client.js';

const CELL_COLORS = { domain: [...COMPARED_CELLS], range: ['#9333ea', '#2563eb', '#ea580c'] };

function lossSpec(rows: ReturnType<typeof compareLossRows>): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: 'Training (solid) and test (dashed) loss per epoch of each cell, log scale',
    width: 'container',
    height: 210,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: 'loss', values: rows },
    mark: { type: 'line', strokeWidth: 2, interpolate: 'monotone' },
    encoding: {
      x: { field: 'epoch', type: 'quantitative', title: 'epoch', axis: { tickMinStep: 1, format: 'd', grid: false } },
      y: { field: 'loss', type: 'quantitative', scale: { type: 'log', nice: false }, title: null, axis: { format: '~g', tickCount: 5, grid: false, minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH } },
      color: { field: 'cell', type: 'nominal', scale: CELL_COLORS, legend: { orient: 'top', title: null, direction: 'horizontal' } },
      strokeDash: { field: 'set', type: 'nominal', scale: { domain: ['training', 'test'], range: [[1, 0], [5, 3]] }, legend: { orient: 'top', title: null, direction: 'horizontal' } },
      detail: { field: 'set', type: 'nominal' },
      tooltip: [
        { field: 'cell', type: 'nominal' },
        { field: 'set', type: 'nominal' },
        { field: 'epoch', type: 'quantitative' },
        { field: 'loss', type: 'quantitative', format: '.4g' },
      ],
    },
  } as TopLevelSpec;
}

export interface CompareViewOptions {
  readonly button: HTMLButtonElement;
  readonly stopButton: HTMLButtonElement;
  readonly status: HTMLElement;
  readonly lossChart: HTMLElement;
  readonly gradientChart: HTMLElement;
  /** The form's settings (checked when the runs are built: a bad one is shown in the status). */
  readonly readConfig: () => Promise<TrainingConfig>;
  /** True while the three cells train (the page locks its own run meanwhile). */
  readonly onBusy: (busy: boolean) => void;
}

/** Wires the section; the page calls `setAvailable(false)` while its own run trains. */
export function compareView(options: CompareViewOptions): { setAvailable(available: boolean): void } {
  const { button, stopButton, status, lossChart, gradientChart } = options;
  let controller: AbortController | null = null;
  let available = true;
  // The last comparison's charts, finalized when the next one starts.
  let chart: Promise<VegaView> | null = null;
  let gradients: GradientFlowChart | null = null;

  async function run(): Promise<void> {
    controller = new AbortController();
    let config: TrainingConfig;
    try {
      config = await options.readConfig();
    } catch (error) {
      controller = null;
      status.textContent = `Comparison not started: ${oneLine(error)}`;
      return;
    }
    const signal = controller.signal;
    button.disabled = true;
    stopButton.disabled = false;
    options.onBusy(true);
    void chart?.then((view) => view.finalize());
    gradients?.dispose();
    chart = null;
    gradients = null;
    lossChart.replaceChildren();
    gradientChart.replaceChildren();
    delete gradientChart.dataset.rows;
    delete status.dataset.cells;
    status.textContent = `Training ${COMPARED_CELLS.join(', ')} on the same data with seed ${config.seed}…`;
    const epochs = new Map<string, number>();
    // The loss chart appears with the first epoch, then takes each cell's epochs as they come.
    let pending: ReturnType<typeof compareLossRows> = [];
    try {
      const results = await compareCells(config, {
        signal,
        transport: () => webWorkerTransport(config.backend, () => {}),
        onEpoch: (layer, log) => {
          epochs.set(layer, log.epoch);
          status.textContent = `Training… ${COMPARED_CELLS.map((cell) => `${cell} ${epochs.get(cell) ?? 0}/${config.epochs}`).join(' · ')}`;
          const rows = compareLossRows(layer, [log]);
          if (chart === null) {
            chart = mount(lossChart, lossSpec(rows));
            return;
          }
          pending.push(...rows);
          void chart.then((view) => {
            if (pending.length === 0 || signal.aborted) return;
            const batch = pending;
            pending = [];
            return view.change('loss', changeset().insert(batch)).runAsync();
          });
        },
      });
      if (results === null) {
        status.textContent = 'Comparison stopped.';
        return;
      }
      gradients = await GradientFlowChart.create(gradientChart, compareGradientRows(results));
      status.textContent = `Done: ${results
        .map((r) => `${r.layer} (${r.parameters.toLocaleString('en-US')} parameters) test loss ${formatLoss(r.logs.at(-1)?.testLoss)}`)
        .join(' · ')}.`;
      status.dataset.cells = results.map((r) => r.layer).join(',');
    } catch (error) {
      status.textContent = `Comparison failed: ${oneLine(error)}`;
    } finally {
      controller = null;
      stopButton.disabled = true;
      button.disabled = !available;
      options.onBusy(false);
    }
  }

  button.addEventListener('click', () => {
    if (controller === null) void run();
  });
  stopButton.addEventListener('click', () => controller?.abort());
  return {
    setAvailable(value) {
      available = value;
      if (controller === null) button.disabled = !value;
    },
  };
}

function formatLoss(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) return String(value);
  return value >= 0.01 ? value.toFixed(4) : value.toExponential(2);
}
