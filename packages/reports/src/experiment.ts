import { figure, intervalSpec } from './charts.ts';
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
}

/** 95% normal interval of an arm's mean (the RPC gives mean, stddev and count per arm). */
export function meanInterval(m: ArmMetric): { low: number; high: number } {
  const half = m.count > 1 ? 1.96 * m.stddev / Math.sqrt(m.count) : Number.NaN;
  return { low: m.mean - half, high: m.mean + half };
}

/** The experiment report as one self-contained HTML page. */
export async function experimentReport(d: ExperimentReportData, generatedAt = new Date()): Promise<string> {
  const metrics = [...new Set(d.arms.flatMap((a) => a.metrics.map((m) => m.metric)))].sort((a, b) => Number(b === d.primaryMetric) - Number(a === d.primaryMetric) || a.localeCompare(b));
  const totalWeight = d.arms.reduce((s, a) => s + a.weight, 0);
  const totalUnits = d.arms.reduce((s, a) => s + a.units, 0);
  const charts = await Promise.all(metrics.flatMap((metric) => {
    const per = d.arms.flatMap((a) => a.metrics.filter((m) => m.metric === metric).map((m) => ({ arm: a.name, m })));
    return [
      figure(intervalSpec(`${metric}: mean per arm`, per.map(({ arm, m }) => ({ label: arm, value: m.mean, ...meanInterval(m) })), metric), '95% interval of each arm\'s mean', 'no data yet'),
      figure(intervalSpec(`${metric}: difference to control`, per.filter(({ m }) => m.ciLow !== undefined && m.ciHigh !== undefined).map(({ arm, m }) => ({ label: arm, value: (m.ciLow! + m.ciHigh!) / 2, low: m.ciLow!, high: m.ciHigh! })), `Δ ${metric}`), '95% interval of the difference of means to the control arm', 'no comparison yet'),
    ];
  }));
  const body = html`
<h2>Decision</h2>
${keyValues([
    ['state', d.state],
    ['stop reason', d.stopReason || '–'],
    ['primary metric', `${d.primaryMetric} (alpha ${fmt(d.alpha)})`],
    ['model', d.model],
    ['randomization unit', d.unit],
    ['created', d.createdAt],
    ['stopped', d.stoppedAt],
  ])}
<h2>Arms and sample ratio</h2>
${table(['arm', 'model version', 'weight', 'expected share', 'units', 'observed share'], d.arms.map((a) => [
    a.name, a.modelVersion, fmt(a.weight), totalWeight > 0 ? fmt(a.weight / totalWeight) : '–', a.units, totalUnits > 0 ? fmt(a.units / totalUnits) : '–',
  ]))}
<h2>Evidence</h2>
${table(['arm', 'metric', 'n', 'mean', 'stddev', 'lift', 'p-value', '95% CI of Δ'], d.arms.flatMap((a) => a.metrics.map((m) => [
    a.name, m.metric, m.count, fmt(m.mean), fmt(m.stddev), fmt(m.lift), fmt(m.pValue), m.ciLow === undefined ? '–' : `[${fmt(m.ciLow)}, ${fmt(m.ciHigh)}]`,
  ])))}
<div class="charts">${charts}</div>`;
  return page(`Experiment ${d.name}`, `omen experiment report: ${d.id}${d.description ? ` — ${d.description}` : ''}`, body, generatedAt);
}
