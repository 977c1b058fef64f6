import { checkScored } from './check.ts';

export interface CalibrationBin {
  readonly count: number;
  readonly meanPredicted: number;
  readonly observedRate: number;
  readonly minPredicted: number;
  readonly maxPredicted: number;
}

export interface CalibrationTable {
  readonly bins: readonly CalibrationBin[];
  /** Expected calibration error: count-weighted mean |meanPredicted − observedRate|. */
  readonly ece: number;
}

/** Mean squared error of probabilities. */
export function brierScore(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkScored(y, p, 'brierScore');
  let s = 0;
  for (let i = 0; i < y.length; i++) s += (p[i]! - y[i]!) ** 2;
  return s / y.length;
}

/** Mean negative log-likelihood, probabilities clipped to [1e-15, 1 − 1e-15]. */
export function logLoss(y: ArrayLike<number>, p: ArrayLike<number>): number {
  checkScored(y, p, 'logLoss');
  let s = 0;
  for (let i = 0; i < y.length; i++) {
    const q = Math.min(Math.max(p[i]!, 1e-15), 1 - 1e-15);
    s -= y[i] === 1 ? Math.log(q) : Math.log(1 - q);
  }
  return s / y.length;
}

/**
 * Reliability table over equal-count bins of the predictions (deciles by default) — equal-count
 * rather than equal-width because defect probabilities bunch at the low end.
 */
export function calibrationTable(y: ArrayLike<number>, p: ArrayLike<number>, bins = 10): CalibrationTable {
  checkScored(y, p, 'calibrationTable');
  if (!(Number.isInteger(bins) && bins >= 1)) throw new RangeError(`bins must be a positive integer; got ${bins}`);
  const n = y.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => p[a]! - p[b]! || a - b);
  const out: CalibrationBin[] = [];
  let ece = 0;
  for (let b = 0; b < bins; b++) {
    const start = Math.floor((b * n) / bins);
    const end = Math.floor(((b + 1) * n) / bins);
    if (end <= start) continue;
    let sp = 0;
    let sy = 0;
    for (let k = start; k < end; k++) {
      sp += p[idx[k]!]!;
      sy += y[idx[k]!]!;
    }
    const count = end - start;
    const bin = {
      count,
      meanPredicted: sp / count,
      observedRate: sy / count,
      minPredicted: p[idx[start]!]!,
      maxPredicted: p[idx[end - 1]!]!,
    };
    ece += (count / n) * Math.abs(bin.meanPredicted - bin.observedRate);
    out.push(bin);
  }
  return { bins: out, ece };
}
