import type { Dataset } from '../dataset.ts';

/**
 * Per-feature transform for linear models: optional log1p (of max(x, 0), so a stray negative
 * count cannot turn into NaN), then standardisation with statistics of the training rows only.
 * The ONNX export reproduces exactly this, so serving feeds raw metrics.
 */
export interface Preprocessor {
  readonly featureNames: readonly string[];
  readonly log1p: readonly boolean[];
  readonly mean: readonly number[];
  /** Standard deviation; 1 for a constant column so it maps to 0 instead of NaN. */
  readonly scale: readonly number[];
}

export function log1pClamped(v: number): number {
  return Math.log1p(v > 0 ? v : 0);
}

export function fitPreprocessor(d: Dataset, log1pFeatures: readonly string[]): Preprocessor {
  const f = d.featureNames.length;
  const n = d.y.length;
  for (const name of log1pFeatures) {
    if (!d.featureNames.includes(name))
      throw new RangeError(`log1p feature "${name}" is not in the feature set (${d.featureNames.join(', ')})`);
  }
  const log1p = d.featureNames.map((name) => log1pFeatures.includes(name));
  const mean = new Array<number>(f).fill(0);
  const m2 = new Array<number>(f).fill(0);
  // Welford: the raw counts reach 1e7 (lt), where sum-of-squares loses the variance.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < f; j++) {
      const raw = d.x[i * f + j]!;
      const v = log1p[j] ? log1pClamped(raw) : raw;
      const delta = v - mean[j]!;
      mean[j]! += delta / (i + 1);
      m2[j]! += delta * (v - mean[j]!);
    }
  }
  const scale = m2.map((s) => {
    const sd = Math.sqrt(s / Math.max(1, n));
    return sd > 1e-12 ? sd : 1;
  });
  return { featureNames: d.featureNames, log1p, mean, scale };
}

/** Transformed copy of row-major `x`. */
export function applyPreprocessor(p: Preprocessor, x: Float64Array): Float64Array {
  const f = p.featureNames.length;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i += f) {
    for (let j = 0; j < f; j++) {
      const raw = x[i + j]!;
      out[i + j] = ((p.log1p[j] ? log1pClamped(raw) : raw) - p.mean[j]!) / p.scale[j]!;
    }
  }
  return out;
}
