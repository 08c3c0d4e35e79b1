// Charts: SVG files through Vega-Lite (compiled to Vega and rendered headless), and a
// terminal line chart through asciichart. No drawing code of our own.
import asciichart from 'asciichart';
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/** One named line of a chart. */
export interface Series {
  readonly name: string;
  readonly x: readonly number[];
  readonly y: readonly number[];
}

export interface LineChartOptions {
  readonly title: string;
  readonly series: readonly Series[];
  readonly xLabel: string;
  readonly yLabel: string;
  /** Logarithmic y axis (loss curves spanning decades). @defaultValue false */
  readonly logY?: boolean;
  /** Draw points instead of lines for series whose name is listed. */
  readonly pointSeries?: readonly string[];
}

/**
 * The loss per epoch of a training run on a log axis: `history.loss` as "training", and
 * `history.valLoss` as "validation" when the run had validation data.
 */
export function lossChartSvg(title: string, history: { readonly loss: readonly number[]; readonly valLoss: readonly number[] }, yLabel: string): Promise<string> {
  const epochs = (values: readonly number[]) => values.map((_, i) => i + 1);
  const series: Series[] = [{ name: 'training', x: epochs(history.loss), y: [...history.loss] }];
  if (history.valLoss.length > 0) series.push({ name: 'validation', x: epochs(history.valLoss), y: [...history.valLoss] });
  return lineChartSvg({ title, series, xLabel: 'epoch', yLabel, logY: true });
}

/** Renders a multi-series line chart to an SVG document. */
export async function lineChartSvg(options: LineChartOptions): Promise<string> {
  const rows: { x: number; y: number; series: string }[] = [];
  for (const s of options.series) {
    s.x.forEach((x, i) => {
      const y = s.y[i]!;
      if (Number.isFinite(y) && (!options.logY || y > 0)) rows.push({ x, y, series: s.name });
    });
  }
  const points = new Set(options.pointSeries ?? []);
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: options.xLabel },
    y: {
      field: 'y',
      type: 'quantitative',
      title: options.yLabel,
      ...(options.logY ? { scale: { type: 'log' as const } } : {}),
    },
    color: { field: 'series', type: 'nominal', title: null },
  } as const;
  const spec: TopLevelSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: options.title,
    width: 640,
    height: 320,
    background: 'white',
    data: { values: rows },
    layer: [
      { mark: { type: 'line', strokeWidth: 1.5 }, encoding, transform: [{ filter: { not: { field: 'series', oneOf: [...points] } } }] },
      { mark: { type: 'point', size: 16, filled: true }, encoding, transform: [{ filter: { field: 'series', oneOf: [...points] } }] },
    ],
  };
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}

/** A line chart for the terminal, downsampled to fit `width` columns. */
export function asciiChart(values: readonly number[], options: { height?: number; width?: number; logY?: boolean } = {}): string {
  const width = options.width ?? 60;
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return '(no finite values to plot)';
  const sampled: number[] = [];
  const step = Math.max(1, finite.length / width);
  for (let i = 0; i < finite.length; i += step) sampled.push(finite[Math.floor(i)]!);
  const shown = options.logY ? sampled.map((v) => Math.log10(Math.max(v, 1e-12))) : sampled;
  const chart = asciichart.plot(shown, {
    height: options.height ?? 10,
    format: (v: number) => (options.logY ? 10 ** v : v).toPrecision(3).padStart(9),
  });
  return chart;
}
