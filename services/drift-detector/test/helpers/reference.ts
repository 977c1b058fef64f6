// Reference statistics built the way the registry stores them (quantiles, inner histogram edges
// at the deciles, proportions, categories), from a sample of a known distribution.
import type { DistributionStats, ReferenceStatistics } from '@omen/model-registry';
import { seededRandom as rng } from '@omen/service/random';

export const LEVELS = [0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99];

/** The kit's seeded PRNG, so test samples are reproducible. */
export { rng };

/** Standard normal by Box–Muller. */
export function normal(random: () => number, mean = 0, sd = 1): number {
  const u = 1 - random();
  const v = random();
  return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

function quantile(sorted: readonly number[], p: number): number {
  // numpy's default (linear) definition.
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  return sorted[lo]! + (h - lo) * ((sorted[Math.min(lo + 1, sorted.length - 1)] ?? sorted[lo]!) - sorted[lo]!);
}

export function distribution(sample: readonly number[], categorical = false): DistributionStats {
  const sorted = [...sample].sort((a, b) => a - b);
  const n = sorted.length;
  const mean = sorted.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(sorted.reduce((a, b) => a + (b - mean) ** 2, 0) / n);
  const edges = [...new Set([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9].map((p) => quantile(sorted, p)))];
  const counts = new Array<number>(edges.length + 1).fill(0);
  for (const v of sorted) {
    const k = edges.findIndex((e) => v <= e);
    counts[k === -1 ? edges.length : k]! += 1;
  }
  const stats: DistributionStats = {
    count: n,
    mean,
    std,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    quantiles: LEVELS.map((p) => quantile(sorted, p)),
    histogram: { edges, proportions: counts.map((c) => c / n) },
  };
  if (categorical) {
    const byValue = new Map<number, number>();
    for (const v of sorted) byValue.set(v, (byValue.get(v) ?? 0) + 1);
    stats.categories = [...byValue].map(([value, c]) => ({ value, share: c / n }));
  }
  return stats;
}

export function referenceStats(
  features: Record<string, { sample: number[]; categorical?: boolean }>,
  predictions: number[],
  labelRate: number,
): ReferenceStatistics {
  return {
    rows: predictions.length,
    labelRate,
    quantileLevels: LEVELS,
    features: Object.entries(features).map(([name, f]) => ({ name, ...distribution(f.sample, f.categorical) })),
    predictions: distribution(predictions),
  };
}
