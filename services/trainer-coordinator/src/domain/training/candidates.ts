import type { Dataset } from '../dataset.ts';
import { trainLogistic, type LogisticModel, type LogisticParams } from '../model/logistic.ts';

/**
 * What the selection chooses among. `lapredict` is Zeng et al.'s LApredict (LR on `la` alone),
 * `lapredict_la_lt` the same on `la` and `lt`; `logistic` LR on every feature, `gbdt` the boosted
 * trees, `ensemble` the two blended in log-odds. Ties keep the earlier (simpler) one.
 */
export const CANDIDATES = ['lapredict', 'lapredict_la_lt', 'logistic', 'gbdt', 'ensemble'] as const;
export type Candidate = (typeof CANDIDATES)[number];

/** Features of the LR-on-a-subset candidates. */
export const SUBSET_FEATURES: Readonly<Partial<Record<Candidate, readonly string[]>>> = {
  lapredict: ['la'],
  lapredict_la_lt: ['la', 'lt'],
};

function project(d: Dataset, columns: readonly number[]): Dataset {
  const f = d.featureNames.length;
  const n = d.y.length;
  const k = columns.length;
  const x = new Float64Array(n * k);
  for (let i = 0; i < n; i++) for (let j = 0; j < k; j++) x[i * k + j] = d.x[i * f + columns[j]!]!;
  return {
    featureNames: columns.map((c) => d.featureNames[c]!),
    x,
    y: d.y,
    time: d.time,
    ...(d.weight ? { weight: d.weight } : {}),
  };
}

/** True when every feature of the subset is in the dataset (a custom feature set may lack `lt`). */
export function hasFeatures(d: Dataset, features: readonly string[]): boolean {
  return features.every((f) => d.featureNames.includes(f));
}

/**
 * LR fitted on `features` only, returned as an LR over ALL of the dataset's features with zero
 * coefficients (and an identity transform) elsewhere: the model keeps the full input width, so
 * its ONNX export takes the same [N, F] tensor and serving does not change with the winner.
 */
export function trainSubsetLogistic(
  d: Dataset,
  features: readonly string[],
  params: LogisticParams = {},
): LogisticModel {
  const columns = features.map((name) => {
    const c = d.featureNames.indexOf(name);
    if (c < 0) throw new RangeError(`feature "${name}" is not in the feature set (${d.featureNames.join(', ')})`);
    return c;
  });
  const log1p =
    params.log1p === undefined || params.log1p === 'count-like'
      ? params.log1p
      : params.log1p.filter((n) => features.includes(n));
  const sub = trainLogistic(project(d, columns), { ...params, ...(log1p === undefined ? {} : { log1p }) });
  const at = (name: string): number => features.indexOf(name);
  return {
    ...sub,
    featureNames: d.featureNames,
    preprocessor: {
      featureNames: d.featureNames,
      log1p: d.featureNames.map((n) => (at(n) < 0 ? false : sub.preprocessor.log1p[at(n)]!)),
      mean: d.featureNames.map((n) => (at(n) < 0 ? 0 : sub.preprocessor.mean[at(n)]!)),
      scale: d.featureNames.map((n) => (at(n) < 0 ? 1 : sub.preprocessor.scale[at(n)]!)),
    },
    coef: d.featureNames.map((n) => (at(n) < 0 ? 0 : sub.coef[at(n)]!)),
  };
}
