// Model performance without labels, and with them once they matured: NannyML's CBPE
// (confidence-based performance estimation) expected ROC AUC from the champion's calibrated
// scores, and the realised ROC AUC of the same window's predictions against their labels.
// Own code: a few lines of arithmetic with a published definition; no maintained JS package
// implements CBPE. test/unit/performance.test.ts checks both against an independent Python
// implementation and by simulation.

/**
 * CBPE expected ROC AUC (NannyML, "Confidence-based Performance Estimation"): a calibrated score
 * p is the probability that the label is positive, so at a threshold t the expected confusion
 * matrix is
 *   TP(t) = Σ_{p_i ≥ t} p_i,  FP(t) = Σ_{p_i ≥ t} (1 − p_i),
 *   FN(t) = Σ_{p_i < t} p_i,  TN(t) = Σ_{p_i < t} (1 − p_i);
 * TPR = TP/(TP+FN), FPR = FP/(FP+TN) at every distinct score as threshold, from (0,0) to (1,1),
 * and the expected AUC is the trapezoidal area under that curve. Undefined (null) when every
 * score is 0 or every score is 1 (no expected positives or negatives) or there is no score.
 */
export function cbpeRocAuc(scores: readonly number[]): number | null {
  const p = scores
    .filter((s) => Number.isFinite(s))
    .map((s) => Math.min(1, Math.max(0, s)))
    .sort((a, b) => b - a);
  const pos = p.reduce((a, b) => a + b, 0);
  const neg = p.length - pos;
  if (p.length === 0 || !(pos > 0) || !(neg > 0)) return null;
  let tp = 0;
  let fp = 0;
  let prevTpr = 0;
  let prevFpr = 0;
  let area = 0;
  for (let i = 0; i < p.length; i++) {
    tp += p[i]!;
    fp += 1 - p[i]!;
    // One point per distinct threshold: ties enter together.
    if (i + 1 < p.length && p[i + 1] === p[i]) continue;
    const tpr = tp / pos;
    const fpr = fp / neg;
    area += ((fpr - prevFpr) * (tpr + prevTpr)) / 2;
    prevTpr = tpr;
    prevFpr = fpr;
  }
  return area;
}

/**
 * Realised ROC AUC: the probability that a random positive scores above a random negative, ties
 * counting half (the Mann–Whitney U / (n₊·n₋), = sklearn roc_auc_score). Null without both classes.
 */
export function rocAuc(scores: readonly number[], labels: readonly boolean[]): number | null {
  if (scores.length !== labels.length) throw new Error(`rocAuc: ${scores.length} scores but ${labels.length} labels`);
  const idx = scores.map((_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let nPos = 0;
  let rankSum = 0;
  for (let i = 0; i < idx.length;) {
    let j = i;
    while (j + 1 < idx.length && scores[idx[j + 1]!] === scores[idx[i]!]) j++;
    const midRank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      if (labels[idx[k]!]) {
        nPos += 1;
        rankSum += midRank;
      }
    }
    i = j + 1;
  }
  const nNeg = scores.length - nPos;
  if (nPos === 0 || nNeg === 0) return null;
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}
