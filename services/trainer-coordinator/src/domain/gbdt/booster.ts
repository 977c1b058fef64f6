import { validateDataset, type Dataset } from '../dataset.ts';
import { rocAuc } from '../metrics/auc.ts';
import { rowWeights } from '../model/class-weights.ts';
import { sigmoid, softplus } from '../model/sigmoid.ts';
import { applyBins, fitBins } from './binning.ts';
import { growTree, type GrowContext } from './grow.ts';
import { resolveGbdtParams, type GbdtParams, type ResolvedGbdtParams } from './params.ts';
import { seededRandom } from '@omen/service/random';
import { treeValueBinned, type Tree } from './tree.ts';

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
      throw new RangeError(
        `validation features (${validation.featureNames.join(',')}) differ from fit features (${fit.featureNames.join(',')})`,
      );
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

  const gh = new Float64Array(2 * n);
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
      gh[2 * i] = w[i]! * (q - fit.y[i]!);
      gh[2 * i + 1] = Math.max(w[i]! * q * (1 - q), 1e-16);
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
    const rows = sampled.subarray(0, m);
    const { tree, leaves } = growTree(ctx, rows, gh, features, gains);
    trees.push(tree);
    gainsPerTree.push(gains);
    if (m === n) {
      for (const leaf of leaves) {
        const v = tree.value[leaf.node]!;
        for (let k = leaf.start; k < leaf.end; k++) margin[rows[k]!]! += v;
      }
    } else {
      for (let i = 0; i < n; i++) margin[i]! += treeValueBinned(tree, ctx.bins, f, i);
    }
    if (!hasVal) continue;
    for (let i = 0; i < nVal; i++) valMargin[i]! += treeValueBinned(tree, valBins, f, i);
    const metric =
      p.earlyStoppingMetric === 'auc'
        ? -rocAuc(validation.y, valMargin)
        : weightedLogLoss(validation.y, valMargin, valW);
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
  // All trees flattened into one set of typed arrays (children as absolute indices) and walked
  // row by row: the whole forest stays in cache while each row's features are read once.
  // Float32 features: the trees compare float32 values (see binning.ts), and a Float32Array read
  // is exact and cheaper than Math.fround at every node.
  let total = 0;
  for (const t of model.trees) total += t.feature.length;
  const feature = new Int32Array(total);
  const threshold = new Float64Array(total);
  const left = new Int32Array(total);
  const right = new Int32Array(total);
  const value = new Float64Array(total);
  const roots = new Int32Array(model.trees.length);
  let off = 0;
  model.trees.forEach((t, k) => {
    roots[k] = off;
    for (let i = 0; i < t.feature.length; i++) {
      feature[off + i] = t.feature[i]!;
      threshold[off + i] = t.threshold[i]!;
      left[off + i] = off + t.left[i]!;
      right[off + i] = off + t.right[i]!;
      value[off + i] = t.value[i]!;
    }
    off += t.feature.length;
  });
  const x32 = Float32Array.from(x);
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const base = i * f;
    let s = model.baseScore;
    for (let k = 0; k < roots.length; k++) {
      let node = roots[k]!;
      for (let j = feature[node]!; j >= 0; j = feature[node]!)
        node = x32[base + j]! <= threshold[node]! ? left[node]! : right[node]!;
      s += value[node]!;
    }
    out[i] = s;
  }
  return out;
}

/** P(defect) for row-major raw features. */
export function predictGbdt(model: GbdtModel, x: Float64Array): Float64Array {
  return gbdtMargins(model, x).map(sigmoid);
}
