// What the registry stores. ModelVersionRecord, ModelArtifact, ModelSelector and ModelSource keep
// the shapes inference's first registry client had (services/inference/src/adapters/
// model-source.ts), so a record written there reads here and the other way round: everything
// added since is optional.

export interface FeatureSetRef {
  name: string;
  version: number;
}

/** A half-open time interval, ISO-8601 UTC. */
export interface TimeRange {
  from: string;
  to: string;
}

/** Where a version came from: enough to retrain it or to explain it. */
export interface Lineage {
  /** The training run; absent for imported models. */
  runId?: string;
  /** 'trained' by the trainer-coordinator, or 'imported' (an externally trained ONNX file). */
  source: 'trained' | 'imported';
  /** Event-time range of the rows the model saw (train ∪ test). */
  dataRange?: TimeRange;
  /** Features and labels known after this instant were not used. */
  cutoff?: string;
  /** Where the rows came from: `clickhouse:<table>` or `csv:<path>`. */
  rowSource?: string;
  rows?: { train: number; validation?: number; test: number; gap?: number; excludedLabels?: number };
  /** Positive share in the training rows. */
  labelRate?: number;
  /** Feature set fingerprint (`@omen/features` featureSetFingerprint) at training time. */
  featureSetFingerprint?: string;
  /** The code that trained it: git commit sha of the trainer, or "unknown". */
  codeVersion: string;
  /** Model kind / algorithm, e.g. "gbdt", "logistic", "ensemble", "onnx-import". */
  algorithm: string;
  /** Hyper-parameters as given (and as resolved, where the trainer fills defaults). */
  params: Record<string, unknown>;
}

export interface HistogramStats {
  /** Inner bin edges, ascending; bin k holds edges[k−1] < v ≤ edges[k], outer bins open. */
  edges: number[];
  /** Share of rows per bin (edges.length + 1 entries). */
  proportions: number[];
}

export interface DistributionStats {
  count: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  /** At ReferenceStatistics.quantileLevels. */
  quantiles: number[];
  histogram: HistogramStats;
  /** For a feature with few distinct values (booleans, small counts): share of each value. */
  categories?: Array<{ value: number; share: number }>;
}

/**
 * The training reference the drift detector compares live traffic against: per-feature
 * distributions over the training rows and the model's prediction distribution on them.
 */
export interface ReferenceStatistics {
  rows: number;
  labelRate: number;
  quantileLevels: number[];
  features: Array<DistributionStats & { name: string }>;
  predictions: DistributionStats;
}

/** The gate's verdict when the version was trained. */
export interface GateRecord {
  passed: boolean;
  /** Version compared against (the champion at the time); absent when there was none. */
  championVersion?: string;
  metric: string;
  margin: number;
  /** value / threshold are null where a check has none (e.g. no champion to compare with). */
  checks: Array<{ name: string; metric: string; value: number | null; threshold: number | null; passed: boolean }>;
}

/** What the registry stores about one model version. */
export interface ModelVersionRecord {
  name: string;
  version: string;
  /** Lower-case hex sha256 of the artifact bytes. */
  sha256: string;
  /** The feature set (and so the input order) the model was trained on. */
  featureSet: FeatureSetRef;
  /**
   * Reference value per feature (the training medians), the baseline that tree contributions
   * are measured against. Optional: without it the baseline is all zeros.
   */
  reference?: Record<string, number>;
  /** ISO time the version was registered. */
  createdAt?: string;
  /** Free-form labels (training run id, metrics) passed through to metadata. */
  labels?: Record<string, string>;

  /** Artifact format. @default 'onnx' */
  format?: 'onnx';
  /** Artifact size in bytes. */
  size?: number;
  /** Where the artifact store keeps it (file path or s3:// URI); informational, the sha256 is the key. */
  artifactUri?: string;
  /** The ONNX input's feature order. */
  featureNames?: string[];
  lineage?: Lineage;
  /** Scalar metrics on the holdout (auc, pr_auc, f1, brier, recall_at_20_effort, popt, ...). */
  metrics?: Record<string, number>;
  /** Non-scalar evaluation (calibration table, confusion at the threshold): JSON. */
  evaluation?: Record<string, unknown>;
  /** Decision threshold chosen on validation rows. */
  threshold?: number;
  referenceStats?: ReferenceStatistics;
  gate?: GateRecord;
}

/** A resolved version with its bytes, already checked against `sha256`. */
export interface ModelArtifact extends ModelVersionRecord {
  bytes: Uint8Array;
}

export type ModelSelector = { alias: string } | { version: string };

/** The read side every consumer (inference, drift detector, CLI) needs. */
export interface ModelSource {
  /** A version (by alias or version string) with its artifact. NOT_FOUND names what is missing. */
  resolve(name: string, selector: ModelSelector): Promise<ModelArtifact>;
  /** alias → version of one model; empty when the model has none. */
  aliases(name: string): Promise<Record<string, string>>;
  /** Every model name the source knows. */
  models(): Promise<string[]>;
}

export type AliasAction = 'promote' | 'rollback' | 'set' | 'clear';

/** One change of an alias, appended to the model's alias history. */
export interface AliasEvent {
  /** Unique id (time-ordered). */
  id: string;
  model: string;
  alias: string;
  /** The version the alias points at after the change; null when it was cleared. */
  version: string | null;
  previousVersion: string | null;
  action: AliasAction;
  reason?: string;
  /** Who asked: "trainer:run/<id>", "grpc:<peer>", "cli". */
  actor?: string;
  at: string;
}

/** What setAlias did: `changed` is false when the alias already pointed there (idempotent). */
export interface AliasChange {
  model: string;
  alias: string;
  version: string | null;
  previousVersion: string | null;
  changed: boolean;
  event?: AliasEvent;
}
