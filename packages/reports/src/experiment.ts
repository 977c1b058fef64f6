import { figure, intervalOverTimeSpec, intervalSpec } from './charts.ts';
import { fmt, html, keyValues, page, table } from './html.ts';

export interface ArmMetric {
  metric: string;
  count: number;
  mean: number;
  stddev: number;
  /** Against the control arm; absent for the control. */
  lift?: number | undefined;
  pValue?: number | undefined;
  ciLow?: number | undefined;
  ciHigh?: number | undefined;
}

/** One arm's metric accumulated from the start up to `time` (all its events until then). */
export interface ArmMetricAt {
  time: string;
  arm: string;
  metric: string;
  count: number;
  mean: number;
  stddev: number;
}

/** What an experiment report shows, as plain data. */
export interface ExperimentReportData {
  id: string;
  name: string;
  description: string;
  model: string;
  state: string;
  createdAt: string;
  stoppedAt: string;
  stopReason: string;
  unit: string;
  primaryMetric: string;
  alpha: number;
  /** The first arm is the control. */
  arms: readonly { name: string; modelVersion: string; weight: number; units: number; metrics: readonly ArmMetric[] }[];
  /** The ab-router's sample-ratio check: χ² of units per arm against the weights. */
  srm?: { chi2: number; pValue: number; mismatch: boolean } | undefined;
  /** The last decision that changed something (canaries). */
  decision?: { action: string; reason: string; at: string } | undefined;
  /** Always-valid confidence sequences of challenger − control (canaries). */
  sequential?:
    readonly { metric: string; diff: number; low: number; high: number; n: number; verdict: string }[] | undefined;
  /** Per arm and metric, the running estimate over time; empty when not gathered. */
  overTime?: readonly ArmMetricAt[] | undefined;
}

/** 95% normal interval of an arm's mean (the RPC gives mean, stddev and count per arm). */
export function meanInterval(m: ArmMetric): { low: number; high: number } {
  const half = m.count > 1 ? (1.96 * m.stddev) / Math.sqrt(m.count) : Number.NaN;
  return { low: m.mean - half, high: m.mean + half };
}

/** The experiment report as one self-contained HTML page. */
export async function experimentReport(d: ExperimentReportData, generatedAt = new Date()): Promise<string> {
  const metrics = [...new Set(d.arms.flatMap((a) => a.metrics.map((m) => m.metric)))].sort(
    (a, b) => Number(b === d.primaryMetric) - Number(a === d.primaryMetric) || a.localeCompare(b),
  );
  const totalWeight = d.arms.reduce((s, a) => s + a.weight, 0);
  const totalUnits = d.arms.reduce((s, a) => s + a.units, 0);
  const charts = await Promise.all(
    metrics.flatMap((metric) => {
      const per = d.arms.flatMap((a) => a.metrics.filter((m) => m.metric === metric).map((m) => ({ arm: a.name, m })));
      const history = (d.overTime ?? [])
        .filter((p) => p.metric === metric)
        .map((p) => ({
          time: p.time,
          series: p.arm,
          value: p.mean,
          ...meanInterval({ metric, count: p.count, mean: p.mean, stddev: p.stddev }),
        }));
      return [
        figure(
          intervalOverTimeSpec(`${metric}: mean per arm over time`, history, metric),
          "each arm's mean of all its events up to then, band: 95% interval",
          'no events over time gathered (experiment events from ClickHouse)',
        ),
        figure(
          intervalSpec(
            `${metric}: mean per arm`,
            per.map(({ arm, m }) => ({ label: arm, value: m.mean, ...meanInterval(m) })),
            metric,
          ),
          "95% interval of each arm's mean",
          'no data yet',
        ),
        figure(
          intervalSpec(
            `${metric}: difference to control`,
            per
              .filter(({ m }) => m.ciLow !== undefined && m.ciHigh !== undefined)
              .map(({ arm, m }) => ({ label: arm, value: (m.ciLow! + m.ciHigh!) / 2, low: m.ciLow!, high: m.ciHigh! })),
            `Δ ${metric}`,
          ),
          '95% interval of the difference of means to the control arm',
          'no comparison yet',
        ),
      ];
    }),
  );
  const body = html`
<h2>Decision</h2>
${keyValues([
  ['state', d.state],
  ['stop reason', d.stopReason || '–'],
  ['last decision', d.decision ? `${d.decision.action} at ${d.decision.at}: ${d.decision.reason}` : '–'],
  ['primary metric', `${d.primaryMetric} (alpha ${fmt(d.alpha)})`],
  ['model', d.model],
  ['randomization unit', d.unit],
  ['created', d.createdAt],
  ['stopped', d.stoppedAt],
])}
<h2>Arms and sample ratio</h2>
${table(
  ['arm', 'model version', 'weight', 'expected share', 'units', 'observed share'],
  d.arms.map((a) => [
    a.name,
    a.modelVersion,
    fmt(a.weight),
    totalWeight > 0 ? fmt(a.weight / totalWeight) : '–',
    a.units,
    totalUnits > 0 ? fmt(a.units / totalUnits) : '–',
  ]),
)}
<h2>Sample ratio</h2>
${
  d.srm
    ? html`<p>χ² ${fmt(d.srm.chi2)}, p ${d.srm.pValue > 0 && d.srm.pValue < 1e-4 ? d.srm.pValue.toExponential(2) : fmt(d.srm.pValue)}: <span class="${d.srm.mismatch ? 'fail' : 'pass'}">${d.srm.mismatch ? 'mismatch (p < 0.001): the split is broken, no decision holds' : 'no mismatch'}</span></p>`
    : html`<p class="note">no sample-ratio check yet (no units)</p>`
}
<h2>Evidence</h2>
${table(
  ['arm', 'metric', 'n', 'mean', 'stddev', 'lift', 'p-value', '95% CI of Δ'],
  d.arms.flatMap((a) =>
    a.metrics.map((m) => [
      a.name,
      m.metric,
      m.count,
      fmt(m.mean),
      fmt(m.stddev),
      fmt(m.lift),
      fmt(m.pValue),
      m.ciLow === undefined ? '–' : `[${fmt(m.ciLow)}, ${fmt(m.ciHigh)}]`,
    ]),
  ),
)}
${
  (d.sequential ?? []).length > 0
    ? table(
        ['metric', 'challenger − control', 'always-valid 95% interval', 'n', 'verdict'],
        (d.sequential ?? []).map((t) => [t.metric, fmt(t.diff), `[${fmt(t.low)}, ${fmt(t.high)}]`, t.n, t.verdict]),
      )
    : ''
}
<div class="charts">${charts}</div>`;
  return page(
    `Experiment ${d.name}`,
    `omen experiment report: ${d.id}${d.description ? ` — ${d.description}` : ''}`,
    body,
    generatedAt,
  );
}
