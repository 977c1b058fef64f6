// Public surface of the trainer's model core: pure functions over in-memory datasets (no I/O),
// plus trainInWorker to run a training job off the event loop.
export type { Dataset } from './dataset.ts';
export {
  DatasetError,
  validateDataset,
  sliceRows,
  takeRows,
  positiveRate,
  column,
  rowCount,
  featureCount,
} from './dataset.ts';
export { KAMEI_FEATURES, KAMEI_COUNT_LIKE, EFFORT_FEATURES } from './features.ts';
export { effortOf } from './effort.ts';
export { parseJitCsv } from './jit-csv.ts';
export type { ChronologicalSplit, ChronologicalSplitOptions, SplitReport, SplitPartReport } from './split.ts';
export { chronologicalSplit, carveValidation, sortByTime } from './split.ts';

export type { ClassWeight } from './model/class-weights.ts';
export type { Preprocessor } from './model/preprocess.ts';
export type { LogisticModel, LogisticParams } from './model/logistic.ts';
export { trainLogistic, predictLogistic, logisticMargins, rawCoefficients } from './model/logistic.ts';
export type { GbdtParams, ResolvedGbdtParams } from './gbdt/params.ts';
export { GBDT_DEFAULTS, resolveGbdtParams } from './gbdt/params.ts';
export type { GbdtModel } from './gbdt/booster.ts';
export { trainGbdt, predictGbdt, gbdtMargins } from './gbdt/booster.ts';
export type { Tree } from './gbdt/tree.ts';
export type { EnsembleModel } from './model/ensemble.ts';
export { predictEnsemble, ensembleMargins } from './model/ensemble.ts';
export type { Model, ModelKind } from './model/model.ts';
export { MODEL_KINDS, predict } from './model/model.ts';

export type { TrainAlgorithm, TrainParams, TrainResult, CandidateScore, Selection } from './training/train-model.ts';
export { trainModel, FALLBACK_CANDIDATE } from './training/train-model.ts';
export type { Candidate } from './training/candidates.ts';
export { CANDIDATES, SUBSET_FEATURES, trainSubsetLogistic } from './training/candidates.ts';
export { JIT_TRAIN_PARAMS } from './training/jit-recipe.ts';
export type { TrainInWorkerOptions, WorkerTrainResult } from './worker/train-in-worker.ts';
export { trainInWorker, TrainWorkerError } from './worker/train-in-worker.ts';

export type { ExportOptions } from './onnx/export.ts';
export { exportOnnx, featureNamesFromMetadata, ONNX_INPUT, ONNX_LABEL, ONNX_PROBABILITIES } from './onnx/export.ts';

export { rocAuc } from './metrics/auc.ts';
export { averagePrecision } from './metrics/average-precision.ts';
export type { Confusion } from './metrics/threshold.ts';
export { confusionAt, bestF1Threshold } from './metrics/threshold.ts';
export type { CalibrationBin, CalibrationTable } from './metrics/calibration.ts';
export { brierScore, logLoss, calibrationTable } from './metrics/calibration.ts';
export type { EffortAwareMetrics } from './metrics/effort.ts';
export { effortAwareMetrics } from './metrics/effort.ts';
export type { Evaluation } from './metrics/evaluate.ts';
export { evaluate } from './metrics/evaluate.ts';
export type { CurvePoint, EvaluationCurves, FeatureImportance } from './metrics/curves.ts';
export { evaluationCurves, permutationImportance } from './metrics/curves.ts';

export type { ReferenceStats, FeatureReference, DistributionSummary, Histogram, Category } from './reference-stats.ts';
export { referenceStats, summarize, quantileSorted, REFERENCE_QUANTILES, MAX_CATEGORIES } from './reference-stats.ts';

export type {
  FeatureRowInput,
  LabelRowInput,
  PointInTimeOptions,
  PointInTimeReport,
  DataCheck,
  DataCheckOptions,
} from './training-set.ts';
export { pointInTimeDataset, trainingSetChecks } from './training-set.ts';
export type { GateMetric, GateOptions, GateCheck, GateDecision, ChampionOnHoldout } from './gate.ts';
export { decideGate, gateValue, scalarMetrics } from './gate.ts';
export { RunParamsError, modelKindOf, resolveTrainParams } from './run-params.ts';
export type { MaturitySplitOptions, MaturitySplitReport } from './maturity-split.ts';
export { maturitySplit } from './maturity-split.ts';
