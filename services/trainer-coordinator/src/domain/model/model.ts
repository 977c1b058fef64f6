import { predictGbdt, type GbdtModel } from '../gbdt/booster.ts';
import { predictEnsemble, type EnsembleModel } from './ensemble.ts';
import { predictLogistic, type LogisticModel } from './logistic.ts';

export type Model = LogisticModel | GbdtModel | EnsembleModel;
export type ModelKind = Model['kind'];
export const MODEL_KINDS: readonly ModelKind[] = ['logistic', 'gbdt', 'ensemble'];

/** P(defect) for row-major raw features in the model's feature order. */
export function predict(model: Model, x: Float64Array): Float64Array {
  const f = model.featureNames.length;
  if (x.length % f !== 0) throw new RangeError(`x has ${x.length} values, not a multiple of the model's ${f} features`);
  switch (model.kind) {
    case 'logistic':
      return predictLogistic(model, x);
    case 'gbdt':
      return predictGbdt(model, x);
    case 'ensemble':
      return predictEnsemble(model, x);
  }
}
