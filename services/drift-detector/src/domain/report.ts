// A closed window → its drift tests and report, and the report's outward shapes: one
// monitoring.drift.v1 record per test and the omen.drift.v1 DriftReport message.
import type { DriftReport as DriftRecord, driftV1 } from '@omen/contracts';
import type { DistributionStats } from '@omen/model-registry';
import {
  benjaminiHochberg,
  binCounts,
  chiSquared,
  jensenShannon,
  ksPValue,
  ksStatistic,
  psi,
  quantileCdf,
  shares,
  wassersteinNorm,
  wassersteinToCdf,
} from './stats.ts';
import { cbpeRocAuc } from './performance.ts';
import type { WindowState } from './window.ts';

export type Target = 'feature' | 'prediction' | 'label';
export type Statistic = 'psi' | 'ks' | 'chi2' | 'js' | 'wasserstein';

/** The output tested for target "prediction" and the label tested for target "label". */
export const PREDICTION_FEATURE = 'bug_probability';
export const LABEL_FEATURE = 'is_bug_inducing';

export interface Thresholds {
  psi: number;
  /** Significance level of the KS test (after the multiple-testing correction). */
  ksAlpha: number;
  /** Significance level of the chi-squared test (after the multiple-testing correction). */
  chi2Alpha: number;
  js: number;
  /** Normed Wasserstein distance (reference standard deviations) at or above which a feature drifted. */
  wasserstein: number;
}

/** Evidently's default thresholds (KS and χ² p < 0.05, JS and normed Wasserstein ≥ 0.1) plus the common PSI 0.2. */
export const DEFAULT_THRESHOLDS: Thresholds = { psi: 0.2, ksAlpha: 0.05, chi2Alpha: 0.05, js: 0.1, wasserstein: 0.1 };

export type NumericTest = 'auto' | 'ks' | 'wasserstein' | 'psi' | 'js';
export type CategoricalTest = 'auto' | 'chi2' | 'js';
export type Correction = 'bh' | 'none';

/**
 * Which test decides a feature's drift (the others are still computed and stored, with
 * `decisive` false), the dataset-level rule and the multiple-testing correction.
 */
export interface Policy {
  /** 'auto': Evidently's default — KS for a reference of at most `smallRows` rows, normed Wasserstein above. */
  numeric: NumericTest;
  /** 'auto': Evidently's default — χ² for a reference of at most `smallRows` rows, Jensen–Shannon above. */
  categorical: CategoricalTest;
  /** Evidently's 1,000: the reference row count up to which the p-value tests are the defaults. */
  smallRows: number;
  /** The window's features drifted (dataset drift) when at least this share of them did. */
  driftShare: number;
  /** Across the features' p-value tests of one window: Benjamini–Hochberg, or none. */
  correction: Correction;
}

export const DEFAULT_POLICY: Policy = {
  numeric: 'auto',
  categorical: 'auto',
  smallRows: 1000,
  driftShare: 0.5,
  correction: 'bh',
};

/** The statistic that decides a numeric feature (or the prediction) with this many reference rows. */
export function numericDecider(policy: Policy, referenceRows: number): Statistic {
  if (policy.numeric !== 'auto') return policy.numeric;
  return referenceRows <= policy.smallRows ? 'ks' : 'wasserstein';
}

export function categoricalDecider(policy: Policy, referenceRows: number): Statistic {
  if (policy.categorical !== 'auto') return policy.categorical;
  return referenceRows <= policy.smallRows ? 'chi2' : 'js';
}

/** The retraining a drifted report asked for (see the README's "retraining link"). */
export interface Retraining {
  /**
   * started: the trainer started run `runId`; refused: the trainer would not start one (its
   * cooldown, a run already in progress), `detail` says why; cooldown: this detector's own alert
   * cooldown held the alert back; unanswered: no trainer answered the alert; failed: the alert
   * could not be sent; covered: another report of the same batch carried the model's alert.
   */
  status: 'started' | 'refused' | 'cooldown' | 'unanswered' | 'failed' | 'covered';
  runId: string;
  detail: string;
}

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
  /** This test decides the feature's drift (per-type default or configured); the others are informational. */
  decisive: boolean;
  /** The p-value after the correction across the window's features (null for tests without one). */
  pValueAdjusted: number | null;
  /** Binned tests: the window's share per bin of the reference histogram, for reference-vs-current charts. */
  currentProportions?: number[] | null | undefined;
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
  /**
   * Features: the share of drifted features reached the policy's drift share; prediction and
   * label: their decisive test drifted.
   */
  drifted: boolean;
  /** Share of the window's features whose decisive test drifted; null for prediction and label reports. */
  driftShare: number | null;
  computedAt: number;
  /** Prediction windows: the CBPE expected ROC AUC of the champion's scores (no labels needed). */
  performance?: { predictions: number; expectedAuc: number | null } | undefined;
  /** Set once a drifted report's alert was answered (kept across publish retries). */
  retraining?: Retraining | undefined;
}

export function reportId(model: string, version: string, repo: string, windowEnd: number): string {
  return `${model}:${version}:${repo}:${windowEnd}`;
}

/** monitoring.drift.v1's idempotency id (schemas/drift_report.avsc). */
export function testEventId(
  repo: string,
  model: string,
  version: string,
  feature: string,
  statistic: Statistic,
  windowEnd: number,
): string {
  return `${repo}:${model}:${version}:${feature}:${statistic}:${windowEnd}`;
}

function numericTests(
  feature: string,
  target: Target,
  sample: readonly number[],
  n: number,
  ref: DistributionStats,
  levels: readonly number[],
  t: Thresholds,
  decider: Statistic,
): DriftTest[] {
  const base = {
    feature,
    target,
    sampleSize: n,
    referenceSize: ref.count > 0 ? ref.count : null,
    pValueAdjusted: null,
  };
  const tests: DriftTest[] = [];
  // Binned tests need at least two bins; a constant feature's reference has one.
  if (ref.histogram.edges.length > 0 && ref.histogram.proportions.length === ref.histogram.edges.length + 1) {
    const counts = binCounts(sample, ref.histogram.edges);
    const currentProportions = shares(counts);
    const p = psi(ref.histogram.proportions, counts);
    tests.push({
      ...base,
      statistic: 'psi',
      value: p,
      pValue: null,
      threshold: t.psi,
      drifted: p > t.psi,
      decisive: decider === 'psi',
      currentProportions,
    });
    const js = jensenShannon(ref.histogram.proportions, counts);
    tests.push({
      ...base,
      statistic: 'js',
      value: js,
      pValue: null,
      threshold: t.js,
      drifted: js >= t.js,
      decisive: decider === 'js',
      currentProportions,
    });
  }
  if (ref.quantiles.length === levels.length && ref.max > ref.min) {
    const d = ksStatistic(sample, quantileCdf(levels, ref.quantiles, ref.min, ref.max));
    const pv = ksPValue(d, sample.length, ref.count > 0 ? ref.count : undefined);
    tests.push({
      ...base,
      statistic: 'ks',
      value: d,
      pValue: pv,
      pValueAdjusted: pv,
      threshold: t.ksAlpha,
      drifted: pv < t.ksAlpha,
      decisive: decider === 'ks',
    });
    const w = wassersteinNorm(wassersteinToCdf(sample, levels, ref.quantiles, ref.min, ref.max), ref.std);
    tests.push({
      ...base,
      statistic: 'wasserstein',
      value: w,
      pValue: null,
      threshold: t.wasserstein,
      drifted: w >= t.wasserstein,
      decisive: decider === 'wasserstein',
    });
  }
  // The decider could not run (a constant reference, no histogram): the first test that did decides.
  if (tests.length > 0 && !tests.some((x) => x.decisive)) tests[0]!.decisive = true;
  return tests;
}

/**
 * Chi-squared and Jensen–Shannon of the window's values over the reference categories; values
 * the reference never saw, and the share its categories leave uncovered, form one "other" category.
 */
function categoricalTests(
  feature: string,
  sample: readonly number[],
  n: number,
  ref: DistributionStats,
  t: Thresholds,
  decider: Statistic,
): DriftTest[] {
  const cats = ref.categories ?? [];
  const index = new Map(cats.map((c, i) => [c.value, i]));
  const observed = new Array<number>(cats.length + 1).fill(0);
  for (const v of sample) observed[index.get(v) ?? cats.length]! += 1;
  const shares = cats.map((c) => c.share);
  const otherShare = Math.max(0, 1 - shares.reduce((a, b) => a + b, 0));
  if (otherShare > 1e-9 || observed[cats.length]! > 0) shares.push(otherShare);
  else observed.pop();
  if (shares.length < 2) return [];
  const base = { feature, target: 'feature' as const, sampleSize: n, referenceSize: ref.count > 0 ? ref.count : null };
  const r = chiSquared(shares, observed);
  const js = jensenShannon(shares, observed);
  return [
    {
      ...base,
      statistic: 'chi2',
      value: r.statistic,
      pValue: r.pValue,
      pValueAdjusted: r.pValue,
      threshold: t.chi2Alpha,
      drifted: r.pValue < t.chi2Alpha,
      decisive: decider === 'chi2',
    },
    {
      ...base,
      statistic: 'js',
      value: js,
      pValue: null,
      pValueAdjusted: null,
      threshold: t.js,
      drifted: js >= t.js,
      decisive: decider === 'js',
    },
  ];
}

/**
 * Replaces the features' p-value tests' adjusted p by Benjamini–Hochberg over all of them (one
 * family per window: every feature's KS or χ², decisive or not) and re-decides them against
 * their α. BH rather than Holm: Holm bounds the chance of any false alarm among the ~15
 * features and so loses power as features are added; BH bounds the expected share of false
 * alarms among the flagged ones, which is what a drift share is made of, and stays valid under
 * the positive dependence of features that shift together (Benjamini–Yekutieli 2001).
 */
export function correctFeatureTests(tests: DriftTest[], correction: Correction): void {
  const family = tests.filter((x) => x.target === 'feature' && x.pValue !== null);
  if (correction === 'none' || family.length === 0) return;
  const adjusted = benjaminiHochberg(family.map((x) => x.pValue!));
  family.forEach((x, i) => {
    x.pValueAdjusted = adjusted[i]!;
    x.drifted = adjusted[i]! < x.threshold;
  });
}

/**
 * Every test a window supports: per reference feature χ² and JS (the reference lists
 * categories) or PSI, JS, KS and normed Wasserstein; the same four on the champion's
 * bug_probability; χ² of the label rate. One test per feature is decisive (the policy); the
 * features' p-value tests are corrected for multiple testing; the features drifted when at
 * least the policy's share of them did. A test runs only on at least `minSamples` observations
 * (a reservoir's size counts as its full count: it is a uniform sample of it).
 */
export function evaluateWindow(
  w: WindowState,
  thresholds: Thresholds,
  minSamples: number,
  computedAt: number,
  policy: Policy = DEFAULT_POLICY,
): Report {
  const stats = w.reference.stats;
  const tests: DriftTest[] = [];
  let tested = 0;
  for (const ref of stats.features) {
    const r = w.features.get(ref.name);
    if (!r || r.count < minSamples) continue;
    const rows = ref.count > 0 ? ref.count : stats.rows;
    const got =
      ref.categories && ref.categories.length > 0
        ? categoricalTests(ref.name, r.values, r.count, ref, thresholds, categoricalDecider(policy, rows))
        : numericTests(
            ref.name,
            'feature',
            r.values,
            r.count,
            ref,
            stats.quantileLevels,
            thresholds,
            numericDecider(policy, rows),
          );
    if (got.length > 0) tested += 1;
    tests.push(...got);
  }
  correctFeatureTests(tests, policy.correction);
  if (w.predictions.count >= minSamples) {
    const ref = stats.predictions;
    tests.push(
      ...numericTests(
        PREDICTION_FEATURE,
        'prediction',
        w.predictions.values,
        w.predictions.count,
        ref,
        stats.quantileLevels,
        thresholds,
        numericDecider(policy, ref.count > 0 ? ref.count : stats.rows),
      ),
    );
  }
  if (w.labels.total >= minSamples) {
    const r = chiSquared(
      [1 - stats.labelRate, stats.labelRate],
      [w.labels.total - w.labels.positive, w.labels.positive],
    );
    tests.push({
      feature: LABEL_FEATURE,
      target: 'label',
      statistic: 'chi2',
      value: r.statistic,
      pValue: r.pValue,
      pValueAdjusted: r.pValue,
      threshold: thresholds.chi2Alpha,
      drifted: r.pValue < thresholds.chi2Alpha,
      sampleSize: w.labels.total,
      referenceSize: stats.rows > 0 ? stats.rows : null,
      decisive: true,
    });
  }
  const driftedFeatures = new Set(
    tests.filter((x) => x.target === 'feature' && x.decisive && x.drifted).map((x) => x.feature),
  );
  const driftShare = tested > 0 ? driftedFeatures.size / tested : null;
  const drifted =
    (driftShare !== null && driftShare >= policy.driftShare) ||
    tests.some((x) => x.target !== 'feature' && x.decisive && x.drifted);
  return {
    reportId: reportId(w.model, w.version, w.repo, w.end),
    model: w.model,
    version: w.version,
    repo: w.repo,
    windowStart: w.start,
    windowEnd: w.end,
    referenceVersion: w.reference.version,
    tests,
    drifted,
    driftShare,
    computedAt,
    ...(w.predictions.count >= minSamples
      ? { performance: { predictions: w.predictions.count, expectedAuc: cbpeRocAuc(w.predictions.values) } }
      : {}),
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
    decisive: x.decisive,
    p_value_adjusted: x.pValueAdjusted,
    drift_share: x.target === 'feature' ? r.driftShare : null,
    window_drifted: r.drifted,
    retraining_run_id: r.retraining?.runId ?? '',
    retraining_status: r.retraining?.status ?? '',
    retraining_detail: r.retraining?.detail ?? '',
    current_proportions: x.currentProportions ?? null,
  }));
}

/** Which of two retraining outcomes a merged report shows: a started run wins, then any outcome. */
export function mergeRetraining(a: Retraining | undefined, b: Retraining | undefined): Retraining | undefined {
  if (a?.status === 'started') return a;
  if (b?.status === 'started') return b;
  return b ?? a;
}

/**
 * Rebuilds reports from monitoring.drift.v1-shaped rows (what the ClickHouse table holds): the
 * rows of one window's features, prediction and label reports make one report, drifted when any
 * of their verdicts was (records written before `window_drifted`: when any test drifted).
 */
export function reportsFromRecords(rows: readonly DriftRecord[]): Report[] {
  const byId = new Map<string, Report>();
  for (const row of rows) {
    const id = reportId(row.model_name, row.model_version, row.repo_id, row.window_end);
    let r = byId.get(id);
    if (!r) {
      r = {
        reportId: id,
        model: row.model_name,
        version: row.model_version,
        repo: row.repo_id,
        windowStart: row.window_start,
        windowEnd: row.window_end,
        referenceVersion: row.reference_version,
        tests: [],
        drifted: false,
        driftShare: null,
        computedAt: row.event_time,
      };
      byId.set(id, r);
    }
    r.tests.push({
      feature: row.feature,
      target: row.target as Target,
      statistic: row.statistic as Statistic,
      value: row.value,
      pValue: row.p_value,
      threshold: row.threshold,
      drifted: row.drifted,
      sampleSize: row.sample_size,
      referenceSize: row.reference_size,
      decisive: row.decisive,
      pValueAdjusted: row.p_value_adjusted,
      ...(row.current_proportions ? { currentProportions: row.current_proportions } : {}),
    });
    r.drifted ||= row.window_drifted ?? row.drifted;
    if (row.drift_share !== null) r.driftShare = row.drift_share;
    if (row.retraining_status !== '')
      r.retraining = mergeRetraining(r.retraining, {
        status: row.retraining_status as Retraining['status'],
        runId: row.retraining_run_id,
        detail: row.retraining_detail,
      });
    r.computedAt = Math.max(r.computedAt, row.event_time);
  }
  return [...byId.values()];
}

/** The worst tests of a drifted report, for an alert's reason. */
export function driftReason(r: Report, most = 3): string {
  const drifted = r.tests.filter((x) => x.drifted && x.decisive);
  const shown = drifted
    .slice(0, most)
    .map(
      (x) =>
        `${x.feature} ${x.statistic}=${x.value.toPrecision(3)}${x.pValue !== null ? ` (p=${x.pValue.toExponential(2)})` : ''}`,
    );
  const more = drifted.length > most ? ` and ${drifted.length - most} more` : '';
  const share = r.driftShare !== null ? ` (${Math.round(r.driftShare * 100)}% of features drifted)` : '';
  return `drift${share} in ${r.repo === '*' ? 'all repositories' : r.repo} over ${new Date(r.windowStart).toISOString()}..${new Date(r.windowEnd).toISOString()}: ${shown.join(', ')}${more}`;
}

const TARGETS: Record<Target, driftV1.DriftTarget> = {
  feature: 'DRIFT_TARGET_FEATURE',
  prediction: 'DRIFT_TARGET_PREDICTION',
  label: 'DRIFT_TARGET_LABEL',
};
const STATISTICS: Record<Statistic, driftV1.DriftStatistic> = {
  psi: 'DRIFT_STATISTIC_PSI',
  ks: 'DRIFT_STATISTIC_KS',
  chi2: 'DRIFT_STATISTIC_CHI2',
  js: 'DRIFT_STATISTIC_JS',
  wasserstein: 'DRIFT_STATISTIC_WASSERSTEIN',
};

export function timestamp(ms: number): { seconds: string; nanos: number } {
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
      decisive: x.decisive,
      ...(x.pValueAdjusted !== null ? { p_value_adjusted: x.pValueAdjusted } : {}),
      current_proportions: x.currentProportions ?? [],
    })),
    drifted: r.drifted,
    retraining_triggered: r.retraining?.status === 'started',
    retraining_run_id: r.retraining?.runId ?? '',
    retraining_status: r.retraining?.status ?? '',
    retraining_detail: r.retraining?.detail ?? '',
    ...(r.driftShare !== null ? { drift_share: r.driftShare } : {}),
    computed_at: timestamp(r.computedAt),
  };
}
