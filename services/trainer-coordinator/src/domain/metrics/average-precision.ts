import { checkScored, countPositives, orderByScoreDesc } from './check.ts';

/**
 * PR-AUC as average precision: Σ (R_k − R_{k−1}) · P_k over distinct score thresholds, with tied
 * scores entering together (sklearn's average_precision_score; no interpolation, which would be
 * optimistic). NaN without positives.
 */
export function averagePrecision(y: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkScored(y, scores, 'averagePrecision');
  const pos = countPositives(y);
  if (pos === 0) return Number.NaN;
  const idx = orderByScoreDesc(scores);
  let tp = 0;
  let seen = 0;
  let prevRecall = 0;
  let ap = 0;
  for (let k = 0; k < idx.length;) {
    const s = scores[idx[k]!];
    while (k < idx.length && scores[idx[k]!] === s) {
      tp += y[idx[k]!]!;
      seen++;
      k++;
    }
    const recall = tp / pos;
    ap += (recall - prevRecall) * (tp / seen);
    prevRecall = recall;
  }
  return ap;
}
