// Per-arm summaries and tests against the control arm. Sufficient statistics (n, sum, sum of
// squares) are what replicas add up in Redis, so everything here starts from them.
//
// The t and normal CDFs come from @stdlib (maintained, with the incomplete beta function done
// properly); the arithmetic around them is short enough to read against the textbook.
import normalCdf from '@stdlib/stats-base-dists-normal-cdf';
import tCdf from '@stdlib/stats-base-dists-t-cdf';
import tQuantile from '@stdlib/stats-base-dists-t-quantile';

export interface Moments {
  n: number;
  sum: number;
  sumSq: number;
}

export interface Summary {
  count: number;
  mean: number;
  /** Sample standard deviation (n − 1); 0 below two observations. */
  stddev: number;
}

export function summarize(m: Moments): Summary {
  if (m.n <= 0) return { count: 0, mean: 0, stddev: 0 };
  const mean = m.sum / m.n;
  // sumSq − n·mean² can dip below 0 by rounding when every value is equal.
  const variance = m.n > 1 ? Math.max(0, (m.sumSq - m.n * mean * mean) / (m.n - 1)) : 0;
  return { count: m.n, mean, stddev: Math.sqrt(variance) };
}

export function momentsOf(values: readonly number[]): Moments {
  let sum = 0;
  let sumSq = 0;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
  }
  return { n: values.length, sum, sumSq };
}

export interface Comparison {
  /** (mean_t − mean_c) / mean_c; undefined when the control mean is 0. */
  lift: number | undefined;
  /** Two-sided p-value; undefined when the test is not defined (too few observations, no variance). */
  pValue: number | undefined;
  /** 100(1 − alpha)% confidence interval of mean_t − mean_c. */
  ciLow: number | undefined;
  ciHigh: number | undefined;
  statistic: number | undefined;
  df: number | undefined;
}

const liftOf = (t: Summary, c: Summary) => (c.count > 0 && c.mean !== 0 ? (t.mean - c.mean) / c.mean : undefined);

/**
 * Welch's unequal-variances t-test of treatment vs control (scipy.stats.ttest_ind with
 * equal_var=False), Welch–Satterthwaite degrees of freedom.
 */
export function welch(treatment: Summary, control: Summary, alpha = 0.05): Comparison {
  const lift = liftOf(treatment, control);
  const none = { lift, pValue: undefined, ciLow: undefined, ciHigh: undefined, statistic: undefined, df: undefined };
  if (treatment.count < 2 || control.count < 2) return none;
  const vt = (treatment.stddev * treatment.stddev) / treatment.count;
  const vc = (control.stddev * control.stddev) / control.count;
  const se2 = vt + vc;
  if (!(se2 > 0)) return none;
  const se = Math.sqrt(se2);
  const diff = treatment.mean - control.mean;
  const statistic = diff / se;
  const df = (se2 * se2) / ((vt * vt) / (treatment.count - 1) + (vc * vc) / (control.count - 1));
  const pValue = Math.min(1, 2 * tCdf(-Math.abs(statistic), df));
  const q = tQuantile(1 - alpha / 2, df);
  return { lift, pValue, ciLow: diff - q * se, ciHigh: diff + q * se, statistic, df };
}

/**
 * Two-proportion z-test of rates (pooled standard error for the statistic, as
 * statsmodels.proportions_ztest does); the interval uses the unpooled (Wald) standard error.
 */
export function twoProportion(
  treatment: { count: number; successes: number },
  control: { count: number; successes: number },
  alpha = 0.05,
): Comparison {
  const pt = treatment.count > 0 ? treatment.successes / treatment.count : 0;
  const pc = control.count > 0 ? control.successes / control.count : 0;
  const lift = control.count > 0 && pc !== 0 ? (pt - pc) / pc : undefined;
  const none = { lift, pValue: undefined, ciLow: undefined, ciHigh: undefined, statistic: undefined, df: undefined };
  if (treatment.count === 0 || control.count === 0) return none;
  const pooled = (treatment.successes + control.successes) / (treatment.count + control.count);
  const sePooled = Math.sqrt(pooled * (1 - pooled) * (1 / treatment.count + 1 / control.count));
  const diff = pt - pc;
  const z = 1 - alpha / 2;
  const seWald = Math.sqrt((pt * (1 - pt)) / treatment.count + (pc * (1 - pc)) / control.count);
  const zq = normalQuantile(z);
  if (!(sePooled > 0)) return { ...none, ciLow: diff - zq * seWald, ciHigh: diff + zq * seWald };
  const statistic = diff / sePooled;
  const pValue = Math.min(1, 2 * normalCdf(-Math.abs(statistic), 0, 1));
  return { lift, pValue, ciLow: diff - zq * seWald, ciHigh: diff + zq * seWald, statistic, df: undefined };
}

// The normal quantile through the t quantile with huge df keeps one dependency fewer; at
// df = 1e9 the two agree to ~1e-9.
export const normalQuantile = (p: number): number => tQuantile(p, 1e9);
