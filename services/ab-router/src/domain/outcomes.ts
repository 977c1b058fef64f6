// Ground-truth metrics of one arm: its served bug probabilities joined to matured labels.
//
// Every metric comes with a (1 − alpha) confidence interval:
// - AUC: DeLong's variance (DeLong, DeLong & Clarke-Pearson 1988), computed with midranks as in
//   Sun & Xu's "fast DeLong" (2014), normal interval clipped to [0, 1];
// - Brier and log loss: means of per-commit losses, normal interval (CLT);
// - precision and recall at the decision threshold: Wilson score intervals;
// - calibration error (ECE, 10 equal-width bins) and Recall@20%Effort: percentile bootstrap,
//   B resamples from a seeded generator, so the same rows give the same interval.
// No maintained JS package computes DeLong or these ranking metrics with intervals (checked
// npm: ml-roc / roc-curve give the point AUC only); the formulas are short and are checked
// against scipy and numpy in test/unit/outcomes.test.ts.
import { seededRandom } from '@omen/service/random';
import { normalQuantile } from './statistics.ts';

export interface Scored {
  /** Served bug probability in [0, 1]. */
  p: number;
  /** Ground truth: 1 = bug-inducing. */
  y: 0 | 1;
}

export interface Estimate {
  value: number | undefined;
  low: number | undefined;
  high: number | undefined;
}

export interface ArmOutcomes {
  /** Served predictions whose label matured. */
  n: number;
  positives: number;
  auc: Estimate;
  brier: Estimate;
  logLoss: Estimate;
  ece: Estimate;
  precision: Estimate;
  recall: Estimate;
  recallAt20Effort: Estimate;
  /** Per-commit variances of the Brier and log-loss terms (for the sequential test). */
  brierVar: number;
  logLossVar: number;
  /** DeLong variance of the AUC estimate. */
  aucVar: number | undefined;
}

export interface OutcomeOptions {
  threshold: number;
  alpha: number;
  bootstrap: number;
  seed: number;
}

export const DEFAULT_OUTCOME_OPTIONS: OutcomeOptions = { threshold: 0.5, alpha: 0.05, bootstrap: 200, seed: 13 };

const NONE: Estimate = { value: undefined, low: undefined, high: undefined };
const EPS = 1e-15;

/** Midranks (1-based, ties get their average rank), as scipy.stats.rankdata. */
export function midranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => [v, i] as const).sort((a, b) => a[0] - b[0]);
  const ranks = new Array<number>(values.length);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]![1]] = r;
    i = j + 1;
  }
  return ranks;
}

/** AUC and its DeLong variance; undefined without both classes. */
export function delong(rows: readonly Scored[]): { auc: number; variance: number } | undefined {
  const pos = rows.filter((r) => r.y === 1).map((r) => r.p);
  const neg = rows.filter((r) => r.y === 0).map((r) => r.p);
  const m = pos.length;
  const n = neg.length;
  if (m === 0 || n === 0) return undefined;
  const tx = midranks(pos);
  const ty = midranks(neg);
  const tz = midranks([...pos, ...neg]);
  let sumPos = 0;
  for (let i = 0; i < m; i++) sumPos += tz[i]!;
  const auc = (sumPos - (m * (m + 1)) / 2) / (m * n);
  const v10 = pos.map((_, i) => (tz[i]! - tx[i]!) / n);
  const v01 = neg.map((_, j) => 1 - (tz[m + j]! - ty[j]!) / m);
  const variance = (m > 1 ? sampleVar(v10) / m : 0) + (n > 1 ? sampleVar(v01) / n : 0);
  return { auc, variance };
}

function mean(xs: readonly number[]): number {
  let s = 0;
  for (const x of xs) s += x;
  return xs.length > 0 ? s / xs.length : 0;
}

function sampleVar(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const mu = mean(xs);
  let s = 0;
  for (const x of xs) s += (x - mu) * (x - mu);
  return s / (xs.length - 1);
}

/** Wilson score interval for k successes in n (scipy binomtest(...).proportion_ci('wilson')). */
export function wilson(k: number, n: number, alpha: number): Estimate {
  if (n === 0) return NONE;
  const z = normalQuantile(1 - alpha / 2);
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const center = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { value: p, low: Math.max(0, center - half), high: Math.min(1, center + half) };
}

/** Expected calibration error over `bins` equal-width bins of the score (the last bin holds 1). */
export function ece(rows: readonly Scored[], bins = 10): number {
  if (rows.length === 0) return 0;
  const sumP = new Array<number>(bins).fill(0);
  const sumY = new Array<number>(bins).fill(0);
  const cnt = new Array<number>(bins).fill(0);
  for (const r of rows) {
    const b = Math.min(bins - 1, Math.floor(r.p * bins));
    sumP[b]! += r.p;
    sumY[b]! += r.y;
    cnt[b]! += 1;
  }
  let e = 0;
  for (let b = 0; b < bins; b++) if (cnt[b]! > 0) e += Math.abs(sumP[b]! - sumY[b]!) / rows.length;
  return e;
}

/**
 * Recall@20%Effort by commit count: the share of bug-inducing commits among the top ⌈20%⌉ of
 * commits ranked by score (highest first; ties keep arrival order). The JIT literature measures
 * effort in changed lines; served predictions do not carry churn, so effort here is commits.
 */
export function recallAtEffort(rows: readonly Scored[], effort = 0.2): number | undefined {
  const positives = rows.reduce((s, r) => s + r.y, 0);
  if (positives === 0) return undefined;
  const k = Math.ceil(effort * rows.length);
  const ranked = rows.map((r, i) => [r, i] as const).sort((a, b) => b[0].p - a[0].p || a[1] - b[1]);
  let found = 0;
  for (let i = 0; i < k; i++) found += ranked[i]![0].y;
  return found / positives;
}

function bootstrap(rows: readonly Scored[], stat: (rs: Scored[]) => number | undefined, o: OutcomeOptions): Estimate {
  const value = stat([...rows]);
  if (value === undefined || rows.length < 2) return { value, low: undefined, high: undefined };
  const next = seededRandom(o.seed);
  const values: number[] = [];
  const sample = new Array<Scored>(rows.length);
  for (let b = 0; b < o.bootstrap; b++) {
    for (let i = 0; i < rows.length; i++) sample[i] = rows[Math.floor(next() * rows.length)]!;
    const v = stat(sample);
    if (v !== undefined) values.push(v);
  }
  if (values.length === 0) return { value, low: undefined, high: undefined };
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.max(0, Math.floor(q * values.length)))]!;
  return { value, low: at(o.alpha / 2), high: at(1 - o.alpha / 2) };
}

function meanEstimate(xs: readonly number[], alpha: number): { e: Estimate; variance: number } {
  if (xs.length === 0) return { e: NONE, variance: 0 };
  const mu = mean(xs);
  const variance = sampleVar(xs);
  const half = normalQuantile(1 - alpha / 2) * Math.sqrt(variance / xs.length);
  return { e: { value: mu, low: mu - half, high: mu + half }, variance };
}

export const brierTerm = (r: Scored) => (r.p - r.y) * (r.p - r.y);
export const logLossTerm = (r: Scored) => {
  const p = Math.min(1 - EPS, Math.max(EPS, r.p));
  return -(r.y * Math.log(p) + (1 - r.y) * Math.log(1 - p));
};

/** Every ground-truth metric of one arm, with intervals. */
export function armOutcomes(rows: readonly Scored[], options: Partial<OutcomeOptions> = {}): ArmOutcomes {
  const o = { ...DEFAULT_OUTCOME_OPTIONS, ...options };
  const positives = rows.reduce((s, r) => s + r.y, 0);
  const d = delong(rows);
  const z = normalQuantile(1 - o.alpha / 2);
  const auc: Estimate = d
    ? {
        value: d.auc,
        low: Math.max(0, d.auc - z * Math.sqrt(d.variance)),
        high: Math.min(1, d.auc + z * Math.sqrt(d.variance)),
      }
    : NONE;
  const brier = meanEstimate(rows.map(brierTerm), o.alpha);
  const logLoss = meanEstimate(rows.map(logLossTerm), o.alpha);
  let tp = 0;
  let flagged = 0;
  for (const r of rows) {
    if (r.p >= o.threshold) {
      flagged++;
      tp += r.y;
    }
  }
  return {
    n: rows.length,
    positives,
    auc,
    brier: brier.e,
    logLoss: logLoss.e,
    ece: rows.length > 0 ? bootstrap(rows, (rs) => ece(rs), o) : NONE,
    precision: wilson(tp, flagged, o.alpha),
    recall: wilson(tp, positives, o.alpha),
    recallAt20Effort: bootstrap(rows, (rs) => recallAtEffort(rs), o),
    brierVar: brier.variance,
    logLossVar: logLoss.variance,
    aucVar: d?.variance,
  };
}
