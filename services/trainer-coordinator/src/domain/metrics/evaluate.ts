import { averagePrecision } from './average-precision.ts';
import { rocAuc } from './auc.ts';
import { brierScore, calibrationTable, logLoss, type CalibrationTable } from './calibration.ts';
import { effortAwareMetrics } from './effort.ts';
import { confusionAt, type Confusion } from './threshold.ts';

export interface Evaluation {
  readonly rows: number;
  readonly positives: number;
  readonly auc: number;
  readonly prAuc: number;
  readonly brier: number;
  readonly logLoss: number;
  /** Confusion and F1 at the threshold chosen beforehand (on validation rows). */
  readonly atThreshold: Confusion;
  readonly calibration: CalibrationTable;
  readonly recallAt20Effort: number;
  readonly popt: number;
}

/**
 * Every metric the trainer reports, for probabilities `p` on held-out rows. `threshold` must come
 * from validation rows (bestF1Threshold); `effort` is la + ld per row
 * (effort-aware metrics are NaN without it).
 */
export function evaluate(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  effort: ArrayLike<number> | undefined,
  threshold: number,
): Evaluation {
  let positives = 0;
  for (let i = 0; i < y.length; i++) positives += y[i]!;
  const ea = effort ? effortAwareMetrics(y, p, effort) : { recallAt20Effort: Number.NaN, popt: Number.NaN };
  return {
    rows: y.length,
    positives,
    auc: rocAuc(y, p),
    prAuc: averagePrecision(y, p),
    brier: brierScore(y, p),
    logLoss: logLoss(y, p),
    atThreshold: confusionAt(y, p, threshold),
    calibration: calibrationTable(y, p),
    recallAt20Effort: ea.recallAt20Effort,
    popt: ea.popt,
  };
}
