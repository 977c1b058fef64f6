import { figure, histogramPairSpec, timeSeriesSpec } from './charts.ts';
import { fmt, html, page, table } from './html.ts';

/** One feature's (or the prediction's) histogram: inner edges and the share of rows per bin. */
export interface Histogram {
  edges: readonly number[];
  proportions: readonly number[];
}

/** One test of one drift report (a window). */
export interface DriftTest {
  feature: string;
  statistic: string;
  value: number;
  threshold: number;
  drifted: boolean;
  pValue?: number | undefined;
  sampleSize: number;
}

export interface DriftWindow {
  windowStart: string;
  windowEnd: string;
  drifted: boolean;
  retrainingRunId: string;
  tests: readonly DriftTest[];
}

/** What a drift report shows, as plain data. */
export interface DriftReportData {
  model: string;
  version: string;
  referenceVersion: string;
  /** Windows, oldest first; the last is the current one. */
  windows: readonly DriftWindow[];
  /** Training reference histogram per feature (from the version's reference statistics). */
  reference: Readonly<Record<string, Histogram>>;
  /** Live histogram per feature in the current window, where the detector records it. */
  current: Readonly<Record<string, Histogram>>;
}

/** Bin labels for inner edges e: "≤ e0", "(e0, e1]", …, "> e_last". */
function binLabels(edges: readonly number[]): string[] {
  const f = (v: number): string => fmt(v, 3);
  if (edges.length === 0) return ['all'];
  return [`≤ ${f(edges[0]!)}`, ...edges.slice(1).map((e, k) => `(${f(edges[k]!)}, ${f(e)}]`), `> ${f(edges.at(-1)!)}`];
}

/**
 * Reference vs current bins of one feature. They are comparable only over the same edges (the
 * detector bins live rows on the reference's edges); otherwise only the reference is drawn.
 */
export function histogramBins(
  reference: Histogram,
  current: Histogram | undefined,
): { bin: string; order: number; reference: number; current: number }[] {
  const same =
    current !== undefined &&
    current.edges.length === reference.edges.length &&
    current.edges.every((e, i) => e === reference.edges[i]);
  return binLabels(reference.edges).map((bin, k) => ({
    bin,
    order: k,
    reference: reference.proportions[k] ?? 0,
    current: same ? (current.proportions[k] ?? 0) : 0,
  }));
}

/** The drift report as one self-contained HTML page. */
export async function driftReport(d: DriftReportData, generatedAt = new Date()): Promise<string> {
  const latest = d.windows.at(-1);
  const features = [...new Set(d.windows.flatMap((w) => w.tests.map((t) => t.feature)))].sort();
  const overTime = await Promise.all(
    features.map((feature) => {
      const points = d.windows.flatMap((w) =>
        w.tests
          .filter((t) => t.feature === feature)
          .map((t) => ({ time: w.windowEnd, series: t.statistic, value: t.value })),
      );
      // The newest window that tested the feature (the newest of all may hold only the prediction's tests).
      const threshold = d.windows
        .findLast((w) => w.tests.some((t) => t.feature === feature))
        ?.tests.find((t) => t.feature === feature)?.threshold;
      return figure(
        timeSeriesSpec(`${feature}: statistic per window`, points, 'statistic', threshold),
        `dashed: alert threshold ${fmt(threshold)}`,
        'no window evaluated',
      );
    }),
  );
  const histograms = await Promise.all(
    Object.keys(d.reference)
      .sort()
      .map((feature) => {
        const current = d.current[feature];
        return figure(
          histogramPairSpec(`${feature}: reference vs current`, histogramBins(d.reference[feature]!, current)),
          current
            ? "share of rows per bin, on the reference's edges"
            : "current window's histogram not recorded: reference only",
          'no reference histogram',
        );
      }),
  );
  const body = html`
<h2>Current window</h2>
${
  latest
    ? html`<p>${latest.windowStart} .. ${latest.windowEnd}: <span class="${latest.drifted ? 'fail' : 'pass'}">${latest.drifted ? 'drifted' : 'no drift'}</span>${latest.retrainingRunId ? ` — retraining run ${latest.retrainingRunId}` : ''}</p>
${table(
  ['feature', 'statistic', 'value', 'threshold', 'p-value', 'rows', 'drifted'],
  latest.tests.map((t) => [
    t.feature,
    t.statistic,
    fmt(t.value),
    fmt(t.threshold),
    fmt(t.pValue),
    t.sampleSize,
    t.drifted ? 'YES' : 'no',
  ]),
)}`
    : html`<p class="note">no drift report for this model yet</p>`
}
<h2>Statistic over time</h2>
<div class="charts">${overTime}</div>
<h2>Reference vs current distributions</h2>
<div class="charts">${histograms}</div>`;
  return page(
    `Drift ${d.model}/${d.version}`,
    `omen drift report: live windows against the training reference of ${d.referenceVersion || d.version}, ${d.windows.length} windows`,
    body,
    generatedAt,
  );
}
