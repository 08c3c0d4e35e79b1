// The probe panels: what happens inside the recurrent layer for one probe sequence — a
// heat map of every trace (gates, states) over units and time steps, between the input and
// the per-step outputs, each in a captioned figure of the probe grid. Drawn, like the other
// charts, by Vega views fed new data at every snapshot.
import type { View as VegaView } from 'vega';
import type { TopLevelSpec } from 'vega-lite';
import { COLORS, Y_AXIS_WIDTH, mount, schemeGradient } from './chart-style.js';
import type { Probe, ProbeTrace, TraceRange } from './probe.js';
import type { Snapshot, TaskView } from './config.js';

/** Colour scheme and domain of each kind of trace. */
const RANGE_SCALES: Readonly<Record<TraceRange, { scheme: string; domain?: [number, number] }>> = {
  unit: { scheme: 'viridis', domain: [0, 1] },
  signed: { scheme: 'blueorange', domain: [-1, 1] },
  unbounded: { scheme: 'blueorange' },
};

function formatNumber(v: number): string {
  return Math.abs(v) >= 100 || (Math.abs(v) < 0.01 && v !== 0) ? v.toExponential(1) : v.toFixed(2);
}

/** Every few steps, so that axis labels never crowd. */
function ticks(count: number, first: number, target: number): number[] {
  const every = Math.max(1, Math.ceil(count / target));
  return Array.from({ length: Math.ceil(count / every) }, (_, k) => first + k * every);
}

/** What each trace shows, in a few words, for the panel captions. */
const HINTS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  LSTM: {
    i: 'how much of the candidate is written',
    f: 'how much of the old memory is kept',
    o: 'how much of the memory is shown as h',
    g: 'what could be written to the memory',
    c: 'the memory, carried from step to step',
    h: 'the output of each step',
  },
  GRU: {
    z: 'how much of the old state is kept',
    r: 'how much of the old state feeds the candidate',
    g: 'the proposed new state',
    h: 'the state and output of each step',
  },
  SimpleRNN: { h: 'tanh(x·W + h·U + b), the state and output' },
};

/** What the input panel shows, per task with one input value per step. */
const INPUT_HINTS: Readonly<Record<'sine' | 'csv' | 'mean', string>> = {
  sine: 'the window the layer reads, step by step',
  csv: 'the window of {target} the layer reads, step by step',
  mean: 'the sequence without its padding, step by step',
};

interface Panel {
  readonly trace: string;
  readonly view: VegaView;
  /** Legend numbers that follow the data (the LSTM's unbounded cell state). */
  readonly legend?: { readonly low: HTMLElement; readonly high: HTMLElement };
}

/** A titled figure in the probe grid, with an optional colour key. */
function figure(grid: HTMLElement, name: string, title: string, hint: string, key?: { gradient: string; low: string; high: string }) {
  const fig = document.createElement('figure');
  fig.className = 'panel';
  fig.dataset.trace = name;
  const caption = document.createElement('figcaption');
  const heading = document.createElement('h3');
  heading.textContent = title;
  const help = document.createElement('span');
  help.className = 'hint';
  help.textContent = hint;
  caption.append(heading, help);
  let legend: Panel['legend'];
  if (key) {
    const wrap = document.createElement('span');
    wrap.className = 'key';
    wrap.setAttribute('aria-hidden', 'true');
    const low = document.createElement('span');
    low.textContent = key.low;
    const bar = document.createElement('span');
    bar.className = 'bar';
    bar.style.background = key.gradient;
    const high = document.createElement('span');
    high.textContent = key.high;
    wrap.append(low, bar, high);
    caption.append(wrap);
    legend = { low, high };
  }
  const chart = document.createElement('div');
  chart.className = 'chart';
  fig.append(caption, chart);
  grid.append(fig);
  return { chart, legend };
}

/** The time axis every panel shares: steps 1…T on equal bands. */
function stepAxis(time: number, title: string | null) {
  return {
    field: 't',
    type: 'ordinal',
    title,
    scale: { type: 'band', paddingInner: 0, paddingOuter: 0 },
    axis: { labelAngle: 0, values: ticks(time, 1, 12), domain: false, ticks: false, labelPadding: 4 },
  } as const;
}

function heatmapSpec(trace: ProbeTrace, units: number, time: number): TopLevelSpec {
  const scale = RANGE_SCALES[trace.range];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description: `${trace.label}: one row per unit, one column per time step`,
    width: 'container',
    height: Math.min(150, Math.max(44, units * 7)),
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: 'cells' },
    mark: { type: 'rect' },
    encoding: {
      x: stepAxis(time, null),
      y: {
        field: 'unit',
        type: 'ordinal',
        title: 'unit',
        scale: { paddingInner: 0, paddingOuter: 0 },
        axis: { values: ticks(units, 0, 4), minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH, domain: false, ticks: false },
      },
      color: {
        field: 'v',
        type: 'quantitative',
        scale: { scheme: scale.scheme, ...(scale.domain ? { domain: scale.domain } : { domainMid: 0 }) },
        legend: null,
      },
      tooltip: [
        { field: 't', type: 'ordinal', title: 'step' },
        { field: 'unit', type: 'ordinal', title: 'unit' },
        { field: 'v', type: 'quantitative', format: '.3f', title: trace.name },
      ],
    },
  } as TopLevelSpec;
}

/** Sine: a small line chart over the same time axis (the input window, or the per-step outputs). */
function stepLineSpec(description: string, time: number, series: string, color: string, reference?: string): TopLevelSpec {
  const layers: unknown[] = [
    {
      data: { name: 'steps' },
      mark: { type: 'line', color, strokeWidth: 2, point: { filled: true, size: 22, color } },
      encoding: {
        x: { ...stepAxis(time, null), bandPosition: 0.5 },
        y: { field: 'v', type: 'quantitative', title: series, scale: { domain: [-1.4, 1.4], clamp: true }, axis: { values: [-1, 0, 1], minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH } },
        tooltip: [
          { field: 't', type: 'ordinal', title: 'step' },
          { field: 'v', type: 'quantitative', format: '.3f', title: series },
        ],
      },
    },
  ];
  if (reference) {
    layers.unshift({
      data: { name: 'reference' },
      mark: { type: 'rule', color: COLORS.truth, strokeDash: [5, 4], strokeWidth: 1.5 },
      encoding: { y: { field: 'v', type: 'quantitative' }, tooltip: { value: reference } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description,
    width: 'container',
    height: 64,
    autosize: { type: 'fit-x', contains: 'padding' },
    layer: layers,
  } as TopLevelSpec;
}

/** Addition: rows of bits (operands, sum, prediction) over the time axis, each cell labelled. */
function bitsSpec(description: string, rows: readonly string[], time: number): TopLevelSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    description,
    width: 'container',
    height: rows.length * 20,
    autosize: { type: 'fit-x', contains: 'padding' },
    data: { name: 'bits' },
    encoding: {
      x: stepAxis(time, null),
      y: {
        field: 'row',
        type: 'ordinal',
        title: null,
        sort: rows,
        scale: { paddingInner: 0.12, paddingOuter: 0 },
        axis: { minExtent: Y_AXIS_WIDTH, maxExtent: Y_AXIS_WIDTH, domain: false, ticks: false },
      },
    },
    layer: [
      {
        mark: { type: 'rect', cornerRadius: 2 },
        encoding: {
          color: { field: 'v', type: 'quantitative', scale: { scheme: 'greys', domain: [0, 1.25] }, legend: null },
          tooltip: [
            { field: 'row', type: 'nominal', title: 'row' },
            { field: 't', type: 'ordinal', title: 'step' },
            { field: 'v', type: 'quantitative', format: '.2f', title: 'value' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: 11, fontWeight: 600 },
        encoding: {
          text: { field: 'label' },
          color: { condition: { test: 'datum.v > 0.5', value: 'white' }, value: '#1f2937' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** Heat maps of every trace of the probe, plus the input and the per-step outputs. */
export class ProbePanels {
  private constructor(
    private readonly task: TaskView,
    private readonly panels: Panel[],
    private readonly input: VegaView,
    private readonly output: VegaView,
  ) {}

  static async create(grid: HTMLElement, task: TaskView, probe: Probe): Promise<ProbePanels> {
    grid.replaceChildren();
    const { kind, units, time } = probe;
    grid.style.setProperty('--rows', String(Math.ceil((probe.traces.length + 2) / 2)));
    const isSine = task.task !== 'addition';

    const inputFigure = isSine
      ? figure(grid, 'x', 'input x', INPUT_HINTS[task.task].replace('{target}', task.target))
      : figure(grid, 'x', 'input a, b', `bits of ${task.probe.a} and ${task.probe.b}, least significant first`);
    const input = await mount(
      inputFigure.chart,
      isSine ? stepLineSpec('The input window, one value per step', time, 'x', '#4b5563') : bitsSpec('Bits of the two operands per step', ['a', 'b'], time),
    );
    if (isSine) {
      await input.data('steps', Array.from(task.probeInput, (v, k) => ({ t: k + 1, v }))).runAsync();
    } else {
      const p = task.probe;
      const rows = p.aBits.flatMap((bit, k) => [
        { row: 'a', t: k + 1, v: bit, label: String(bit) },
        { row: 'b', t: k + 1, v: p.bBits[k]!, label: String(p.bBits[k]) },
      ]);
      await input.data('bits', rows).runAsync();
    }

    const panels: Panel[] = [];
    for (const trace of probe.traces) {
      const scale = RANGE_SCALES[trace.range];
      const symbol = trace.name === 'g' ? (kind === 'LSTM' ? 'c̃' : 'h̃') : trace.name;
      const words = trace.label.slice(0, trace.label.lastIndexOf(' ')); // 'input gate i' → 'input gate'
      const key = {
        gradient: schemeGradient(scale.scheme),
        low: scale.domain ? String(scale.domain[0]).replace('-', '−') : '',
        high: scale.domain ? String(scale.domain[1]) : '',
      };
      const { chart, legend } = figure(grid, trace.name, `${symbol} — ${words}`, HINTS[kind]?.[trace.name] ?? '', key);
      panels.push({ trace: trace.name, view: await mount(chart, heatmapSpec(trace, units, time)), ...(scale.domain ? {} : { legend }) });
    }

    const outputFigure = isSine
      ? figure(grid, 'y', 'output per step', `the dense layer on each h_t; dashed: the true ${task.task === 'mean' ? 'mean' : 'next value'}`)
      : figure(grid, 'y', 'output: a + b', `the predicted bits against the true sum ${task.probe.a + task.probe.b}`);
    const output = await mount(
      outputFigure.chart,
      isSine
        ? stepLineSpec('The output layer applied to h at every step, and the true answer', time, 'ŷ', COLORS.prediction, task.task === 'mean' ? 'true mean' : 'true next value')
        : bitsSpec('True bits of the sum and the predicted bit probabilities per step', ['sum', 'pred'], time),
    );
    if (isSine) await output.data('reference', [{ v: task.probeTarget }]).runAsync();
    return new ProbePanels(task, panels, input, output);
  }

  async update(snapshot: Snapshot): Promise<void> {
    const { probe } = snapshot;
    const units = probe.units;
    const updates: Promise<unknown>[] = [];
    for (const panel of this.panels) {
      const trace = probe.traces.find((t) => t.name === panel.trace);
      if (!trace) continue;
      const values = trace.values;
      const cells = Array.from(values, (v, k) => ({ t: Math.floor(k / units) + 1, unit: k % units, v }));
      if (panel.legend) {
        let low = Infinity;
        let high = -Infinity;
        for (const v of values) {
          low = Math.min(low, v);
          high = Math.max(high, v);
        }
        panel.legend.low.textContent = formatNumber(Math.min(low, 0)).replace('-', '−');
        panel.legend.high.textContent = formatNumber(Math.max(high, 0));
      }
      updates.push(panel.view.data('cells', cells).runAsync());
    }
    const out = snapshot.stepOutputs;
    if (this.task.task !== 'addition') {
      updates.push(this.output.data('steps', Array.from(out, (v, k) => ({ t: k + 1, v }))).runAsync());
    } else {
      const sum = this.task.probe.sumBits;
      const rows = sum.flatMap((bit, k) => [
        { row: 'sum', t: k + 1, v: bit, label: String(bit) },
        { row: 'pred', t: k + 1, v: out[k]!, label: out[k]! > 0.5 ? '1' : '0' },
      ]);
      updates.push(this.output.data('bits', rows).runAsync());
    }
    await Promise.all(updates);
  }

  dispose(): void {
    for (const panel of this.panels) panel.view.finalize();
    this.input.finalize();
    this.output.finalize();
  }
}
