import { validateDataset, type Dataset } from '../dataset.ts';
import { KAMEI_COUNT_LIKE } from '../features.ts';
import { rowWeights, type ClassWeight } from './class-weights.ts';
import { solveSpd } from './linalg.ts';
import { applyPreprocessor, fitPreprocessor, type Preprocessor } from './preprocess.ts';
import { sigmoid, softplus } from './sigmoid.ts';

export interface LogisticParams {
  /** L2 strength on the standardised coefficients (intercept unpenalised), per unit of mean row weight. @default 1e-4 */
  readonly l2?: number;
  /** Features fed through log1p; `'count-like'` = those of the set that are heavy-tailed counts. @default 'count-like' */
  readonly log1p?: readonly string[] | 'count-like';
  /** @default 'none' */
  readonly classWeight?: ClassWeight;
  /** Newton iterations at most. @default 100 */
  readonly maxIterations?: number;
  /** Stop when the objective improves by less than this (relative). @default 1e-10 */
  readonly tolerance?: number;
}

export interface LogisticModel {
  readonly kind: 'logistic';
  readonly featureNames: readonly string[];
  readonly preprocessor: Preprocessor;
  /** Coefficients on the standardised (and log1p'ed) features. */
  readonly coef: readonly number[];
  readonly intercept: number;
  readonly iterations: number;
  readonly converged: boolean;
}

export function resolveLog1p(featureNames: readonly string[], spec: LogisticParams['log1p']): readonly string[] {
  if (spec === undefined || spec === 'count-like') return featureNames.filter((n) => KAMEI_COUNT_LIKE.includes(n));
  return spec;
}

/**
 * L2-regularised logistic regression by Newton's method (IRLS) with a backtracking line search:
 * with ~15 parameters the exact Hessian is cheap, convergence is quadratic, and the result is
 * deterministic (no learning rate, no shuffling).
 */
export function trainLogistic(train: Dataset, params: LogisticParams = {}): LogisticModel {
  validateDataset(train);
  const l2 = params.l2 ?? 1e-4;
  if (!(l2 >= 0)) throw new RangeError(`l2 must be >= 0; got ${l2}`);
  const maxIterations = params.maxIterations ?? 100;
  const tolerance = params.tolerance ?? 1e-10;
  const pre = fitPreprocessor(train, resolveLog1p(train.featureNames, params.log1p));
  const z = applyPreprocessor(pre, train.x);
  const w = rowWeights(train.y, params.classWeight ?? 'none', train.weight);
  const n = train.y.length;
  const f = train.featureNames.length;
  const k = f + 1; // last parameter is the intercept
  let wSum = 0;
  for (let i = 0; i < n; i++) wSum += w[i]!;

  const margins = (beta: Float64Array): Float64Array => {
    const m = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = beta[f]!;
      for (let j = 0; j < f; j++) s += beta[j]! * z[i * f + j]!;
      m[i] = s;
    }
    return m;
  };
  const objective = (beta: Float64Array, m: Float64Array): number => {
    let loss = 0;
    for (let i = 0; i < n; i++) loss += w[i]! * (softplus(m[i]!) - train.y[i]! * m[i]!);
    let pen = 0;
    for (let j = 0; j < f; j++) pen += beta[j]! * beta[j]!;
    return loss / wSum + 0.5 * l2 * pen;
  };

  let beta = new Float64Array(k);
  // Start at the prior log-odds so the first step is already well scaled.
  let pos = 0;
  for (let i = 0; i < n; i++) pos += w[i]! * train.y[i]!;
  const prior = Math.min(Math.max(pos / wSum, 1e-6), 1 - 1e-6);
  beta[f] = Math.log(prior / (1 - prior));
  let m = margins(beta);
  let obj = objective(beta, m);
  let converged = false;
  let iterations = 0;
  for (; iterations < maxIterations && !converged; iterations++) {
    const grad = new Float64Array(k);
    const hess = new Float64Array(k * k);
    const row = new Float64Array(k);
    row[f] = 1;
    for (let i = 0; i < n; i++) {
      const p = sigmoid(m[i]!);
      const g = (w[i]! * (p - train.y[i]!)) / wSum;
      const h = (w[i]! * p * (1 - p)) / wSum;
      for (let j = 0; j < f; j++) row[j] = z[i * f + j]!;
      for (let a = 0; a < k; a++) {
        const ra = row[a]!;
        grad[a]! += g * ra;
        const hra = h * ra;
        for (let b = 0; b <= a; b++) hess[a * k + b]! += hra * row[b]!;
      }
    }
    for (let a = 0; a < k; a++) for (let b = 0; b < a; b++) hess[b * k + a] = hess[a * k + b]!;
    for (let j = 0; j < f; j++) {
      grad[j]! += l2 * beta[j]!;
      hess[j * k + j]! += l2;
    }
    const step = solveSpd(hess, grad, k);
    let t = 1;
    let next = beta;
    let nextM = m;
    let nextObj = obj;
    for (let halvings = 0; halvings < 40; halvings++, t /= 2) {
      const cand = new Float64Array(k);
      for (let a = 0; a < k; a++) cand[a] = beta[a]! - t * step[a]!;
      const cm = margins(cand);
      const co = objective(cand, cm);
      if (co <= obj) {
        next = cand;
        nextM = cm;
        nextObj = co;
        break;
      }
    }
    converged = next === beta || obj - nextObj <= tolerance * Math.max(1, Math.abs(obj));
    beta = next;
    m = nextM;
    obj = nextObj;
  }
  return {
    kind: 'logistic',
    featureNames: train.featureNames,
    preprocessor: pre,
    coef: Array.from(beta.subarray(0, f)),
    intercept: beta[f]!,
    iterations,
    converged,
  };
}

/** Margins (log-odds) for row-major raw features. */
export function logisticMargins(model: LogisticModel, x: Float64Array): Float64Array {
  const f = model.featureNames.length;
  const z = applyPreprocessor(model.preprocessor, x);
  const n = z.length / f;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = model.intercept;
    for (let j = 0; j < f; j++) s += model.coef[j]! * z[i * f + j]!;
    out[i] = s;
  }
  return out;
}

/** P(defect) for row-major raw features. */
export function predictLogistic(model: LogisticModel, x: Float64Array): Float64Array {
  return logisticMargins(model, x).map(sigmoid);
}

/**
 * Coefficients on the raw (un-standardised) scale of each feature — for features without log1p
 * these are the textbook LR coefficients; log1p features are on the log1p scale.
 */
export function rawCoefficients(model: LogisticModel): { coef: number[]; intercept: number } {
  const p = model.preprocessor;
  let intercept = model.intercept;
  const coef = model.coef.map((c, j) => {
    intercept -= (c * p.mean[j]!) / p.scale[j]!;
    return c / p.scale[j]!;
  });
  return { coef, intercept };
}
