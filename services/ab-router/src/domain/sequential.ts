// Statistics that stay valid when the experiment is looked at after every flush:
//
// - Sample-ratio mismatch: Pearson's χ² goodness-of-fit of units per arm against the weights
//   (scipy.stats.chisquare); p < 0.001 flags the experiment and blocks every decision, as
//   GrowthBook does.
// - Always-valid confidence sequences for a difference of means: the two-sided normal-mixture
//   boundary of Howard, Ramdas, McAuliffe & Sekhon (2021, eq. 14), in the parameterisation
//   GrowthBook uses (its `sequential_interval_halfwidth`, tuning N* = the sample size at which
//   the sequence is tightest). With V = σ²·N the half-width on the mean difference is
//     σ · sqrt( 2(Nρ²+1) / (N²ρ²) · ln( sqrt(Nρ²+1) / α ) ),  ρ² = (−2 ln α + ln(1 − 2 ln α)) / N*
//   where σ² = N · Var(estimate) and N the total units. The probability that the sequence ever
//   excludes the true difference, over every look, is ≤ α (test/unit/sequential.test.ts checks
//   it by A/A simulation).
// - Fixed-horizon sample size per arm for a two-sided test of a difference of means:
//   n_t = (z_{1−α/2} + z_{power})² · (σ_t² + σ_c²/ratio) / δ², n_c = ratio · n_t.
import chisquareCdf from '@stdlib/stats-base-dists-chisquare-cdf';
import { normalQuantile } from './statistics.ts';

export const SRM_P_THRESHOLD = 0.001;

export interface Srm {
  chi2: number;
  df: number;
  pValue: number;
  /** p < SRM_P_THRESHOLD: the split is broken and no decision may be taken. */
  mismatch: boolean;
}

/** χ² of observed units per arm against the (normalised) weights. */
export function srm(observed: readonly number[], weights: readonly number[]): Srm | undefined {
  const total = observed.reduce((s, x) => s + x, 0);
  const wsum = weights.reduce((s, x) => s + x, 0);
  if (observed.length !== weights.length || observed.length < 2 || total === 0 || !(wsum > 0)) return undefined;
  let chi2 = 0;
  for (let i = 0; i < observed.length; i++) {
    const e = (total * weights[i]!) / wsum;
    chi2 += ((observed[i]! - e) * (observed[i]! - e)) / e;
  }
  const df = observed.length - 1;
  const pValue = Math.max(0, 1 - chisquareCdf(chi2, df));
  return { chi2, df, pValue, mismatch: pValue < SRM_P_THRESHOLD };
}

export interface ConfidenceSequence {
  diff: number;
  low: number;
  high: number;
  /** Total units in both arms. */
  n: number;
}

/** ρ² of the normal mixture tuned to be tightest at nStar units (GrowthBook's choice). */
export function mixtureRho2(alpha: number, nStar: number): number {
  return (-2 * Math.log(alpha) + Math.log(-2 * Math.log(alpha) + 1)) / nStar;
}

/** Half-width of the always-valid interval for an estimate with variance `variance` from n units. */
export function csHalfWidth(variance: number, n: number, alpha: number, nStar: number): number {
  if (!(n > 0) || !(variance >= 0)) return Infinity;
  const rho2 = mixtureRho2(alpha, nStar);
  const sigma2 = variance * n;
  return (
    Math.sqrt(sigma2) * Math.sqrt(((2 * (n * rho2 + 1)) / (n * n * rho2)) * Math.log(Math.sqrt(n * rho2 + 1) / alpha))
  );
}

export interface ArmMoments {
  n: number;
  mean: number;
  /** Per-unit sample variance. */
  variance: number;
}

/** Always-valid (1 − alpha) interval of treatment − control means; undefined below 2 units per arm. */
export function meanDiffSequence(
  t: ArmMoments,
  c: ArmMoments,
  alpha: number,
  nStar: number,
): ConfidenceSequence | undefined {
  if (t.n < 2 || c.n < 2) return undefined;
  const variance = t.variance / t.n + c.variance / c.n;
  const diff = t.mean - c.mean;
  const n = t.n + c.n;
  const h = csHalfWidth(variance, n, alpha, nStar);
  return { diff, low: diff - h, high: diff + h, n };
}

/** The same boundary around a difference whose variance is known (e.g. two DeLong AUC variances). */
export function diffSequence(
  diff: number,
  variance: number,
  n: number,
  alpha: number,
  nStar: number,
): ConfidenceSequence {
  const h = csHalfWidth(variance, n, alpha, nStar);
  return { diff, low: diff - h, high: diff + h, n };
}

export interface SampleSize {
  treatment: number;
  control: number;
  total: number;
}

/**
 * Units per arm for a fixed-horizon two-sided z-test to detect |difference| = mde with the given
 * power; `ratio` = control units per treatment unit (control weight / treatment weight).
 */
export function sampleSize(o: {
  mde: number;
  stddev: number;
  alpha: number;
  power: number;
  ratio?: number;
  stddevControl?: number;
}): SampleSize {
  const ratio = o.ratio ?? 1;
  const sc = o.stddevControl ?? o.stddev;
  const z = normalQuantile(1 - o.alpha / 2) + normalQuantile(o.power);
  const treatment = Math.ceil((z * z * (o.stddev * o.stddev + (sc * sc) / ratio)) / (o.mde * o.mde));
  const control = Math.ceil(treatment * ratio);
  return { treatment, control, total: treatment + control };
}
