// The promotion gate: a new version becomes champion only when it beats the current champion on
// the SAME holdout (the new run's test rows, scored by both) by a configured margin. Comparing
// against the champion's own historical test metrics would compare different periods, and
// under concept drift the newer period is usually harder or easier for everyone.
import type { Evaluation } from './metrics/evaluate.ts';

export type GateMetric = 'auc' | 'pr_auc' | 'brier';

export interface GateOptions {
  /** @default 'auc' */
  readonly metric: GateMetric;
  /** The candidate must beat the champion by at least this much (in the metric's units). */
  readonly margin: number;
  /** Fewer positives in the holdout than this makes every comparison noise. */
  readonly minTestPositives: number;
}

export interface GateCheck {
  readonly name: string;
  readonly metric: string;
  readonly value: number;
  readonly threshold: number;
  readonly passed: boolean;
}

export interface GateDecision {
  readonly passed: boolean;
  readonly metric: GateMetric;
  readonly margin: number;
  readonly championVersion?: string;
  readonly checks: readonly GateCheck[];
}

/** The champion as the gate sees it: scored on the candidate's holdout, or why it could not be. */
export type ChampionOnHoldout =
  | { readonly version: string; readonly evaluation: Evaluation }
  | { readonly version: string; readonly incomparable: string };

/** The metric's value (higher is better for auc and pr_auc; brier is negated so it is too). */
export function gateValue(e: Evaluation, metric: GateMetric): number {
  switch (metric) {
    case 'auc':
      return e.auc;
    case 'pr_auc':
      return e.prAuc;
    case 'brier':
      return -e.brier;
  }
}

export function decideGate(
  candidate: Evaluation,
  champion: ChampionOnHoldout | undefined,
  options: GateOptions,
): GateDecision {
  if (!(options.margin >= 0)) throw new RangeError(`gate margin must be >= 0; got ${options.margin}`);
  const checks: GateCheck[] = [
    {
      name: 'min_test_positives',
      metric: 'test_positives',
      value: candidate.positives,
      threshold: options.minTestPositives,
      passed: candidate.positives >= options.minTestPositives,
    },
  ];
  const value = gateValue(candidate, options.metric);
  checks.push({
    name: `${options.metric}_is_defined`,
    metric: options.metric,
    value,
    threshold: Number.NaN,
    passed: Number.isFinite(value),
  });
  if (champion === undefined) {
    checks.push({ name: 'no_champion_yet', metric: options.metric, value, threshold: Number.NaN, passed: true });
  } else if ('incomparable' in champion) {
    checks.push({
      name: 'champion_comparable_on_holdout',
      metric: options.metric,
      value,
      threshold: Number.NaN,
      passed: false,
    });
  } else {
    const championValue = gateValue(champion.evaluation, options.metric);
    const threshold = championValue + options.margin;
    // A champion whose metric is undefined here (NaN) cannot be beaten by a number: refuse, so
    // the comparison failure is visible rather than silently passing.
    checks.push({
      name: `${options.metric}_beats_champion_by_margin`,
      metric: options.metric,
      value,
      threshold,
      passed: Number.isFinite(threshold) && value >= threshold,
    });
  }
  return {
    passed: checks.every((c) => c.passed),
    metric: options.metric,
    margin: options.margin,
    ...(champion ? { championVersion: champion.version } : {}),
    checks,
  };
}

/** The scalar metrics stored with a version (NaN ones left out: JSON has no NaN). */
export function scalarMetrics(e: Evaluation, threshold: number): Record<string, number> {
  const all: Record<string, number> = {
    auc: e.auc,
    pr_auc: e.prAuc,
    brier: e.brier,
    log_loss: e.logLoss,
    f1: e.atThreshold.f1,
    precision: e.atThreshold.precision,
    recall: e.atThreshold.recall,
    threshold,
    ece: e.calibration.ece,
    recall_at_20_effort: e.recallAt20Effort,
    popt: e.popt,
    test_rows: e.rows,
    test_positives: e.positives,
  };
  return Object.fromEntries(Object.entries(all).filter(([, v]) => Number.isFinite(v)));
}
