import { rocAuc } from './auc.ts';
import { checkScored, countPositives } from './check.ts';

/** A point of a curve, both axes in [0, 1] (recall/precision, FPR/TPR, effort/recall share). */
export interface CurvePoint {
  readonly x: number;
  readonly y: number;
}

/** Curves a report draws; each at most `maxPoints` points, thinned evenly from the exact curve. */
export interface EvaluationCurves {
  /** x = false positive rate, y = true positive rate. */
  readonly roc: readonly CurvePoint[];
  /** x = recall, y = precision. */
  readonly pr: readonly CurvePoint[];
  /** x = share of effort (la + ld) inspected, y = share of defect-inducing changes found; empty without effort. */
  readonly effort: readonly CurvePoint[];
}

function thin(points: CurvePoint[], maxPoints: number): CurvePoint[] {
  if (points.length <= maxPoints) return points;
  const out: CurvePoint[] = [];
  const step = (points.length - 1) / (maxPoints - 1);
  for (let k = 0; k < maxPoints; k++) out.push(points[Math.round(k * step)]!);
  return out;
}

const round = (v: number): number => Math.round(v * 1e5) / 1e5;

/**
 * Exact ROC, precision-recall and effort curves of scores `p` on labels `y`, one point per distinct
 * score (ties move together), thinned to `maxPoints` for storage. The effort curve ranks as
 * effortAwareMetrics does: by score per unit of effort, ties to the smaller change.
 */
export function evaluationCurves(
  y: ArrayLike<number>,
  p: ArrayLike<number>,
  effort: ArrayLike<number> | undefined,
  maxPoints = 200,
): EvaluationCurves {
  checkScored(y, p, 'evaluationCurves');
  const n = y.length;
  const pos = countPositives(y);
  const neg = n - pos;
  const roc: CurvePoint[] = [{ x: 0, y: 0 }];
  const pr: CurvePoint[] = [];
  if (pos > 0 && neg > 0) {
    const idx = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => p[b]! - p[a]!);
    let tp = 0;
    let fp = 0;
    for (let k = 0; k < n;) {
      const s = p[idx[k]!]!;
      while (k < n && p[idx[k]!] === s) {
        if (y[idx[k]!] === 1) tp++;
        else fp++;
        k++;
      }
      roc.push({ x: round(fp / neg), y: round(tp / pos) });
      pr.push({ x: round(tp / pos), y: round(tp / (tp + fp)) });
    }
  }
  const eff: CurvePoint[] = [];
  if (effort && pos > 0) {
    checkScored(y, effort, 'evaluationCurves(effort)');
    let total = 0;
    for (let i = 0; i < n; i++) total += effort[i]!;
    if (total > 0) {
      const density = (i: number): number =>
        effort[i]! > 0 ? p[i]! / effort[i]! : p[i]! > 0 ? Number.POSITIVE_INFINITY : 0;
      const order = Uint32Array.from({ length: n }, (_, i) => i).sort(
        (a, b) => density(b) - density(a) || effort[a]! - effort[b]! || a - b,
      );
      let cumE = 0;
      let found = 0;
      eff.push({ x: 0, y: 0 });
      for (const i of order) {
        cumE += effort[i]!;
        found += y[i]!;
        eff.push({ x: round(cumE / total), y: round(found / pos) });
      }
    }
  }
  return { roc: thin(roc, maxPoints), pr: thin(pr, maxPoints), effort: thin(eff, maxPoints) };
}

/** One feature's permutation importance: how much holdout AUC falls when its column is shuffled. */
export interface FeatureImportance {
  readonly feature: string;
  readonly aucDrop: number;
}

/**
 * Model-agnostic permutation importance (Breiman 2001) on held-out rows: every model kind the
 * trainer builds (logistic, GBDT, ensemble) gets the same measure, which gain or coefficients
 * would not give. The shuffle is seeded, so a run's report is reproducible.
 */
export function permutationImportance(
  names: readonly string[],
  x: Float64Array,
  y: ArrayLike<number>,
  predict: (x: Float64Array) => ArrayLike<number>,
  seed = 1,
): FeatureImportance[] {
  const f = names.length;
  const n = y.length;
  if (x.length !== n * f)
    throw new RangeError(`permutationImportance: x has ${x.length} values, not ${n} rows × ${f} features`);
  const base = rocAuc(y, predict(x));
  if (!Number.isFinite(base)) return [];
  let state = seed >>> 0 || 1;
  const rand = (): number => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
  const out: FeatureImportance[] = [];
  const shuffled = new Float64Array(x);
  for (let j = 0; j < f; j++) {
    const perm = Uint32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const k = Math.floor(rand() * (i + 1));
      const t = perm[i]!;
      perm[i] = perm[k]!;
      perm[k] = t;
    }
    for (let i = 0; i < n; i++) shuffled[i * f + j] = x[perm[i]! * f + j]!;
    out.push({ feature: names[j]!, aucDrop: round(base - rocAuc(y, predict(shuffled))) });
    for (let i = 0; i < n; i++) shuffled[i * f + j] = x[i * f + j]!;
  }
  return out;
}
