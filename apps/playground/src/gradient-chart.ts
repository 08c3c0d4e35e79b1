// The gradient-flow chart: ‖∂L/∂h_t‖ (and ‖∂L/∂c_t‖) against the time step t, on a log scale,
// one line per series (a state, or a cell and a state when comparing cells). The numbers come
// from gradient-flow.ts; the latest rows drawn are kept on the container as `data-rows`
// (JSON), which the end-to-end test reads.
import type { View as VegaView } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { Y_AXIS_WIDTH, mount } from './chart-style.js';
import type { gradientRows } from './gradient-flow.js';

type Row = ReturnType<typeof gradientRows>[number];

export class GradientFlowChart {
  private constructor(
    private readonly view: VegaView,
    private readonly container: HTMLElement,
  ) {}

  /** Draws `rows` (at least one: an empty log scale has no extent to draw). */
  static async create(container: HTMLElement, rows: readonly Row[]): Promise<GradientFlowChart> {
    const spec: TopLevelSpec = {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      description: 'Norm of the gradient of the loss with respect to each time step’s state, log scale',
      width: 'container',
      height: 210,
      autosize: { type: 'fit-x', contains: 'padding' },
      data: { name: 'rows', values: rows.map((row) => ({ ...row })) },
      mark: { type: 'line', strokeWidth: 2, point: { size: 18 } },
      encoding: {
        x: { field: 't', type: 'quantitative', title: 'time step t', axis: { tickMinStep: 1, format: 'd', grid: false } },
        y: {
          field: 'norm',
          type: 'quantitative',
          scale: { type: 'log', nice: false },
          title: null,
          axis: { format: '~g', tickCount: 5, grid: false, minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH },
        },
        color: { field: 'series', type: 'nominal', legend: { orient: 'top', title: null, direction: 'horizontal' } },
        strokeDash: { field: 'state', type: 'nominal', scale: { domain: ['h', 'c'], range: [[1, 0], [5, 3]] }, legend: null },
        tooltip: [
          { field: 'series', type: 'nominal' },
          { field: 't', type: 'quantitative', title: 'step' },
          { field: 'norm', type: 'quantitative', format: '.3g' },
        ],
      },
    };
    const chart = new GradientFlowChart(await mount(container, spec), container);
    container.dataset.rows = JSON.stringify(rows);
    return chart;
  }

  async update(rows: readonly Row[]): Promise<void> {
    if (rows.length === 0) return; // keep the last curves rather than an empty log scale
    this.view.data('rows', rows.map((row) => ({ ...row })));
    await this.view.runAsync();
    this.container.dataset.rows = JSON.stringify(rows);
  }

  dispose(): void {
    this.view.finalize();
    delete this.container.dataset.rows;
  }
}
