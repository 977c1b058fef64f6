import { checkScored, countPositives, orderByScoreDesc } from './check.ts';

export interface Confusion {
  readonly threshold: number;
  readonly tp: number;
  readonly fp: number;
  readonly tn: number;
  readonly fn: number;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
}

function confusionFrom(threshold: number, tp: number, fp: number, pos: number, n: number): Confusion {
  const fn = pos - tp;
  const tn = n - pos - fp;
  const precision = tp + fp === 0 ? 0 : tp / (tp + fp);
  const recall = pos === 0 ? 0 : tp / pos;
  const f1 = tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
  return { threshold, tp, fp, tn, fn, precision, recall, f1 };
}

/** Predicts positive when score >= threshold. */
export function confusionAt(y: ArrayLike<number>, scores: ArrayLike<number>, threshold: number): Confusion {
  checkScored(y, scores, 'confusionAt');
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < y.length; i++) {
    if (scores[i]! >= threshold) {
      if (y[i] === 1) tp++;
      else fp++;
    }
  }
  return confusionFrom(threshold, tp, fp, countPositives(y), y.length);
}

/**
 * The threshold with the best F1 among the observed scores. Meant for the validation slice: the
 * chosen value is then applied unchanged to test rows.
 */
export function bestF1Threshold(y: ArrayLike<number>, scores: ArrayLike<number>): Confusion {
  checkScored(y, scores, 'bestF1Threshold');
  const pos = countPositives(y);
  const idx = orderByScoreDesc(scores);
  let best = confusionFrom(Number.POSITIVE_INFINITY, 0, 0, pos, y.length);
  let tp = 0;
  let fp = 0;
  for (let k = 0; k < idx.length;) {
    const s = scores[idx[k]!]!;
    while (k < idx.length && scores[idx[k]!] === s) {
      if (y[idx[k]!] === 1) tp++;
      else fp++;
      k++;
    }
    const c = confusionFrom(s, tp, fp, pos, y.length);
    if (c.f1 > best.f1) best = c;
  }
  return best;
}
