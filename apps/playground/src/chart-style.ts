// The look the page's charts share (font, colours, axis styling, the width of every y axis)
// and mounting a Vega-Lite spec as a Vega view (SVG) in that style.
import { type View as VegaView, View, parse, scheme } from 'vega';
import { type TopLevelSpec, compile } from 'vega-lite';

const FONT = 'Inter, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
export const COLORS = { training: '#2563eb', test: '#ea580c', truth: '#aab4c3', prediction: '#2563eb', good: '#16a34a', bad: '#dc2626' };
/** Width reserved for every y axis, so the time steps of stacked panels line up. */
export const Y_AXIS_WIDTH = 44;

const CONFIG = {
  font: FONT,
  background: 'white',
  view: { stroke: null },
  axis: {
    labelColor: '#4b5563',
    titleColor: '#4b5563',
    titleFontWeight: 'normal' as const,
    labelFontSize: 11,
    titleFontSize: 11,
    gridColor: '#eef0f3',
    domainColor: '#cbd2d9',
    tickColor: '#cbd2d9',
  },
  legend: { labelFontSize: 11, labelColor: '#374151', symbolStrokeWidth: 2 },
};

/** Draws `spec` in `container` (emptied first) with the shared style; resolves once rendered. */
export async function mount(container: HTMLElement, spec: TopLevelSpec): Promise<VegaView> {
  container.replaceChildren();
  const view = new View(parse(compile({ ...spec, config: CONFIG } as TopLevelSpec).spec), {
    renderer: 'svg',
    container,
    hover: true,
  });
  await view.runAsync();
  return view;
}

/** A CSS gradient of a Vega colour scheme, for the small legends drawn in HTML. */
export function schemeGradient(name: string): string {
  const interpolate = scheme(name) as (t: number) => string;
  const stops = [0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => interpolate(t));
  return `linear-gradient(to right, ${stops.join(', ')})`;
}
