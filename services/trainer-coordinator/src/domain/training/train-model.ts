import { validateDataset, type Dataset } from '../dataset.ts';
import { effortOf } from '../effort.ts';
import { trainGbdt, type GbdtModel } from '../gbdt/booster.ts';
import type { GbdtParams } from '../gbdt/params.ts';
import { evaluate, type Evaluation } from '../metrics/evaluate.ts';
import { bestF1Threshold } from '../metrics/threshold.ts';
import type { EnsembleModel } from '../model/ensemble.ts';
import { trainLogistic, type LogisticModel, type LogisticParams } from '../model/logistic.ts';
import { predict, type Model, type ModelKind } from '../model/model.ts';
import { carveValidation, sortByTime } from '../split.ts';

export interface TrainParams {
  /** Newest share of the training rows held out for early stopping and the decision threshold. @default 0.2 */
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

export interface TrainResult {
  readonly model: Model;
  /** Best-F1 threshold on the validation rows (0.5 without validation rows). */
  readonly threshold: number;
  /** Metrics of the validation-stage model on the validation rows; null without validation rows. */
  readonly validation: Evaluation | null;
  readonly rows: { readonly fit: number; readonly validation: number; readonly final: number };
  readonly refitted: boolean;
}

function fitModel(kind: ModelKind, fit: Dataset, validation: Dataset | undefined, params: TrainParams, gbdtOverride?: GbdtParams): Model {
  const lr = (): LogisticModel => trainLogistic(fit, params.logistic);
  const gb = (): GbdtModel => trainGbdt(fit, validation, { ...params.gbdt, ...gbdtOverride });
  switch (kind) {
    case 'logistic': return lr();
    case 'gbdt': return gb();
    case 'ensemble': {
      const w = params.gbdtWeight ?? 0.5;
      if (!(w >= 0 && w <= 1)) throw new RangeError(`gbdtWeight must be in [0, 1]; got ${w}`);
      const m: EnsembleModel = { kind: 'ensemble', featureNames: fit.featureNames, logistic: lr(), gbdt: gb(), logisticWeight: 1 - w, gbdtWeight: w };
      return m;
    }
  }
}

function gbdtPart(m: Model): GbdtModel | undefined {
  return m.kind === 'gbdt' ? m : m.kind === 'ensemble' ? m.gbdt : undefined;
}

/**
 * The whole training job for one model kind over time-ordered training rows: carve the newest
 * rows as validation, fit with early stopping there, pick the decision threshold there, then
 * (by default) refit on every training row. Pure and deterministic; `trainInWorker` runs it off
 * the main thread.
 */
export function trainModel(kind: ModelKind, train: Dataset, params: TrainParams = {}): TrainResult {
  validateDataset(train);
  const { dataset } = sortByTime(train);
  const { fit, validation } = carveValidation(dataset, params.validationFraction ?? 0.2);
  const hasVal = validation.y.length > 0;
  const staged = fitModel(kind, fit, hasVal ? validation : undefined, params);
  let threshold = 0.5;
  let evaluation: Evaluation | null = null;
  if (hasVal) {
    const p = predict(staged, validation.x);
    threshold = bestF1Threshold(validation.y, p).threshold;
    evaluation = evaluate(validation.y, p, effortOf(validation), threshold);
  }
  const refit = (params.refit ?? true) && hasVal;
  if (!refit) return { model: staged, threshold, validation: evaluation, rows: { fit: fit.y.length, validation: validation.y.length, final: fit.y.length }, refitted: false };
  const g = gbdtPart(staged);
  const rounds = g ? Math.max(1, Math.round((g.bestIteration * dataset.y.length) / fit.y.length)) : undefined;
  const final = fitModel(kind, dataset, undefined, params, rounds === undefined ? undefined : { numTrees: rounds, earlyStoppingRounds: 0 });
  return { model: final, threshold, validation: evaluation, rows: { fit: fit.y.length, validation: validation.y.length, final: dataset.y.length }, refitted: true };
}
