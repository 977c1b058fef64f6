import { gbdtMargins, type GbdtModel } from '../gbdt/booster.ts';
import { logisticMargins, type LogisticModel } from './logistic.ts';
import { sigmoid } from './sigmoid.ts';

/**
 * Logistic regression and boosted trees averaged in log-odds space. The linear model extrapolates
 * smoothly into the future (counts such as exp keep growing past anything seen in training); the
 * trees catch thresholds and interactions the linear model cannot. On time-split JIT data the
 * average beats either alone.
 */
export interface EnsembleModel {
  readonly kind: 'ensemble';
  readonly featureNames: readonly string[];
  readonly logistic: LogisticModel;
  readonly gbdt: GbdtModel;
  /** margin = logisticWeight · LR margin + gbdtWeight · GBDT margin. */
  readonly logisticWeight: number;
  readonly gbdtWeight: number;
}

export function ensembleMargins(model: EnsembleModel, x: Float64Array): Float64Array {
  const l = logisticMargins(model.logistic, x);
  const g = gbdtMargins(model.gbdt, x);
  return l.map((v, i) => model.logisticWeight * v + model.gbdtWeight * g[i]!);
}

export function predictEnsemble(model: EnsembleModel, x: Float64Array): Float64Array {
  return ensembleMargins(model, x).map(sigmoid);
}
