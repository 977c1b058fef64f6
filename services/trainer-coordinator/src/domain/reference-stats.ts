import { validateDataset, type Dataset } from './dataset.ts';

/** Quantile levels recorded for every feature and for the predictions. */
export const REFERENCE_QUANTILES = [0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 1] as const;

export interface Histogram {
  /**
   * Inner bin edges, ascending and distinct; bin k holds edges[k−1] < v ≤ edges[k], the first bin
   * is open below and the last open above, so any future value falls in some bin (PSI needs that).
   */
  readonly edges: readonly number[];
  /** Share of rows per bin (edges.length + 1 entries, sum 1). */
  readonly proportions: readonly number[];
}

export interface DistributionSummary {
  readonly count: number;
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  /** Same order as REFERENCE_QUANTILES; linear interpolation (numpy's default). */
  readonly quantiles: readonly number[];
  readonly histogram: Histogram;
  /**
   * Share of each distinct value, ascending, when there are at most `maxCategories` of them
   * (booleans such as `fix`, small counts such as `ns`): drift on such a feature is a change of
   * frequencies, which quantile bins blur.
   */
  readonly categories?: readonly Category[];
}

export interface Category {
  readonly value: number;
  readonly share: number;
}

/** Distinct values up to which a sample also gets category frequencies. */
export const MAX_CATEGORIES = 20;

function categoriesOf(sorted: Float64Array, max: number): Category[] | undefined {
  const out: Category[] = [];
  const n = sorted.length;
  for (let i = 0; i < n;) {
    let j = i;
    while (j < n && sorted[j] === sorted[i]) j++;
    if (out.length === max) return undefined;
    out.push({ value: sorted[i]!, share: (j - i) / n });
    i = j;
  }
  return n > 0 ? out : undefined;
}

export interface FeatureReference extends DistributionSummary {
  readonly name: string;
}

export interface ReferenceStats {
  readonly rows: number;
  readonly labelRate: number;
  readonly quantileLevels: readonly number[];
  readonly features: readonly FeatureReference[];
  readonly predictions: DistributionSummary;
}

/** Quantile of ascending `sorted` at level q with linear interpolation (numpy 'linear'). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const pos = q * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, n - 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

function histogram(sorted: Float64Array, bins: number): Histogram {
  const edges: number[] = [];
  for (let k = 1; k < bins; k++) {
    const e = quantileSorted(sorted, k / bins);
    if (edges.length === 0 || e > edges[edges.length - 1]!) edges.push(e);
  }
  // A heavy value (e.g. fix = 0 for most rows) collapses several deciles into one edge; the
  // remaining edges still split the data where it varies.
  const counts = new Array<number>(edges.length + 1).fill(0);
  let b = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (b < edges.length && sorted[i]! > edges[b]!) b++;
    counts[b]!++;
  }
  return { edges, proportions: counts.map((c) => c / sorted.length) };
}

/**
 * Summary of one sample: moments, quantiles, a quantile-edged histogram of `bins` bins at most,
 * and category frequencies when it has at most `maxCategories` distinct values.
 */
export function summarize(values: ArrayLike<number>, bins = 10, maxCategories = MAX_CATEGORIES): DistributionSummary {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  let mean = 0;
  let m2 = 0;
  for (let i = 0; i < n; i++) {
    const d = sorted[i]! - mean;
    mean += d / (i + 1);
    m2 += d * (sorted[i]! - mean);
  }
  return {
    count: n,
    mean: n > 0 ? mean : Number.NaN,
    std: n > 0 ? Math.sqrt(m2 / n) : Number.NaN,
    min: n > 0 ? sorted[0]! : Number.NaN,
    max: n > 0 ? sorted[n - 1]! : Number.NaN,
    quantiles: REFERENCE_QUANTILES.map((q) => quantileSorted(sorted, q)),
    histogram: histogram(sorted, bins),
    ...((c) => (c ? { categories: c } : {}))(categoriesOf(sorted, maxCategories)),
  };
}

/**
 * What the drift detector compares live traffic against: per-feature and prediction
 * distributions over the training rows (`predictions` = the model's P(defect) on those rows).
 */
export function referenceStats(train: Dataset, predictions: ArrayLike<number>, bins = 10): ReferenceStats {
  validateDataset(train);
  const n = train.y.length;
  if (predictions.length !== n) throw new RangeError(`referenceStats: ${predictions.length} predictions for ${n} rows`);
  if (!(Number.isInteger(bins) && bins >= 2)) throw new RangeError(`bins must be an integer >= 2; got ${bins}`);
  const f = train.featureNames.length;
  const col = new Float64Array(n);
  const features = train.featureNames.map((name, j) => {
    for (let i = 0; i < n; i++) col[i] = train.x[i * f + j]!;
    return { name, ...summarize(col, bins) };
  });
  let pos = 0;
  for (let i = 0; i < n; i++) pos += train.y[i]!;
  return {
    rows: n,
    labelRate: n > 0 ? pos / n : Number.NaN,
    quantileLevels: [...REFERENCE_QUANTILES],
    features,
    predictions: summarize(predictions, bins),
  };
}
