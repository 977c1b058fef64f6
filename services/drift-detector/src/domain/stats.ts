// The drift statistics, as pure functions over a window sample and the training reference
// (@omen/model-registry's DistributionStats). test/unit/stats.test.ts checks each against scipy
// (fixtures made by test/fixtures/make-stats-fixture.py).
import gammainc from '@stdlib/math-base-special-gammainc';

/**
 * Floor for an empty bin's share in PSI: ln(q/p) is infinite when either side has a zero share,
 * so both shares are clipped to at least 1e-4 (one observation in ten thousand). That caps one
 * empty bin's contribution near |q−p|·9.2 instead of letting a single empty bin make PSI infinite.
 */
export const PSI_EPSILON = 1e-4;

/**
 * Counts of `sample` in the reference histogram's bins. The registry's convention: inner edges
 * ascending, bin k holds edges[k−1] < v ≤ edges[k], the first and last bins are open, so there
 * are edges.length + 1 bins.
 */
export function binCounts(sample: readonly number[], edges: readonly number[]): number[] {
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of sample) {
    // First edge with v ≤ edge (binary search): that edge's index is the bin.
    let lo = 0;
    let hi = edges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (v <= edges[mid]!) hi = mid;
      else lo = mid + 1;
    }
    counts[lo]! += 1;
  }
  return counts;
}

/** Counts as shares of their total (all zero for no observations). */
export function shares(counts: readonly number[]): number[] {
  const n = counts.reduce((a, b) => a + b, 0);
  return counts.map((c) => (n > 0 ? c / n : 0));
}

/**
 * Population stability index over the reference bins:
 *   PSI = Σ_k (q_k − p_k) · ln(q_k / p_k)
 * p_k the reference share of bin k, q_k the window's, both clipped to ≥ PSI_EPSILON. Common
 * reading: < 0.1 stable, 0.1–0.2 moderate, > 0.2 shifted.
 */
export function psi(reference: readonly number[], windowCounts: readonly number[]): number {
  if (reference.length !== windowCounts.length)
    throw new Error(`psi: ${reference.length} reference bins but ${windowCounts.length} window bins`);
  const q = shares(windowCounts);
  let total = 0;
  for (let k = 0; k < reference.length; k++) {
    const pk = Math.max(reference[k]!, PSI_EPSILON);
    const qk = Math.max(q[k]!, PSI_EPSILON);
    total += (qk - pk) * Math.log(qk / pk);
  }
  return total;
}

/**
 * Jensen–Shannon distance in bits over the reference bins (scipy.spatial.distance.jensenshannon
 * with base=2): with M = (P + Q) / 2,
 *   JS = sqrt( (KL(P‖M) + KL(Q‖M)) / 2 ),  KL in log base 2,
 * 0 for equal distributions, 1 for disjoint ones. Both sides are normalized to sum 1; 0·log 0 = 0,
 * so empty bins need no epsilon (M is positive wherever P or Q is).
 */
export function jensenShannon(reference: readonly number[], windowCounts: readonly number[]): number {
  if (reference.length !== windowCounts.length)
    throw new Error(`js: ${reference.length} reference bins but ${windowCounts.length} window bins`);
  const p = shares(reference);
  const q = shares(windowCounts);
  let d = 0;
  for (let k = 0; k < p.length; k++) {
    const m = (p[k]! + q[k]!) / 2;
    if (p[k]! > 0) d += p[k]! * Math.log2(p[k]! / m);
    if (q[k]! > 0) d += q[k]! * Math.log2(q[k]! / m);
  }
  // Rounding can leave a tiny negative for identical inputs.
  return Math.sqrt(Math.max(0, d / 2));
}

/**
 * The reference CDF rebuilt from its stored quantiles: piecewise linear through the knots
 * (min, 0), (quantile_i, level_i) …, (max, 1) — i.e. the reference treated as uniform between
 * consecutive quantiles — 0 below min and 1 above max. Knots whose x does not increase are
 * merged (the CDF jumps there to the higher level), so repeated quantiles of a discrete-ish
 * feature give a step, not a division by zero.
 */
export function quantileCdf(
  levels: readonly number[],
  quantiles: readonly number[],
  min: number,
  max: number,
): (x: number) => number {
  if (levels.length !== quantiles.length)
    throw new Error(`quantileCdf: ${levels.length} levels but ${quantiles.length} quantiles`);
  const raw: Array<[number, number]> = [
    [min, 0],
    ...quantiles.map((q, i): [number, number] => [q, levels[i]!]),
    [max, 1],
  ];
  const xs: number[] = [];
  const ys: number[] = [];
  for (const [x, y] of raw) {
    const last = xs.length - 1;
    if (last >= 0 && x <= xs[last]!) {
      ys[last] = Math.max(ys[last]!, y);
      continue;
    }
    xs.push(x);
    ys.push(y);
  }
  return (x: number) => {
    if (x < xs[0]!) return 0;
    if (x >= xs[xs.length - 1]!) return 1;
    let lo = 0;
    let hi = xs.length - 1;
    // Largest knot index with xs[lo] ≤ x.
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (xs[mid]! <= x) lo = mid;
      else hi = mid;
    }
    const x0 = xs[lo]!;
    const x1 = xs[lo + 1]!;
    // At a merged knot the CDF already stands at the higher level; the segment starts from there.
    return ys[lo]! + ((ys[lo + 1]! - ys[lo]!) * (x - x0)) / (x1 - x0);
  };
}

/**
 * Kolmogorov–Smirnov D of the window sample against a continuous reference CDF F:
 *   D = sup_x |F_n(x) − F(x)|
 * F_n being the sample's step function. F is monotone and F_n constant between sample points, so
 * the supremum is reached at a sample point, from one side or the other:
 *   D = max_i max( i/n − F(x_(i)), F(x_(i)) − (i−1)/n )   over the sorted sample x_(1) ≤ … ≤ x_(n)
 * (scipy.stats.ks_1samp's statistic). For ties, the step's full height counts at the last copy.
 */
export function ksStatistic(sample: readonly number[], cdf: (x: number) => number): number {
  const n = sample.length;
  if (n === 0) return 0;
  const sorted = [...sample].sort((a, b) => a - b);
  let d = 0;
  for (let i = 0; i < n; i++) {
    const f = cdf(sorted[i]!);
    d = Math.max(d, (i + 1) / n - f, f - i / n);
  }
  return d;
}

/**
 * Survival function of the Kolmogorov distribution, Q(λ) = P(K > λ) (scipy.special.kolmogorov):
 *   Q(λ) = 2 Σ_{k≥1} (−1)^{k−1} e^{−2k²λ²}                    for λ ≥ 1 (converges in a few terms)
 *   Q(λ) = 1 − (√(2π)/λ) Σ_{k≥1} e^{−(2k−1)²π²/(8λ²)}           for λ < 1 (the Jacobi-theta form, fast there)
 */
export function kolmogorovSf(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1) {
    let s = 0;
    for (let k = 1; k <= 20; k++) {
      const term = Math.exp((-((2 * k - 1) ** 2) * Math.PI * Math.PI) / (8 * lambda * lambda));
      s += term;
      if (term < 1e-17 * s) break;
    }
    return Math.min(1, Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s));
  }
  let s = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    s += (k % 2 === 1 ? 1 : -1) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

/**
 * Asymptotic two-sample p-value of D: with n window observations and m reference rows the
 * effective size is n·m/(n+m), and p = Q(√(n·m/(n+m)) · D). Without a reference count (m = 0 or
 * unknown) the reference counts as the exact distribution, effective size n (the one-sample test).
 */
export function ksPValue(d: number, n: number, m: number | undefined): number {
  const en = m !== undefined && m > 0 ? (n * m) / (n + m) : n;
  return kolmogorovSf(Math.sqrt(en) * d);
}

/** Survival function of chi-squared with k degrees of freedom: Q(k/2, x/2), the regularized upper incomplete gamma. */
export function chi2Sf(x: number, k: number): number {
  if (!(k > 0)) throw new Error(`chi2Sf: degrees of freedom must be positive, got ${k}`);
  if (!(x > 0)) return 1;
  return gammainc(x / 2, k / 2, true, true);
}

export interface Chi2Result {
  statistic: number;
  dof: number;
  pValue: number;
}

/**
 * Pearson's goodness-of-fit test of window counts against reference shares
 * (scipy.stats.chisquare(observed, n·shares)):
 *   χ² = Σ_k (O_k − E_k)² / E_k,  E_k = n · p_k,  dof = K − 1,  p = P(χ²_dof > χ²)
 * Shares are renormalized to sum 1; a category whose reference share is 0 gets PSI_EPSILON so a
 * value never seen in training makes a large but finite χ².
 */
export function chiSquared(referenceShares: readonly number[], observed: readonly number[]): Chi2Result {
  if (referenceShares.length !== observed.length)
    throw new Error(`chi2: ${referenceShares.length} reference categories but ${observed.length} observed`);
  if (observed.length < 2) throw new Error('chi2: needs at least two categories');
  const n = observed.reduce((a, b) => a + b, 0);
  const floored = referenceShares.map((s) => Math.max(s, PSI_EPSILON));
  const total = floored.reduce((a, b) => a + b, 0);
  let statistic = 0;
  for (let k = 0; k < observed.length; k++) {
    const e = (n * floored[k]!) / total;
    statistic += (observed[k]! - e) ** 2 / e;
  }
  const dof = observed.length - 1;
  return { statistic, dof, pValue: chi2Sf(statistic, dof) };
}

/**
 * First Wasserstein distance of the window sample to the reference CDF F (the piecewise-linear
 * `quantileCdf` knots): W₁ = ∫ |F_n(x) − F(x)| dx, the area between the two CDFs
 * (scipy.stats.wasserstein_distance's definition, with the reference as a distribution instead
 * of a sample). Integrated exactly: between consecutive breakpoints (sample values and knots)
 * F_n is constant and F linear, so each piece is the area between a level and a line, split where
 * they cross.
 */
export function wassersteinToCdf(
  sample: readonly number[],
  levels: readonly number[],
  quantiles: readonly number[],
  min: number,
  max: number,
): number {
  const n = sample.length;
  if (n === 0) return 0;
  const cdf = quantileCdf(levels, quantiles, min, max);
  const sorted = [...sample].sort((a, b) => a - b);
  const knots = [min, ...quantiles, max];
  const points = [...new Set([...sorted, ...knots])].sort((a, b) => a - b);
  let total = 0;
  let i = 0; // sorted[0..i) ≤ current left end
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k]!;
    const b = points[k + 1]!;
    while (i < n && sorted[i]! <= a) i++;
    const level = i / n;
    // F is linear on (a, b): values just inside both ends (a jump of F sits on a knot, i.e. at a or b).
    const fa = cdfRight(cdf, a, b);
    const fb = cdfLeft(cdf, a, b);
    const da = level - fa;
    const db = level - fb;
    if (da * db >= 0) total += ((Math.abs(da) + Math.abs(db)) / 2) * (b - a);
    else {
      // The line crosses the level at t = da/(da − db) of the way: two triangles.
      const t = da / (da - db);
      total += (Math.abs(da) * t * (b - a)) / 2 + (Math.abs(db) * (1 - t) * (b - a)) / 2;
    }
  }
  return total;
}

/** F just right of a on (a, b): linear interpolation from two interior points (F has no jump inside). */
function cdfRight(cdf: (x: number) => number, a: number, b: number): number {
  const x1 = a + (b - a) / 3;
  const x2 = a + (2 * (b - a)) / 3;
  const f1 = cdf(x1);
  return f1 - (cdf(x2) - f1);
}

function cdfLeft(cdf: (x: number) => number, a: number, b: number): number {
  const x1 = a + (b - a) / 3;
  const x2 = a + (2 * (b - a)) / 3;
  const f2 = cdf(x2);
  return f2 + (f2 - cdf(x1));
}

/** Evidently's floor for the reference standard deviation in the normed Wasserstein distance. */
export const WASSERSTEIN_MIN_STD = 0.001;

/**
 * Evidently's `wasserstein` stattest ("Wasserstein distance (normed)"): W₁ divided by the
 * reference's standard deviation, floored at 0.001 — a shift measured in reference standard
 * deviations, so one threshold (0.1) fits every feature whatever its unit.
 */
export function wassersteinNorm(distance: number, referenceStd: number): number {
  return distance / Math.max(referenceStd, WASSERSTEIN_MIN_STD);
}

/**
 * Benjamini–Hochberg adjusted p-values (scipy.stats.false_discovery_control(ps, method='bh')):
 * with p sorted ascending p_(1) ≤ … ≤ p_(m), p̃_(i) = min_{j ≥ i} min(1, m·p_(j)/j), returned in the
 * input's order. Rejecting p̃ < α keeps the expected share of false discoveries among the
 * features flagged at most α (under independence or positive dependence of the tests).
 */
export function benjaminiHochberg(pValues: readonly number[]): number[] {
  const m = pValues.length;
  const order = pValues.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(m);
  let running = 1;
  for (let r = m - 1; r >= 0; r--) {
    const [p, i] = order[r]!;
    running = Math.min(running, (m * p) / (r + 1));
    adjusted[i] = Math.min(1, running);
  }
  return adjusted;
}
