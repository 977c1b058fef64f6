import { validateDataset, type Dataset } from '../dataset.ts';
import { effortOf } from '../effort.ts';
import { trainGbdt, type GbdtModel } from '../gbdt/booster.ts';
import type { GbdtParams } from '../gbdt/params.ts';
import { averagePrecision } from '../metrics/average-precision.ts';
import { rocAuc } from '../metrics/auc.ts';
import { evaluate, type Evaluation } from '../metrics/evaluate.ts';
import { bestF1Threshold } from '../metrics/threshold.ts';
import type { EnsembleModel } from '../model/ensemble.ts';
import { trainLogistic, type LogisticModel, type LogisticParams } from '../model/logistic.ts';
import { predict, type Model, type ModelKind } from '../model/model.ts';
import { carveValidation, sortByTime } from '../split.ts';
import { CANDIDATES, SUBSET_FEATURES, hasFeatures, trainSubsetLogistic, type Candidate } from './candidates.ts';

/** A model kind trained as asked, or `auto`: every candidate scored on the validation slice, the best kept. */
export type TrainAlgorithm = ModelKind | 'auto';

export interface TrainParams {
  /** Newest share of the training rows held out for early stopping, the decision threshold and (auto) the selection. @default 0.2 */
  readonly validationFraction?: number;
  /**
   * After validation, retrain on all training rows (GBDT with its early-stopped round count
   * scaled by the row ratio): the newest rows are the most informative under concept drift.
   * @default true
   */
  readonly refit?: boolean;
  readonly logistic?: LogisticParams;
  readonly gbdt?: GbdtParams;
  /** Ensemble only: weight of the GBDT log-odds; the LR gets 1 − this. @default 0.5 */
  readonly gbdtWeight?: number;
}

export interface CandidateScore {
  readonly name: Candidate;
  /** On the validation slice, fitted on the rows before it; NaN when the slice has one class. */
  readonly validationAuc: number;
  readonly validationPrAuc: number;
}

export interface Selection {
  readonly winner: Candidate;
  /** Every candidate that could be fitted, in CANDIDATES order. */
  readonly candidates: readonly CandidateScore[];
  /** False when the validation slice could not rank them (empty or one class): the winner is the fallback. */
  readonly decided: boolean;
}

export interface TrainResult {
  readonly model: Model;
  /** Best-F1 threshold on the validation rows (0.5 without validation rows). */
  readonly threshold: number;
  /** Metrics of the validation-stage model on the validation rows; null without validation rows. */
  readonly validation: Evaluation | null;
  readonly rows: { readonly fit: number; readonly validation: number; readonly final: number };
  readonly refitted: boolean;
  /** `auto` only: which candidate won and the validation scores of all. */
  readonly selection?: Selection;
}

/** What `auto` keeps when the validation slice cannot rank the candidates: the recipe's blend. */
export const FALLBACK_CANDIDATE: Candidate = 'ensemble';

function blend(lr: LogisticModel, gb: GbdtModel, params: TrainParams): EnsembleModel {
  const w = params.gbdtWeight ?? 0.5;
  if (!(w >= 0 && w <= 1)) throw new RangeError(`gbdtWeight must be in [0, 1]; got ${w}`);
  return {
    kind: 'ensemble',
    featureNames: lr.featureNames,
    logistic: lr,
    gbdt: gb,
    logisticWeight: 1 - w,
    gbdtWeight: w,
  };
}

function fitCandidate(
  c: Candidate,
  fit: Dataset,
  validation: Dataset | undefined,
  params: TrainParams,
  gbdtOverride?: GbdtParams,
): Model {
  const gb = (): GbdtModel => trainGbdt(fit, validation, { ...params.gbdt, ...gbdtOverride });
  const subset = SUBSET_FEATURES[c];
  if (subset) return trainSubsetLogistic(fit, subset, params.logistic);
  switch (c) {
    case 'logistic':
      return trainLogistic(fit, params.logistic);
    case 'gbdt':
      return gb();
    default:
      return blend(trainLogistic(fit, params.logistic), gb(), params);
  }
}

function gbdtPart(m: Model): GbdtModel | undefined {
  return m.kind === 'gbdt' ? m : m.kind === 'ensemble' ? m.gbdt : undefined;
}

/**
 * Every candidate fitted on the fit rows (GBDT early-stopped on the validation slice; the blend
 * reuses the same LR and GBDT) and scored by AUC on the validation slice. Only the training
 * period is looked at: the caller's test rows never reach this function.
 */
function stageCandidates(
  fit: Dataset,
  validation: Dataset,
  params: TrainParams,
): { models: Map<Candidate, Model>; selection: Selection } {
  const hasVal = validation.y.length > 0;
  const models = new Map<Candidate, Model>();
  for (const c of CANDIDATES) {
    const subset = SUBSET_FEATURES[c];
    if (subset && !hasFeatures(fit, subset)) continue;
    if (c === 'ensemble')
      models.set(c, blend(models.get('logistic') as LogisticModel, models.get('gbdt') as GbdtModel, params));
    else models.set(c, fitCandidate(c, fit, hasVal ? validation : undefined, params));
  }
  const candidates: CandidateScore[] = [...models].map(([name, m]) => {
    if (!hasVal) return { name, validationAuc: Number.NaN, validationPrAuc: Number.NaN };
    const p = predict(m, validation.x);
    return { name, validationAuc: rocAuc(validation.y, p), validationPrAuc: averagePrecision(validation.y, p) };
  });
  let best: CandidateScore | undefined;
  for (const s of candidates)
    if (Number.isFinite(s.validationAuc) && (!best || s.validationAuc > best.validationAuc)) best = s;
  return { models, selection: { winner: best?.name ?? FALLBACK_CANDIDATE, candidates, decided: best !== undefined } };
}

const KIND_CANDIDATE: Readonly<Record<ModelKind, Candidate>> = {
  logistic: 'logistic',
  gbdt: 'gbdt',
  ensemble: 'ensemble',
};

/**
 * The whole training job over time-ordered training rows: carve the newest rows as validation,
 * fit with early stopping there, pick the decision threshold there, then (by default) refit on
 * every training row. With `auto`, every candidate is fitted and the one with the best validation
 * AUC is the one refitted. Pure and deterministic; `trainInWorker` runs it off the main thread.
 */
export function trainModel(algorithm: TrainAlgorithm, train: Dataset, params: TrainParams = {}): TrainResult {
  validateDataset(train);
  const { dataset } = sortByTime(train);
  const { fit, validation } = carveValidation(dataset, params.validationFraction ?? 0.2);
  const hasVal = validation.y.length > 0;
  let winner: Candidate;
  let staged: Model;
  let selection: Selection | undefined;
  if (algorithm === 'auto') {
    const staging = stageCandidates(fit, validation, params);
    selection = staging.selection;
    winner = selection.winner;
    staged = staging.models.get(winner)!;
  } else {
    winner = KIND_CANDIDATE[algorithm];
    staged = fitCandidate(winner, fit, hasVal ? validation : undefined, params);
  }
  let threshold = 0.5;
  let evaluation: Evaluation | null = null;
  if (hasVal) {
    const p = predict(staged, validation.x);
    threshold = bestF1Threshold(validation.y, p).threshold;
    evaluation = evaluate(validation.y, p, effortOf(validation), threshold);
  }
  const withSelection = selection ? { selection } : {};
  const refit = (params.refit ?? true) && hasVal;
  if (!refit)
    return {
      model: staged,
      threshold,
      validation: evaluation,
      rows: { fit: fit.y.length, validation: validation.y.length, final: fit.y.length },
      refitted: false,
      ...withSelection,
    };
  const g = gbdtPart(staged);
  const rounds = g ? Math.max(1, Math.round((g.bestIteration * dataset.y.length) / fit.y.length)) : undefined;
  const final = fitCandidate(
    winner,
    dataset,
    undefined,
    params,
    rounds === undefined ? undefined : { numTrees: rounds, earlyStoppingRounds: 0 },
  );
  return {
    model: final,
    threshold,
    validation: evaluation,
    rows: { fit: fit.y.length, validation: validation.y.length, final: dataset.y.length },
    refitted: true,
    ...withSelection,
  };
}
