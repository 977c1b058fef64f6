import { checkScored, countPositives } from './check.ts';

/**
 * ROC AUC as the Mann–Whitney U statistic over midranks: tied scores count one half, exactly as
 * scipy.stats.mannwhitneyu / sklearn's roc_auc_score. NaN when a class is absent.
 */
export function rocAuc(y: ArrayLike<number>, scores: ArrayLike<number>): number {
  checkScored(y, scores, 'rocAuc');
  const n = y.length;
  const pos = countPositives(y);
  const neg = n - pos;
  if (pos === 0 || neg === 0) return Number.NaN;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  idx.sort((a, b) => scores[a]! - scores[b]!);
  let rankSumPos = 0;
  for (let start = 0; start < n;) {
    let end = start + 1;
    while (end < n && scores[idx[end]!] === scores[idx[start]!]) end++;
    const midrank = (start + 1 + end) / 2; // ranks start..end-1 are 1-based start+1..end
    for (let k = start; k < end; k++) if (y[idx[k]!] === 1) rankSumPos += midrank;
    start = end;
  }
  return (rankSumPos - (pos * (pos + 1)) / 2) / (pos * neg);
}
