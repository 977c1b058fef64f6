import type { ClassWeight } from '../model/class-weights.ts';

export interface GbdtParams {
  /** Boosting rounds at most (fewer when early stopping fires). @default 200 */
  readonly numTrees?: number;
  /** @default 0.05 */
  readonly learningRate?: number;
  /** @default 6 */
  readonly maxDepth?: number;
  /** Leaves per tree at most (leaf-wise growth). @default 31 */
  readonly maxLeaves?: number;
  /** Minimum hessian sum in a child. @default 1e-3 */
  readonly minChildWeight?: number;
  /** Minimum rows in a child. @default 20 */
  readonly minDataInLeaf?: number;
  /** L2 on leaf values. @default 1 */
  readonly lambda?: number;
  /** A split must improve the (doubled) loss by more than this. @default 0 */
  readonly minSplitGain?: number;
  /** Share of fit rows sampled (without replacement, per tree). @default 1 */
  readonly subsample?: number;
  /** Share of features sampled per tree. @default 1 */
  readonly colsample?: number;
  /** @default 255 */
  readonly maxBins?: number;
  /** Stop after this many rounds without improvement on the validation rows; 0 = never. @default 50 */
  readonly earlyStoppingRounds?: number;
  /** @default 'logloss' */
  readonly earlyStoppingMetric?: 'logloss' | 'auc';
  /** @default 'none' */
  readonly classWeight?: ClassWeight;
  /** @default 1 */
  readonly seed?: number;
}

export type ResolvedGbdtParams = Required<GbdtParams>;

export const GBDT_DEFAULTS: ResolvedGbdtParams = {
  numTrees: 200,
  learningRate: 0.05,
  maxDepth: 6,
  maxLeaves: 31,
  minChildWeight: 1e-3,
  minDataInLeaf: 20,
  lambda: 1,
  minSplitGain: 0,
  subsample: 1,
  colsample: 1,
  maxBins: 255,
  earlyStoppingRounds: 50,
  earlyStoppingMetric: 'logloss',
  classWeight: 'none',
  seed: 1,
};

function need(ok: boolean, key: string, bound: string, v: unknown): void {
  if (!ok) throw new RangeError(`gbdt.${key} must be ${bound}; got ${String(v)}`);
}

/** Fills defaults and refuses out-of-range values, naming the key and the bound. */
export function resolveGbdtParams(p: GbdtParams = {}): ResolvedGbdtParams {
  const r: ResolvedGbdtParams = {
    ...GBDT_DEFAULTS,
    ...Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)),
  };
  const int = (v: number): boolean => Number.isInteger(v);
  need(int(r.numTrees) && r.numTrees >= 1, 'numTrees', 'an integer >= 1', r.numTrees);
  need(r.learningRate > 0 && r.learningRate <= 1, 'learningRate', 'in (0, 1]', r.learningRate);
  need(int(r.maxDepth) && r.maxDepth >= 1 && r.maxDepth <= 30, 'maxDepth', 'an integer in [1, 30]', r.maxDepth);
  need(
    int(r.maxLeaves) && r.maxLeaves >= 2 && r.maxLeaves <= 4096,
    'maxLeaves',
    'an integer in [2, 4096]',
    r.maxLeaves,
  );
  need(r.minChildWeight >= 0, 'minChildWeight', '>= 0', r.minChildWeight);
  need(int(r.minDataInLeaf) && r.minDataInLeaf >= 1, 'minDataInLeaf', 'an integer >= 1', r.minDataInLeaf);
  need(r.lambda >= 0, 'lambda', '>= 0', r.lambda);
  need(r.minSplitGain >= 0, 'minSplitGain', '>= 0', r.minSplitGain);
  need(r.subsample > 0 && r.subsample <= 1, 'subsample', 'in (0, 1]', r.subsample);
  need(r.colsample > 0 && r.colsample <= 1, 'colsample', 'in (0, 1]', r.colsample);
  need(int(r.maxBins) && r.maxBins >= 2 && r.maxBins <= 256, 'maxBins', 'an integer in [2, 256]', r.maxBins);
  need(
    int(r.earlyStoppingRounds) && r.earlyStoppingRounds >= 0,
    'earlyStoppingRounds',
    'an integer >= 0',
    r.earlyStoppingRounds,
  );
  need(
    r.earlyStoppingMetric === 'logloss' || r.earlyStoppingMetric === 'auc',
    'earlyStoppingMetric',
    '"logloss" or "auc"',
    r.earlyStoppingMetric,
  );
  need(int(r.seed), 'seed', 'an integer', r.seed);
  return r;
}
