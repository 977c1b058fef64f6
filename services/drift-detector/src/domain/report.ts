// A closed window → its drift tests and report, and the report's outward shapes: one
// monitoring.drift.v1 record per test and the omen.drift.v1 DriftReport message.
import type { DriftReport as DriftRecord, driftV1 } from '@omen/contracts';
import type { DistributionStats } from '@omen/model-registry';
import { binCounts, chiSquared, jensenShannon, ksPValue, ksStatistic, psi, quantileCdf } from './stats.ts';
import type { WindowState } from './window.ts';

export type Target = 'feature' | 'prediction' | 'label';
export type Statistic = 'psi' | 'ks' | 'chi2' | 'js';

/** The output tested for target "prediction" and the label tested for target "label". */
export const PREDICTION_FEATURE = 'bug_probability';
export const LABEL_FEATURE = 'is_bug_inducing';

export interface Thresholds {
  psi: number;
  /** Significance level of the KS test. */
  ksAlpha: number;
  /** Significance level of the chi-squared test. */
  chi2Alpha: number;
  js: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { psi: 0.2, ksAlpha: 0.01, chi2Alpha: 0.01, js: 0.1 };

export interface DriftTest {
  feature: string;
  target: Target;
  statistic: Statistic;
  value: number;
  pValue: number | null;
  threshold: number;
  drifted: boolean;
  sampleSize: number;
  referenceSize: number | null;
}

export interface Report {
  reportId: string;
  model: string;
  version: string;
  repo: string;
  windowStart: number;
  windowEnd: number;
  referenceVersion: string;
  tests: DriftTest[];
  drifted: boolean;
  computedAt: number;
}

export function reportId(model: string, version: string, repo: string, windowEnd: number): string {
  return `${model}:${version}:${repo}:${windowEnd}`;
}

/** monitoring.drift.v1's idempotency id (schemas/drift_report.avsc). */
export function testEventId(repo: string, model: string, version: string, feature: string, statistic: Statistic, windowEnd: number): string {
  return `${repo}:${model}:${version}:${feature}:${statistic}:${windowEnd}`;
}

function numericTests(feature: string, target: Target, sample: readonly number[], n: number, ref: DistributionStats, levels: readonly number[], t: Thresholds): DriftTest[] {
  const base = { feature, target, sampleSize: n, referenceSize: ref.count > 0 ? ref.count : null };
  const tests: DriftTest[] = [];
  // Binned tests need at least two bins; a constant feature's reference has one.
  if (ref.histogram.edges.length > 0 && ref.histogram.proportions.length === ref.histogram.edges.length + 1) {
    const counts = binCounts(sample, ref.histogram.edges);
    const p = psi(ref.histogram.proportions, counts);
    tests.push({ ...base, statistic: 'psi', value: p, pValue: null, threshold: t.psi, drifted: p > t.psi });
    const js = jensenShannon(ref.histogram.proportions, counts);
    tests.push({ ...base, statistic: 'js', value: js, pValue: null, threshold: t.js, drifted: js > t.js });
  }
  if (ref.quantiles.length === levels.length && ref.max > ref.min) {
    const d = ksStatistic(sample, quantileCdf(levels, ref.quantiles, ref.min, ref.max));
    const pv = ksPValue(d, sample.length, ref.count > 0 ? ref.count : undefined);
    tests.push({ ...base, statistic: 'ks', value: d, pValue: pv, threshold: t.ksAlpha, drifted: pv < t.ksAlpha });
  }
  return tests;
}

/**
 * Chi-squared of the window's values over the reference categories; values the reference never
 * saw, and the share its categories leave uncovered, form one "other" category.
 */
function categoricalTest(feature: string, sample: readonly number[], n: number, ref: DistributionStats, t: Thresholds): DriftTest | undefined {
  const cats = ref.categories ?? [];
  const index = new Map(cats.map((c, i) => [c.value, i]));
  const observed = new Array<number>(cats.length + 1).fill(0);
  for (const v of sample) observed[index.get(v) ?? cats.length]! += 1;
  const shares = cats.map((c) => c.share);
  const otherShare = Math.max(0, 1 - shares.reduce((a, b) => a + b, 0));
  if (otherShare > 1e-9 || observed[cats.length]! > 0) shares.push(otherShare);
  else observed.pop();
  if (shares.length < 2) return undefined;
  const r = chiSquared(shares, observed);
  return { feature, target: 'feature', statistic: 'chi2', value: r.statistic, pValue: r.pValue, threshold: t.chi2Alpha, drifted: r.pValue < t.chi2Alpha, sampleSize: n, referenceSize: ref.count > 0 ? ref.count : null };
}

/**
 * Every test a window supports: per reference feature either chi-squared (the reference lists
 * categories) or PSI, JS and KS; the same three on the champion's bug_probability; chi-squared of
 * the label rate. A test runs only on at least `minSamples` observations (a reservoir's size
 * counts as its full count: it is a uniform sample of it).
 */
export function evaluateWindow(w: WindowState, thresholds: Thresholds, minSamples: number, computedAt: number): Report {
  const stats = w.reference.stats;
  const tests: DriftTest[] = [];
  for (const ref of stats.features) {
    const r = w.features.get(ref.name);
    if (!r || r.count < minSamples) continue;
    if (ref.categories && ref.categories.length > 0) {
      const test = categoricalTest(ref.name, r.values, r.count, ref, thresholds);
      if (test) tests.push(test);
    } else {
      tests.push(...numericTests(ref.name, 'feature', r.values, r.count, ref, stats.quantileLevels, thresholds));
    }
  }
  if (w.predictions.count >= minSamples) {
    tests.push(...numericTests(PREDICTION_FEATURE, 'prediction', w.predictions.values, w.predictions.count, stats.predictions, stats.quantileLevels, thresholds));
  }
  if (w.labels.total >= minSamples) {
    const r = chiSquared([1 - stats.labelRate, stats.labelRate], [w.labels.total - w.labels.positive, w.labels.positive]);
    tests.push({ feature: LABEL_FEATURE, target: 'label', statistic: 'chi2', value: r.statistic, pValue: r.pValue, threshold: thresholds.chi2Alpha, drifted: r.pValue < thresholds.chi2Alpha, sampleSize: w.labels.total, referenceSize: stats.rows > 0 ? stats.rows : null });
  }
  return {
    reportId: reportId(w.model, w.version, w.repo, w.end),
    model: w.model,
    version: w.version,
    repo: w.repo,
    windowStart: w.start,
    windowEnd: w.end,
    referenceVersion: w.reference.version,
    tests,
    drifted: tests.some((x) => x.drifted),
    computedAt,
  };
}

/** One monitoring.drift.v1 record per test. */
export function driftRecords(r: Report): DriftRecord[] {
  return r.tests.map((x) => ({
    event_id: testEventId(r.repo, r.model, r.version, x.feature, x.statistic, r.windowEnd),
    event_time: r.computedAt,
    repo_id: r.repo,
    model_name: r.model,
    model_version: r.version,
    target: x.target,
    feature: x.feature,
    statistic: x.statistic,
    value: x.value,
    p_value: x.pValue,
    threshold: x.threshold,
    drifted: x.drifted,
    window_start: r.windowStart,
    window_end: r.windowEnd,
    sample_size: x.sampleSize,
    reference_size: x.referenceSize,
    reference_version: r.referenceVersion,
  }));
}

/** Rebuilds reports from monitoring.drift.v1-shaped rows (what the ClickHouse table holds). */
export function reportsFromRecords(rows: readonly DriftRecord[]): Report[] {
  const byId = new Map<string, Report>();
  for (const row of rows) {
    const id = reportId(row.model_name, row.model_version, row.repo_id, row.window_end);
    let r = byId.get(id);
    if (!r) {
      r = { reportId: id, model: row.model_name, version: row.model_version, repo: row.repo_id, windowStart: row.window_start, windowEnd: row.window_end, referenceVersion: row.reference_version, tests: [], drifted: false, computedAt: row.event_time };
      byId.set(id, r);
    }
    r.tests.push({ feature: row.feature, target: row.target as Target, statistic: row.statistic as Statistic, value: row.value, pValue: row.p_value, threshold: row.threshold, drifted: row.drifted, sampleSize: row.sample_size, referenceSize: row.reference_size });
    r.drifted ||= row.drifted;
    r.computedAt = Math.max(r.computedAt, row.event_time);
  }
  return [...byId.values()];
}

/** The worst tests of a drifted report, for an alert's reason. */
export function driftReason(r: Report, most = 3): string {
  const drifted = r.tests.filter((x) => x.drifted);
  const shown = drifted.slice(0, most).map((x) => `${x.feature} ${x.statistic}=${x.value.toPrecision(3)}${x.pValue !== null ? ` (p=${x.pValue.toExponential(2)})` : ''}`);
  const more = drifted.length > most ? ` and ${drifted.length - most} more` : '';
  return `drift in ${r.repo === '*' ? 'all repositories' : r.repo} over ${new Date(r.windowStart).toISOString()}..${new Date(r.windowEnd).toISOString()}: ${shown.join(', ')}${more}`;
}

const TARGETS: Record<Target, driftV1.DriftTarget> = { feature: 'DRIFT_TARGET_FEATURE', prediction: 'DRIFT_TARGET_PREDICTION', label: 'DRIFT_TARGET_LABEL' };
const STATISTICS: Record<Statistic, driftV1.DriftStatistic> = { psi: 'DRIFT_STATISTIC_PSI', ks: 'DRIFT_STATISTIC_KS', chi2: 'DRIFT_STATISTIC_CHI2', js: 'DRIFT_STATISTIC_JS' };

function timestamp(ms: number): { seconds: string; nanos: number } {
  return { seconds: String(Math.floor(ms / 1000)), nanos: (((ms % 1000) + 1000) % 1000) * 1_000_000 };
}

export function reportMessage(r: Report): driftV1.DriftReport {
  return {
    report_id: r.reportId,
    model_name: r.model,
    model_version: r.version,
    repo_id: r.repo,
    window_start: timestamp(r.windowStart),
    window_end: timestamp(r.windowEnd),
    reference_version: r.referenceVersion,
    features: r.tests.map((x) => ({
      feature: x.feature,
      target: TARGETS[x.target],
      statistic: STATISTICS[x.statistic],
      value: x.value,
      ...(x.pValue !== null ? { p_value: x.pValue } : {}),
      threshold: x.threshold,
      drifted: x.drifted,
      sample_size: String(x.sampleSize),
      reference_size: String(x.referenceSize ?? 0),
    })),
    drifted: r.drifted,
    retraining_triggered: false,
    retraining_run_id: '',
    computed_at: timestamp(r.computedAt),
  };
}
