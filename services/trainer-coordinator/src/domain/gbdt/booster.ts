import { validateDataset, type Dataset } from '../dataset.ts';
import { rocAuc } from '../metrics/auc.ts';
import { rowWeights } from '../model/class-weights.ts';
import { sigmoid, softplus } from '../model/sigmoid.ts';
import { applyBins, fitBins } from './binning.ts';
import { growTree, type GrowContext } from './grow.ts';
import { resolveGbdtParams, type GbdtParams, type ResolvedGbdtParams } from './params.ts';
import { seededRandom } from './random.ts';
import { treeValueBinned, treeValueRaw, type Tree } from './tree.ts';

export interface GbdtModel {
  readonly kind: 'gbdt';
  readonly featureNames: readonly string[];
  /** Initial log-odds (weighted prior of the fit rows). */
  readonly baseScore: number;
  readonly trees: readonly Tree[];
  readonly params: ResolvedGbdtParams;
  /** Rounds kept (= trees.length); the best validation round when early stopping ran. */
  readonly bestIteration: number;
  /** Rounds actually trained before stopping. */
  readonly roundsTrained: number;
  readonly stoppedEarly: boolean;
  /** Validation metric after each round (empty without validation rows). */
  readonly validationHistory: readonly number[];
  /** Total split gain per feature, in featureNames order. */
  readonly gainImportance: readonly number[];
}

function weightedLogLoss(y: Uint8Array, margin: Float64Array, w: Float64Array): number {
  let s = 0;
  let ws = 0;
  for (let i = 0; i < y.length; i++) {
    s += w[i]! * (softplus(margin[i]!) - y[i]! * margin[i]!);
    ws += w[i]!;
  }
  return s / ws;
}

/**
 * Gradient-boosted trees for binary log-loss, histogram based. Trains on `fit`; when
 * `validation` has rows, tracks the validation metric every round, stops after
 * `earlyStoppingRounds` rounds without improvement, and keeps the trees of the best round.
 * Deterministic for a given seed.
 */
export function trainGbdt(fit: Dataset, validation: Dataset | undefined, params: GbdtParams = {}): GbdtModel {
  const p = resolveGbdtParams(params);
  validateDataset(fit);
  const hasVal = validation !== undefined && validation.y.length > 0;
  if (hasVal) {
    validateDataset(validation);
    if (validation.featureNames.join() !== fit.featureNames.join()) {
      throw new RangeError(`validation features (${validation.featureNames.join(',')}) differ from fit features (${fit.featureNames.join(',')})`);
    }
  }
  const n = fit.y.length;
  const f = fit.featureNames.length;
  if (n < 2) throw new RangeError(`gbdt needs at least 2 fit rows; got ${n}`);
  const mapper = fitBins(fit.x, n, f, p.maxBins);
  const ctx: GrowContext = {
    bins: applyBins(mapper, fit.x, n, f),
    n,
    f,
    numBins: Int32Array.from(mapper.thresholds, (t) => t.length + 1),
    thresholds: mapper.thresholds,
    options: p,
  };
  const w = rowWeights(fit.y, p.classWeight, fit.weight);
  let wPos = 0;
  let wAll = 0;
  for (let i = 0; i < n; i++) {
    wPos += w[i]! * fit.y[i]!;
    wAll += w[i]!;
  }
  const prior = Math.min(Math.max(wPos / wAll, 1e-12), 1 - 1e-12);
  const baseScore = Math.log(prior / (1 - prior));

  const margin = new Float64Array(n).fill(baseScore);
  const nVal = hasVal ? validation.y.length : 0;
  const valBins = hasVal ? applyBins(mapper, validation.x, nVal, f) : new Uint8Array(0);
  const valMargin = new Float64Array(nVal).fill(baseScore);
  const valW = hasVal ? rowWeights(validation.y, p.classWeight, validation.weight) : new Float64Array(0);

  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const rand = seededRandom(p.seed);
  const allFeatures = Int32Array.from({ length: f }, (_, j) => j);
  const featureCount = Math.max(1, Math.round(p.colsample * f));
  const gainsPerTree: Float64Array[] = [];
  const trees: Tree[] = [];
  const history: number[] = [];
  let best = Number.NaN;
  let bestRound = -1;
  let stoppedEarly = false;
  const sampled = new Uint32Array(n);

  for (let round = 0; round < p.numTrees; round++) {
    for (let i = 0; i < n; i++) {
      const q = sigmoid(margin[i]!);
      grad[i] = w[i]! * (q - fit.y[i]!);
      hess[i] = Math.max(w[i]! * q * (1 - q), 1e-16);
    }
    let m = 0;
    if (p.subsample < 1) {
      for (let i = 0; i < n; i++) if (rand() < p.subsample) sampled[m++] = i;
      if (m === 0) sampled[m++] = Math.floor(rand() * n);
    } else {
      for (let i = 0; i < n; i++) sampled[i] = i;
      m = n;
    }
    let features = allFeatures;
    if (featureCount < f) {
      const perm = Int32Array.from(allFeatures);
      for (let k = 0; k < featureCount; k++) {
        const r = k + Math.floor(rand() * (f - k));
        const t = perm[k]!;
        perm[k] = perm[r]!;
        perm[r] = t;
      }
      features = perm.subarray(0, featureCount).sort();
    }
    const gains = new Float64Array(f);
    const tree = growTree(ctx, sampled.subarray(0, m), grad, hess, features, gains);
    trees.push(tree);
    gainsPerTree.push(gains);
    for (let i = 0; i < n; i++) margin[i]! += treeValueBinned(tree, ctx.bins, n, i);
    if (!hasVal) continue;
    for (let i = 0; i < nVal; i++) valMargin[i]! += treeValueBinned(tree, valBins, nVal, i);
    const metric = p.earlyStoppingMetric === 'auc' ? -rocAuc(validation.y, valMargin) : weightedLogLoss(validation.y, valMargin, valW);
    history.push(p.earlyStoppingMetric === 'auc' ? -metric : metric);
    if (bestRound < 0 || metric < best) {
      best = metric;
      bestRound = round;
    } else if (p.earlyStoppingRounds > 0 && round - bestRound >= p.earlyStoppingRounds) {
      stoppedEarly = true;
      break;
    }
  }
  const roundsTrained = trees.length;
  const kept = hasVal ? trees.slice(0, bestRound + 1) : trees;
  const gainImportance = new Array<number>(f).fill(0);
  for (const gains of gainsPerTree.slice(0, kept.length)) for (let j = 0; j < f; j++) gainImportance[j]! += gains[j]!;
  return {
    kind: 'gbdt',
    featureNames: fit.featureNames,
    baseScore,
    trees: kept,
    params: p,
    bestIteration: kept.length,
    roundsTrained,
    stoppedEarly,
    validationHistory: history,
    gainImportance,
  };
}

export function gbdtMargins(model: GbdtModel, x: Float64Array): Float64Array {
  const f = model.featureNames.length;
  if (x.length % f !== 0) throw new RangeError(`x has ${x.length} values, not a multiple of ${f} features`);
  const n = x.length / f;
  const out = new Float64Array(n).fill(model.baseScore);
  for (const tree of model.trees) for (let i = 0; i < n; i++) out[i]! += treeValueRaw(tree, x, i * f);
  return out;
}

/** P(defect) for row-major raw features. */
export function predictGbdt(model: GbdtModel, x: Float64Array): Float64Array {
  return gbdtMargins(model, x).map(sigmoid);
}
