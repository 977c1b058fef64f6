import { checkScored, countPositives } from './check.ts';

export interface EffortAwareMetrics {
  /** Share of defect-inducing changes found when inspecting the top-ranked changes within 20% of total effort. */
  readonly recallAt20Effort: number;
  /** 1 − Δopt: area under the effort/recall curve relative to the optimal and worst orderings. */
  readonly popt: number;
}

function density(value: number, effort: number): number {
  if (effort > 0) return value / effort;
  return value > 0 ? Number.POSITIVE_INFINITY : 0;
}

/**
 * Area under the cumulative curve (x = share of effort spent, y = share of defective changes
 * found) for rows inspected in `order`; exact trapezoids over every row, not a 10-point grid.
 */
function curveArea(
  order: Uint32Array,
  y: ArrayLike<number>,
  effort: ArrayLike<number>,
  totalEffort: number,
  pos: number,
): number {
  let area = 0;
  let x0 = 0;
  let y0 = 0;
  let cumE = 0;
  let cumB = 0;
  for (let k = 0; k < order.length; k++) {
    const i = order[k]!;
    cumE += effort[i]!;
    cumB += y[i]!;
    const x1 = cumE / totalEffort;
    const y1 = cumB / pos;
    area += ((x1 - x0) * (y0 + y1)) / 2;
    x0 = x1;
    y0 = y1;
  }
  return area;
}

function sortedIndices(n: number, cmp: (a: number, b: number) => number): Uint32Array {
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  return idx.sort(cmp);
}

/**
 * Effort-aware metrics of Kamei et al. (TSE 2013) and Yang et al. (FSE 2016), with effort = the
 * change's churn (la + ld). The model inspects changes by predicted risk per unit of effort
 * (score / effort, descending) — as effort-aware supervised JIT models are used; ties go to the
 * smaller change. The optimal model orders by actual defect density (defective changes first,
 * smallest first), the worst by the reverse. Zero-effort changes cost nothing, so a positive
 * score over zero effort ranks first.
 *
 * Recall@20%Effort counts the defective changes among the ranked prefix whose cumulative effort
 * stays within 20% of the total. NaN if there are no defective changes.
 */
export function effortAwareMetrics(
  y: ArrayLike<number>,
  scores: ArrayLike<number>,
  effort: ArrayLike<number>,
  effortShare = 0.2,
): EffortAwareMetrics {
  checkScored(y, scores, 'effortAwareMetrics');
  checkScored(y, effort, 'effortAwareMetrics(effort)');
  if (!(effortShare > 0 && effortShare <= 1)) throw new RangeError(`effortShare must be in (0, 1]; got ${effortShare}`);
  const n = y.length;
  let totalEffort = 0;
  for (let i = 0; i < n; i++) {
    if (effort[i]! < 0) throw new RangeError(`effortAwareMetrics: effort ${i} is negative (${effort[i]})`);
    totalEffort += effort[i]!;
  }
  const pos = countPositives(y);
  if (pos === 0 || totalEffort <= 0) return { recallAt20Effort: Number.NaN, popt: Number.NaN };

  const model = sortedIndices(
    n,
    (a, b) => density(scores[b]!, effort[b]!) - density(scores[a]!, effort[a]!) || effort[a]! - effort[b]! || a - b,
  );
  const optimal = sortedIndices(
    n,
    (a, b) => density(y[b]!, effort[b]!) - density(y[a]!, effort[a]!) || effort[a]! - effort[b]! || a - b,
  );
  const worst = sortedIndices(
    n,
    (a, b) => density(y[a]!, effort[a]!) - density(y[b]!, effort[b]!) || effort[b]! - effort[a]! || a - b,
  );

  const budget = effortShare * totalEffort;
  let cumE = 0;
  let found = 0;
  for (let k = 0; k < n; k++) {
    const i = model[k]!;
    cumE += effort[i]!;
    if (cumE > budget) break;
    found += y[i]!;
  }
  const aOpt = curveArea(optimal, y, effort, totalEffort, pos);
  const aWorst = curveArea(worst, y, effort, totalEffort, pos);
  const aModel = curveArea(model, y, effort, totalEffort, pos);
  const popt = aOpt === aWorst ? Number.NaN : 1 - (aOpt - aModel) / (aOpt - aWorst);
  return { recallAt20Effort: found / pos, popt };
}
