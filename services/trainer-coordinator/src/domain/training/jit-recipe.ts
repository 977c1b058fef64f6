import type { TrainParams } from './train-model.ts';

/**
 * The default recipe for JIT defect prediction on Kamei's metrics: shallow, strongly regularised
 * trees (the signal is mostly monotone in churn; deep trees memorise period-specific thresholds
 * that do not survive the time split), averaged with log1p-LR. Chosen on pseudo-test slices carved
 * from the training period of the ISSTA'21 projects, never on their test rows.
 */
export const JIT_TRAIN_PARAMS: TrainParams = {
  validationFraction: 0.2,
  refit: true,
  logistic: { l2: 1e-4, log1p: 'count-like' },
  gbdt: {
    numTrees: 1000,
    learningRate: 0.03,
    maxDepth: 3,
    maxLeaves: 8,
    minDataInLeaf: 100,
    lambda: 10,
    subsample: 0.8,
    colsample: 0.7,
    earlyStoppingRounds: 50,
    seed: 1,
  },
  gbdtWeight: 0.5,
};
