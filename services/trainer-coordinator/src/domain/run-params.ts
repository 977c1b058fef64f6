// StartRun's algorithm name and string parameters → a model kind and TrainParams. Unknown keys
// and out-of-range values are refused naming the key, so a typo ("gbdt.numTree") cannot silently
// train with the default.
import type { ClassWeight } from './model/class-weights.ts';
import { JIT_TRAIN_PARAMS } from './training/jit-recipe.ts';
import type { TrainAlgorithm, TrainParams } from './training/train-model.ts';
import { resolveGbdtParams, type GbdtParams } from './gbdt/params.ts';
import type { LogisticParams } from './model/logistic.ts';

export class RunParamsError extends Error {
  override readonly name = 'RunParamsError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const ALGORITHMS: Readonly<Record<string, TrainAlgorithm>> = {
  // Chooses per run among LApredict, LR, GBDT and the blend on the validation slice.
  auto: 'auto',
  select: 'auto',
  logistic: 'logistic',
  logistic_regression: 'logistic',
  lr: 'logistic',
  gbdt: 'gbdt',
  gradient_boosting: 'gbdt',
  gradient_boosted_trees: 'gbdt',
  ensemble: 'ensemble',
  lr_gbdt: 'ensemble',
};

/** The model kind (or `auto`) an algorithm name selects (several spellings each). */
export function modelKindOf(algorithm: string): TrainAlgorithm {
  const kind = ALGORITHMS[algorithm.trim().toLowerCase()];
  if (!kind)
    throw new RunParamsError(
      'algorithm',
      `unknown algorithm "${algorithm}"; known: ${Object.keys(ALGORITHMS).join(', ')}`,
    );
  return kind;
}

type Kind = 'int' | 'number' | 'bool' | 'classWeight' | 'metric';
const GBDT_KEYS: Readonly<Record<keyof GbdtParams, Kind>> = {
  numTrees: 'int',
  learningRate: 'number',
  maxDepth: 'int',
  maxLeaves: 'int',
  minChildWeight: 'number',
  minDataInLeaf: 'int',
  lambda: 'number',
  minSplitGain: 'number',
  subsample: 'number',
  colsample: 'number',
  maxBins: 'int',
  earlyStoppingRounds: 'int',
  earlyStoppingMetric: 'metric',
  classWeight: 'classWeight',
  seed: 'int',
};
const LOGISTIC_KEYS: Readonly<Record<string, Kind>> = {
  l2: 'number',
  classWeight: 'classWeight',
  maxIterations: 'int',
  tolerance: 'number',
};
const TOP_KEYS: Readonly<Record<string, Kind>> = { validationFraction: 'number', refit: 'bool', gbdtWeight: 'number' };

function parseValue(field: string, kind: Kind, raw: string): unknown {
  const s = raw.trim();
  switch (kind) {
    case 'int': {
      if (!/^-?\d+$/.test(s)) throw new RunParamsError(field, `${field} must be an integer; got "${raw}"`);
      return Number(s);
    }
    case 'number': {
      const v = Number(s);
      if (s === '' || !Number.isFinite(v))
        throw new RunParamsError(field, `${field} must be a finite number; got "${raw}"`);
      return v;
    }
    case 'bool': {
      if (s !== 'true' && s !== 'false')
        throw new RunParamsError(field, `${field} must be true or false; got "${raw}"`);
      return s === 'true';
    }
    case 'metric': {
      if (s !== 'logloss' && s !== 'auc')
        throw new RunParamsError(field, `${field} must be logloss or auc; got "${raw}"`);
      return s;
    }
    case 'classWeight': {
      if (s === 'none' || s === 'balanced') return s satisfies ClassWeight;
      const m = /^(\d*\.?\d+):(\d*\.?\d+)$/.exec(s);
      if (!m)
        throw new RunParamsError(field, `${field} must be none, balanced or NEG:POS weights (e.g. 1:3); got "${raw}"`);
      return { negative: Number(m[1]), positive: Number(m[2]) } satisfies ClassWeight;
    }
  }
}

/**
 * TrainParams for `kind` from `params` (`numTrees`, `gbdt.learningRate`, `logistic.l2`,
 * `validationFraction`, `refit`, `gbdtWeight`, ...), on top of the JIT recipe's defaults. A bare
 * GBDT key (`numTrees`) means `gbdt.numTrees`, a bare logistic key (`l2`) `logistic.l2`.
 */
export function resolveTrainParams(kind: TrainAlgorithm, params: Readonly<Record<string, string>>): TrainParams {
  const top: Record<string, unknown> = {};
  const gbdt: Record<string, unknown> = {};
  const logistic: Record<string, unknown> = {};
  for (const [rawKey, raw] of Object.entries(params)) {
    const k = rawKey.trim();
    const [scope, name] = k.includes('.') ? (k.split('.', 2) as [string, string]) : ['', k];
    if ((scope === 'gbdt' || scope === '') && name in GBDT_KEYS) {
      if (kind === 'logistic')
        throw new RunParamsError(
          `params.${k}`,
          `params.${k}: a GBDT parameter, but the algorithm is logistic regression`,
        );
      gbdt[name] = parseValue(`params.${k}`, GBDT_KEYS[name as keyof GbdtParams], raw);
    } else if ((scope === 'logistic' || scope === '') && name in LOGISTIC_KEYS) {
      if (kind === 'gbdt')
        throw new RunParamsError(
          `params.${k}`,
          `params.${k}: a logistic-regression parameter, but the algorithm is gbdt`,
        );
      logistic[name] = parseValue(`params.${k}`, LOGISTIC_KEYS[name]!, raw);
    } else if (scope === '' && name in TOP_KEYS) {
      top[name] = parseValue(`params.${k}`, TOP_KEYS[name]!, raw);
    } else {
      const known = [
        ...Object.keys(TOP_KEYS),
        ...Object.keys(GBDT_KEYS).map((g) => `gbdt.${g}`),
        ...Object.keys(LOGISTIC_KEYS).map((l) => `logistic.${l}`),
      ];
      throw new RunParamsError(`params.${k}`, `unknown parameter "${k}"; known: ${known.join(', ')}`);
    }
  }
  const vf = top['validationFraction'];
  if (typeof vf === 'number' && !(vf >= 0 && vf < 1))
    throw new RunParamsError('params.validationFraction', `params.validationFraction must be in [0, 1); got ${vf}`);
  const w = top['gbdtWeight'];
  if (typeof w === 'number' && !(w >= 0 && w <= 1))
    throw new RunParamsError('params.gbdtWeight', `params.gbdtWeight must be in [0, 1]; got ${w}`);
  const resolved: TrainParams = {
    ...JIT_TRAIN_PARAMS,
    ...top,
    logistic: { ...JIT_TRAIN_PARAMS.logistic, ...(logistic as LogisticParams) },
    gbdt: { ...JIT_TRAIN_PARAMS.gbdt, ...(gbdt as GbdtParams) },
  };
  if (kind !== 'logistic') {
    try {
      resolveGbdtParams(resolved.gbdt ?? {});
    } catch (err) {
      // "gbdt.maxDepth must be ..." names the key already.
      throw new RunParamsError('params', `params.${(err as Error).message}`);
    }
  }
  return resolved;
}
