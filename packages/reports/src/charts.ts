import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { Html, html } from './html.ts';

/** A Vega-Lite spec with its data inline. */
export type ChartSpec = TopLevelSpec;

const WIDTH = 340;
const HEIGHT = 260;

/**
 * Renders a Vega-Lite spec to an SVG string on the server: Vega-Lite compiles to Vega, Vega's
 * headless view draws with its SVG string renderer (no browser, no canvas). Vega escapes the text
 * it writes into the SVG; the spec's data never becomes markup otherwise.
 */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** A chart as a figure with a caption, or a note where there is nothing to draw. */
export async function figure(spec: ChartSpec | undefined, caption: string, missing: string): Promise<Html> {
  if (!spec) return html`<figure><p class="note">${missing}</p><figcaption>${caption}</figcaption></figure>`;
  return html`<figure>${new Html(await renderSvg(spec))}<figcaption>${caption}</figcaption></figure>`;
}

interface XY {
  x: number;
  y: number;
}

const axes = (x: string, y: string, domain = true) => ({
  x: { field: 'x', type: 'quantitative' as const, title: x, ...(domain ? { scale: { domain: [0, 1] } } : {}) },
  y: { field: 'y', type: 'quantitative' as const, title: y, ...(domain ? { scale: { domain: [0, 1] } } : {}) },
});

/** A curve over [0,1]², with a dashed reference line (chance, baseline) when given. */
export function curveSpec(
  title: string,
  points: readonly XY[],
  xTitle: string,
  yTitle: string,
  reference?: readonly XY[],
): ChartSpec | undefined {
  if (points.length < 2) return undefined;
  const layers: NonNullable<Extract<ChartSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: points.map((p) => ({ ...p })) },
      mark: { type: 'line', interpolate: 'linear', color: '#2f6fde', strokeWidth: 2 },
      encoding: axes(xTitle, yTitle),
    },
  ];
  if (reference)
    layers.push({
      data: { values: reference.map((p) => ({ ...p })) },
      mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
      encoding: axes(xTitle, yTitle),
    });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: HEIGHT,
    layer: layers,
  };
}

/** Horizontal bars of a value per label, largest first. */
export function barSpec(
  title: string,
  rows: readonly { label: string; value: number }[],
  valueTitle: string,
): ChartSpec | undefined {
  if (rows.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: Math.max(120, rows.length * 18),
    data: { values: rows.map((r) => ({ ...r })) },
    mark: { type: 'bar', color: '#2f6fde' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: '-x', title: null },
      x: { field: 'value', type: 'quantitative', title: valueTitle },
    },
  };
}

/** Calibration: observed positive rate against mean predicted probability per bin, sized by rows. */
export function calibrationSpec(
  bins: readonly { meanPredicted: number; observedRate: number; count: number }[],
): ChartSpec | undefined {
  const rows = bins.filter((b) => b.count > 0);
  if (rows.length === 0) return undefined;
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: 'Calibration',
    width: WIDTH,
    height: HEIGHT,
    layer: [
      {
        data: {
          values: [
            { x: 0, y: 0 },
            { x: 1, y: 1 },
          ],
        },
        mark: { type: 'line', strokeDash: [4, 4], color: '#999' },
        encoding: axes('mean predicted', 'observed rate'),
      },
      {
        data: { values: rows.map((b) => ({ x: b.meanPredicted, y: b.observedRate, rows: b.count })) },
        mark: { type: 'line', point: true, color: '#d9480f' },
        encoding: {
          ...axes('mean predicted', 'observed rate'),
          size: { field: 'rows', type: 'quantitative', title: 'rows' },
        },
      },
    ],
  };
}

/** Two distributions of one feature over the same bins, side by side (reference vs current). */
export function histogramPairSpec(
  title: string,
  bins: readonly { bin: string; order: number; reference: number; current: number }[],
): ChartSpec | undefined {
  if (bins.length === 0) return undefined;
  const values = bins.flatMap((b) => [
    { bin: b.bin, order: b.order, set: 'reference', share: b.reference },
    { bin: b.bin, order: b.order, set: 'current', share: b.current },
  ]);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: 180,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'bin', type: 'ordinal', sort: { field: 'order' }, title: 'bin', axis: { labelAngle: -45 } },
      xOffset: { field: 'set', type: 'nominal' },
      y: { field: 'share', type: 'quantitative', title: 'share of rows' },
      color: {
        field: 'set',
        type: 'nominal',
        scale: { domain: ['reference', 'current'], range: ['#9aa5b8', '#d9480f'] },
        title: null,
      },
    },
  };
}

/** A value over time, one line per series, with an optional horizontal threshold rule. */
export function timeSeriesSpec(
  title: string,
  points: readonly { time: string; series: string; value: number }[],
  yTitle: string,
  threshold?: number,
): ChartSpec | undefined {
  if (points.length === 0) return undefined;
  const layers: NonNullable<Extract<ChartSpec, { layer: unknown }>['layer']> = [
    {
      data: { values: points.map((p) => ({ ...p })) },
      mark: { type: 'line', point: true },
      encoding: {
        x: { field: 'time', type: 'temporal', title: null },
        y: { field: 'value', type: 'quantitative', title: yTitle },
        color: { field: 'series', type: 'nominal', title: null },
      },
    },
  ];
  if (threshold !== undefined && Number.isFinite(threshold)) {
    layers.push({
      data: { values: [{ t: threshold }] },
      mark: { type: 'rule', strokeDash: [4, 4], color: '#b42318' },
      encoding: { y: { field: 't', type: 'quantitative' } },
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH * 1.6,
    height: 220,
    layer: layers,
  };
}

/** Point estimates with intervals, one row per label (per arm of an experiment). */
export function intervalSpec(
  title: string,
  rows: readonly { label: string; value: number; low: number; high: number }[],
  valueTitle: string,
): ChartSpec | undefined {
  const finite = rows.filter((r) => [r.value, r.low, r.high].every(Number.isFinite));
  if (finite.length === 0) return undefined;
  const values = finite.map((r) => ({ ...r }));
  const y = { field: 'label', type: 'nominal' as const, title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH,
    height: Math.max(80, finite.length * 40),
    data: { values },
    layer: [
      {
        mark: { type: 'rule', strokeWidth: 2, color: '#2f6fde' },
        encoding: {
          y,
          x: { field: 'low', type: 'quantitative', title: valueTitle, scale: { zero: false } },
          x2: { field: 'high' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 80, color: '#1d2330' },
        encoding: { y, x: { field: 'value', type: 'quantitative' } },
      },
    ],
  };
}

/** Per series (an arm), an estimate over time with its interval as a band around the line. */
export function intervalOverTimeSpec(
  title: string,
  points: readonly { time: string; series: string; value: number; low: number; high: number }[],
  yTitle: string,
): ChartSpec | undefined {
  const finite = points.filter((p) => [p.value, p.low, p.high].every(Number.isFinite));
  if (finite.length === 0) return undefined;
  // An experiment can span minutes: Vega's automatic time format would then label ticks in
  // milliseconds (".800"), so the date and the time of day are always written out.
  const x = {
    field: 'time',
    type: 'temporal' as const,
    title: null,
    axis: { format: '%m-%d %H:%M:%S', labelAngle: -30, tickCount: 5 },
  };
  const color = { field: 'series', type: 'nominal' as const, title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title,
    width: WIDTH * 1.6,
    height: 220,
    data: { values: finite.map((p) => ({ ...p })) },
    layer: [
      {
        mark: { type: 'area', opacity: 0.2 },
        encoding: {
          x,
          y: { field: 'low', type: 'quantitative', title: yTitle, scale: { zero: false } },
          y2: { field: 'high' },
          color,
        },
      },
      { mark: { type: 'line', point: true }, encoding: { x, y: { field: 'value', type: 'quantitative' }, color } },
    ],
  };
}
