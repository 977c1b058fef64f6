import path from 'node:path';
import { natsUrl, durationMs, enumOf, int, list, num, secret, str, url, type ConfigOf } from '@omen/config';
import { OFFSET_GAP_POLICIES } from '@omen/kafka';
import { repoRoot } from '@omen/contracts';
import type { BaseConfigShape } from '@omen/service';

const hostPort = { describe: 'host:port', test: (s: string) => /^[^\s:]+:\d{1,5}$/.test(s) };
const tableName = { pattern: /^[A-Za-z_][A-Za-z0-9_]*$/, describe: 'a plain table name' };

/**
 * Everything the drift detector reads from its environment, besides the base service variables
 * (GRPC_PORT defaults to 50055 here). Durations take `500ms`, `30s`, `2m`, `1h` or plain milliseconds.
 */
export const driftConfigSchema = {
  /** The model registry directory whose versions carry referenceStats. @default <repo>/.omen/registry */
  DRIFT_REGISTRY_DIR: str({ default: path.join(repoRoot, '.omen', 'registry') }),
  /**
   * The trainer-coordinator's gRPC address (`host:port`). When set, aliases and reference
   * statistics come through its GetAliases / GetModel instead of DRIFT_REGISTRY_DIR (no shared volume).
   */
  DRIFT_TRAINER_ADDR: str({ pattern: /^[^\s:]+:\d{1,5}$/, describe: 'host:port' }).optional(),
  /** Token for the trainer's reads; only a trainer started with GRPC_REQUIRE_AUTH=true needs it. */
  DRIFT_TRAINER_TOKEN: secret({ minLength: 16 }).optional(),
  /** Models watched, by registry name; each is compared against its champion's training reference. @default jit-defect */
  DRIFT_MODELS: list({ default: ['jit-defect'] }),
  /** The alias whose version is "serving" and so the reference. @default champion */
  DRIFT_ALIAS: str({ default: 'champion' }),
  /** How often the registry's alias is re-read (heals a missed NATS event); 0 = never. @default 60s */
  DRIFT_REGISTRY_POLL: durationMs({ default: '60s' }),
  /**
   * Longest wait for the report store (ClickHouse) in GetDriftReport / ListDriftReports before
   * the call answers UNAVAILABLE: the client's timeout is 30 s, for the stream's inserts. @default 2s
   */
  DRIFT_READ_TIMEOUT: durationMs({ minMs: 10, maxMs: 600_000, default: '2s' }),

  /** Tumbling window length, by the records' event time. @default 1h */
  DRIFT_WINDOW: durationMs({ minMs: 1000, default: '1h' }),
  /**
   * How far event time must pass a window's end before the window is evaluated: records that
   * arrive later than that for a closed window are counted (omen_drift_records_total{outcome="late"}) and dropped. @default 5m
   */
  DRIFT_ALLOWED_LATENESS: durationMs({ default: '5m' }),
  /**
   * Wall-clock time after a stream's last record at which its open windows are evaluated anyway
   * (a quiet stream's last window, a demo); later records for them count as late. 0 = never:
   * windows close on event time only. @default 0
   */
  DRIFT_IDLE_CLOSE: durationMs({ default: '0' }),
  /** Fewest observations a test needs in a window; smaller samples are not tested. @default 100 */
  DRIFT_MIN_SAMPLES: int({ min: 1, max: 100_000_000, default: 100 }),
  /** Most observations kept per feature and window (a uniform reservoir beyond it). @default 50000 */
  DRIFT_MAX_SAMPLES: int({ min: 10, max: 10_000_000, default: 50_000 }),

  /** PSI above this is drift. @default 0.2 */
  DRIFT_PSI_THRESHOLD: num({ min: 0, max: 100, default: 0.2 }),
  /** KS p-value (Benjamini–Hochberg adjusted across the window's features) below this is drift; Evidently's 0.05. @default 0.05 */
  DRIFT_KS_ALPHA: num({ min: 0, max: 1, default: 0.05 }),
  /** Chi-squared p-value (adjusted as KS) below this is drift; Evidently's 0.05. @default 0.05 */
  DRIFT_CHI2_ALPHA: num({ min: 0, max: 1, default: 0.05 }),
  /** Jensen–Shannon distance (bits, 0..1) at or above this is drift; Evidently's 0.1. @default 0.1 */
  DRIFT_JS_THRESHOLD: num({ min: 0, max: 1, default: 0.1 }),
  /** Wasserstein distance over the reference's standard deviation at or above this is drift; Evidently's 0.1. @default 0.1 */
  DRIFT_WASSERSTEIN_THRESHOLD: num({ min: 0, max: 1000, default: 0.1 }),
  /**
   * The test that decides a numeric feature (and bug_probability): `auto` is Evidently's default,
   * KS for a reference of at most DRIFT_SMALL_REFERENCE_ROWS rows and normed Wasserstein above. @default auto
   */
  DRIFT_NUMERIC_TEST: enumOf(['auto', 'ks', 'wasserstein', 'psi', 'js'] as const, { default: 'auto' }),
  /** The test that decides a categorical feature: `auto` is χ² up to DRIFT_SMALL_REFERENCE_ROWS reference rows, Jensen–Shannon above. @default auto */
  DRIFT_CATEGORICAL_TEST: enumOf(['auto', 'chi2', 'js'] as const, { default: 'auto' }),
  /** Evidently's size boundary of the per-type defaults (reference rows). @default 1000 */
  DRIFT_SMALL_REFERENCE_ROWS: int({ min: 0, max: 1_000_000_000, default: 1000 }),
  /** The window's features drifted when at least this share of them did (Evidently's dataset drift). @default 0.5 */
  DRIFT_SHARE: num({ min: 0, max: 1, default: 0.5 }),
  /** Multiple-testing correction over the features' p-value tests of a window: `bh` (Benjamini–Hochberg) or `none`. @default bh */
  DRIFT_CORRECTION: enumOf(['bh', 'none'] as const, { default: 'bh' }),

  KAFKA_BROKERS: list({ item: hostPort }).optional(),
  SCHEMA_REGISTRY_URL: url({ protocols: ['http', 'https'] }).optional(),
  CLICKHOUSE_URL: url({ protocols: ['http', 'https'] }).optional(),
  /** drift.alert and model.promoted / model.rolledback. */
  NATS_URL: natsUrl().optional(),

  /** @default drift-detector */
  DRIFT_GROUP: str({ default: 'drift-detector' }),
  /**
   * When records were deleted before the detector read them: `skip` goes on (windows hold fewer
   * records; the lost ones are counted in omen_kafka_consumer_skipped_offsets_total and logged),
   * `stop` pauses the partition and reports NOT_SERVING. @default skip
   */
  DRIFT_OFFSET_GAP_POLICY: enumOf(OFFSET_GAP_POLICIES, { default: 'skip' }),
  /** @default features.commits.v1 */
  DRIFT_TOPIC_FEATURES: str({ default: 'features.commits.v1' }),
  /** @default predictions.v1 */
  DRIFT_TOPIC_PREDICTIONS: str({ default: 'predictions.v1' }),
  /** @default labels.commits.v1 */
  DRIFT_TOPIC_LABELS: str({ default: 'labels.commits.v1' }),
  /** @default monitoring.drift.v1 */
  DRIFT_TOPIC_REPORTS: str({ default: 'monitoring.drift.v1' }),
  /** @default drift_reports */
  DRIFT_TABLE: str({ default: 'drift_reports', ...tableName }),
  /** Subject of the retraining alert (the trainer-coordinator's TRAINER_DRIFT_SUBJECT). @default drift.alert */
  DRIFT_ALERT_SUBJECT: str({ default: 'drift.alert' }),
  /** Least time between two alerts for one model. @default 1h */
  DRIFT_ALERT_COOLDOWN: durationMs({ default: '1h' }),
  /**
   * How long an alert waits for the trainer's answer (the run it started, or its refusal) before
   * the report records `unanswered`. @default 5s
   */
  DRIFT_ALERT_REPLY_TIMEOUT: durationMs({ minMs: 10, maxMs: 120_000, default: '5s' }),
  /** Expected (CBPE) and realised ROC AUC per prediction window. @default drift_performance */
  DRIFT_PERFORMANCE_TABLE: str({ default: 'drift_performance', ...tableName }),
  /** Scores of the watched models' commit predictions, for the realised AUC. @default drift_scores */
  DRIFT_SCORES_TABLE: str({ default: 'drift_scores', ...tableName }),
  /** Commit labels, for the realised AUC. @default drift_labels */
  DRIFT_LABELS_TABLE: str({ default: 'drift_labels', ...tableName }),
  /**
   * How long after a window's end its commits' labels count as mature: then commits without a
   * bug-inducing label count as clean and the realised AUC is computed. @default 90d
   */
  DRIFT_LABEL_MATURITY: durationMs({ default: '90d' }),
  /** How often windows whose labels matured get their realised AUC. @default 10m */
  DRIFT_PERFORMANCE_INTERVAL: durationMs({ minMs: 100, default: '10m' }),
  /** Reports kept in memory for GetDriftReport / ListDriftReports when ClickHouse is not configured. @default 1000 */
  DRIFT_REPORTS_KEPT: int({ min: 1, max: 1_000_000, default: 1000 }),
  /** How often the consumer lag gauge is refreshed. @default 15s */
  DRIFT_LAG_INTERVAL: durationMs({ default: '15s' }),
};

export type DriftConfig = ConfigOf<typeof driftConfigSchema & BaseConfigShape>;

/** Where the service listens by default (the local mesh's block: ingest 50051 … drift-detector 50055). */
export const DRIFT_PORTS = { grpcPort: 50055, metricsPort: 9465 } as const;
